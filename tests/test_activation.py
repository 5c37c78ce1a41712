import warnings

import numpy as np
import pytest

from manual import sigmoid, sigmoid_gradient

# The course's printed values (ex4, "Evaluating sigmoid gradient").
COURSE_SIGMOID_GRADIENT = [0.196612, 0.235004, 0.250000, 0.235004, 0.196612]


def test_sigmoid_gradient_matches_course_values():
    got = sigmoid_gradient(np.array([-1.0, -0.5, 0.0, 0.5, 1.0]))
    np.testing.assert_allclose(got, COURSE_SIGMOID_GRADIENT, atol=5e-7)


@pytest.mark.parametrize("z", [1e4, -1e4, 745.0, -745.0, 800.0, -800.0])
def test_sigmoid_never_overflows_or_warns(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, g = sigmoid(np.array([z])), sigmoid_gradient(np.array([z]))
    assert np.all(np.isfinite(s)) and np.all((0 <= s) & (s <= 1))
    assert np.all(np.isfinite(g)) and np.all(g >= 0)


def test_sigmoid_gradient_is_derivative_of_sigmoid():
    z = np.linspace(-8, 8, 33)
    eps = 1e-6
    numeric = (sigmoid(z + eps) - sigmoid(z - eps)) / (2 * eps)
    np.testing.assert_allclose(sigmoid_gradient(z), numeric, rtol=1e-7, atol=1e-9)
