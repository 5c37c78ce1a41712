"""``crosscheck mistakes``: the gallery of common backprop mistakes and what they do.

For every catalogue mistake (manual/catalogue.py) and the correct implementation: the cost
and gradient error against autodiff, where the error lands (a heat map per mistake in
--out), and the accuracy TNC reaches with it on the embedded digits, as the original
notebook trained. Ends with the notebook's two puzzles explained by the numbers above.

Exit 0 when the gallery was produced (it shows mistakes; it is not a pass/fail check),
2 on bad input.

``--json`` prints one object: ``settings``; ``baselines`` {loss: entry} for the correct
implementation; ``mistakes`` {id: entry}; ``puzzles`` (the evidence behind the two
explanations); ``figures`` {id: PNG path}. An entry has ``id``, ``loss``, ``summary``,
``matches_autodiff``, ``cost``, ``correct_cost``, ``cost_rel_err``, ``grad_rel_diff``,
``layer_rel_diff`` [per Θ], ``layer_error_share``, ``bias_error_share``, ``cosine``,
``gradient_finite``, ``worst`` {layer, row, column} and ``train`` (null with --no-train)
{``train_accuracy``, ``heldout_accuracy``, ``evaluations``, ``nonfinite_evaluations``,
``stop``, ``weights_finite``}. Values that are inf or NaN are written as null
(``crosscheck.strict_json``, every command's rule).

``--list`` prints the one table of mistakes (``manual.mistake_table``) and runs nothing: every
id crosscheck can name, the catalogue's plantable ones first; with ``--json``, one object per id
(``id``, ``plantable``, ``losses``, ``conflicts``, ``summary``, ``explanation``, ``correction``).
"""
from pathlib import Path

from manual.errors import InputError
from manual.catalogue import MISTAKES
from manual.mistake_table import TABLE

from crosscheck.cli.options import lambda_type, output_dir, require_autodiff, whole_number
from crosscheck.check.tolerances import tolerance
from crosscheck.cli.progress import Progress

LOSS_SHORT = {"cross_entropy": "CE", "squared_error": "SE"}
STOP_SHORT = {"Max. number of function evaluations reached": "budget used",
              "Converged (|f_n-f_(n-1)| ~= 0)": "no progress",
              "Linear search failed": "line search failed",
              "Local minimum reached (|pg| ~= 0)": "minimum"}


def add_arguments(parser):
    parser.add_argument("--out", default="out/mistakes", metavar="DIR",
                        help="folder for the heat maps, one <id>.png per mistake (default out/mistakes)")
    parser.add_argument("--maxiter", type=whole_number(1), default=500, metavar="N",
                        help="TNC's budget of function evaluations (the notebook's maxiter=500)")
    parser.add_argument("--seed", type=whole_number(0), default=0,
                        help="seed of the N(0, 1) start weights and the held-out split (default 0)")
    parser.add_argument("--lambda", dest="lambda_", type=lambda_type, default=1e-3, metavar="λ",
                        help="regularisation strength (default 1e-3, the notebook's)")
    parser.add_argument("--backend", choices=("jax", "torch"), default="jax",
                        help="the autodiff the gradients are compared with (default jax)")
    parser.add_argument("--no-train", action="store_true", help="gradients only, skip training (fast)")
    parser.add_argument("--no-figures", action="store_true", help="do not write the heat maps")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--list", action="store_true",
                        help="list every mistake crosscheck can name (plantable in the catalogue or named "
                             "only by verify's diagnosis) and exit: fast, runs nothing")


def _backend(name):
    if name == "torch":
        from crosscheck.backends import torch_cost as backend
    else:
        from crosscheck.backends import jax_cost as backend
    return backend.value_and_grad


def run(args):
    if args.list:
        from crosscheck.strict_json import strict_json
        print(strict_json({"command": "mistakes", "mistakes": table_json()}, indent=2) if args.json
              else "\n".join(table_lines()))
        return 0
    out = None if args.no_figures else output_dir(args.out)      # before anything heavy loads
    require_autodiff("mistakes", (args.backend,))
    from crosscheck.teaching.gallery import GallerySettings, run_gallery, variants

    settings = GallerySettings(lambda_=args.lambda_, maxfun=args.maxiter, seed=args.seed).check()
    value_and_grad = _backend(args.backend)
    with Progress(len(variants()), "mistakes") as progress:
        result = run_gallery(settings, value_and_grad, args.backend, train=not args.no_train,
                             step=progress.step)
    report = result.report
    report["figures"] = write_figures(result, out) if out is not None else {}
    if args.json:
        from crosscheck.strict_json import strict_json
        print(strict_json(dict(command="mistakes", **report), indent=2))
    else:
        print(render(report))
    return 0


