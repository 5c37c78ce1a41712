"""The fork server (``run/forkserver.py``, ``zygote.py``, ``nest.py``): Python targets forked from
one sandboxed Python, each in namespaces of its own. What a target sees and can do there, that
it falls back to a worker of its own where the server cannot be used, and that the verdicts are
the same either way."""
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crosscheck.learner.problems import PROBLEMS
from crosscheck.learner.run import forkserver, runner, sandbox
from crosscheck.learner.run.target import run_target

pytestmark = pytest.mark.skipif(sandbox.isolation() != sandbox.BUBBLEWRAP,
                                reason="needs bubblewrap and user namespaces (the fork server runs in its sandbox)")
STUDENT = Path(__file__).resolve().parent / "student_code"


@pytest.fixture
def spawned(monkeypatch):
    """[(visible, Child or None)] of every spawn in the test, and a fresh server for it."""
    forkserver.disable("a fresh server per test")
    monkeypatch.setattr(forkserver, "_server", None)
    calls, real = [], forkserver.spawn

    def spy(memory, capture, visible):
        child = real(memory, capture, visible)
        calls.append((visible, child))
        return child
    monkeypatch.setattr(runner.forkserver, "spawn", spy)
    yield calls
    forkserver.disable("the test is over")
    monkeypatch.setattr(forkserver, "_server", None)


def probe(tmp_path, body, name="probe.py"):
    """The failure message of a target whose nnCostFunction runs ``body`` and raises what it found."""
    path = tmp_path / name
    path.write_text("import os\n\ndef nnCostFunction(*args):\n" + textwrap.indent(textwrap.dedent(body), "    "))
    run = run_target(f"{path}:nnCostFunction", timeout=30, problems=PROBLEMS[:1])
    return run.calls[0].failure


def test_a_target_is_forked_and_its_calls_come_back(spawned):
    right = run_target(f"{STUDENT / 'correct.py'}:nnCostFunction", problems=PROBLEMS[:4])
    assert all(call.ok and call.grad.size > 0 for call in right.calls)
    assert spawned and all(child is not None for _, child in spawned)


def test_the_same_numbers_from_a_worker_of_its_own(spawned, tmp_path):
    wrong = tmp_path / "wrong.py"
    wrong.write_text("from correct import nnCostFunction as right\n\n"
                     "def nnCostFunction(*args):\n    J, grad = right(*args)\n    return J, 2 * grad\n")
    shutil.copy(STUDENT / "correct.py", tmp_path / "correct.py")
    forked = run_target(f"{wrong}:nnCostFunction", problems=PROBLEMS[:4])
    forkserver.disable("compare with a worker of its own")
    own = run_target(f"{wrong}:nnCostFunction", problems=PROBLEMS[:4])
    assert spawned[0][1] is not None and spawned[-1][1] is None
    assert all(c.ok for c in forked.calls + own.calls)
    assert [c.J for c in forked.calls] == [c.J for c in own.calls]
    assert all((a.grad == b.grad).all() for a, b in zip(forked.calls, own.calls))


def test_a_sandbox_that_cannot_be_set_up_falls_back_before_learner_code_runs(spawned, monkeypatch, tmp_path):
    monkeypatch.setattr(forkserver, "SCRATCH_FILES", -5)      # the target's tmpfs refuses to mount
    failure = probe(tmp_path, "raise RuntimeError('ran once')")
    assert "ran once" in failure
    assert forkserver._server is False and "unsandboxed" not in failure


def test_too_many_files_to_copy_fall_back(spawned, monkeypatch, tmp_path):
    monkeypatch.setattr(forkserver, "MAX_FILES", 0)
    assert "here" in probe(tmp_path, "raise RuntimeError('here')")
    assert spawned and spawned[0][1] is None


def test_a_target_sees_its_own_files_read_only_and_no_one_elses(spawned, tmp_path):
    (tmp_path / "helper.py").write_text("X = 1\n")
    (tmp_path / "classmate").mkdir()
    (tmp_path / "classmate" / "theirs.py").write_text("def nnCostFunction(*a): pass\n")
    failure = probe(tmp_path, f"""
        import helper
        here = sorted(os.listdir({str(tmp_path)!r}))
        try:
            open(__file__, 'a').write('#')
            wrote = 'wrote'
        except OSError as exc:
            wrote = type(exc).__name__
        raise RuntimeError(f'{{here}} {{wrote}}')
    """)
    assert "'helper.py', 'probe.py'] OSError" in failure and "classmate" not in failure


