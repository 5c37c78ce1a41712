"""The diagnosis itself: its problem set separates every explanation it may give, the
reference agrees with manual/, and every catalogue variant, in both orders and for its
losses, is named as itself."""
import itertools
from pathlib import Path

import numpy as np
import pytest

from crosscheck.learner import diagnosis as dg
from crosscheck.learner import problems as pb
from crosscheck.learner.target import UserFunction, run_problems
from manual import LOSSES
from manual.catalogue import LABEL_OFFSET_FORMS, MISTAKE_IDS, MISTAKES, with_mistake

CORRECT = dg.CORRECT
SIGMOID_PRIME = (frozenset(["sigmoid_prime_of_activation"]), LABEL_OFFSET_FORMS[0])


def as_run(fn, order):
    """The Run of ``fn`` on every problem, called in-process as verify does."""
    return run_problems(UserFunction(fn, f"catalogue.py:{fn.__name__}", Path("catalogue.py")), order=order)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("order", ["F", "C"])
def test_problem_set_separates_every_explanation(loss, order):
    """No two explanations (correct, each id, each pair, each way of writing label_offset) agree
    on every problem, so a match is unique; the correct variant agrees with the JAX reference."""
    singles, pairs = dg.candidates(loss)
    every = [CORRECT, *singles, *pairs]
    for problem in pb.PROBLEMS:
        assert dg.agrees(dg.variant_result(CORRECT, problem, loss, order),
                         pb.reference_result(problem, loss))[2], problem.name
    coinciding = [(a, b) for a, b in itertools.combinations(every, 2)
                  if all(dg.agrees(dg.variant_result(a, p, loss, order),
                                   dg.variant_result(b, p, loss, order))[2] for p in pb.PROBLEMS)]
    assert coinciding == []


def test_separation_check_can_fail():
    """Test the test: with a 0.1 tolerance, sigmoid_prime_of_activation (~2e-3 in norm, ~5e-2 in
    the worst element on course-like weights) is indistinguishable from the correct function on
    the medium problems; with the table's tolerance it is not."""
    medium = [p for p in pb.PROBLEMS if p.size == "medium"]
    a = [dg.variant_result(CORRECT, p, "cross_entropy", "F") for p in medium]
    b = [dg.variant_result(SIGMOID_PRIME, p, "cross_entropy", "F") for p in medium]
    assert all(dg.agrees(x, y, tol=0.1)[2] for x, y in zip(a, b))
    assert not any(dg.agrees(x, y)[2] for x, y in zip(a, b))


CASES = [(i, loss, order, form) for i in MISTAKE_IDS for loss in MISTAKES[i].losses for order in "FC"
         for form in (LABEL_OFFSET_FORMS if i == "label_offset" else LABEL_OFFSET_FORMS[:1])]


@pytest.mark.parametrize("mistake_id, loss, order, form", CASES)
def test_catalogue_variant_is_named_as_itself(mistake_id, loss, order, form):
    result = dg.diagnose(as_run(with_mistake(mistake_id, loss, order, form), order), loss, order)
    assert not result.passed
    assert result.ids == [mistake_id] and result.matches == [[mistake_id]]


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("order", ["F", "C"])
def test_manual_nn_cost_function_passes(loss, order):
    from manual import nn_cost_function

    def course(*args):
        return nn_cost_function(*args, loss=loss, order=order)
    result = dg.diagnose(as_run(course, order), loss, order)
    assert result.passed and result.ids == [] and result.where == "nowhere"


def test_where_describes_bias_and_layers():
    tol = 1e-9
    bias_only = [np.c_[np.ones((2, 1)), np.zeros((2, 3))], np.zeros((3, 3))]
    assert dg.describe_where(dg.locate(False, bias_only, tol)) == (
        "cost right; gradient wrong in hidden layer Θ^(1) (bias column only) only")
    everywhere = [np.ones((2, 4)), np.ones((3, 3))]
    assert dg.describe_where(dg.locate(True, everywhere, tol)) == (
        "cost wrong; gradient wrong in every layer, every entry")
    assert dg.describe_where(dg.locate(False, [np.zeros((2, 4))], tol)) == "nowhere"


def test_saturated_problems_are_saturated_but_finite():
    """|z| reaches 12 in every layer: h(1 − h) ~ 1e-5, yet 1 − h is far from rounding to 0."""
    from manual import forward
    for problem in pb.PROBLEMS:
        thetas, X, _ = pb.problem_data(problem)
        _, zs = forward(list(thetas), X)
        top = [float(np.max(np.abs(z))) for z in zs]
        if problem.regime == "saturated":
            assert np.allclose(top, pb.SATURATED_MAX_Z)
        else:
            assert max(top) < 4
