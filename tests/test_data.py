import numpy as np
import pytest

from manual import load_default_digits, load_ex4weights, nn_cost_function, unroll


def test_course_weights_load_with_course_shapes(ex4weights_path):
    theta1, theta2 = load_ex4weights(ex4weights_path)
    assert theta1.shape == (25, 401) and theta2.shape == (10, 26)
    assert theta1.dtype == theta2.dtype == np.float64


def test_embedded_digits_use_course_labels():
    X, y = load_default_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert set(np.unique(y)) == set(range(1, 11))
    assert 0.0 <= X.min() and X.max() <= 1.0


def test_embedded_digits_read_directly_equal_sklearns_load_digits():
    """load_default_digits reads sklearn's CSV without importing sklearn: the same numbers."""
    from sklearn.datasets import load_digits
    X, y = load_default_digits()
    digits = load_digits()
    assert np.array_equal(X, digits.data / 16.0)
    assert np.array_equal(y, np.where(digits.target == 0, 10, digits.target))


def test_course_cost_on_course_data(ex4data_path, ex4weights_path):
    """The course's published J with its weights on its data."""
    from manual import load_ex4data
    X, y = load_ex4data(ex4data_path)
    params = unroll(load_ex4weights(ex4weights_path))
    for lambda_, expected in [(0, 0.287629), (1, 0.383770), (3, 0.576051)]:
        J, _ = nn_cost_function(params, 400, 25, 10, X, y, lambda_)
        assert round(J, 6) == pytest.approx(expected, abs=1e-12)
