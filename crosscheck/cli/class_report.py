"""``crosscheck verify`` for one target or a whole class: run each target (in parallel, one
worker process each), judge every run here, print one report (text or one JSON object), and
optionally a CSV row per target.

The verdict of a run: right only when it ran on every problem, agrees with autodiff on each,
left its inputs untouched and gave the same answer twice. Anything else is wrong (exit 1).
"""
import atexit
import csv
import gc
import json
import math
import os
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from manual.errors import InputError

from crosscheck.cli import one_line
from crosscheck.cli.progress import Progress
from crosscheck.learner import runner

MUTATION_NOTE = ("Your function wrote into its input(s) {names}. The caller's arrays are not yours: with "
                 "scipy.optimize, nn_params IS the optimiser's own vector, and a reshape of it (or of a "
                 "slice) is a view, so `Theta1[:, 0] = 0` changes it and corrupts the training. Copy "
                 "before writing: `Theta1 = nn_params[:k].reshape(...).copy()`.")
NONDETERMINISTIC_NOTE = ("Your function gave a different (J, grad) when called again on the same "
                         "problem ({problems}): it keeps state between calls (a global, a default "
                         "argument it changes) or uses unseeded randomness.")


@dataclass
class Verdict:
    spec: str
    passed: bool
    reason: str                                   # one line
    labels: list = field(default_factory=list)    # for the class summary: diagnosis ids, failure kinds, ...
    data: dict = field(default_factory=dict)      # the target's JSON object
    text: str = ""


