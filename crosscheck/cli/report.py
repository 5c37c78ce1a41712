"""``crosscheck report`` (also plain ``crosscheck``): the whole cross-check matrix.

For every loss × λ × weights kind, manual's vectorised backprop is the reference and is
compared, through crosscheck.check.compare and the one tolerance table, with

- "jax" and "torch": autodiff of the cost written independently (all rows, --device);
- "loop": manual's per-example backprop (all rows);
- "numerical": central differences of manual's cost, on a fixed seeded subsample of
  --numerical-rows rows (fourth-order stencil, 4n cost evaluations), compared with manual there.

A numerical check whose error floor (rounding and truncation, tolerances.central_difference_floor)
exceeds the bound is skipped and listed, never loosened; each parameter's step is scaled so
that pixel-scale X (0..255) is checked as tightly as X in [0, 1]. Exit 0 when all checks pass, 1 when any fails,
2 on bad input.
"""
import sys
import time

from manual.backprop import cost_and_gradient
from manual.backprop_loop import cost_and_gradient_loop
from manual.errors import InputError
from manual.labels import one_hot
from manual.losses import LOSSES, penalty, penalty_gradient

from crosscheck.cli import options
from crosscheck.check.compare import compare
from crosscheck.cli.progress import Progress
from crosscheck.check.weight_kinds import DEFAULT_KINDS, WEIGHT_KINDS, layer_sizes, make_weights
from crosscheck.check.tolerances import tolerance

DEFAULT_LAMBDAS = (0.0, 1.0, 3.0)
NUMERICAL_ROWS = 20
BACKENDS = ("jax", "torch", "loop", "numerical")
KIND_OF = {"jax": "autodiff", "torch": "autodiff", "loop": "loop", "numerical": "numerical"}


def add_arguments(parser):
    options.add_data_options(parser)
    parser.add_argument("--lambda", dest="lambdas", nargs="+", type=options.lambda_type, default=list(DEFAULT_LAMBDAS),
                        metavar="λ", help="regularisation strengths λ ≥ 0 (default 0 1 3)")
    parser.add_argument("--loss", dest="losses", nargs="+", choices=LOSSES, default=list(LOSSES),
                        help="losses to check (default both)")
    parser.add_argument("--kinds", nargs="+", choices=WEIGHT_KINDS, default=None,
                        help="weights to check at (default: debug normal uniform trained, "
                             "plus course with --weights)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the random starts and the row subsample")
    parser.add_argument("--numerical-rows", type=options.whole_number(1), default=NUMERICAL_ROWS, metavar="M",
                        help=f"rows used by central differences (default {NUMERICAL_ROWS})")


def _kinds(args, course):
    kinds = args.kinds or (list(DEFAULT_KINDS) + (["course"] if course is not None else []))
    if "course" in kinds and course is None:
        raise InputError("--kinds course needs the course's weights: pass --weights ex4weights.mat "
                         "(with --data ex4data1.mat)")
    return list(dict.fromkeys(kinds))


def _check(scenario, backend, c, m):
    """One JSON-ready record from the Comparison ``c`` (manual vs ``backend`` on m rows)."""
    layer, row, col = c.worst
    return {**scenario, "backend": backend, "kind": KIND_OF[backend], "m": m,
            "cost": c.cost_b, "cost_manual": c.cost_a, "cost_rel_err": c.cost_rel_err,
            "grad_rel_err": c.grad_rel_diff, "tolerance": c.tol, "passed": bool(c.passed),
            "layer_rel_diff": c.layer_rel_diff, "layer_max_abs": c.layer_max_abs,
            "max_abs_err": c.max_abs_err,
            "worst": {"layer": layer, "row": row, "col": col, "manual": c.worst_a, backend: c.worst_b},
            "description": c.describe()}


def _numerical(scenario, thetas, Xs, Ys, lambda_, loss):
    """The central-difference check on the subsample, or a skip record when it cannot hold."""
    from crosscheck.check.central import error_floor, scaled_numerical_value_and_grad, step_scales
    ref = cost_and_gradient(thetas, Xs, Ys, lambda_, loss)
    scales = step_scales(thetas, Xs, ref[0])
    floor, tol = error_floor(*ref, thetas, Xs, scales), tolerance("numerical")
    if not floor <= tol:
        return None, {**scenario, "backend": "numerical", "m": Xs.shape[0], "error_floor": floor,
                      "reason": f"central differences cannot be held to {tol:.0e} here: rounding and "
                                f"truncation alone may give {floor:.1e} (see crosscheck/check/tolerances.py)"}
    num = scaled_numerical_value_and_grad(thetas, Xs, Ys, lambda_, loss, scales)
    return _check(scenario, "numerical", compare("manual", ref, "numerical", num, "numerical"),
                  Xs.shape[0]), None


