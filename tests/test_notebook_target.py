"""`crosscheck verify NOTEBOOK.ipynb:FUNCTION`: a learner's notebook (tests/notebooks/ex4.ipynb,
written for these tests) whose cells load a data file that is absent, train, plot and use
magics; only its imports and definitions run."""
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from crosscheck.learner.problems import PROBLEMS
from crosscheck.cli import main
from crosscheck.learner.run.notebook import module_source
from manual.errors import InputError

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "ex4.ipynb"


def run_verify(capsys, target, *options):
    code = main(["verify", str(target), *options])
    out, err = capsys.readouterr()
    return code, out, err


def planted(tmp_path, replacements, name="ex4.ipynb"):
    """A copy of the notebook with each (old, new) made once; the test fails if ``old`` is absent."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for old, new in replacements:
        hits = [c for c in nb["cells"] if old in "".join(c["source"])]
        assert len(hits) == 1, old
        hits[0]["source"] = "".join(hits[0]["source"]).replace(old, new, 1)
    path = tmp_path / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def one_line_error(code, err, *words):
    lines = [line for line in err.splitlines() if line.startswith("crosscheck verify: error:")]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_notebook_is_verified_right(capsys):
    code, out, err = run_verify(capsys, f"{NOTEBOOK}:nnCostFunction")
    assert code == 0, err
    assert f"RIGHT: your nnCostFunction matches autodiff on all {len(PROBLEMS)} problems." in out


def test_only_imports_and_definitions_are_kept():
    everything = module_source(NOTEBOOK).text.split("\n", 1)[1]       # (the header names the file)
    needed = module_source(NOTEBOOK, "nnCostFunction").text
    for kept in ["import numpy as np", "def sigmoidGradient(z):", "def unroll(*matrices):", "def nnCostFunction("]:
        assert kept in needed
    for dropped in ["loadmat('ex4data1.mat')", "RuntimeError", "minimize(", "plt.show", "%", "!pip", "?"]:
        assert dropped not in everything
    assert "num_labels = 10" in everything and "num_labels = 10" not in needed   # not used by the function
    skipped = {(s.cell, s.line): s.reason for s in module_source(NOTEBOOK).skipped}
    assert skipped[(2, 1)] == "an IPython magic or shell line"        # %matplotlib inline
    assert skipped[(3, 1)] == "an IPython magic or shell line"        # !pip
    assert skipped[(4, 1)] == "an assignment that calls loadmat"
    assert skipped[(4, 3)] == "uses X, which no statement kept above defines"
    assert skipped[(11, 1)] == "a cell magic"                          # %%time training cell
    assert skipped[(13, 1)] == "an IPython magic or shell line"       # nnCostFunction?


MISTAKES = {
    "sigmoid_prime_of_activation": [("sigmoidGradient(z2)", "sigmoidGradient(a2[:, 1:])")],
    "missing_divide_by_m": [("d2.T @ a1 / m", "d2.T @ a1"), ("d3.T @ a2 / m", "d3.T @ a2")],
    "regularize_bias": [("np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2)", "np.sum(Theta1 ** 2) + np.sum(Theta2 ** 2)"),
                        ("Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]", "Theta1_grad += lambda_ / m * Theta1"),
                        ("Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]", "Theta2_grad += lambda_ / m * Theta2")],
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_planted_mistake_is_named(capsys, tmp_path, mistake):
    code, out, err = run_verify(capsys, f"{planted(tmp_path, MISTAKES[mistake])}:nnCostFunction", "--json")
    assert code == 1, err
    assert json.loads(out)["diagnosis"] == [mistake]


def test_error_line_counts_from_the_top_of_its_cell(capsys, tmp_path):
    """As Jupyter counts: `d3 = h - Y` is line 13 of the cell that defines nnCostFunction."""
    path = planted(tmp_path, [("    d3 = h - Y\n", "    d3 = h - Y.T\n")])
    code, out, _ = run_verify(capsys, f"{path}:nnCostFunction")
    assert code == 1 and "raised ValueError" in out
    assert re.search(r"\(ex4\.ipynb cell \d+, line 13\)", out)          # the cell, as the notebook counts
    assert re.search(r"^At ex4\.ipynb cell \d+, line 13: `d3 = h - Y\.T`$", out, re.M)     # and the line


def test_imports_the_function_does_not_use_are_not_run(capsys, tmp_path):
    """A Colab notebook's `from google.colab import drive` must not stop the check."""
    path = planted(tmp_path, [("import numpy as np\n", "import numpy as np\nfrom google.colab import drive\n")])
    assert "google" in module_source(path).text
    code, out, err = run_verify(capsys, f"{path}:nnCostFunction")
    assert code == 0, err


def test_function_needing_a_name_only_a_skipped_cell_defines(capsys, tmp_path):
    """A classic: the global m of the data cell used inside the function."""
    path = planted(tmp_path, [("    m = X.shape[0]\n    a1", "    a1")])
    code, _, err = run_verify(capsys, f"{path}:nnCostFunction")
    one_line_error(code, err, "nnCostFunction needs 'm'", "cell 4 line 3", "`m = X.shape[0]`")