def strict(value):
    """``value`` with every non-finite float replaced by None: strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    return value


def _failed_run(run, loss, order):
    """The JSON and text of a run that could not give (J, grad) on every problem."""
    failed = [c for c in run.calls if not c.ok]
    first = run.failure or failed[0].failure
    kinds = [run.failure_kind] if run.failure else list(dict.fromkeys(c.kind for c in failed))
    data = {"function": run.spec, "loss": loss, "order": order, "passed": False, "diagnosis": [],
            "failure": first, "failure_kind": kinds[0],
            "calls": [{"problem": c.problem.name, "ok": c.ok, "kind": c.kind, "failure": c.failure}
                      for c in run.calls]}
    lines = [f"crosscheck verify {run.spec}", ""]
    if run.failure:
        lines.append(f"WRONG: your code could not be run: {run.failure}")
    else:
        lines += [f"{c.problem.name:<44} " + ("ok" if c.ok else f"{c.kind}: {c.failure}") for c in run.calls]
        lines += ["", f"WRONG: your {run.name} failed on {len(failed)} of {len(run.calls)} problems: {first}"]
    return data, "\n".join(lines), kinds, first


def judge(run, loss, order):
    """The :class:`Verdict` on ``run`` (a crosscheck.learner.calls.Run)."""
    if run.failure or not all(c.ok for c in run.calls):
        data, text, labels, reason = _failed_run(run, loss, order)
        passed = False
    else:
        from crosscheck.learner.diagnosis import diagnose
        from crosscheck.learner.render import to_json, to_text
        result = diagnose(run, loss=loss, order=order)
        data, text = to_json(result), to_text(result)
        passed = result.passed and not run.mutated_inputs and not run.nondeterministic
        labels = (["right"] if result.passed else list(result.ids) if result.matches else ["unrecognised"])
        reason = ("right" if result.passed else
                  "; ".join(f"{i}" for i in result.ids) if result.matches else f"unrecognised ({result.where})")
        notes, short = [], []
        if run.mutated_inputs:
            notes.append(MUTATION_NOTE.format(names=", ".join(run.mutated_inputs)))
            short.append(f"wrote into its inputs: {', '.join(run.mutated_inputs)}")
            labels.append("mutated_inputs")
        if run.nondeterministic:
            notes.append(NONDETERMINISTIC_NOTE.format(problems="; ".join(run.nondeterministic)))
            short.append(f"a different answer the second time on {len(run.nondeterministic)} problems")
            labels.append("nondeterministic")
        if notes:
            labels = [label for label in labels if label != "right"]
            reason = "; ".join(([] if result.passed else [reason]) + short)
            if result.passed:         # the numbers are right, the function is not
                text = text.replace("RIGHT: your", "Numbers right: your", 1)
            text += "\n\nWRONG:\n" + "\n".join(
                textwrap.fill(note, width=96, initial_indent="    ", subsequent_indent="    ") for note in notes)
    data.update(passed=passed, mutated_inputs=run.mutated_inputs, nondeterministic=run.nondeterministic,
                printed=run.printed, warnings=run.warnings)
    if run.printed:
        text += "\n\nyour function printed (first lines):\n" + "\n".join(f"    {line}" for line in run.printed)
    return Verdict(run.spec, passed, one_line(reason), labels, strict(data), text)


def _error(spec, exc):
    message = one_line(exc)
    return Verdict(spec, False, message, ["error"], {"function": spec, "passed": False, "error": message},
                   f"crosscheck verify {spec}: error: {message}")


def summary(verdicts):
    """Counts for the class: right, wrong, and how often each diagnosis or failure occurs."""
    counts = {}
    for v in verdicts:
        for label in v.labels:
            counts[label] = counts.get(label, 0) + 1
    right = sum(v.passed for v in verdicts)
    return {"targets": len(verdicts), "right": right, "wrong": len(verdicts) - right,
            "diagnoses": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))}


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def prepare_references(loss):
    """Start computing the JAX reference answers now, while the workers run the learners' code.

    Importing JAX and compiling its cost for each problem shape (one XLA compile per shape)
    is most of a single verify's time; done in threads, one per shape, it overlaps with the
    worker's start-up and the calls. ``problems.reference_result`` caches the answers, so
    ``diagnose`` finds them ready. The threads must be joined before this process exits (an
    XLA compile cut short at interpreter shutdown can abort it): ``check_all`` always does.
    """
    from crosscheck.learner.problems import PROBLEMS, reference_result

    def compute(problems):
        try:
            for problem in problems:
                reference_result(problem, loss)
        except Exception:    # noqa: BLE001  diagnose computes it again, and reports any error itself
            pass

    shapes = {}
    for problem in PROBLEMS:
        shapes.setdefault((problem.sizes, problem.m), []).append(problem)
    threads = [threading.Thread(target=compute, args=(group,), daemon=True) for group in shapes.values()]
    for thread in threads:
        thread.start()
    return threads


def check_all(targets, args, timeout, memory, csv_stream):
    """Run, judge and report ``targets``; the exit code."""
    # At exit, skip the interpreter's last garbage collection over everything JAX and scipy
    # made (about 0.2 s, measured; the OS frees the memory anyway). atexit handlers run just
    # before it, so nothing changes while this process lives (in a test session either).
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    threads = prepare_references(args.loss)

    def ready():      # before judging, or the cache misses and the references are computed twice
        for thread in threads:
            thread.join()
    try:
        return _check_all(targets, args, timeout, memory, csv_stream, ready)
    finally:
        ready()


def _check_all(targets, args, timeout, memory, csv_stream, ready):
    from crosscheck.learner.target import run_target

    def one(spec):
        return run_target(spec, order=args.order, timeout=timeout, memory=memory)

    def judged(run):
        ready()
        return judge(run, args.loss, args.order)

    if len(targets) == 1:
        try:
            run = one(targets[0])
        except InputError as exc:
            if args.json:
                print(json.dumps({"error": one_line(exc)}))
            raise
        verdicts = [judged(run)]
    else:
        verdicts = [None] * len(targets)
        with ThreadPoolExecutor(max_workers=args.jobs or _cores()) as pool, \
                Progress(len(targets), "verify") as progress:
            futures = {pool.submit(one, spec): i for i, spec in enumerate(targets)}
            try:
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        verdicts[i] = judged(future.result())
                    except InputError as exc:      # in a batch, one unusable target is one wrong row
                        verdicts[i] = _error(targets[i], exc)
                    progress.step(targets[i])
            except BaseException:         # Ctrl-C: end every worker now, then wait for the threads
                pool.shutdown(wait=False, cancel_futures=True)
                runner.stop_all()
                raise
            finally:
                pool.shutdown(wait=True)
                runner.resume()
    if csv_stream is not None:
        writer = csv.writer(csv_stream)
        writer.writerow(["target", "passed", "diagnosis", "reason"])
        for v in verdicts:
            writer.writerow([v.spec, v.passed, " ".join(v.labels), v.reason])
    if len(verdicts) == 1:
        v = verdicts[0]
        print(json.dumps(v.data, indent=2, allow_nan=False) if args.json else v.text)
    elif args.json:
        print(json.dumps({"results": [v.data for v in verdicts], "summary": summary(verdicts)},
                         indent=2, allow_nan=False))
    else:
        width = max(len(v.spec) for v in verdicts)
        for v in verdicts:
            print(f"{'RIGHT' if v.passed else 'WRONG'}  {v.spec:<{width}}  {v.reason}")
        s = summary(verdicts)
        print(f"\n{s['targets']} targets: {s['right']} right, {s['wrong']} wrong")
        for label, n in s["diagnoses"].items():
            print(f"  {n:4d}  {label}")
    return 0 if all(v.passed for v in verdicts) else 1
