"""``crosscheck pin``: check or update the pinned reference values (reference/pins.json).

``--check`` (the default) recomputes every scenario with manual, JAX and PyTorch and exits 0
only if every one reproduces its pins; 1 otherwise, with a table of what moved and by how
much. Scenarios that need an absent course file are listed as skipped, never as passed.

``--update`` recomputes and rewrites the file, showing the diff, but refuses (exit 1,
file untouched) when the implementations disagree with each other beyond the tolerance
table or with a published value. Scenarios whose pins still hold keep them (and their
provenance); those needing an absent course file keep theirs or stay pending.
"""
import os
import sys
from pathlib import Path

from manual.errors import InputError

from crosscheck.cli.options import add_size_limit, max_bytes, path_type
from crosscheck.cli.progress import Progress

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_WEIGHTS = REPO_ROOT.parent / "shared" / "data" / "ex4weights.mat"


def add_arguments(parser):
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="recompute every scenario with every implementation (default)")
    mode.add_argument("--update", action="store_true",
                      help="recompute and rewrite the pin file, refusing if the implementations disagree")
    mode.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--file", metavar="PATH", type=path_type, help="the pin file (default reference/pins.json)")
    parser.add_argument("--answers", metavar="PATH", type=path_type,
                        help="verify's stored reference answers (default reference/answers.json); "
                             "checked or rewritten with the pins unless --scenario is given")
    parser.add_argument("--data", metavar="PATH", type=path_type,
                        help="the course's ex4data1.mat for the course-data scenarios (default $EX4_DATA)")
    parser.add_argument("--weights", metavar="PATH", type=path_type,
                        help="the course's ex4weights.mat (default $EX4_WEIGHTS, else "
                             "../shared/data/ex4weights.mat when present)")
    parser.add_argument("--scenario", action="append", metavar="NAME",
                        help="only this scenario (repeatable; see --list)")
    add_size_limit(parser)


def course_files(args):
    """CourseFiles from --data/--weights, then $EX4_DATA/$EX4_WEIGHTS, then the shared weights."""
    from manual.io.data import load_ex4data, load_ex4weights
    from reference.scenarios import CourseFiles
    data = args.data if args.data is not None else os.environ.get("EX4_DATA") or None
    weights = args.weights if args.weights is not None else os.environ.get("EX4_WEIGHTS") or (
        str(SHARED_WEIGHTS) if SHARED_WEIGHTS.exists() else None)
    if weights:
        thetas = load_ex4weights(weights, max_bytes=max_bytes(args))   # bad file: InputError, exit 2
        if thetas[0].shape[1] != 401:
            raise InputError(f"{weights}: Theta1 is {thetas[0].shape}; the course's is (25, 401)")
    if data:
        X, _ = load_ex4data(data, max_bytes=max_bytes(args))
        if X.shape[1] != 400:
            raise InputError(f"{data}: X has {X.shape[1]} columns; the course's ex4data1 has 400")
    return CourseFiles(data=data, weights=weights)


def run(args):
    from reference import pinning
    from reference.scenarios import SCENARIOS
    if args.list:
        for name, sc in SCENARIOS.items():
            needs = f"  [needs {', '.join(sc.requires)}]" if sc.requires else ""
            print(f"{name:44s} {sc.description}{needs}")
        return 0
    from crosscheck.cli import pin_answers
    from reference.answers import ANSWER_FILE
    path = Path(args.file) if args.file is not None else pinning.PIN_FILE
    answer_file = Path(args.answers) if args.answers is not None else ANSWER_FILE
    pin_answers.refuse_bad_files(path, answer_file, args.update, explicit=args.answers is not None)
    files = course_files(args)
    from crosscheck.cli.options import require_autodiff
    require_autodiff("pin")
    from crosscheck.backends import check_device
    from manual.threads import command_threads
    check_device("cpu")          # loads JAX and PyTorch now, so command_threads finds their pools
    with command_threads():
        if args.update:
            code = _update(path, files, args.scenario)
            return code or (0 if args.scenario else pin_answers.update(answer_file))
        code = _check(path, files, args.scenario)
        return max(code, 0 if args.scenario else pin_answers.check(answer_file))


# --- check ------------------------------------------------------------------------------

