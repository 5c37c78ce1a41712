"""Central differences never fail correct code: each parameter's step is scaled to the data,
the bound counts truncation as well as rounding, and where it cannot be met the check is
skipped with its reason. Pixel-scale X (uint8 0..255, X × 100) used to FAIL correct code
with errors 1.6e-5 … 3.1e-7 while JAX, PyTorch and the loop agreed to 1e-14."""
import numpy as np
import pytest

from crosscheck import tolerance
from crosscheck.check import central
from crosscheck.check.central import (error_floor, numerical_value_and_grad, scaled_numerical_value_and_grad,
                                      step_scales, subsample_rows)
from crosscheck.check.compare import compare
from crosscheck.check.weight_kinds import make_weights
from crosscheck.cli.report import run_matrix
from manual import cost_and_gradient, load_default_digits, load_ex4data, one_hot
from matfiles import write_v5

SIZES = (64, 25, 10)


@pytest.fixture(scope="module")
def digits():
    X, y = load_default_digits()
    return X, y


def _pixels(X, scale):
    """The digits at another scale: 255 as uint8 pixels, as a learner's file would hold them."""
    return np.round(X * 255).astype(np.uint8).astype(np.float64) if scale == 255 else X * scale


@pytest.fixture(scope="module")
def pixel_file(digits, tmp_path_factory):
    X, y = digits
    return write_v5(tmp_path_factory.mktemp("pixels") / "pixels.mat",
                    X=np.round(X * 255).astype(np.uint8), y=y[:, None])


def test_pixel_scale_data_passes_the_report(pixel_file):
    """uint8 pixels through the loader and the report's whole matrix (two weights, both losses):
    every check passes, some numerical checks run, and each skip says why."""
    X, y = load_ex4data(pixel_file)
    assert X.dtype == np.float64 and X.max() == 255
    result = run_matrix(X, y, ["debug", "uniform"], ["cross_entropy", "squared_error"], [0.0, 1.0], seed=0)
    failed = [c["description"] for c in result["checks"] if not c["passed"]]
    assert failed == []
    numerical = [c for c in result["checks"] if c["backend"] == "numerical"]
    assert len(numerical) >= 2 and len(numerical) + len(result["skipped"]) == 8
    assert all("rounding and truncation alone may give" in s["reason"] for s in result["skipped"])


def test_unscaled_steps_fail_correct_code_on_pixels(digits):
    """Test the test: the old fixed step (ε = 1e-3 on every parameter) really does FAIL correct
    code on the pixel data, so the passing report above is the scaling's doing."""
    X, y = digits
    rows = subsample_rows(X.shape[0], 20, 0)
    Xs, Ys = _pixels(X, 255)[rows], one_hot(y[rows], 10)
    thetas = make_weights("uniform", SIZES, X, y, 0)
    ref = cost_and_gradient(thetas, Xs, Ys, 0.0, "cross_entropy")
    unscaled = compare("manual", ref, "numerical", numerical_value_and_grad(thetas, Xs, Ys, 0.0, "cross_entropy"),
                       "numerical")
    assert not unscaled.passed and unscaled.grad_rel_diff > 1e-7


@pytest.mark.parametrize("scale", [1, 100, 255, 1e4])
@pytest.mark.parametrize("kind", ["debug", "normal", "uniform"])
@pytest.mark.parametrize("steps", ["scaled", "unit"])
def test_the_floor_bounds_the_observed_error(scale, kind, steps, digits):
    """Whatever the data's scale and the step, the measured error of central differences stays
    under error_floor: the bound the report's skip decision relies on holds."""
    X, y = digits
    rows = subsample_rows(X.shape[0], 8, 1)
    Xs, Ys = _pixels(X, scale)[rows], one_hot(y[rows], 10)
    thetas = make_weights(kind, SIZES, X, y, 0)
    ref = cost_and_gradient(thetas, Xs, Ys, 1.0, "squared_error" if kind == "normal" else "cross_entropy")
    loss = "squared_error" if kind == "normal" else "cross_entropy"
    scales = step_scales(thetas, Xs, ref[0]) if steps == "scaled" else [np.ones(t.shape) for t in thetas]
    num = scaled_numerical_value_and_grad(thetas, Xs, Ys, 1.0, loss, scales)
    observed = compare("manual", ref, "numerical", num, "numerical").grad_rel_diff
    floor = error_floor(*ref, thetas, Xs, scales)
    assert observed <= floor, f"observed {observed:.2e} above the floor {floor:.2e}"


def test_without_the_truncation_term_the_floor_would_not_hold(digits, monkeypatch):
    """Test the test: with truncation left out (rounding alone, as before) the floor is beaten
    by the observed error on pixel data with unit steps; the sweep above would fail."""
    monkeypatch.setattr(central, "TRUNCATION", {4: (30.0, 0.0)})
    X, y = digits
    rows = subsample_rows(X.shape[0], 8, 1)
    Xs, Ys = _pixels(X, 255)[rows], one_hot(y[rows], 10)
    thetas = make_weights("uniform", SIZES, X, y, 0)
    ref = cost_and_gradient(thetas, Xs, Ys, 1.0, "cross_entropy")
    ones = [np.ones(t.shape) for t in thetas]
    num = scaled_numerical_value_and_grad(thetas, Xs, Ys, 1.0, "cross_entropy", ones)
    assert compare("manual", ref, "numerical", num, "numerical").grad_rel_diff > error_floor(*ref, thetas, Xs, ones)


def test_data_too_large_for_any_step_is_skipped_never_failed(digits):
    """X × 1e300: every pre-activation saturates and no float64 step gives a meaningful
    difference; the numerical check is skipped with its reason."""
    X, y = digits
    result = run_matrix(X[:40] * 1e300, y[:40], ["uniform"], ["cross_entropy"], [1.0], seed=0, numerical_rows=5)
    assert not [c for c in result["checks"] if c["backend"] == "numerical"]
    assert result["skipped"] and "cannot be held to 1e-09" in result["skipped"][0]["reason"]


def test_steps_are_exact_powers_of_two(digits):
    """θ/s·s == θ exactly, so the differenced point is the analytic one."""
    X, y = digits
    thetas = make_weights("normal", SIZES, X, y, 0)
    for s, t in zip(step_scales(thetas, _pixels(X, 255), 3.0), thetas):
        mantissa, _ = np.frexp(s)
        assert np.all(mantissa == 0.5) and np.all(s <= 1)
        assert np.array_equal(t / s * s, t)
    assert tolerance("numerical") == 1e-9                   # the bound itself is not loosened
