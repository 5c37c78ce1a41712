"""Everything about a learner's own ``nnCostFunction``.

Running it: ``target`` (the one entry point, ``run_target``), ``runner`` (the parent side of the
isolated worker process) and ``worker`` (the child), ``notebook`` / ``statements`` (a notebook's
definitions), ``octave`` (a .m file in GNU Octave). What running produced, as plain data:
``calls``. The fixed ``problems`` and their autodiff references. Judging it: ``diagnosis``
(with the parts model ``attribution``, the named ``findings`` and failed calls in ``crashes``).
Showing it: ``render`` (text and JSON) and ``api`` (``verify``, ``assert_verified``, notebook HTML).
"""
