"""How two results are compared: the one comparison helper (``compare``), the one tolerance table
(``tolerances``), central differences (``central``), the weights the report checks at
(``weight_kinds``), the public ``check_against_autodiff`` (``autodiff``) and every pinned
scenario evaluated per implementation (``evaluate``)."""
