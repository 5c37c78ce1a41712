"""The diagnosis itself: the problem set, the attribution's exactness (a near miss is never
named), every catalogue variant named as itself in both orders and for its losses, partial
failures from the runner, and the "Largest" line showing what is actually wrong."""
from pathlib import Path

import numpy as np
import pytest

from crosscheck.learner.judge import attribution as at
from crosscheck.learner.judge import diagnosis as dg
from crosscheck.learner import problems as pb
from crosscheck.learner.calls import Call, Run
from crosscheck.learner.run.target import UserFunction, run_problems
from manual import LOSSES
from manual.catalogue import LABEL_OFFSET_FORMS, MISTAKE_IDS, MISTAKES, with_mistake
from manual.layout import reroll


def as_run(fn, order):
    """The Run of ``fn`` on every problem, called in-process as verify does."""
    return run_problems(UserFunction(fn, f"catalogue.py:{fn.__name__}", Path("catalogue.py")), order=order)


def test_problem_set_has_the_course_shape_and_an_absent_label():
    course = [p for p in pb.PROBLEMS if p.course_shape]
    assert {p.lambda_ > 0 for p in course} == {True, False}
    assert {"saturated", "course-like"} <= {p.regime for p in course}
    assert all(p.m >= 20 for p in course)
    assert {p.sizes for p in pb.PROBLEMS if not p.course_shape} >= {(4, 5, 3), (20, 10, 10)}
    for p in pb.PROBLEMS:
        y = pb.problem_data(p)[2]
        expected = set(range(1, p.sizes[-1] + 1)) - {p.absent}
        assert set(y.tolist()) == expected, p.name
    assert [p.absent for p in pb.PROBLEMS if p.absent] == [3, 10]


@pytest.mark.parametrize("loss", LOSSES)
def test_reference_agrees_with_manual(loss):
    from manual import nn_cost_function
    from manual.layout import unroll
    for p in pb.PROBLEMS:
        thetas, X, y = pb.problem_data(p)
        J, grad = nn_cost_function(unroll(thetas), *p.sizes, X, y, p.lambda_, loss=loss)
        assert dg.agrees((J, reroll(grad, p.sizes)), pb.reference_result(p, loss))[2], p.name


def _scaled(fn, factor):
    def scaled(*args):
        J, grad = fn(*args)
        return J, grad * factor
    scaled.__name__ = f"scaled_{factor}"
    return scaled


def test_a_near_miss_is_never_named():
    """Test the attribution's check: the right gradient times (1 + 1e-7) fits the scale model
    (s ≈ 1) to 1e-7 but not to the table's tolerance, so it is unexplained, not 'right' and
    not a name; times 1 + 1e-12 is within tolerance and passes."""
    right = with_mistake([], "cross_entropy", "F")
    near = dg.diagnose(as_run(_scaled(right, 1 + 1e-7), "F"))
    assert not near.passed and near.ids == [] and not near.recognised
    assert dg.diagnose(as_run(_scaled(right, 1 + 1e-12), "F")).passed


def test_snapping_needs_every_problem():
    """A scale that is m on some problems and 1 on others is no model: 'm' must hold for every m."""
    fits = [(6.0, 6), (1.0, 40)]
    assert at._snap("s", fits) is None
    assert at._snap("s", [(6.0, 6), (40.0, 40)]) == "m"
    assert at._snap("s", [(0.5, 6), (0.5, 40)]) == "1/2"


CASES = [(i, loss, order, form) for i in MISTAKE_IDS for loss in MISTAKES[i].losses for order in "FC"
         for form in (LABEL_OFFSET_FORMS if i == "label_offset" else LABEL_OFFSET_FORMS[:1])]


@pytest.mark.parametrize("mistake_id, loss, order, form", CASES)
def test_catalogue_variant_is_named_as_itself(mistake_id, loss, order, form):
    result = dg.diagnose(as_run(with_mistake(mistake_id, loss, order, form), order), loss, order)
    assert not result.passed
    assert result.ids == [mistake_id] and result.recognised
    assert [f.id for f in result.findings] == [mistake_id]


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("order", ["F", "C"])
def test_manual_nn_cost_function_passes(loss, order):
    from manual import nn_cost_function

    def course(*args):
        return nn_cost_function(*args, loss=loss, order=order)
    result = dg.diagnose(as_run(course, order), loss, order)
    assert result.passed and result.ids == [] and result.findings == [] and result.where == "nowhere"


def test_where_describes_bias_and_layers():
    tol = 1e-9
    bias_only = [np.c_[np.ones((2, 1)), np.zeros((2, 3))], np.zeros((3, 3))]
    assert dg.describe_where(dg.locate(False, bias_only, tol)) == (
        "cost right; gradient wrong in hidden layer Θ^(1) (bias column only) only")
    everywhere = [np.ones((2, 4)), np.ones((3, 3))]
    assert dg.describe_where(dg.locate(True, everywhere, tol)) == (
        "cost wrong; gradient wrong in every layer, every entry")
    assert dg.describe_where(dg.locate(False, [np.zeros((2, 4))], tol)) == "nowhere"


