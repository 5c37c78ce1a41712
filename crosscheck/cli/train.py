"""``crosscheck train``: train the network on the embedded digits (or --data) and report accuracy.

A seeded held-out split, the course's uniform ±ε start, scipy's optimiser on manual's
prepared fast path (manual.fast.CostGradient); prints training and held-out accuracy and
the wall time of the training. ``--out DIR`` also writes figures (imports matplotlib only then).
"""
import sys
import time

from manual.errors import InputError

from crosscheck.cli.options import add_data_options, add_model_options, number_between, whole_number

DEFAULTS = {"method": "L-BFGS-B", "maxiter": 100, "seed": 0, "epsilon": 0.12, "hidden": 25,
            "test_fraction": 0.2, "threads": 1}


def add_arguments(parser):
    add_data_options(parser, weights=False, device=False)
    add_model_options(parser, method=True)
    parser.set_defaults(method=DEFAULTS["method"])
    parser.add_argument("--maxiter", type=whole_number(1), default=DEFAULTS["maxiter"],
                        help=f"optimiser iterations (TNC: function evaluations) (default {DEFAULTS['maxiter']})")
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"],
                        help="seeds the held-out split and the initial weights (default 0)")
    parser.add_argument("--epsilon", type=number_between("ε", 0.0, 100.0), default=DEFAULTS["epsilon"], metavar="ε",
                        help="initial weights uniform in ±ε (default 0.12, the course's)")
    parser.add_argument("--hidden", type=whole_number(1), default=DEFAULTS["hidden"],
                        help="hidden units (default 25)")
    parser.add_argument("--test-fraction", type=number_between("the held-out fraction", 0.0, 1.0), default=DEFAULTS["test_fraction"],
                        help="share of examples held out (default 0.2)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="the arithmetic of the training's cost and gradient (manual's fast path); "
                             "float32 rounds at ~1e-7 (default float64)")
    parser.add_argument("--threads", type=whole_number(1), default=DEFAULTS["threads"],
                        help="BLAS threads (default 1: this network's products are small, and "
                             "more threads only spin against each other on a busy machine)")
    parser.add_argument("--out", metavar="DIR",
                        help="write PNG figures here: hidden units, cost curves of both losses, predictions")


def fit(X, y, args, loss, progress=None):
    """Train on (X, y) with args' settings; returns (thetas, result, costs, seconds, split)."""
    from threadpoolctl import threadpool_limits

    from manual import COURSE_LAYER_SIZES, train, train_test_split, uniform_init
    sizes = (X.shape[1], args.hidden, COURSE_LAYER_SIZES[-1])
    split = train_test_split(X, y, args.test_fraction, args.seed)
    if min(split[0].shape[0], split[2].shape[0]) < 1:
        raise InputError(f"{X.shape[0]} examples cannot be split {1 - args.test_fraction:g}/{args.test_fraction:g}")
    costs = []

    def callback(J):
        costs.append(float(J))
        if progress is not None:
            progress.step(f"cost {J:.5f}")
    thetas0 = uniform_init(sizes, args.seed, args.epsilon)
    with threadpool_limits(args.threads):
        start = time.perf_counter()
        thetas, result = train(thetas0, split[0], split[1], args.lambda_, loss, args.method,
                               args.maxiter, callback=callback, dtype=args.dtype)
        seconds = time.perf_counter() - start
    return thetas, result, costs, seconds, split


def run(args):
    from manual import accuracy

    from crosscheck.cli.options import load_data, output_dir
    from crosscheck.strict_json import strict_json
    from crosscheck.cli.progress import Progress
    X, y, data_name = load_data(args)
    if args.out:
        output_dir(args.out)             # a bad --out is refused now, not after the training
    with Progress(args.maxiter, "train") as progress:
        thetas, result, costs, seconds, (Xtr, ytr, Xte, yte) = fit(X, y, args, args.loss, progress)
    report = {
        "data": data_name, "layer_sizes": [X.shape[1], args.hidden, 10], "loss": args.loss,
        "lambda": args.lambda_, "method": args.method, "maxiter": args.maxiter, "seed": args.seed,
        "epsilon": args.epsilon, "dtype": args.dtype, "threads": args.threads,
        "train_examples": int(Xtr.shape[0]), "test_examples": int(Xte.shape[0]),
        "iterations": int(result.nit), "function_evaluations": int(result.nfev),
        "final_cost": float(result.fun), "converged": bool(result.success),
        "message": str(result.message),
        "train_accuracy": accuracy(thetas, Xtr, ytr), "test_accuracy": accuracy(thetas, Xte, yte),
        "seconds": seconds,
    }
    diverged = _diverged(result, thetas)
    if diverged:
        report.update(final_cost=None, diverged=diverged)
    elif args.out:
        report["figures"] = _figures(args, X, y, thetas, costs, data_name, (Xte, yte))
    if args.json:
        print(strict_json(report, indent=2))
    if diverged:
        sys.stdout.flush()
        sys.stderr.write(f"crosscheck train: training diverged: {diverged}\n")
        return 1
    if not args.json:
        sizes = "-".join(map(str, report["layer_sizes"]))
        print(f"trained {sizes} on {data_name} ({report['train_examples']} training, "
              f"{report['test_examples']} held out): {args.loss}, λ={args.lambda_:g}, {args.method}, "
              f"{report['iterations']} iterations, {seconds:.2f} s")
        print(f"  final cost         {report['final_cost']:.6f}")
        print(f"  training accuracy  {100 * report['train_accuracy']:.2f}%")
        print(f"  held-out accuracy  {100 * report['test_accuracy']:.2f}%")
        for path in report.get("figures", []):
            print(f"  figure             {path}")
    sys.stdout.flush()
    return 0


def _diverged(result, thetas):
    """Why the run ended in NaN or inf ('' when its cost and weights are finite)."""
    import numpy as np
    if not np.isfinite(result.fun):
        return (f"the final cost is {result.fun} (the optimiser stopped: {str(result.message).strip() or 'no reason given'}); "
                "values this large overflow the arithmetic: scale X, or train in float64")
    if not all(np.all(np.isfinite(t)) for t in thetas):
        return "the weights contain NaN or inf; scale X, or train in float64"
    return ""


def _figures(args, X, y, thetas, costs, data_name, held_out):
    """Train the other loss too (for the cost-curve figure) and write the PNGs."""
    from manual.losses import LOSSES

    from crosscheck.teaching import figures
    curves = {args.loss: costs}
    for other in LOSSES:
        if other != args.loss:
            curves[other] = fit(X, y, args, other)[2]
    order = "F" if data_name == "ex4data1" else "C"    # MATLAB images are stored column-major
    return figures.write_all(args.out, thetas, curves, held_out, order)
