"""Running a learner's function: parse the target (``target``), run it in an isolated worker
process (``runner`` here, ``worker`` in the child), a notebook's definitions (``notebook``,
``statements``), a .m file in GNU Octave (``octave``). Produces ``calls.Run``; judges nothing."""