def table_json():
    """The one table of mistakes (manual.mistake_table), one object per id."""
    return [{"id": m.id, "plantable": m.plantable, "losses": list(m.losses), "conflicts": list(m.conflicts),
             "summary": m.summary, "explanation": m.explanation, "correction": m.correction}
            for m in TABLE.values()]


def table_lines():
    """``crosscheck mistakes --list``: one line per id, the plantable ones first."""
    width = max(map(len, TABLE))
    rows = sorted(TABLE.values(), key=lambda m: not m.plantable)
    return ([f"{'id':<{width}}  {'planted by':<13}  summary"]
            + [f"{m.id:<{width}}  {'the catalogue' if m.plantable else '(verify only)':<13}  {m.summary}"
               for m in rows])


def write_figures(result, out):
    """One heat map per mistake; returns {id: path}."""
    from crosscheck.teaching.heatmap import gradient_error_figure

    paths = {}
    settings = result.report["settings"]
    tol = tolerance("autodiff")
    for mistake_id, (mine, ref) in result.gradients.items():
        entry = result.report["mistakes"][mistake_id]
        subtitle = (f"∂J/∂Θ of the variant minus {settings['backend']} autodiff of the correct "
                    f"{entry['loss'].replace('_', '-')} cost, start weights, λ={settings['lambda_']:g}; "
                    f"gradient rel. error {_num(entry['grad_rel_diff'])}, cost rel. error {_num(entry['cost_rel_err'])}")
        notes = [f"relative {_num(r)}" + (" (rounding: no error)" if r is not None and r <= tol else "")
                 for r in entry["layer_rel_diff"]]
        paths[mistake_id] = str(gradient_error_figure(
            mine, ref, f"{mistake_id}: {MISTAKES[mistake_id].summary}", subtitle,
            out / f"{mistake_id}.png", notes))
    return paths


def _num(x, fmt=".1e"):
    return "inf/NaN" if x is None else format(x, fmt)


def _pct(x):
    return "  n/a" if x is None else f"{100 * x:5.1f}%"


def _row(entry):
    shares = entry["layer_error_share"]
    where = ("inf/NaN" if shares is None else "-" if entry["matches_autodiff"] else
             "/".join(f"{100 * s:.0f}" for s in shares) + f" b{100 * entry['bias_error_share']:.0f}")
    cells = [f"{entry['id']:<30}", f"{LOSS_SHORT[entry['loss']]:<4}",
             f"{_num(entry['cost_rel_err']):>8}", f"{_num(entry['grad_rel_diff']):>8}",
             f"{'/'.join(_num(r) for r in entry['layer_rel_diff']):>17}", f"{where:>12}",
             f"{_num(entry['cosine'], '+.3f'):>6}"]
    train = entry["train"]
    if train is not None:
        evals = str(train["evaluations"]) + (f" ({train['nonfinite_evaluations']} inf/NaN)"
                                             if train["nonfinite_evaluations"] else "")
        cells += [_pct(train["train_accuracy"]), _pct(train["heldout_accuracy"]), f"{evals:>5}",
                  STOP_SHORT.get(train["stop"], train["stop"])]
    return "  ".join(cells)


def render(report):
    s = report["settings"]
    trained = next(iter(report["baselines"].values()))["train"] is not None
    lines = [
        f"crosscheck mistakes: digits8x8 ({s['train_examples']} train / {s['heldout_examples']} held-out), "
        f"{'-'.join(map(str, s['sizes']))} network, N(0, 1) start weights (seed {s['seed']}), "
        f"λ={s['lambda_']:g}" + (f", TNC ≤ {s['maxfun']} evaluations" if trained else ", not trained"),
        f"errors: the variant against {s['backend']} autodiff of the correct cost at the start weights "
        "(relative; Θ1/Θ2 per layer); 'where' = % of the squared error in Θ1/Θ2, b = % in bias columns;",
        "cos = cosine between the variant's gradient and the true one (1: right direction).",
        "",
    ]
    header = ["variant".ljust(30), "loss", "cost err", "grad err", "Θ1/Θ2 err".rjust(17),
              "where".rjust(12), "   cos"]
    if trained:
        header += [" train", "held-out", "evals", "stop"]
    lines += ["  ".join(header)]
    lines += [_row(e) for e in report["baselines"].values()]
    lines += [_row(e) for e in report["mistakes"].values()]
    if report.get("figures"):
        folder = Path(next(iter(report["figures"].values()))).parent
        lines += ["", f"heat maps (variant − autodiff per weight): {folder}/<id>.png"]
    lines += ["", *explain(report)]
    return "\n".join(lines)