def _loop_at(lambda_, loop_at_0, thetas, m):
    """The per-example loop's result at λ from its result at λ = 0, bit for bit: its sums over
    the examples do not depend on λ, and it then adds exactly these terms (backprop_loop:
    J = Σ/m + penalty, D = Δ/m + penalty_gradient, both 0 at λ = 0). The loop is the slowest
    check; run once per loss and weights instead of once per λ it saves 2/3 of its time."""
    J, grads = loop_at_0
    return (J + penalty(thetas, lambda_, m),
            [g + penalty_gradient(t, lambda_, m) for g, t in zip(grads, thetas)])


def run_matrix(X, y, kinds, losses, lambdas, seed=0, numerical_rows=NUMERICAL_ROWS, course=None,
               device="cpu", progress=None):
    """Every check of the matrix: {"scenarios": [...], "checks": [...], "skipped": [...]}."""
    from crosscheck.backends import autodiff_value_and_grad
    from crosscheck.check.central import subsample_rows
    progress = progress or Progress(0, "", enabled=False)
    sizes = layer_sizes(X, course)
    Y = one_hot(y, sizes[-1])
    rows = subsample_rows(X.shape[0], numerical_rows, seed)
    weights = {}
    for kind in kinds:
        weights[kind] = make_weights(kind, sizes, X, y, seed, course)
        progress.step(f"weights: {kind}", n=0)   # not a check: shown, not counted
    scenarios, checks, skipped, loops = [], [], [], {}
    for loss in losses:
        for lambda_ in lambdas:
            for kind in kinds:
                scenario = {"loss": loss, "lambda": lambda_, "weights": kind}
                thetas = weights[kind]
                ref = cost_and_gradient(thetas, X, Y, lambda_, loss)
                costs = {"manual": ref[0]}
                for backend in ("jax", "torch"):
                    out = autodiff_value_and_grad(backend, thetas, X, Y, lambda_, loss, device)
                    costs[backend] = out[0]
                    checks.append(_check(scenario, backend, compare("manual", ref, backend, out, "autodiff"),
                                         X.shape[0]))
                    progress.step(f"{loss} λ={lambda_:g} {kind}: {backend}")
                if (loss, kind) not in loops:
                    loops[loss, kind] = cost_and_gradient_loop(thetas, X, Y, 0.0, loss)
                loop = _loop_at(lambda_, loops[loss, kind], thetas, X.shape[0])
                checks.append(_check(scenario, "loop", compare("manual", ref, "loop", loop, "loop"), X.shape[0]))
                progress.step(f"{loss} λ={lambda_:g} {kind}: loop")
                check, skip = _numerical(scenario, thetas, X[rows], Y[rows], lambda_, loss)
                checks.extend([check] if check else [])
                skipped.extend([skip] if skip else [])
                progress.step(f"{loss} λ={lambda_:g} {kind}: numerical")
                scenarios.append({**scenario, "costs": costs,
                                  "grad_norms": [float((g ** 2).sum() ** 0.5) for g in ref[1]]})
    return {"layer_sizes": list(sizes), "m": int(X.shape[0]), "numerical_rows": int(rows.size),
            "scenarios": scenarios, "checks": checks, "skipped": skipped}


def run(args):
    from crosscheck.cli.report_format import format_json, format_table
    start = time.perf_counter()
    X, y, data_name = options.load_data(args)       # bad files are refused before JAX and PyTorch load
    course = options.load_weights(args, X)
    options.require_autodiff("report")
    from crosscheck.backends import check_device
    check_device(args.device)   # PyTorch was checked while parsing; JAX too (jax[cpu] may sit beside CUDA PyTorch)
    kinds = _kinds(args, course)
    losses, lambdas = list(dict.fromkeys(args.losses)), list(dict.fromkeys(args.lambdas))
    total = 4 * len(kinds) * len(losses) * len(lambdas)      # jax, torch, loop, numerical: as the result counts
    from manual.threads import command_threads
    with Progress(total, "crosscheck report") as progress, command_threads():
        result = run_matrix(X, y, kinds, losses, lambdas, args.seed, args.numerical_rows, course,
                            args.device, progress)
    result.update(data=data_name, seed=args.seed, device=args.device,
                  passed=all(c["passed"] for c in result["checks"]),
                  seconds=round(time.perf_counter() - start, 2))
    sys.stdout.write(format_json(result) if args.json else format_table(result))
    return 0 if result["passed"] else 1