def _check(path, files, selected):
    from reference import pinning
    from crosscheck.check.evaluate import IMPLEMENTATIONS
    from reference.scenarios import SCENARIOS
    data = pinning.load(path)
    names, orphans = pinning.scenario_names(data, selected)
    statuses = []
    with Progress(len(names) * len(IMPLEMENTATIONS), "pin --check") as progress:
        for name in names:
            sc, entry = SCENARIOS[name], data["scenarios"].get(name)
            status = pinning.Status(name, "ok")
            if entry is None:
                status.problems.append("not in the pin file (run `crosscheck pin --update`)")
            elif entry.get("setup") != sc.setup():
                status.problems.append("its definition in reference/scenarios.py differs from the "
                                       "pin file's setup (re-pin with `crosscheck pin --update`)")
            missing = files.missing(sc)
            if missing:
                status.state = "skipped"
                status.reason = "; ".join(pinning.PENDING[f].split(";")[0] for f in missing)
                progress.step(name, len(IMPLEMENTATIONS))
            else:
                _check_scenario(sc, entry, files, status, progress)
            if status.problems or status.moved:
                status.state = "FAILED"
            statuses.append(status)
    for name in orphans:
        statuses.append(pinning.Status(name, "FAILED", problems=[
            "in the pin file but not defined in reference/scenarios.py"]))
    _print_check(path, statuses, IMPLEMENTATIONS)
    return 1 if any(s.state == "FAILED" for s in statuses) else 0


def _check_scenario(sc, entry, files, status, progress):
    from reference import pinning
    from crosscheck.check.evaluate import IMPLEMENTATIONS, evaluate
    pins = entry.get("pins") if entry else None
    reference_pins = pins
    published_ok = True
    for impl in IMPLEMENTATIONS:
        got = evaluate(sc, impl, files)
        progress.step(f"{sc.name} {impl}")
        for problem in pinning.published_mismatches(sc, got):
            status.problems.append(f"{impl}: published value: {problem}")
            published_ok = False
        if reference_pins is None:                 # pending: the others must agree with manual
            reference_pins = pinning.pins_of(sc, got)
            status.state = "pending"
            status.reason = "no pin yet; implementations compared with each other"
        try:
            if sc.kind == "gradient_check":
                ok = pinning.reproduces(sc, reference_pins, got)
                if not ok:
                    status.problems.append(f"{impl}: relative difference {got['relative_difference']:.3e} "
                                           f"not below {reference_pins['bound']:g}")
                status.per_impl[impl] = "ok" if ok else "FAILED"
            else:
                found = pinning.moved(sc.name, impl, reference_pins, got)
                status.moved.extend(found)
                status.per_impl[impl] = "ok" if not found else f"moved({len(found)})"
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            status.problems.append(f"{impl}: malformed pin entry ({exc!r})")
            status.per_impl[impl] = "FAILED"
    if sc.published:
        status.published = "ok" if published_ok else "MISMATCH"


def _print_check(path, statuses, impls):
    from crosscheck.check.tolerances import tolerance
    print(f"crosscheck pin --check: {path}  ({len(statuses)} scenarios × {', '.join(impls)}; "
          f"pins hold to {tolerance('pin'):.0e} relative)")
    width = max([len(s.name) for s in statuses] + [8])
    print(f"{'scenario':{width}s}  " + "  ".join(f"{i:9s}" for i in impls) + "  published  result")
    for s in statuses:
        if s.state == "skipped":
            print(f"{s.name:{width}s}  skipped: {s.reason}")
            continue
        cells = "  ".join(f"{s.per_impl.get(i, '-'):9s}" for i in impls)
        print(f"{s.name:{width}s}  {cells}  {s.published:9s}  {s.state}")
    moved = [m for s in statuses for m in s.moved]
    if moved:
        print("\nWhat moved (|now − pinned| / scale, scale = |pinned|, or grad_abs_sum for grad_sum):")
        print(f"{'scenario':{width}s}  {'impl':6s} {'quantity':16s} {'pinned':>24s} {'now':>24s} "
              f"{'rel change':>10s}  tolerance")
        for m in moved:
            print(f"{m.scenario:{width}s}  {m.impl:6s} {m.quantity:16s} {m.pinned!r:>24} {m.got!r:>24} "
                  f"{m.rel:10.2e}  {m.tol:.0e}")
    problems = [(s.name, p) for s in statuses for p in s.problems]
    if problems:
        print("\nProblems:")
        for name, p in problems:
            print(f"  {name}: {p}")
    pending = [s for s in statuses if s.state == "pending"]
    for s in pending:
        print(f"\npending: {s.name}: {s.reason}; pin it with `crosscheck pin --update` and the course files")
    counts = {state: sum(s.state == state for s in statuses) for state in ("ok", "skipped", "pending", "FAILED")}
    print(f"\n{counts['ok']} reproduced by every implementation, {counts['skipped']} skipped "
          f"(course files absent; not passed), {counts['pending']} pending, {counts['FAILED']} FAILED")