def explain(report):
    """The notebook's two puzzles, explained with this run's numbers (a paragraph each)."""
    ce, se = report["baselines"]["cross_entropy"], report["baselines"]["squared_error"]
    sq, dh = report["mistakes"]["squared_missing_sigmoid_prime"], report["mistakes"]["output_delta_dJ_dh"]
    p1, p2 = report["puzzles"]["squared_loss_works_better"], report["puzzles"]["cross_entropy_only_70"]

    def acc(entry, brackets=True):
        t = entry["train"]
        if t is None:
            return "" if brackets else " (not trained)"
        text = f"{_pct(t['train_accuracy']).strip()} train, {_pct(t['heldout_accuracy']).strip()} held-out"
        return f" ({text})" if brackets else f" {text}"

    trained = ce["train"] is not None
    same = "exactly the" if p1["is_cross_entropy_gradient"] else "NOT the"
    first = (f"Puzzle 1, \"squared loss works better\" (notebook: 99.64% train). Its backprop used "
             f"δ = h − y under a squared-error cost: squared_missing_sigmoid_prime{acc(sq)}. That δ is "
             f"{same} cross-entropy delta: the gradient is {_num(sq['grad_rel_diff'])} away from "
             f"autodiff of the squared-error cost it claims, but {_num(p1['grad_rel_diff_vs_cross_entropy'])} "
             f"from autodiff of the cross-entropy cost. TNC followed cross-entropy's gradient (while "
             f"its line search measured squared error): it was training the cross-entropy model.")
    if trained:
        first += (f" Compare the correct cross-entropy network{acc(ce)}; a correctly implemented "
                  f"squared-error network, a different model, reaches{acc(se, brackets=False)}.")
    first += (" The notebook's question 1 (cross-entropy cost, δ = h − y) is simply the correct "
              "implementation; its log overflow came from log h with h rounded to 1, which manual/ "
              "avoids by computing the cost from z.")
    inflation = ("inf (some outputs are saturated: h is exactly 0 or 1)" if p2["delta_inflation_max"] is None
                 else f"{p2['delta_inflation_max']:.3g}")
    second = (f"Puzzle 2, \"cross-entropy both ways only ~70%\". Its δ = ∂J/∂h = −y/h + (1−y)/(1−h) "
              f"is output_delta_dJ_dh{acc(dh)}. The right δ = ∂J/∂z multiplies that by g'(z) = h(1−h), "
              f"which cancels the denominators to h − y; without it every output error is divided by "
              f"h(1−h) (median factor {_num(p2['delta_inflation_median'], '.3g')}, largest {inflation} at "
              f"the start weights), so confident units dominate and the gradient points elsewhere "
              f"(cosine {_num(dh['cosine'], '+.3f')} with the true one).")
    if trained:
        t = dh["train"]
        second += f" TNC ended after {t['evaluations']} evaluations ({STOP_SHORT.get(t['stop'], t['stop'])})."
        if t["nonfinite_evaluations"]:
            second += (f" {t['nonfinite_evaluations']} of those gradients were inf/NaN (h saturated) and "
                       "were handed to TNC as they were, as the student's code would.")
        second += (" The correct implementation, from the same start with the same data and budget, "
                   f"reaches{acc(ce, brackets=False)}.")
    return [first, "", second, "", *notes(report)]


def notes(report):
    """How to read the rows that surprise: mistakes the cost column catches, accuracies read back wrong."""
    tol = tolerance("autodiff")
    in_cost = [e["id"] for e in report["mistakes"].values()
               if e["cost_rel_err"] is None or e["cost_rel_err"] > tol]
    lines = []
    if in_cost:
        lines.append(f"Cost differs from the correct cost: {', '.join(in_cost)}. These change cost and "
                     "gradient together, so a gradient check against their own cost passes; only a "
                     "comparison with the correct cost (the cost err column) or with autodiff catches them.")
    read_back = [e for k, e in report["mistakes"].items() if k in ("label_offset", "unroll_order") and e["train"]]
    if read_back:
        lines.append("label_offset and unroll_order train fine on their own terms; their accuracies are "
                     "low because the weights are read back with the course's labels and layout ("
                     + ", ".join(f"{e['id']} {_pct(e['train']['train_accuracy']).strip()} train" for e in read_back)
                     + ").")
    return lines
