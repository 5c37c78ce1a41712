"""Octave's work folder seen through /proc/PID/root: once its sandbox has ended, reading it fails
with ESRCH (ProcessLookupError), not ENOENT; that is "not there", never an internal error (a
class run's Octave target crashed crosscheck with exit 3 on it, once in a full CI run)."""
import errno
import time

from crosscheck.learner.run.octave_files import gone, wait_for


class EndedSandbox:
    """A path under /proc/PID/root of a process that has just ended."""

    def stat(self):
        raise ProcessLookupError(errno.ESRCH, "No such process")

    unlink = stat


class Ended:
    def poll(self):
        return -9


class Running:
    def poll(self):
        return None


def test_a_file_in_an_ended_sandbox_is_not_there():
    assert wait_for(EndedSandbox(), Ended(), time.monotonic() + 5) is False
    assert wait_for(EndedSandbox(), Running(), time.monotonic() + 0.05) is False
    assert gone(EndedSandbox().unlink) is True


def test_a_file_that_is_there_is_found(tmp_path):
    (tmp_path / "ready").write_text("")
    assert wait_for(tmp_path / "ready", Running(), time.monotonic() + 5) is True
    assert gone((tmp_path / "ready").unlink) is False and not (tmp_path / "ready").exists()
