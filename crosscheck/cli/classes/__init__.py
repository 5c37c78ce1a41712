"""A teacher's class run, one step per module: ``record`` (one target's result as one object,
one set of field names for JSON and CSV), ``journal`` (JSON Lines, appended and fsynced as each
target is judged; resume by content hash), ``shard`` (a stable split for job arrays),
``outcomes`` (each target counted once under its primary outcome), ``feedback`` (a report per
target to hand back), ``class_page`` (the class at a glance, HTML and PNG), ``gradescope``
(Gradescope's results.json)."""
