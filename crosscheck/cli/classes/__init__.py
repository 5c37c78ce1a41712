"""A teacher's class run, one step per module: ``record`` (one target's result as one object,
one set of field names for JSON and CSV), ``journal`` (JSON Lines, appended and fsynced as each
target is judged; resume by content hash), ``shard`` (a stable split for job arrays),
``feedback`` (a report per target to hand back), ``class_page`` (the class at a glance, HTML
and PNG), ``gradescope`` (Gradescope's results.json). The count, each target once under its
primary outcome, is :mod:`crosscheck.learner.show.outcomes`."""
