"""Showing a ``Diagnosis``: text (``render``), JSON (``as_json``), HTML (``as_html``), and the verdict
and the class summary (``verdict``); every form from the one result."""
