"""``crosscheck verify`` for one target or a whole class: run each target (in parallel, one
worker process each), judge every run here, print one report (text or one JSON object), and
optionally a CSV row per target. The verdict, the class summary and their forms (text, JSON,
CSV) are :mod:`crosscheck.learner.show.verdict`'s; any wrong verdict exits 1.
"""
import atexit
import csv
import gc
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed

from manual.errors import InputError
from manual.threads import usable_cpus

from crosscheck.cli import one_line
from crosscheck.cli.progress import Progress
from crosscheck.learner import clean
from crosscheck.learner.run import runner
from crosscheck.strict_json import strict_json

def prepare_references(loss):
    """Start computing the reference answers that are not stored, while the workers run the
    learners' code; [] (and JAX is never imported) when every answer is stored.

    A problem whose stored answer (reference/answers.json) is missing or stale is computed
    with JAX, and a note on stderr says so. Importing JAX and compiling its cost for each
    problem shape is most of such a run's time; done in threads, one per shape, it overlaps
    with the worker's start-up and the calls. ``problems.reference_result`` caches the answers,
    so ``diagnose`` finds them ready. The threads must be joined before this process exits (an
    XLA compile cut short at interpreter shutdown can abort it): ``check_all`` always does.
    """
    import importlib.util
    import sys
    from crosscheck.learner.problems import PROBLEMS, missing_answers, reference_result
    missing = missing_answers(loss)
    if not missing:
        return []
    where = "; computing them with JAX (store them with `crosscheck pin --update`)"
    if importlib.util.find_spec("jax") is None:
        from crosscheck.cli.options import AUTODIFF_EXTRA
        raise InputError(f"the stored reference answers are missing or stale for {len(missing)} of "
                         f"{len(PROBLEMS)} problems, and JAX is not installed to compute them: {AUTODIFF_EXTRA}")
    sys.stderr.write(f"crosscheck verify: note: the stored reference answers are missing or stale for "
                     f"{len(missing)} of {len(PROBLEMS)} problems ({missing[0].name}, ...){where}\n")

    def compute(problems):
        try:
            for problem in problems:
                reference_result(problem, loss)
        except Exception:    # noqa: BLE001  diagnose computes it again, and reports any error itself
            pass

    shapes = {}
    for problem in missing:
        shapes.setdefault((problem.sizes, problem.m), []).append(problem)
    threads = [threading.Thread(target=compute, args=(group,), daemon=True) for group in shapes.values()]
    for thread in threads:
        thread.start()
    return threads


def check_all(targets, args, options, csv_stream):
    """Run, judge and report ``targets`` (``kinds.Target``) with ``options`` (``calls.Options``);
    the exit code."""
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
        return _check_all(targets, args, options, csv_stream, ready)
    finally:
        ready()


def _check_all(targets, args, options, csv_stream, ready):
    from crosscheck.learner.run.target import run_target
    from crosscheck.learner.show.verdict import class_json, class_text, csv_rows, error_verdict, judge

    def one(spec):
        return run_target(spec, options)

    def judged(run):
        ready()
        return judge(run, args.loss)

    if len(targets) == 1:
        try:
            run = one(targets[0])
        except InputError as exc:
            if args.json:
                print(strict_json({"error": one_line(exc)}, indent=None))
            raise
        verdicts = [judged(run)]
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
                        verdicts[i] = error_verdict(targets[i].spec, exc)
                    progress.step(targets[i].spec)
            except BaseException:         # Ctrl-C: end every worker now, then wait for the threads
                pool.shutdown(wait=False, cancel_futures=True)
                runner.stop_all()
                raise
            finally:
                pool.shutdown(wait=True)
                runner.resume()
    if csv_stream is not None:
        csv.writer(csv_stream).writerows([[clean.cell(c) for c in row] for row in csv_rows(verdicts)])
    isolation = getattr(args, "isolation", "none")
    for v in verdicts:
        v.data["isolation"] = isolation
    isolated = f"(learner code isolated by: {isolation})"
    if len(verdicts) == 1:
        v = verdicts[0]
        print(strict_json(clean.data(v.data), indent=2) if args.json else f"{clean.lines(v.text)}\n{isolated}")
    else:
        print(strict_json(clean.data({**class_json(verdicts), "isolation": isolation}), indent=2) if args.json
              else f"{clean.lines(class_text(verdicts))}\n{isolated}")
    return 0 if all(v.passed for v in verdicts) else 1
