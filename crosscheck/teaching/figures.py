"""PNG figures of a trained network (matplotlib, Agg backend, imported only when called).

- hidden_units.png: each hidden unit's input weights Θ^(1)[j, 1:] (s_1,) drawn as an image,
  as the course's "visualising the hidden layer" (displayData(Theta1(:, 2:end))).
- cost_curves.png: J per optimiser iteration, one panel per loss.
- predictions.png: held-out digits with their predicted digit (red when wrong).
"""
from pathlib import Path

import numpy as np

from manual.errors import InputError


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _side(n):
    side = int(round(np.sqrt(n)))
    if side * side != n:
        raise InputError(f"inputs are {n} pixels, not a square image; cannot draw them")
    return side


def _grid(count):
    cols = int(np.ceil(np.sqrt(count)))
    return int(np.ceil(count / cols)), cols


def hidden_units(path, theta1, order="C"):
    """Θ^(1)[:, 1:] (s_2, s_1): each row as a √s_1 × √s_1 image, grey scale per unit."""
    plt = _pyplot()
    weights = np.asarray(theta1)[:, 1:]
    side = _side(weights.shape[1])
    rows, cols = _grid(weights.shape[0])
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.3 * rows + 0.5))
    for j, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if j < weights.shape[0]:
            w = weights[j]
            limit = np.max(np.abs(w)) or 1.0            # each unit on its own symmetric scale
            ax.imshow(w.reshape((side, side), order=order), cmap="gray", vmin=-limit, vmax=limit)
            ax.set_title(f"unit {j + 1}", fontsize=7)
    fig.suptitle("hidden units: input weights Θ⁽¹⁾[j, 1:] as images")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cost_curves(path, curves):
    """curves {loss: [J per iteration]}: one panel per loss, J on a log scale. The first is the run
    that was asked for; any other is a second run with that loss from the same start and settings,
    drawn for comparison, and its title says so."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 3.8), squeeze=False)
    for index, (ax, (loss, costs)) in enumerate(zip(axes[0], curves.items())):
        ax.plot(np.arange(1, len(costs) + 1), costs, color="C0")
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        ax.set_ylabel("J(Θ) (training, with penalty)")
        ax.set_title(loss.replace("_", " ") + (" (this run)" if index == 0 else
                                               "\n(a second run for comparison: same start and settings)"),
                     fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle("cost per iteration")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def predictions(path, thetas, X, y, order="C", count=40):
    """``count`` examples of X (m, s_1) with their predicted digit (label 10 is digit 0):
    the misclassified ones first (at most a quarter of the grid), then the rest in order."""
    from manual import predict
    plt = _pyplot()
    y = np.asarray(y)
    all_guesses = predict(thetas, X)
    wrong_total = int(np.sum(all_guesses != y))
    count = min(count, X.shape[0])
    wrong = np.flatnonzero(all_guesses != y)[:count // 4]
    shown = np.concatenate([wrong, np.setdiff1d(np.arange(X.shape[0]), wrong)])[:count]
    X, y, guess = X[shown], y[shown], all_guesses[shown]
    side = _side(X.shape[1])
    cols = 8
    rows = int(np.ceil(count / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.2 * cols, 1.35 * rows + 0.5))
    for i, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if i < count:
            ax.imshow(X[i].reshape((side, side), order=order), cmap="gray_r")
            right = guess[i] == y[i]
            ax.set_title(f"{guess[i] % 10}" if right else f"{guess[i] % 10} (is {y[i] % 10})",
                         fontsize=8, color="black" if right else "red")
    fig.suptitle(f"held-out digits and predicted labels; {wrong_total} of {len(all_guesses)} wrong "
                 f"(red, shown first)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_all(out_dir, thetas, curves, held_out, order="C"):
    """All three figures into out_dir (created); returns their paths as strings."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot create the folder ({exc.strerror})") from None
    paths = [out / "hidden_units.png", out / "cost_curves.png", out / "predictions.png"]
    hidden_units(paths[0], thetas[0], order)
    cost_curves(paths[1], curves)
    predictions(paths[2], thetas, *held_out, order=order)
    return [str(p) for p in paths]
