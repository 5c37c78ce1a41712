"""The conventions as data (crosscheck/learner/run/conventions.py): the names learners give their
arguments, the arguments built for each convention, and the acceptance rule, tested both ways:
a convention explains a function written in it, and never takes a catalogue mistake away."""
import numpy as np
import pytest

from crosscheck.learner.problems import PROBLEMS, problem_data
from crosscheck.learner.run.conventions import (COURSE, ROLES, Convention, Outcome, call_args, candidates,
                                                choose, map_signature, octave_signature, pinned)


@pytest.mark.parametrize("names, roles", [
    (["nn_params", "input_layer_size", "hidden_layer_size", "num_labels", "X", "y", "lambda_"], ROLES),
    (["params", "input_size", "hidden_size", "num_labels", "X", "y", "learning_rate"], ROLES),
    (["thetas", "input_size", "hidden_size", "num_classes", "X", "Y", "lmbda"], ROLES),
    (["params", "n_in", "n_hid", "n_out", "X", "y", "lam"], ROLES),          # unknown sizes: course order
    (["X", "y", "nn_params", "input_layer_size", "hidden_layer_size", "num_labels", "lamda"],
     ("X", "y", "params", "input_size", "hidden_size", "num_labels", "lambda")),
    (["a", "b", "c", "d", "e", "f", "g"], ROLES),                            # by count alone
])
def test_signature_by_names_and_count(names, roles):
    assert map_signature(names) == roles


@pytest.mark.parametrize("names", [["theta", "X", "y", "lambda"], ["X", "x", "a", "b", "c", "d", "e"],
                                   ["params", "layout", "X", "y", "lam"]])
def test_a_signature_that_cannot_be_told_apart_is_none(names):
    assert map_signature(names) is None


def test_octave_function_line():
    text = "% comment function [a] = nnCostFunction(q)\nfunction [J grad] = nnCostFunction(X, y, nn_params, ...\n"
    assert octave_signature("function [J, grad] = nnCostFunction(nn_params, a, b, c, X, y, lambda)\n",
                            "nnCostFunction") == (["J", "grad"], ["nn_params", "a", "b", "c", "X", "y", "lambda"])
    assert octave_signature("function J = cost(p, X)\n", "cost") == (["J"], ["p", "X"])
    assert octave_signature(text, "other") is None


def test_arguments_written_in_each_convention():
    problem = PROBLEMS[0]
    thetas, X, y = problem_data(problem)
    K = problem.sizes[-1]
    course = call_args((thetas, X, y), problem.sizes, 1.5, COURSE)
    assert [np.shape(a) for a in course] == [(43,), (), (), (), (6, 4), (6,), ()]
    assert np.array_equal(course[5], y) and course[6] == 1.5
    zero = call_args((thetas, X, y), problem.sizes, 1.5, Convention(labels=0))[5]
    assert np.array_equal(zero, y - 1) and zero.min() == 0 and zero.max() == K - 1
    Y = call_args((thetas, X, y), problem.sizes, 0.0, Convention(y="onehot"))[5]
    assert Y.shape == (6, K) and np.array_equal(np.argmax(Y, axis=1) + 1, y)
    assert call_args((thetas, X, y), problem.sizes, 0.0, Convention(y="column"))[5].shape == (6, 1)
    Xb = call_args((thetas, X, y), problem.sizes, 0.0, Convention(x_bias=True))[4]
    assert Xb.shape == (6, 5) and np.all(Xb[:, 0] == 1) and np.array_equal(Xb[:, 1:], X)
    c = call_args((thetas, X, y), problem.sizes, 0.0, Convention(order="C"))[0]
    assert np.array_equal(c[:thetas[0].size], thetas[0].ravel())
    swapped = call_args((thetas, X, y), problem.sizes, 0.0, Convention(signature=("X", "y", *ROLES[:4], "lambda")))
    assert swapped[0].shape == (6, 4) and swapped[2].shape == (43,)


def test_candidates_leave_pinned_dimensions_alone():
    every = candidates(COURSE)
    assert COURSE not in every and len(every) == len(set(every)) == 19      # 2·3·2·2 − 4 (0-based one-hot) − 1
    assert every[0].deviations(COURSE) == 1
    only = candidates(pinned(labels=0, y="labels", x_bias=False))
    assert {c.order for c in only} == {"C"} and all(c.labels == 0 for c in only)


def O(failed=0, passed=False, recognised=True, ids=(), right=False, **conv):         # noqa: N802
    return Outcome(Convention(**conv), failed, passed, recognised, tuple(ids), right)


def test_choose_accepts_an_exact_convention_when_the_course_cannot_run_or_explain():
    assert choose(O(passed=True), [O(passed=True, labels=0)]).convention == COURSE     # ties: the course's
    assert choose(O(failed=11), [O(passed=True, labels=0)]).convention.labels == 0
    assert choose(O(recognised=False), [O(passed=True, y="onehot")]).convention.y == "onehot"
    assert choose(O(ids=["unroll_order"]), [O(passed=True, order="C")]).convention.order == "C"


def test_choose_never_lets_a_convention_absorb_a_catalogue_mistake():
    # label_offset explained under the course's labels stays label_offset, though 0-based passes
    assert choose(O(ids=["label_offset"]), [O(passed=True, labels=0)]).convention == COURSE
    # read F, written C: under C it is reads_params_other_order; neither passes, the course's stays
    base = O(ids=["writes_grad_other_order"])
    assert choose(base, [O(ids=["reads_params_other_order"], order="C")]) is base
    # a consistent order C with a real mistake: C removes only its shadow, the mistake stays
    c = O(ids=["missing_divide_by_m"], order="C")
    assert choose(O(ids=["unroll_order", "missing_divide_by_m"]), [c]) is c
    assert choose(O(ids=["unroll_order", "regularize_bias"]), [c]).convention == COURSE
    # right wherever it ran under the course's conventions, failing on one problem (Octave's
    # y == 1:max(y) without label K): exact one-hot does not take that bug away
    assert choose(O(failed=1, right=True), [O(passed=True, y="onehot")]).convention == COURSE
    assert choose(O(failed=1, right=True), [O(failed=0, ids=["missing_divide_by_m"], labels=0)]).convention == COURSE


def test_choose_keeps_the_convention_under_which_it_is_explained():
    onehot = O(ids=["missing_divide_by_m"], y="onehot")
    assert choose(O(recognised=False), [onehot]) is onehot              # Octave: Y = y; no ÷m
    assert choose(O(ids=["regularize_bias"]), [onehot]).convention == COURSE   # explained: stays
    assert choose(O(recognised=False), [O(recognised=False, y="onehot")]).convention == COURSE


def test_choose_keeps_the_convention_under_which_it_runs_and_is_explained_best():
    zero = O(ids=["missing_divide_by_m"], labels=0)
    assert choose(O(failed=10, recognised=False), [O(failed=3, recognised=False, y="column"), zero]) is zero
    assert choose(O(failed=6, ids=["sizes_hard_coded"]), [O(failed=6, labels=0)]).convention == COURSE
    # one that runs on more problems but is unexplained still beats a crash
    odd = O(failed=0, recognised=False, x_bias=True)
    assert choose(O(failed=11, recognised=False), [odd]) is odd
