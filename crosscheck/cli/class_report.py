"""``crosscheck verify`` for one target or a class: run each target (in parallel, one worker each),
judge every run here (``learner.show.verdict``; any wrong verdict exits 1), report one text or JSON
object per target, or per class a line each and the honest summary (``learner.show.outcomes``),
and the class's files (``classes``). Ctrl-C keeps what is done and says how to go on.
"""
import atexit
import contextlib
import gc
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from manual.errors import InputError
from manual.threads import usable_cpus

from crosscheck.cli import one_line
from crosscheck.cli.classes import journal
from crosscheck.cli.classes.record import record, write_csv
from crosscheck.cli.progress import Progress
from crosscheck.cli.references import Preparation
from crosscheck.learner import clean
from crosscheck.learner.run import runner
from crosscheck.learner.show import outcomes
from crosscheck.strict_json import strict_json

CHECKED_WITH = ("loss", "order", "labels", "y_form", "x_bias", "grad", "path", "train")     # what "right" means


def checked_with(args):
    """The options a record was judged under, as given (None: inferred); --resume reruns a target
    whose record was made under others."""
    return {name: getattr(args, name, None) for name in CHECKED_WITH}


def check_all(targets, args, options):
    """Run, judge and report ``targets`` (``kinds.Target``) with ``options`` (``calls.Options``);
    the exit code."""
    # At exit, skip the interpreter's last garbage collection over everything JAX and scipy
    # made (about 0.2 s, measured; the OS frees the memory anyway). atexit handlers run just
    # before it, so nothing changes while this process lives (in a test session either).
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    from crosscheck.learner.run.target import run_target
    by_spec = {t.spec: t for t in targets}
    specs = list(by_spec)
    resumed = {}
    if args.resume:
        resumed = journal.unchanged(journal.read(args.jsonl)[0], specs, checked_with=checked_with(args))
    todo = [t for t in specs if t not in resumed]
    preparation = Preparation(args.loss)      # started by the first learner's process
    try:
        with _term_as_interrupt():
            return _check_all(specs, todo, resumed, args,
                              lambda spec: run_target(by_spec[spec], options, meanwhile=preparation.start),
                              preparation.ready, options)
    finally:
        preparation.join()