def test_helper_of_a_helper_defined_only_in_a_skipped_cell(capsys, tmp_path):
    """sigmoidGradient calls sigmoid; sigmoid is defined only inside the %%time training cell."""
    path = planted(tmp_path, [("def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))\n", ""),
                              ("%%time\n", "%%time\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n")])
    code, _, err = run_verify(capsys, f"{path}:nnCostFunction")
    one_line_error(code, err, "nnCostFunction needs 'sigmoid'", "cell 11", "a cell magic")


def test_function_defined_only_in_a_skipped_cell(capsys, tmp_path):
    path = planted(tmp_path, [("def nnCostFunction(", "%%time\ndef nnCostFunction(")])
    code, _, err = run_verify(capsys, f"{path}:nnCostFunction")
    one_line_error(code, err, "nnCostFunction is defined only in cell 10", "a cell magic")


def test_unparseable_cell_not_needed_is_skipped(capsys, tmp_path):
    path = planted(tmp_path, [("print(J)", "print J")])             # Python 2 in a cell that plots
    source = module_source(path, "nnCostFunction")
    assert [s.reason for s in source.skipped if s.cell == 12] == ["not Python: line 2: SyntaxError"]
    assert run_verify(capsys, f"{path}:nnCostFunction")[0] == 0


def write(tmp_path, text, name="bad.ipynb"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, words", [
    ("{not json", ["not a Jupyter notebook (not JSON"]),
    ("[1, 2]", ["not a Jupyter notebook (no cells)"]),
    ('{"cells": 3}', ["not a Jupyter notebook (no cells)"]),
    ('{"cells": [{"cell_type": "code", "source": 7}]}', ["cell 1 has no readable source"]),
    ('{"cells": [], "metadata": {"kernelspec": {"language": "octave"}}}', ["language is octave", "nnCostFunction.m"]),
    ("[" * 100000 + "]" * 100000, ["not a Jupyter notebook"]),
])
def test_bad_notebook_is_one_line(capsys, tmp_path, text, words):
    code, out, err = run_verify(capsys, f"{write(tmp_path, text)}:nnCostFunction")
    one_line_error(code, err, *words)
    assert out == ""


def test_oversized_notebook_is_refused_before_reading(capsys, monkeypatch):
    from crosscheck.learner.run import notebook
    monkeypatch.setattr(notebook, "MAX_BYTES", 1000)
    one_line_error(*run_verify(capsys, f"{NOTEBOOK}:nnCostFunction")[::2], "larger than a notebook", "clear its outputs")


def test_notebook_without_the_function_lists_what_it_defines(capsys):
    code, _, err = run_verify(capsys, f"{NOTEBOOK}:costFunction")
    one_line_error(code, err, "has no function 'costFunction'", "nnCostFunction", "sigmoidGradient")


def test_nbformat_3_notebook(capsys, tmp_path):
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = [{**c, "input": c["source"]} for c in nb["cells"]]
    path = write(tmp_path, json.dumps({"worksheets": [{"cells": cells}], "nbformat": 3}))
    assert run_verify(capsys, f"{path}:nnCostFunction")[0] == 0


PIECES = ["def f(x):\n", "    return x\n", "%time ", "!ls\n", "x = 1\n", "class A:\n", "  y = z\n", "  return y\n",
          "import os\n", "from json import *\n", "@dec\n", "lambda: 0\n", "'''", '"', "\\", "\t", "(yield)\n",
          "if __name__ == '__main__':\n", "    pass\n", "a; b = 2\n", "nnCostFunction = f\n", "global x\n",
          "def nnCostFunction(*a):\n", "    return sigmoid(a)\n", "%%time\n", "x?\n", "y = !ls\n", "\x00", "é",
          "try:\n    import no_such_module_xyz\nexcept ImportError:\n    pass\n", "def g(x=u): pass\n",
          "class B:\n    return 1\n", "class C:\n    from json import *\n"]   # parse, but do not compile


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["code", "code", "markdown"]),
                          st.lists(st.sampled_from(PIECES), max_size=8).map("".join)), max_size=5),
       st.sampled_from([None, "nnCostFunction", "f"]))
def test_any_notebook_gives_a_module_that_imports_or_one_line(tmp_path_factory, cells, function):
    """Fragments of Python, magics and junk in any order: module_source raises nothing but
    InputError, and its module runs (only an import of an absent module may fail, or the
    function's own cell when it does not parse: the learner's syntax error, with its cell)."""
    path = tmp_path_factory.mktemp("nb") / "fuzz.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": kind, "source": text} for kind, text in cells]}))
    try:
        text = module_source(path, function).text
    except InputError:
        return
    try:
        exec(compile(text, str(path), "exec"), {"__name__": "fuzzed"})
    except ImportError:
        pass
    except SyntaxError as exc:
        assert function is not None                     # only the named function's own cell
        assert exc.filename is None or exc.filename.startswith(f"{path.resolve()}#cell")  # None: a NUL byte
