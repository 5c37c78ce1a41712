"""Two findings read before any attribution: code not finished yet, and a gradient taken at
parameters the function itself changed.

Unfinished: the course's starter code returns J = 0 and a gradient of zeros, and its own
checkpoint has the cost written before backpropagation. A gradient that is all zeros on every
problem is ``gradient_not_written`` (never a catalogue id such as no_reg_in_gradient), a cost of
0 on every problem ``cost_not_written``; the evidence says which part is done and right.

Changed parameters: a function that writes into nn_params (through a view) and then takes its
gradient is compared with the right gradient at the parameters as it left them.
"""
import numpy as np

from manual.layout import reroll

from crosscheck.learner.judge.findings import Finding
from crosscheck.learner.problems import problem_data


def unfinished_findings(reports):
    """Findings for what is not written yet, from the ProblemReports of the calls that ran;
    [] when both parts are written."""
    if not reports:
        return []
    zero_grad = all(not np.any([np.any(g) for g in r.user[1]]) for r in reports)
    zero_cost = all(r.user[0] == 0 for r in reports)
    cost_right = all(r.comparison.cost_rel_err <= r.comparison.tol for r in reports)
    grad_right = all(not any(d["bias"] or d["weights"] for d in r.location["layers"]) for r in reports)
    out = []
    if zero_cost:
        out.append(Finding("the cost", "cost", "J = 0 on every problem"
                           + ("; the gradient is right" if grad_right else ""), "cost_not_written"))
    if zero_grad:
        done = "the cost is right on every problem" if cost_right else (
            "the cost is not written either" if zero_cost else "the cost is written, but not right yet")
        out.append(Finding("the gradient", "every layer", f"every gradient entry is 0 on every problem; {done}",
                           "gradient_not_written"))
    return out


def changed_params_findings(run, reports, loss, order):
    """gradient_at_changed_params when every call whose gradient is wrong wrote into nn_params and
    its gradient is right at the parameters as it left them; else []."""
    from crosscheck.learner.judge.diagnosis import agrees
    from crosscheck.learner.problems import one_hot_targets
    wrong = [r for r in reports if not r.ok]
    after = {c.problem: c.params_after for c in run.calls if c.ok and c.params_after is not None}
    if not wrong or not all(r.problem in after for r in wrong):
        return []
    # The gradient at parameters no stored answer covers: numpy's backprop (manual/, proven by
    # autodiff in `crosscheck report` and the suite), so that verify never loads JAX. Only this
    # explanation uses it; the verdict was already taken against autodiff's stored answers.
    from manual.backprop import cost_and_gradient as value_and_grad
    for r in wrong:
        p = r.problem
        _, X, y = problem_data(p)
        thetas = reroll(after[p], p.sizes, order)
        J, grads = value_and_grad(thetas, X, one_hot_targets(y, p.sizes[-1]), p.lambda_, loss)
        if not agrees((J, r.user[1]), (J, grads))[2]:
            return []
    return [Finding("the gradient", "every problem where it is wrong", "the gradient equals autodiff's at "
                    "nn_params as the function left them (it wrote into them before taking the gradient)",
                    "gradient_at_changed_params")]