@contextlib.contextmanager
def _term_as_interrupt():
    """SIGTERM (Slurm's preemption, scancel, a CI job cancelled) stops a class as Ctrl-C does:
    the workers end, the CSV is written from what is done."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:                 # not the main thread: leave the signal as it is
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def with_training(verdict, run, args, options):
    """``--train``: the verdict with the training beside the correct one added to its text and JSON;
    a function that fails during training is not right (exit 1)."""
    from crosscheck.learner.run.session_training import train_target
    training = train_target(verdict.spec, run, options, verdict.passed)
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


class _Sink:
    """Where each judged target goes at once: its record, the journal, its feedback files."""

    def __init__(self, args, resumed):
        self.args, self.records, self.texts = args, dict(resumed), {}
        self.journal = journal.Journal(args.jsonl) if args.jsonl else None

    def take(self, verdict, seconds):
        from crosscheck.cli.classes import feedback
        data = clean.data({**verdict.data, "isolation": getattr(self.args, "isolation", "none")})
        rec = record(data, seconds, journal.digest(verdict.spec), verdict.run)
        rec["checked_with"] = checked_with(self.args)
        self.records[verdict.spec], self.texts[verdict.spec] = rec, clean.lines(verdict.text)
        if self.journal:
            self.journal.append(rec)
        if self.args.feedback:
            feedback.write(self.args.feedback, rec, self.texts[verdict.spec], verdict.result)

    def close(self):
        if self.journal:
            self.journal.file.close()


def _check_all(targets, todo, resumed, args, run_one, ready, options=None):
    """``targets``: the specs; ``run_one(spec)``: its Run; ``ready()`` before the first verdict
    (InputError: the class cannot be judged)."""
    sink = _Sink(args, resumed)

    def one(spec, progress=None):
        if progress:
            progress.start(spec)
        began = time.perf_counter()
        try:
            return run_one(spec), time.perf_counter() - began
        finally:
            if progress:
                progress.stop(spec)

    def judged(run):
        from crosscheck.learner.show.verdict import judge
        return judge(run, args.loss)

    try:
        if len(targets) == 1 and todo:
            try:
                run, seconds = one(targets[0])
                ready()
            except InputError as exc:
                if args.gradescope:
                    from crosscheck.learner.show.verdict import error_data
                    _gradescope(args, record(error_data(targets[0], exc), 0.0, None), str(exc))
                raise
            verdict = judged(run)
            if args.train:
                verdict = with_training(verdict, run, args, options)
            sink.take(verdict, seconds)
        elif todo:
            _run_class(todo, len(targets), one, judged, sink, args, ready)
    except InputError as exc:                  # nothing printed yet: stdout's one object is this
        if args.json:
            print(strict_json({"error": one_line(exc)}, indent=None))
        raise
    except KeyboardInterrupt:
        _interrupted(targets, sink, args)
        raise
    finally:
        sink.close()
    records = [sink.records[t] for t in targets]
    if args.gradescope:
        _gradescope(args, records[0], sink.texts.get(targets[0], ""))
    if len(records) == 1 and targets[0] in sink.texts:
        print(strict_json(records[0], indent=2) if args.json
              else f"{sink.texts[targets[0]]}\n{_isolated(records)}")
        _class_files(records, args, summary=False)
        return 0 if records[0]["passed"] else 1
    return deliver(records, args)


def _run_class(todo, total, one, judged, sink, args, ready):
    from crosscheck.learner.show.verdict import error_verdict
    with ThreadPoolExecutor(max_workers=args.jobs or usable_cpus()) as pool, \
            Progress(total, "verify") as progress:
        progress.skip(total - len(todo))
        futures = {pool.submit(one, spec, progress): spec for spec in todo}
        try:
            for future in as_completed(futures):
                spec = futures[future]
                ready()                        # its InputError is the whole class's, not this target's
                try:
                    run, seconds = future.result()
                    verdict = judged(run)
                except InputError as exc:      # in a batch, one unusable target is one wrong row
                    verdict, seconds = error_verdict(spec, exc), 0.0
                sink.take(verdict, seconds)
                progress.step(spec)
        except BaseException:         # Ctrl-C: end every worker now, then wait for the threads
            pool.shutdown(wait=False, cancel_futures=True)
            runner.stop_all()
            raise
        finally:
            pool.shutdown(wait=True)
            runner.resume()


def _interrupted(targets, sink, args):
    """Ctrl-C: write the CSV from what is done, and say how to go on (then exit 130)."""
    done = [sink.records[t] for t in targets if t in sink.records]
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as stream:
            write_csv(done, stream)
    where = f"; their rows are in {args.csv}" if args.csv else ""
    how = ("run the same command again with --resume to check the rest" if args.jsonl and not args.resume
           else "run the same command again to check the rest" if args.jsonl
           else "add --jsonl FILE next time to be able to resume")
    sys.stderr.write(f"crosscheck verify: interrupted: {len(done)} of {len(targets)} targets done{where}; {how}\n")


def _gradescope(args, rec, text):
    from crosscheck.cli.classes import gradescope
    gradescope.write(args.gradescope, rec, text)


def _class_files(records, args, summary=True):
    """The CSV and the class page; the summary they were made from."""
    s = outcomes.summary(records)
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as stream:
            write_csv(records, stream)
    if getattr(args, "class_page", None):
        from crosscheck.cli.classes import class_page
        why = class_page.write(args.class_page, records, s, getattr(args, "feedback", None))
        if why:
            sys.stderr.write(f"crosscheck verify: {why}; the class page is {args.class_page}\n")
    return s


def deliver(records, args):
    """A class's report from its records (a run, or ``--merge``): files, then stdout; the exit code."""
    s = _class_files(records, args)
    if args.json:
        print(strict_json({"results": records, "summary": s, "isolation": _isolation(records)}, indent=2))
    else:
        width = max((len(r["target"]) for r in records), default=0)
        for r in records:
            print(f"{'RIGHT' if r['passed'] else 'WRONG'}  {r['target']:<{width}}  "
                  f"{r['problems_right']:2d}/{r['problems_run']:<2d}  {r['reason']}")
        print("\n" + "\n".join(outcomes.summary_lines(s)) + f"\n{_isolated(records)}")
    return 0 if all(r["passed"] for r in records) else 1


def _isolation(records):
    """How the learners' code was isolated: "bubblewrap", "none", or "mixed" (merged shards)."""
    kinds = {r.get("isolation", "none") for r in records}
    return kinds.pop() if len(kinds) == 1 else "mixed" if kinds else "none"


def _isolated(records):
    return f"(learner code isolated by: {_isolation(records)})"


def merge(args):
    """``--merge A.jsonl B.jsonl``: the shards' journals as one class (a target in several files:
    its last record), in the order of the targets' names."""
    records = [rec for path in args.merge for rec in journal.read(path)[0]]
    return deliver(sorted(journal.latest(records).values(), key=lambda r: r["target"]), args)
