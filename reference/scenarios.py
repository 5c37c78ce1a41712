"""The named scenarios whose values ``reference/pins.json`` pins, defined in code.

A scenario says what to compute (its data, its weights, loss, λ) and which values the
course published for it; :func:`build` turns it into numbers. The pins themselves are
never written here: ``crosscheck pin --update`` computes them (``reference.evaluate``)
and writes them into ``pins.json``, and ``crosscheck pin --check`` recomputes them.

Three kinds:

- ``network``: (thetas [(s_{l+1}, 1 + s_l)], X (m, s_1), y (m,)) → J and ∂J/∂Θ^(l).
- ``sigmoid_gradient``: g'(z) at the course's five points.
- ``gradient_check``: central differences vs the analytic gradient on the debug problem,
  pinned as a bound (the course's "relative difference < 1e-9"), not as a value.

Course files: ``requires`` names the ones a scenario needs ("ex4data", "ex4weights");
without them it is skipped, never passed.
"""
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from manual.io.data import load_default_digits, load_ex4data, load_ex4weights
from manual.initialisation import normal_init, uniform_init
from manual.layout import COURSE_LAYER_SIZES, reroll
from manual.numgrad import debug_problem

COURSE_PDF = "Coursera ML ex4.pdf / ex4.m printed output"
SIGMOID_POINTS = (-1.0, -0.5, 0.0, 0.5, 1.0)
DIGITS_SIZES = (64, 25, 10)          # the embedded 8×8 digits in the course's architecture
NOTEBOOK_SEED = 0
UNIFORM_SEED = 0
NOTEBOOK_PRINTED = 3.2763407662496107
NOTEBOOK_NOTE = (
    f"The original notebook printed J = {NOTEBOOK_PRINTED} (cross-entropy, λ = 1, 400-25-10 on "
    "ex4data1) from an unseeded np.random.normal(0, 1) draw. Ours draws N(0, 1) from "
    f"numpy.random.default_rng({NOTEBOOK_SEED}), a different draw, so its J can only be close to "
    "the notebook's, not equal: both are samples of J over random N(0, 1) weights, and the "
    "notebook's number approximates that distribution's typical value (its expectation), not a "
    "reproducible constant. The penalty part, λ/(2m)·ΣΘ² ≈ 10 250/(2·5000), barely varies between "
    "draws; the data part varies more, because only 260 output weights decide it.")
TRAINING = {"method": "gradient_descent", "step": None, "iterations": 50,
            "start": f"uniform_init(seed={UNIFORM_SEED}, epsilon=0.12)",
            "why": "fixed-step gradient descent has no line search and no branches, so a rounding "
                   "difference in one gradient (another BLAS, another summation order) is carried, "
                   "not amplified: gradients perturbed by 1e-14 relative at every step moved the "
                   "end point's pins by < 3e-15 relative. Each implementation trains with its own "
                   "gradient, so the pin also checks its whole training path."}
TRAINING_STEPS = {"cross_entropy": 1.0, "squared_error": 4.0}


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str                    # "network" | "sigmoid_gradient" | "gradient_check"
    description: str
    data: str = ""               # key of DATA
    weights: str = ""            # key of WEIGHTS
    loss: str = "cross_entropy"
    lambda_: float = 0.0
    requires: tuple = ()         # course files: "ex4data", "ex4weights"
    published: dict = field(default_factory=dict)   # {"cost": ..., "decimals": ..., "source": ...}
    training: dict = field(default_factory=dict)    # empty: evaluate at the starting weights
    note: str = ""

    def setup(self):
        """What the pin file records about the scenario (everything but the pinned values)."""
        out = {"kind": self.kind, "description": self.description}
        if self.kind in ("network", "gradient_check"):
            out.update(loss=self.loss, **{"lambda": self.lambda_})
        if self.kind == "network":
            out.update(data=self.data, weights=self.weights)
        if self.requires:
            out["requires"] = list(self.requires)
        if self.training:
            out["training"] = dict(self.training)
        if self.published:
            out["published"] = dict(self.published)
        if self.note:
            out["note"] = self.note
        return out


# --- data: name -> (X (m, n), y (m,)) ---------------------------------------------------

def _matlab_sin_matrix(rows, cols):
    """sin(reshape(1:rows*cols, rows, cols)), column-major as MATLAB reshapes."""
    return np.sin(np.arange(1, rows * cols + 1)).reshape((rows, cols), order="F")


def _grader_data():
    # X = reshape(sin(1:32), 16, 2) / 5;  y = 1 + mod(1:16, 4)
    return _matlab_sin_matrix(16, 2) / 5.0, 1 + np.arange(1, 17) % 4


