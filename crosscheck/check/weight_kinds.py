"""The weights the report checks at: every kind is reproducible from (layer sizes, seed).

- "debug":   the course's debugInitializeWeights, sin(1..n)/10 (deterministic).
- "normal":  the original notebook's N(0, 1) start, seeded (saturates many hidden units).
- "uniform": the course's randInitializeWeights, uniform ±0.12, seeded.
- "trained": "uniform" after a short, fixed training run (see TRAINING), so gradients are
             small and data and penalty terms partly cancel, as at the end of training.
- "course":  the course's ex4weights.mat (only with --weights).
"""
from manual.initialisation import debug_init, normal_init, uniform_init
from manual.training import train

WEIGHT_KINDS = ("debug", "normal", "uniform", "trained", "course")
DEFAULT_KINDS = WEIGHT_KINDS[:4]          # "course" needs --weights
HIDDEN_UNITS = 25
NUM_LABELS = 10

# The fixed training run behind "trained": deterministic given the data and the seed.
TRAINING = {"lambda_": 1.0, "loss": "cross_entropy", "method": "L-BFGS-B", "maxiter": 25}


def layer_sizes(X, course=None):
    """(s_1, 25, 10) for X (m, s_1), or the course weights' own sizes when given."""
    if course is not None:
        return (course[0].shape[1] - 1, course[0].shape[0], course[1].shape[0])
    return (X.shape[1], HIDDEN_UNITS, NUM_LABELS)


def make_weights(kind, sizes, X, y, seed, course=None):
    """[Θ^(l) (s_{l+1}, 1 + s_l)] for one weights kind; X (m, s_1) and y (m,) feed "trained"."""
    if kind == "debug":
        return debug_init(sizes)
    if kind == "normal":
        return normal_init(sizes, seed)
    if kind == "uniform":
        return uniform_init(sizes, seed)
    if kind == "trained":
        return train(uniform_init(sizes, seed), X, y, **TRAINING)[0]
    if kind == "course":
        if course is None:
            raise ValueError("the course weights need --weights")
        return [t.copy() for t in course]
    raise ValueError(f"unknown weights kind {kind!r}")
