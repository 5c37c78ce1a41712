"""A small class of students, written into a folder: one right, one named mistake, the exercise's
stub, one that raises, and (optionally) one that hangs until it is stopped."""
from pathlib import Path

STUDENT_CODE = Path(__file__).resolve().parent / "student_code"

SOURCES = {
    "alice": "from manual.course import nn_cost_function as nnCostFunction  # noqa: F401\n",
    "bob": (f"import sys\nsys.path.insert(0, {str(STUDENT_CODE)!r})\n"
            "from loop_mistakes import no_reg_in_gradient as nnCostFunction  # noqa: F401,E402\n"),
    "carol": ("import numpy as np\n\n\ndef nnCostFunction(nn_params, input_layer_size, hidden_layer_size, "
              "num_labels, X, y, lambda_):\n    J = 0\n    grad = np.zeros(nn_params.shape)\n    return J, grad\n"),
    "dave": ("def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):\n"
             "    return 1 / 0\n"),
}
HANGS = ("import time\n\n\ndef nnCostFunction(*args):\n    time.sleep(3600)\n")


def write_class(folder, hanging=None, names=tuple(SOURCES)):
    """Write the class into ``folder``; ``hanging``: a student whose function never returns."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.py").write_text(SOURCES[name], encoding="utf-8")
    if hanging:
        (folder / f"{hanging}.py").write_text(HANGS, encoding="utf-8")
    return folder


def targets(folder, names):
    return [f"{folder / name}.py:nnCostFunction" for name in names]