def _community_data():
    # X = cos([1 2; 3 4; 5 6]);  y = [4; 2; 3]
    return np.cos(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])), np.array([4, 2, 3])


def _sin_pixels():
    # 20 data-free "images" for the course's 400 inputs, in [0, 1] like its pixels.
    return (1.0 + _matlab_sin_matrix(20, 400)) / 2.0, 1 + np.arange(1, 21) % 10


def _debug_data():
    _, X, y, _ = debug_problem()
    return X, y


DATA = {
    "ex4data1": "the course's ex4data1.mat: X (5000, 400), y in 1..10",
    "digits8x8": "scikit-learn's bundled 8×8 digits scaled to [0, 1]: X (1797, 64), y in 1..10 (0 → 10)",
    "debug_3_5_3": "the course's checkNNGradients problem: X = debugInitializeWeights(5, 2) (5, 3), "
                   "y = 1 + mod(1:5, 3)",
    "grader_2_4_4": "X = reshape(sin(1:32), 16, 2) / 5, y = 1 + mod(1:16, 4)",
    "community_2_2_4": "X = cos([1 2; 3 4; 5 6]), y = [4; 2; 3]",
    "sin_pixels_20x400": "X = (1 + sin(reshape(1:8000, 20, 400))) / 2 (20, 400), y = 1 + mod(1:20, 10)",
}

WEIGHTS = {
    "ex4weights": "the course's ex4weights.mat: Theta1 (25, 401), Theta2 (10, 26)",
    "normal_notebook_400": f"manual.normal_init((400, 25, 10), seed={NOTEBOOK_SEED}): N(0, 1)",
    "normal_notebook_64": f"manual.normal_init((64, 25, 10), seed={NOTEBOOK_SEED}): N(0, 1)",
    "uniform_course_64": f"manual.uniform_init((64, 25, 10), seed={UNIFORM_SEED}, epsilon=0.12): U(−0.12, 0.12)",
    "debug_3_5_3": "debugInitializeWeights(5, 3), debugInitializeWeights(3, 5): sin(1:n)/10 column-major",
    "grader_2_4_4": "Theta1 = sin(reshape(1:2:24, 4, 3)), Theta2 = cos(reshape(1:2:40, 4, 5))",
    "community_2_2_4": "nn_params = (1:18)/10 unrolled column-major into Theta1 (2, 3), Theta2 (4, 3)",
}


@dataclass(frozen=True)
class CourseFiles:
    """Paths of the course's files, or None where the user gave none."""
    data: object = None
    weights: object = None

    def missing(self, scenario):
        have = {"ex4data": self.data, "ex4weights": self.weights}
        return [f for f in scenario.requires if not have[f]]


@lru_cache(maxsize=4)
def _load_data(name, path):
    if name == "ex4data1":
        return load_ex4data(str(path))
    if name == "digits8x8":
        return load_default_digits()
    return {"debug_3_5_3": _debug_data, "grader_2_4_4": _grader_data,
            "community_2_2_4": _community_data, "sin_pixels_20x400": _sin_pixels}[name]()


def _weights(name, files):
    if name == "ex4weights":
        return load_ex4weights(str(files.weights))
    if name == "normal_notebook_400":
        return normal_init(COURSE_LAYER_SIZES, NOTEBOOK_SEED)
    if name == "normal_notebook_64":
        return normal_init(DIGITS_SIZES, NOTEBOOK_SEED)
    if name == "uniform_course_64":
        return uniform_init(DIGITS_SIZES, UNIFORM_SEED)
    if name == "debug_3_5_3":
        return debug_problem()[0]
    if name == "grader_2_4_4":
        return [np.sin(np.arange(1, 24, 2).reshape((4, 3), order="F")),
                np.cos(np.arange(1, 40, 2).reshape((4, 5), order="F"))]
    if name == "community_2_2_4":
        return reroll(np.arange(1, 19) / 10.0, (2, 2, 4), order="F")
    raise KeyError(name)


def build(scenario, files=CourseFiles()):
    """(thetas, X (m, n), y (m,)) for a ``network`` scenario: fresh copies every call."""
    X, y = _load_data(scenario.data, files.data if scenario.data == "ex4data1" else None)
    return [np.array(t, dtype=np.float64) for t in _weights(scenario.weights, files)], X.copy(), y.copy()


# --- the list --------------------------------------------------------------------------

_LOSS_TAG = {"cross_entropy": "ce", "squared_error": "se"}


def _lam_tag(lam):
    return f"lambda{lam:g}".replace(".", "_")


