"""A small class of students, written into a folder: one right, one named mistake, the exercise's
stub, one that raises, and (optionally) one that hangs until it is stopped."""
# Each student's file is whole: a sandboxed worker sees the target alone.
COST = """import numpy as np


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    n1 = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:n1].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = nn_params[n1:].reshape((num_labels, hidden_layer_size + 1), order="F")
    m = X.shape[0]
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), 1 / (1 + np.exp(-z2))])
    h = 1 / (1 + np.exp(-(a2 @ Theta2.T)))
    Y = (np.asarray(y).reshape(-1, 1) == np.arange(1, num_labels + 1)).astype(float)
    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    J += lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = h - Y
    g = 1 / (1 + np.exp(-z2))
    d2 = (d3 @ Theta2[:, 1:]) * g * (1 - g)
    G1, G2 = d2.T @ a1 / m, d3.T @ a2 / m
    if REGULARISED:
        G1[:, 1:] += lambda_ / m * Theta1[:, 1:]
        G2[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])
"""

SOURCES = {
    "alice": "REGULARISED = True\n" + COST,
    "bob": "REGULARISED = False          # no_reg_in_gradient\n" + COST,
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
