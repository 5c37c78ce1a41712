"""Running a learner's function: a target parsed once into a ``kinds.Target``, its kind's session
(a worker process for Python, ``pysession``/``runner``/``worker``, with a notebook's definitions
from ``notebook``/``statements``; GNU Octave for a .m file, ``octave``; the caller's own function
in this process, ``inprocess``), and the one driver over the problems (``target``). Produces
``calls.Run``; judges nothing."""
