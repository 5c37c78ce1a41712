"""Everything about a learner's own ``nnCostFunction``, by stage (arrows point down):

``api`` (``verify``, ``assert_verified``) → ``show`` (text, JSON, HTML) → ``judge`` (attribution,
findings, diagnosis) → ``run`` (targets, the sandboxed worker, notebooks, Octave) → ``calls`` (plain
data between running and judging) and ``problems`` (the fixed problems and their references).
"""
