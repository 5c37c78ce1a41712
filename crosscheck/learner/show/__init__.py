"""Showing a ``Diagnosis``: text, JSON and HTML (``render``)."""
