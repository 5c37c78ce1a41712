"""Locations in the learner's terms: a notebook cell and line, and the line itself, for what
crashes or does not parse, from the command line and from ``verify(fn)`` in a live kernel."""
import pytest

from crosscheck.cli import main
from crosscheck.learner.run.notebook import cell_line, ipython_cell, learner_terms, module_source

from live_kernel import new_notebook, run_notebook, text_output

CRASHING = ("def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):\n"
            "    J = 0.0\n"
            "    J = J / 0\n"
            "    return J, nn_params")


def test_in_a_live_kernel_a_cell_file_maps_to_its_count(tmp_path, monkeypatch):
    nb = new_notebook(["x = 1", "def f():\n    y = 2\n    return 1 / 0",
                       "import inspect\nfrom crosscheck.learner.run.notebook import learner_terms\n"
                       "print(learner_terms(inspect.getsourcefile(f), 3))"])
    done = run_notebook(nb, tmp_path, monkeypatch)
    assert "cell In[2], line 3: `return 1 / 0`" in text_output(done.cells[2])


def test_outside_ipython_a_file_is_a_file(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text("a = 1\nb = 1 / 0\n")
    assert ipython_cell(str(path)) is None
    assert learner_terms(str(path), 2) == "mine.py line 2: `b = 1 / 0`"
    assert cell_line("a\n  b  \n", 2) == "b" and cell_line("a", 5) == ""


def _write(tmp_path, cells, name="ex4.ipynb"):
    import nbformat
    path = tmp_path / name
    nbformat.write(new_notebook(cells), path)
    return path


def test_a_syntax_error_in_the_functions_cell_is_exit_1_with_its_line(tmp_path, capsys):
    path = _write(tmp_path, [("md", "# ex4"), "import numpy as np",
                             "def nnCostFunction(nn_params, a, b, c, X, y, lambda_):\n    J = (1 +\n    return J, nn_params"])
    assert main(["verify", f"{path}:nnCostFunction"]) == 1
    out = capsys.readouterr().out
    assert "SyntaxError" in out and "line 2" in out


def test_a_global_from_data_gets_compute_it_inside(tmp_path):
    from manual.errors import InputError
    path = _write(tmp_path, ["import numpy as np\nX = np.load('x.npy')\nm = X.shape[0]",
                             "def nnCostFunction(nn_params, a, b, c, X, y, lambda_):\n    return 1.0 / m, nn_params"])
    with pytest.raises(InputError, match=r"compute 'm' inside nnCostFunction from its arguments"):
        module_source(path, "nnCostFunction")


def test_cli_names_the_cell_and_line_of_a_crash(tmp_path, capsys):
    """Cell 3 (the markdown cell counts, as the notebook shows them), line 3, and the line."""
    path = _write(tmp_path, ["import numpy as np", ("md", "# the cost"), CRASHING])
    assert main(["verify", f"{path}:nnCostFunction"]) == 1
    out = capsys.readouterr().out
    assert "raised ZeroDivisionError: float division by zero (ex4.ipynb cell 3, line 3)" in out
    assert "\nAt ex4.ipynb cell 3, line 3: `J = J / 0`\n" in out


def test_cli_names_the_cell_of_a_syntax_error(tmp_path, capsys):
    path = _write(tmp_path, ["import numpy as np", ("md", "# the cost"),
                             "def nnCostFunction(nn_params, a, b, c, X, y, lambda_):\n    J = (1 +\n    return J, nn_params"])
    assert main(["verify", f"{path}:nnCostFunction"]) == 1
    out = capsys.readouterr().out
    assert "could not run: ex4.ipynb cell 3, line 2: SyntaxError" in out and "At ex4.ipynb cell 3, line 2: `J = (1 +`" in out


def test_in_a_live_kernel_verify_names_the_cell_and_suggests_the_keyword(tmp_path, monkeypatch):
    """verify(fn) in Jupyter: the crash is in In[3] (not IPython's temporary file name), with its
    line; a time-out's advice is the keyword timeout=, not the command line's flag."""
    nb = new_notebook(["from crosscheck import verify", "import time",
                       CRASHING,
                       "print(verify(nnCostFunction))",
                       "def slow(*args):\n    time.sleep(5)",
                       "print(verify(slow, timeout=0.5))"])
    done = run_notebook(nb, tmp_path, monkeypatch)
    crash, slow = text_output(done.cells[3]), text_output(done.cells[5])
    assert "(cell In[3], line 3)" in crash and "At cell In[3], line 3: `J = J / 0`" in crash
    assert "ipykernel" not in crash
    assert "raise the limit with timeout=S (seconds)" in slow and "--timeout" not in slow


def test_hard_coded_sizes_are_shown_at_their_line():
    from pathlib import Path

    from crosscheck.learner.judge.diagnosis import diagnose
    from crosscheck.learner.run.target import run_target
    ports = Path(__file__).resolve().parent / "student_code" / "ports.py"
    result = diagnose(run_target(f"{ports}:hard_coded_right"))
    [finding] = [f for f in result.findings if f.id == "sizes_hard_coded"]
    assert finding.where == 'ports.py line 36: `Theta1 = np.reshape(nn_params[:25 * 401], (25, 401), order="F")`'


def test_the_line_shown_is_cleaned_and_bounded():
    """The line comes from the learner's file: escapes and bidi controls never reach the report."""
    shown = cell_line("a = 1\nb = '\x1b[31mred\u202e' + 'x' * 500\n", 2)
    assert "\x1b" not in shown and "\u202e" not in shown and len(shown) <= 120