# --- update -----------------------------------------------------------------------------

def _update(path, files, selected):
    from reference import pinning
    from crosscheck.check.evaluate import IMPLEMENTATIONS, versions
    from reference.scenarios import SCENARIOS
    old_text = pinning.read_text(path) if os.path.lexists(path) else ""
    old = pinning.parse(old_text, path) if old_text else pinning.empty()
    names, _ = pinning.scenario_names(old, selected)
    new = pinning.empty()
    versions_now = versions()
    refusals = []
    with Progress(len(names) * len(IMPLEMENTATIONS), "pin --update") as progress:
        for name, sc in SCENARIOS.items():
            old_entry = old["scenarios"].get(name)
            if name not in names:                          # not selected: left as it was
                if old_entry is not None:
                    new["scenarios"][name] = old_entry
                continue
            missing = files.missing(sc)
            if missing:
                keep = old_entry is not None and old_entry.get("setup") == sc.setup()
                new["scenarios"][name] = old_entry if keep else pinning.pending_entry(sc, missing)
                progress.step(name, len(IMPLEMENTATIONS))
                continue
            entry, problems = _fresh_entry(sc, files, old_entry, versions_now, progress)
            refusals.extend(f"{name}: {p}" for p in problems)
            new["scenarios"][name] = entry
    if refusals:
        sys.stderr.write("crosscheck pin --update: refusing to pin, the implementations disagree "
                         "(or miss a published value):\n")
        for r in refusals:
            sys.stderr.write(f"  {r}\n")
        sys.stderr.write(f"{path} is unchanged.\n")
        return 1
    new_text = pinning.dumps(new)
    change = pinning.diff(old_text, new_text, path)
    if not change:
        print(f"crosscheck pin --update: {path}: every pin still holds; nothing changed")
        return 0
    print(change, end="")
    pinning.write(path, new_text)
    print(f"crosscheck pin --update: wrote {path}")
    return 0


def _fresh_entry(sc, files, old_entry, versions_now, progress):
    """(entry, problems): the scenario recomputed by every implementation; problems non-empty
    when they disagree (beyond tolerance('pin'), or beyond compare()'s for whole gradients)."""
    from crosscheck.check.compare import compare
    from reference import pinning
    from crosscheck.check.evaluate import IMPLEMENTATIONS, digest, evaluate, network_result
    raw, got = {}, {}
    for impl in IMPLEMENTATIONS:
        if sc.kind == "network":
            raw[impl] = network_result(sc, impl, files)
            got[impl] = digest(*raw[impl])
        else:
            got[impl] = evaluate(sc, impl, files)
        progress.step(f"{sc.name} {impl}")
    base = IMPLEMENTATIONS[0]
    pins = pinning.pins_of(sc, got[base])
    problems, worst = [], 0.0
    for impl in IMPLEMENTATIONS:
        problems.extend(f"{impl}: published value: {p}" for p in pinning.published_mismatches(sc, got[impl]))
        if sc.kind == "gradient_check":
            if not pinning.reproduces(sc, pins, got[impl]):
                problems.append(f"{impl}: relative difference {got[impl]['relative_difference']:.3e} "
                                f"not below {pins['bound']:g}")
            continue
        changes = pinning.relative_changes(sc.name, impl, pins, got[impl])
        worst = max([worst] + [c.rel for c in changes])
        problems.extend(f"{impl} vs {base}: {c.quantity} {c.got!r} vs {c.pinned!r} (rel {c.rel:.2e})"
                        for c in changes if not c.rel <= c.tol)
        if sc.kind == "network" and impl != base:
            comparison = compare(base, raw[base], impl, raw[impl], kind="pin")
            if not comparison.passed:
                problems.append(comparison.describe())
    unchanged = (old_entry is not None and old_entry.get("setup") == sc.setup()
                 and old_entry.get("pins") is not None
                 and all(_holds(sc, old_entry["pins"], got[i]) for i in IMPLEMENTATIONS))
    if unchanged:
        return old_entry, problems
    used = [getattr(files, f) for f in ("data", "weights") if f"ex4{f}" in sc.requires]
    prov = pinning.provenance(versions_now, worst, used)
    if sc.kind == "gradient_check":
        prov["measured"] = {i: float(f"{got[i]['relative_difference']:.3g}") for i in IMPLEMENTATIONS}
    return {"setup": sc.setup(), "pins": pins, "provenance": prov}, problems


def _holds(sc, pins, got):
    from reference import pinning
    try:
        return pinning.reproduces(sc, pins, got)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