NUMPY_USE = """
    import numpy as np
    import numpy.polynomial
    from numpy.testing import assert_allclose
    assert_allclose(1.0, 1.0)
    listed = 'masked_array' in dir(np.ma)
    values = (np.random.default_rng(0).random(), float(np.ma.masked_array([1.0, 2.0], [0, 1]).sum()),
              float(np.polynomial.Polynomial([1, 2])(3)), isinstance(np.testing, type(np)), listed,
              hasattr(np, 'conftest'))
    raise RuntimeError(repr(values))
"""


@pytest.mark.parametrize("worker", ["forked", "of its own"])
def test_numpy_submodules_work_as_in_a_fresh_python(spawned, tmp_path, worker):
    """The fork server leaves numpy's np.testing, np.random, ... unrun until a target uses them
    (``zygote.deferred``): they work as after a plain import, with no name added to numpy."""
    if worker == "of its own":
        forkserver.disable("a worker of its own")
    fresh = subprocess.run([sys.executable, "-c", textwrap.dedent(NUMPY_USE)], capture_output=True, text=True)
    expected = fresh.stderr.strip().splitlines()[-1].split("RuntimeError: ")[1]
    assert expected.endswith("True, True, False)")
    assert f"raised RuntimeError: {expected} (" in probe(tmp_path, NUMPY_USE)


def test_threads_first_using_a_numpy_submodule_together_all_get_it(spawned, tmp_path):
    """A deferred module runs once, whichever thread asks first; the others wait for it."""
    failure = probe(tmp_path, """
        import threading
        import numpy as np
        start, got = threading.Barrier(8), []
        def use():
            start.wait()
            try:
                got.append(float(np.random.default_rng(0).random() + np.polynomial.Polynomial([1])(0)))
            except Exception as exc:
                got.append(repr(exc))
        threads = [threading.Thread(target=use) for _ in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        raise RuntimeError(repr(sorted(set(map(str, got)))))
    """)
    assert "RuntimeError: ['1.6369616873214543'] (" in failure


