"""Executing a notebook in a real Jupyter kernel (nbclient), for the tests of what a learner sees
in Jupyter. The kernel is this interpreter (a kernelspec written to a temporary JUPYTER_PATH), with
this checkout first on its path; ``run_notebook`` skips the test cleanly when nbclient, nbformat
or ipykernel is missing or no kernel can start."""
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def new_notebook(cells):
    """An nbformat-4 notebook of code cells (str) and markdown cells (("md", text))."""
    nbformat = pytest.importorskip("nbformat")
    v4 = nbformat.v4
    made = [v4.new_markdown_cell(c[1]) if isinstance(c, tuple) else v4.new_code_cell(c) for c in cells]
    nb = v4.new_notebook(cells=made)
    nb.metadata["kernelspec"] = {"name": "crosscheck-test", "language": "python", "display_name": "test"}
    return nb


def run_notebook(nb, folder, monkeypatch, timeout=600):
    """Execute ``nb`` in ``folder`` in a fresh kernel; returns the executed notebook."""
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    spec = folder / "kernels" / "crosscheck-test"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(folder))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="crosscheck-test",
                                     resources={"metadata": {"path": str(folder)}}, allow_errors=True)
    try:
        return client.execute()
    except (RuntimeError, OSError, TimeoutError) as exc:
        if "kernel" in str(exc).lower() or isinstance(exc, (OSError, TimeoutError)):
            pytest.skip(f"no Jupyter kernel could start here: {exc}")
        raise


def text_output(cell):
    """Everything a cell printed or displayed as text."""
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
        parts.append(out.get("data", {}).get("text/html", ""))
        parts += [out.get("ename", ""), out.get("evalue", "")]
    return "\n".join(parts)
