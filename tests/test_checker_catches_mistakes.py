"""Test the tests: planted wrong gradients must fail against each autodiff backend, and the
failure must say where (layer, row, column), which side is which, both values, the error."""
import re

import numpy as np
import pytest

from crosscheck import GradientMismatch, check_against_autodiff, tolerance
from manual import LOSSES, cost, cost_and_gradient, forward, normal_init, one_hot
from manual.losses import output_delta, penalty_gradient
from manual.catalogue import mistaken_cost_and_gradient

WORST = re.compile(r"worst at Θ\^\((\d+)\)\[(\d+), (\d+)\]( \(bias column\))?: "
                   r"mine=(\S+) (jax|torch)=(\S+) \(rel err (\S+)\)")


def bias_regularised(thetas, X, Y, lambda_, loss):
    """The catalogue's mistake: λ/m Θ added to column 0 too (and the cost penalises it)."""
    return mistaken_cost_and_gradient("regularize_bias", thetas, X, Y, lambda_, loss)


def scaled_by_1_001(thetas, X, Y, lambda_, loss):
    J, grads = cost_and_gradient(thetas, X, Y, lambda_, loss)
    return J, [1.001 * g for g in grads]


def missing_sigmoid_prime(thetas, X, Y, lambda_, loss):
    """Backprop whose hidden delta forgets ⊙ g'(z^(l)); the output layer stays right."""
    a, z = forward(thetas, X)
    m = X.shape[0]
    delta = output_delta(a[-1], Y, loss, z[-1])
    grads = [None] * len(thetas)
    for l in range(len(thetas) - 1, -1, -1):
        grads[l] = delta.T @ a[l] / m + penalty_gradient(thetas[l], lambda_, m)
        if l > 0:
            delta = (delta @ thetas[l])[:, 1:]          # planted: ⊙ g'(z^(l)) missing
    return cost(thetas, X, Y, lambda_, loss), grads


PLANTED = {"bias_regularised": bias_regularised, "scaled_by_1.001": scaled_by_1_001,
           "missing_sigmoid_prime": missing_sigmoid_prime}


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(7)
    thetas = normal_init((6, 5, 4), seed=7)
    X = rng.uniform(0.0, 1.0, size=(9, 6))
    return thetas, X, one_hot(rng.integers(1, 5, size=9), 4)


@pytest.mark.parametrize("backend", ["jax", "torch"])
@pytest.mark.parametrize("loss", LOSSES)
def test_correct_backprop_passes(problem, backend, loss):
    """The control: the same problem with manual's own function passes."""
    thetas, X, Y = problem
    (result,) = check_against_autodiff(cost_and_gradient, thetas, X, Y, 1.0, loss, backends=(backend,))
    assert result.passed


@pytest.mark.parametrize("backend", ["jax", "torch"])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("planted", PLANTED)
def test_planted_mistake_fails_and_names_the_spot(problem, planted, loss, backend):
    thetas, X, Y = problem
    with pytest.raises(GradientMismatch) as caught:
        check_against_autodiff(PLANTED[planted], thetas, X, Y, 1.0, loss, backends=(backend,))
    message = str(caught.value)
    assert f"mine vs {backend}" in message and "DISAGREE" in message
    found = WORST.search(message)
    assert found, message
    layer, row, col = map(int, found.group(1, 2, 3))
    mine, theirs, rel = map(float, found.group(5, 7, 8))
    (result,) = caught.value.comparisons
    assert (layer, row, col) == result.worst
    assert mine != theirs and rel > tolerance("autodiff")
    if planted == "bias_regularised":
        assert col == 0 and found.group(4), "the worst element should sit in a bias column"
    if planted == "missing_sigmoid_prime":
        # only Θ^(1)'s gradient goes through the hidden delta: the report must point there
        assert layer == 1
        assert result.layer_rel_diff[1] <= tolerance("autodiff") < result.layer_rel_diff[0]