def test_the_fork_server_leaves_unused_numpy_submodules_unrun():
    """scipy.special's import reads every name of numpy's; the preload keeps that from running
    np.testing, np.f2py, np.ma and np.polynomial, which it does not use."""
    script = ("import sys; sys.path.insert(0, sys.argv[1]); import zygote; zygote.preload(); "
              "print(sorted(m for m in ('numpy.testing._private.utils', 'numpy.f2py.crackfortran', "
              "'numpy.ma.core', 'numpy.polynomial.polynomial') if m in sys.modules))")
    here = Path(forkserver.__file__).parent
    done = subprocess.run([sys.executable, "-c", script, str(here)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("worker", ["forked", "of its own"])
def test_the_scratch_folder_caps_the_number_of_files(spawned, tmp_path, worker):
    """Each file costs kernel memory, whatever its size: a forked target's /tmp is capped in
    files (nest.build_root), and so is a worker of its own's (nest.py started first in bwrap)."""
    if worker == "of its own":
        forkserver.disable("a worker of its own")
    failure = probe(tmp_path, """
        n = 0
        try:
            while n < 20000:
                open(f'/tmp/f{n}', 'w').close()
                n += 1
        except OSError as exc:
            raise RuntimeError(f'stopped at {n}: {exc.strerror}')
        raise RuntimeError('no cap')
    """)
    stopped = int(failure.split("stopped at ")[1].split(":")[0])
    assert forkserver.SCRATCH_FILES - 20 < stopped < forkserver.SCRATCH_FILES and "No space left" in failure


def test_a_target_sees_no_other_process_and_no_capability(spawned, tmp_path):
    failure = probe(tmp_path, """
        import ctypes
        procs = sorted(os.listdir('/proc'))
        libc = ctypes.CDLL(None, use_errno=True)
        mounted = libc.mount(b'none', b'/tmp', b'tmpfs', 0, None) == 0
        raise RuntimeError(f'pid {os.getpid()} procs {procs} mounted {mounted} uid {os.getuid()}')
    """)
    assert "procs [] mounted False uid 1000" in failure
    assert "pid 2 " in failure          # PID 1 is the target's init


@pytest.mark.skipif(shutil.which("octave-cli") is None, reason="octave-cli not installed")
@pytest.mark.parametrize("folder", ["/tmp", "."])
def test_octave_folders_are_capped_in_files(tmp_path, folder):
    """Octave's /tmp and its work folder (its working folder): at most SCRATCH_FILES files."""
    (tmp_path / "nnCostFunction.m").write_text(
        "function [J grad] = nnCostFunction(varargin)\n"
        "  for i = 1:20000\n"
        f"    f = fopen(sprintf('{folder}/f%d', i), 'w');\n"
        "    if f < 0, error(sprintf('stopped at %d', i)); end\n"
        "    fclose(f);\n"
        "  end\n"
        "  error('no cap');\n"
        "end\n")
    run = run_target(str(tmp_path / "nnCostFunction.m"), timeout=60, problems=PROBLEMS[:1])
    failure = run.calls[0].failure
    assert "stopped at " in failure, failure
    stopped = int(failure.split("stopped at ")[1].split()[0])
    assert forkserver.SCRATCH_FILES - 20 < stopped <= forkserver.SCRATCH_FILES, failure


@pytest.mark.parametrize("worker", ["forked", "of its own"])
def test_the_working_folder_is_the_scratch_folder(spawned, tmp_path, worker):
    """Relative paths (a saved figure, np.save('x.npy')) land in the capped /tmp."""
    if worker == "of its own":
        forkserver.disable("a worker of its own")
    failure = probe(tmp_path, "open('here.txt', 'w').close()\nraise RuntimeError(os.getcwd() + ' ' + str(os.path.exists('/tmp/here.txt')))")
    assert "/tmp True" in failure


@pytest.mark.parametrize("worker", ["forked", "of its own"])
def test_a_target_runs_under_a_process_limit_and_cannot_end_its_init(spawned, tmp_path, worker):
    """RLIMIT_NPROC in the target's own user namespace (the kernel enforces it for non-root
    users); a SIGINT or SIGTERM to PID 1 from inside is ignored (the call still answers)."""
    if worker == "of its own":
        forkserver.disable("a worker of its own")
    failure = probe(tmp_path, """
        import resource, signal
        for s in (signal.SIGINT, signal.SIGTERM):
            try:
                os.kill(1, s)
            except OSError:
                pass
        raise RuntimeError(f'nproc {resource.getrlimit(resource.RLIMIT_NPROC)[0]}')
    """)
    assert "nproc 256" in failure, failure


def test_a_fork_of_the_caller_starts_a_server_of_its_own(spawned, tmp_path):
    """multiprocessing's fork copies the server's socket: the copy does not use it, nor end the
    parent's server when it exits."""
    import os
    forkserver.warm()
    owner = forkserver._server
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            child = forkserver.spawn(2 ** 30, open(os.devnull, "wb"), [])
            code = 0 if forkserver._server is not owner and child is not None else 3
        finally:
            os._exit(code)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert forkserver._server is owner and owner[0].poll() is None
    assert "here" in probe(tmp_path, "raise RuntimeError('here')")


def test_targets_run_side_by_side_share_no_terminal(tmp_path, capsys):
    """One target holds a pseudo-terminal open while its classmate, at the same time, lists
    /dev/pts: each forked target has a devpts of its own (a shared one is a channel between them)."""
    from crosscheck.cli import main
    (tmp_path / "a_holds.py").write_text(   # at its first call only: the others answer at once
        "import os, time\nHELD = []\n\ndef nnCostFunction(*a):\n    if not HELD:\n"
        "        HELD.append(os.openpty())\n        time.sleep(1.5)\n"
        "    raise RuntimeError('held ' + os.ttyname(HELD[0][1]))\n")
    (tmp_path / "b_looks.py").write_text(
        "import os, time\nLOOKED = []\n\ndef nnCostFunction(*a):\n    if not LOOKED:\n"
        "        time.sleep(0.5)\n        LOOKED.append(' '.join(sorted(os.listdir('/dev/pts'))))\n"
        "    raise RuntimeError('saw ' + LOOKED[0])\n")
    assert main(["verify", f"{tmp_path}/*.py:nnCostFunction", "-j", "2", "--json", "--timeout", "10"]) == 1
    out = capsys.readouterr().out
    assert "held /dev/pts/0" in out and "saw ptmx" in out and "saw 0" not in out
