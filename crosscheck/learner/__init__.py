"""Everything about a learner's own ``nnCostFunction``: loading and calling it (``target``), the
fixed problems it runs on (``problems``), what is wrong with it (``diagnosis``) and the report
(``render``)."""
