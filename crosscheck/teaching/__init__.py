"""Teaching material: the mistakes gallery (``gallery``), training a course-signature function as
the notebook did (``notebook_training``), heat maps of a gradient error (``heatmap``) and the
figures of a trained network (``figures``)."""
