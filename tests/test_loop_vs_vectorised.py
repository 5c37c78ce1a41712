"""The per-example loop from the lecture and the vectorised form are the same math."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import random_problem
from crosscheck import assert_match, compare
from manual import LOSSES, cost_and_gradient, cost_and_gradient_loop, numerical_gradient, reroll, unroll


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("lambda_", [0.0, 1.0, 3.0])
def test_loop_equals_vectorised_course_shape(loss, lambda_):
    thetas, X, Y, _ = random_problem((400, 25, 10), m=40, seed=1, scale=0.1)
    assert_match("vectorised", cost_and_gradient(thetas, X, Y, lambda_, loss),
                 "loop", cost_and_gradient_loop(thetas, X, Y, lambda_, loss), "loop")


def test_loop_check_catches_a_planted_mistake():
    """Test the test: a loop that forgets g'(z) in the hidden delta must fail."""
    thetas, X, Y, _ = random_problem((5, 4, 3), m=6, seed=2)
    J, grads = cost_and_gradient(thetas, X, Y, 1.0, "cross_entropy")
    bad = [grads[0] * 1.0000001, grads[1]]
    assert not compare("vectorised", (J, grads), "planted", (J, bad), "loop").passed


shapes = st.tuples(
    st.integers(1, 30),                                       # inputs
    st.lists(st.integers(1, 30), min_size=1, max_size=3),      # 1-3 hidden layers
    st.integers(2, 12),                                       # outputs
)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, m=st.integers(1, 50), seed=st.integers(0, 2**32 - 1),
       lambda_=st.floats(0, 10), loss=st.sampled_from(LOSSES))
def test_random_shapes_loop_equals_vectorised(shape, m, seed, lambda_, loss):
    sizes = (shape[0], *shape[1], shape[2])
    thetas, X, Y, _ = random_problem(sizes, m, seed, scale=3.0)
    vec = cost_and_gradient(thetas, X, Y, lambda_, loss)
    assert_match("vectorised", vec, "loop", cost_and_gradient_loop(thetas, X, Y, lambda_, loss), "loop")


@settings(max_examples=25, deadline=None)
@given(shape=shapes, m=st.integers(1, 50), seed=st.integers(0, 2**32 - 1),
       lambda_=st.floats(0, 10), loss=st.sampled_from(LOSSES))
def test_random_shapes_match_central_differences(shape, m, seed, lambda_, loss):
    sizes = (shape[0], *shape[1], shape[2])
    thetas, X, Y, _ = random_problem(sizes, m, seed, course_like=True)
    vec = cost_and_gradient(thetas, X, Y, lambda_, loss)
    # Fourth-order differences: the course's second-order ones sit right at 1e-9 on unlucky
    # draws (see numerical_gradient's docstring); these stay ~300x below it.
    num = numerical_gradient(lambda p: cost_and_gradient(reroll(p, sizes), X, Y, lambda_, loss)[0],
                             unroll(thetas), epsilon=1e-3, order=4)
    assert_match("vectorised", vec, "numerical", (vec[0], reroll(num, sizes)), "numerical")