def _scenarios():
    out = []
    course_costs = {0.0: 0.287629, 1.0: 0.383770, 3.0: 0.576051}
    for lam, cost in course_costs.items():
        out.append(Scenario(
            f"course_ex4weights_ex4data1_ce_{_lam_tag(lam)}", "network",
            "the course's weights on its data: its published cost",
            data="ex4data1", weights="ex4weights", lambda_=lam, requires=("ex4data", "ex4weights"),
            published={"cost": cost, "decimals": 6, "source": COURSE_PDF}))
    out.append(Scenario(
        "course_sigmoid_gradient", "sigmoid_gradient",
        f"g'(z) at z = {list(SIGMOID_POINTS)}",
        published={"values": [0.196612, 0.235004, 0.250000, 0.235004, 0.196612], "decimals": 6,
                   "source": COURSE_PDF}))
    for lam in (0.0, 3.0):
        out.append(Scenario(
            f"course_gradient_check_{_lam_tag(lam)}", "gradient_check",
            "checkNNGradients: central differences (ε = 1e-4) vs the analytic gradient on the "
            "3-5-3, m = 5 debug problem; the course's bound on the relative difference",
            data="debug_3_5_3", weights="debug_3_5_3", lambda_=lam,
            published={"relative_difference_below": 1e-9, "source": COURSE_PDF}))
    for loss in _LOSS_TAG:
        out.append(Scenario(
            f"notebook_normal_ex4data1_{_LOSS_TAG[loss]}_lambda1", "network",
            "the original notebook's start, N(0, 1) weights (seeded here), on the course data",
            data="ex4data1", weights="normal_notebook_400", loss=loss, lambda_=1.0,
            requires=("ex4data",), note=NOTEBOOK_NOTE if loss == "cross_entropy" else ""))
        out.append(Scenario(
            f"notebook_normal_digits_{_LOSS_TAG[loss]}_lambda1", "network",
            "the original notebook's start, N(0, 1) weights (seeded), on the embedded digits",
            data="digits8x8", weights="normal_notebook_64", loss=loss, lambda_=1.0,
            note=NOTEBOOK_NOTE if loss == "cross_entropy" else ""))
    for loss in _LOSS_TAG:
        for lam in (0.0, 1.0, 3.0):
            out.append(Scenario(
                f"debug_3_5_3_{_LOSS_TAG[loss]}_{_lam_tag(lam)}", "network",
                "the course's gradient-check problem (3-5-3, m = 5, sin weights)",
                data="debug_3_5_3", weights="debug_3_5_3", loss=loss, lambda_=lam))
    for lam, cost in {0.0: 3.08745, 1.5: 3.64704}.items():
        out.append(Scenario(
            f"grader_2_4_4_ce_{_lam_tag(lam)}", "network",
            "the course grader's data-free case (sizes 2-4-4, MATLAB column-major reshapes)",
            data="grader_2_4_4", weights="grader_2_4_4", lambda_=lam,
            published={"cost": cost, "decimals": 5, "source": "the course's submission grader test case"}))
    for lam, (cost, decimals) in {0.0: (7.4070, 4), 3.0: (16.457, 3)}.items():
        out.append(Scenario(
            f"community_2_2_4_ce_{_lam_tag(lam)}", "network",
            "the widely used community test case for nnCostFunction (sizes 2-2-4)",
            data="community_2_2_4", weights="community_2_2_4", lambda_=lam,
            published={"cost": cost, "decimals": decimals,
                       "source": "the course's discussion-forum test case (values from the course's own code)"}))
    for loss in _LOSS_TAG:
        out.append(Scenario(
            f"digits_uniform_start_{_LOSS_TAG[loss]}_lambda1", "network",
            "the embedded digits at the course-style seeded ±0.12 start",
            data="digits8x8", weights="uniform_course_64", loss=loss, lambda_=1.0))
        out.append(Scenario(
            f"digits_trained_{_LOSS_TAG[loss]}_lambda1", "network",
            "the embedded digits after a fixed gradient-descent run from the seeded ±0.12 start",
            data="digits8x8", weights="uniform_course_64", loss=loss, lambda_=1.0,
            training=dict(TRAINING, step=TRAINING_STEPS[loss])))
    for lam in (0.0, 1.0):
        out.append(Scenario(
            f"course_ex4weights_sin_pixels_ce_{_lam_tag(lam)}", "network",
            "the course's weights on data-free sin pixels: pins the weights file itself",
            data="sin_pixels_20x400", weights="ex4weights", lambda_=lam, requires=("ex4weights",)))
    return {s.name: s for s in out}


SCENARIOS = _scenarios()
NAMES = tuple(SCENARIOS)
