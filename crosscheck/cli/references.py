"""Judging's preparation for ``crosscheck verify``, done while the learners' code runs: the
reference answers of the fixed problems looked up in the stored file (``reference/answers.json``,
computed with JAX where missing or stale) and the judge's modules imported.

:class:`Preparation` starts a thread when the first learner's process starts (``run_target``'s
``meanwhile``): this process then mostly waits for that process (its start, its calls), so the
thread's ~40 ms of work costs no wall time. ``ready()`` waits for it before the first verdict.
"""
import importlib.util
import sys
import threading

from manual.errors import InputError

# While the thread runs, the main thread, woken by a worker's reply, waits at most this long for
# the interpreter lock (Python's default, 5 ms, would be added to a call of about 1 ms).
SWITCH_INTERVAL = 0.0005


def prepare_references(loss):
    """Start computing the reference answers that are not stored; the threads computing them,
    [] (and JAX is never imported) when every answer is stored.

    A problem whose stored answer is missing or stale is computed with JAX, and a note on
    stderr says so. Importing JAX and compiling its cost for each problem shape is most of such
    a run's time; done in threads, one per shape, it overlaps with the learners' calls.
    ``problems.reference_result`` caches the answers, so ``diagnose`` finds them ready. The
    threads must be joined before this process exits (an XLA compile cut short at interpreter
    shutdown can abort it): ``Preparation.join`` does.
    """
    from crosscheck.learner.problems import PROBLEMS, missing_answers, reference_result
    missing = missing_answers(loss)
    if not missing:
        return []
    if not jax_installed():
        from crosscheck.cli.options import AUTODIFF_EXTRA
        raise InputError(f"the stored reference answers are missing or stale for {len(missing)} of "
                         f"{len(PROBLEMS)} problems, and JAX is not installed to compute them: {AUTODIFF_EXTRA}")
    sys.stderr.write(f"crosscheck verify: note: the stored reference answers are missing or stale for "
                     f"{len(missing)} of {len(PROBLEMS)} problems ({missing[0].name}, ...); computing them "
                     "with JAX (store them with `crosscheck pin --update`)\n")

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


def jax_installed():
    return importlib.util.find_spec("jax") is not None


class Preparation:
    """``start()`` (once, from any thread), ``ready()`` before judging (InputError: the answers
    cannot be had; any other error of the preparation's is raised there too), ``join()`` before
    this process exits."""

    def __init__(self, loss):
        self.loss, self.error, self.computing = loss, None, []
        self.lock, self.thread, self.interval = threading.Lock(), None, sys.getswitchinterval()

    def start(self):
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._prepare, daemon=True)
                sys.setswitchinterval(min(self.interval, SWITCH_INTERVAL))
                self.thread.start()

    def _prepare(self):
        try:
            self.computing = prepare_references(self.loss)
            import crosscheck.learner.show.verdict  # noqa: F401  (the judge and what it imports)
        except Exception as exc:     # noqa: BLE001  raised by ready() in the main thread, as if done there:
            self.error = exc         # InputError exits 2, anything else is crosscheck's bug (3)

    def ready(self):
        self.start()                       # no learner's process started it: a target that failed before
        self.join()
        if self.error is not None:
            raise self.error

    def join(self):
        with self.lock:
            thread = self.thread
        if thread is not None:
            thread.join()
            for computing in self.computing:
                computing.join()
            sys.setswitchinterval(self.interval)