def test_partial_failures_are_reported_per_problem():
    """The seam: a Run with some failed calls (as the worker reports them) is judged on the calls
    that ran, and every failure is a finding; the right answers elsewhere are still 'ok'."""
    right = with_mistake([], "cross_entropy", "F")
    good = as_run(right, "F")
    calls = [Call(c.problem, failure="f raised MemoryError (x.py line 3)", kind="memory")
             if c.problem.size == "medium" else c for c in good.calls]
    result = dg.diagnose(Run("x.py:f", "f", calls), "cross_entropy", "F")
    assert not result.passed and not result.recognised
    medium = sum(p.size == "medium" for p in pb.PROBLEMS)
    assert len(result.reports) == len(pb.PROBLEMS) - medium and all(r.ok for r in result.reports)
    [finding] = result.findings
    assert "MemoryError" in finding.evidence and finding.where == f"{medium} of {len(pb.PROBLEMS)} problems"


def test_whole_target_failure_is_a_finding():
    result = dg.diagnose(Run("x.py:f", "f", [], failure="x.py line 2: SyntaxError: invalid syntax"))
    assert not result.passed and "SyntaxError" in result.findings[0].evidence


@pytest.mark.parametrize("mistake, shows", [("gradient_reg_half", "grad"), ("unroll_order", "grad"),
                                            ("regularize_bias", "grad")])
def test_largest_shows_the_gradient_when_it_is_wrong(mistake, shows):
    result = dg.diagnose(as_run(with_mistake(mistake), "F"))
    wrong = [r for r in result.reports if not r.ok]
    assert result.worst is max(wrong, key=lambda r: r.comparison.grad_rel_diff)


def test_largest_shows_the_cost_when_only_the_cost_is_wrong():
    """Bias regularised in the cost only: the gradient is right everywhere; "Largest" must show the
    problem with the largest cost error, not the one with the largest (rounding-level) gradient
    error (here they differ)."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent / "student_code"))
    import switchable
    result = dg.diagnose(as_run(switchable.make(["regularize_bias_cost_only"]), "F"))
    wrong = [r for r in result.reports if not r.ok]
    assert all(r.comparison.grad_rel_diff < 1e-12 for r in wrong)
    by_cost = max(wrong, key=lambda r: r.comparison.cost_rel_err)
    assert result.worst is by_cost and by_cost is not max(wrong, key=lambda r: r.comparison.grad_rel_diff)


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


def test_runner_observations_are_findings():
    """Right values, but the runner saw two calls differ / an input written into: wrong."""
    good = as_run(with_mistake([], "cross_entropy", "F"), "F")
    flaky = Run(good.spec, good.name, good.calls, nondeterministic=[pb.PROBLEMS[0]])
    assert dg.diagnose(flaky).ids == ["nondeterministic"] and not dg.diagnose(flaky).passed
    writes = Run(good.spec, good.name, good.calls, mutated_inputs=["y"])
    result = dg.diagnose(writes)
    assert result.ids == ["modifies_inputs"] and not result.passed and result.findings[0].where == "y"
    assert dg.diagnose(good).passed


def test_a_described_part_is_explained_without_a_name():
    """A cost penalty never divided by m (λ/2 ΣΘ²) fits the model c = m/2 exactly: explained,
    described, and given no id (no catalogued or new mistake is that)."""
    right = with_mistake([], "cross_entropy", "F")

    def penalty_not_divided(nn_params, n_in, n_hid, K, X, y, lambda_):
        J, grad = right(nn_params, n_in, n_hid, K, X, y, lambda_)
        thetas = reroll(nn_params, (n_in, n_hid, K))
        penalty = sum(float(np.sum(t[:, 1:] ** 2)) for t in thetas)
        m = X.shape[0]
        return J + (lambda_ / 2 - lambda_ / (2 * m)) * penalty, grad
    result = dg.diagnose(as_run(penalty_not_divided, "F"))
    assert not result.passed and result.ids == [] and result.recognised
    [finding] = result.findings
    assert finding.id is None and "never divided by m" in finding.description


def test_an_unexplained_part_says_which_entries():
    """Row 0 of the output layer's gradient off by 1e-3 (relative): no model fits it, and the
    finding names the row rather than the whole layer."""
    from manual.layout import unroll
    right = with_mistake([], "cross_entropy", "F")

    def row_off(nn_params, n_in, n_hid, K, X, y, lambda_):
        J, grad = right(nn_params, n_in, n_hid, K, X, y, lambda_)
        grads = reroll(grad, (n_in, n_hid, K))
        grads[1][0] *= 1.001
        return J, unroll(grads)
    result = dg.diagnose(as_run(row_off, "F"))
    [finding] = result.findings
    assert not finding.explained and finding.where.startswith("output layer Θ^(2) (row 0 of 3, 6 of 18 entries on 4-5-3;")
    assert "row 0 of 10, 26 of 260 entries on 400-25-10" in finding.where
