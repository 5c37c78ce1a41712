"""Judging a ``calls.Run`` against autodiff: the parts model (``attribution``), the named
findings (``findings``), failed calls (``crashes``), and the verdict (``diagnosis``)."""
