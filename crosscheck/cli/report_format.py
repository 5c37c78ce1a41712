"""The report's two outputs: a readable table, or one JSON object (key "checks"), strict JSON by
:mod:`crosscheck.strict_json`'s rule (NaN and inf are null)."""
from crosscheck.check.tolerances import TOLERANCES
from crosscheck.strict_json import strict_json

BACKEND_ORDER = ("jax", "torch", "loop", "numerical")


def format_json(result):
    out = {**result, "tolerances": {f"{d}/{k}": v for (d, k), v in TOLERANCES.items()}}
    return strict_json(out) + "\n"


def _key(entry):
    return entry["loss"], entry["lambda"], entry["weights"]


def _worst_per_backend(checks):
    worst = {}
    for c in checks:
        if c["backend"] not in worst or c["grad_rel_err"] > worst[c["backend"]]["grad_rel_err"]:
            worst[c["backend"]] = c
    return worst


def format_table(result):
    by_scenario = {}
    for c in result["checks"]:
        by_scenario.setdefault(_key(c), {})[c["backend"]] = c
    skipped = {(*_key(s), s["backend"]) for s in result["skipped"]}
    n_layers = len(result["layer_sizes"]) - 1
    head = (f"{'loss':<14}{'λ':>5}  {'weights':<8}{'cost manual':>17}{'cost jax':>17}{'cost torch':>17}"
            + "".join(f"{f'‖∂Θ{l}‖':>9}" for l in range(1, n_layers + 1))
            + "".join(f"{b[:5]:>9}" for b in BACKEND_ORDER) + "  verdict")
    lines = [f"crosscheck report: data {result['data']} (m = {result['m']}, layers "
             f"{'-'.join(map(str, result['layer_sizes']))}), seed {result['seed']}, device {result['device']}",
             "relative errors are the course's ‖a − b‖/‖a + b‖ of the whole gradient, manual vs each backend",
             "", head, "-" * len(head)]
    for s in result["scenarios"]:
        row = by_scenario.get(_key(s), {})
        costs = s["costs"]
        errs = "".join(f"{'skip' if (*_key(s), b) in skipped else '—':>9}" if b not in row
                       else f"{row[b]['grad_rel_err']:>9.1e}" for b in BACKEND_ORDER)
        failed = [b for b in BACKEND_ORDER if b in row and not row[b]["passed"]]
        lines.append(f"{s['loss']:<14}{s['lambda']:>5g}  {s['weights']:<8}"
                     f"{costs['manual']:>17.12g}{costs['jax']:>17.12g}{costs['torch']:>17.12g}"
                     + "".join(f"{n:>9.2e}" for n in s["grad_norms"]) + errs
                     + ("  pass" if not failed else f"  FAIL ({', '.join(failed)})"))
    checks = result["checks"]
    lines += ["", f"rows: jax, torch and loop use all {result['m']}; numerical uses a seeded subsample of "
                  f"{result['numerical_rows']} rows (fourth-order central differences, step ε = 1e-3 times a power of 2 per parameter)",
              "tolerances (float64): " + ", ".join(f"{k} {v:.0e}" for (d, k), v in TOLERANCES.items()
                                                  if d == "float64"),
              "worst per backend: " + "; ".join(
                  f"{b} {c['grad_rel_err']:.1e} ({c['loss']} λ={c['lambda']:g} {c['weights']})"
                  for b, c in sorted(_worst_per_backend(checks).items(), key=lambda i: BACKEND_ORDER.index(i[0])))]
    for s in result["skipped"]:
        lines.append(f"skipped: {s['backend']} for {s['loss']} λ={s['lambda']:g} {s['weights']}: {s['reason']}")
    failures = [c for c in checks if not c["passed"]]
    for c in failures:
        lines.append(f"FAIL {c['loss']} λ={c['lambda']:g} {c['weights']}: {c['description']}")
    skipped = f" ({len(result['skipped'])} skipped)" if result["skipped"] else ""
    lines.append(f"{len(checks)} checks{skipped} in {result['seconds']:.1f} s: "
                 + ("all passed" if not failures else f"{len(failures)} FAILED"))
    return "\n".join(lines) + "\n"
