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
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from manual.errors import InputError
from manual.threads import usable_cpus

from crosscheck.cli import one_line
from crosscheck.cli.progress import Progress
from crosscheck.cli.report_format import strict_json
from crosscheck.learner.run import runner

@dataclass
class Verdict:
    spec: str
    passed: bool
    reason: str                                   # one line
    labels: list = field(default_factory=list)    # for the class summary: diagnosis ids, failure kinds, ...
    data: dict = field(default_factory=dict)      # the target's JSON object
    text: str = ""


def judge(run, loss, order):
    """The :class:`Verdict` on ``run`` (a crosscheck.learner.calls.Run): the diagnosis judges
    every run, including failed calls, inputs written into and changing answers."""
    from crosscheck.learner.judge.diagnosis import diagnose
    from crosscheck.learner.show.render import to_json, to_text
    result = diagnose(run, loss=loss, order=order)
    kinds = [run.failure_kind] if run.failure else [c.kind for c in run.calls if not c.ok]
    if result.passed:
        labels, reason = ["right"], "right"
    else:
        # ids where a mistake is named; a described part (explained, no id) by its description
        described = [f.description for f in result.findings if f.explained and not f.id and f.description]
        labels = (list(dict.fromkeys([*result.ids, *kinds]))
                  or ["described" if described and result.recognised else "unrecognised"])
        failed = [c for c in run.calls if not c.ok]
        if run.failure:
            reason = run.failure
        elif failed and not result.ids:
            reason = f"failed on {len(failed)} of {len(run.calls)} problems: {failed[0].failure}"
        else:
            named = [*result.ids, *dict.fromkeys(described)]
            reason = "; ".join(named) or f"unrecognised ({result.where})"
            if not result.recognised and named:
                reason += " (partly explained)"
    return Verdict(run.spec, result.passed, one_line(reason), labels, to_json(result), to_text(result))


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


def with_training(verdict, run, args, timeout, memory):
    """``--train``: the verdict with the training beside the correct one added to its text and JSON;
    a function that fails during training is not right (exit 1)."""
    from crosscheck.learner.run.session_training import train_target
    training = train_target(verdict.spec, run, args.loss, args.order, verdict.passed, timeout, memory)
    verdict.data["training"] = training.to_dict()
    verdict.text += "\n\n" + training.text()
    if args.train_figure:
        from crosscheck.teaching.training_figure import training_figure
        try:
            training_figure(training, args.train_figure)
        except OSError as exc:
            raise InputError(f"--train-figure {args.train_figure}: {exc.strerror}") from None
        verdict.text += f"\n  figure            {args.train_figure}"
    if training.yours.failure:
        verdict.passed = False
    return verdict


def _check_all(targets, args, timeout, memory, csv_stream, ready):
    from crosscheck.learner.run.target import run_target

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
        if args.train:
            verdicts[0] = with_training(verdicts[0], run, args, timeout, memory)
    else:
        verdicts = [None] * len(targets)
        with ThreadPoolExecutor(max_workers=args.jobs or usable_cpus()) as pool, \
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
        print(strict_json(v.data, indent=2) if args.json else v.text)
    elif args.json:
        print(strict_json({"results": [v.data for v in verdicts], "summary": summary(verdicts)}, indent=2))
    else:
        width = max(len(v.spec) for v in verdicts)
        for v in verdicts:
            print(f"{'RIGHT' if v.passed else 'WRONG'}  {v.spec:<{width}}  {v.reason}")
        s = summary(verdicts)
        print(f"\n{s['targets']} targets: {s['right']} right, {s['wrong']} wrong")
        for label, n in s["diagnoses"].items():
            print(f"  {n:4d}  {label}")
    return 0 if all(v.passed for v in verdicts) else 1
