"""The pin file as untrusted input and as output: ``pin --check --file X`` reads only a
regular, bounded, UTF-8, schema-checked file (else one line, exit 2), and ``pin --update``
replaces it atomically, so the old file survives any failure or kill mid-write."""
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from crosscheck.cli import main
from reference import pinning

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "debug_3_5_3_ce_lambda1"     # cheap: 3-5-3, m = 5


def one_line_exit_2(argv, capsys, *words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


def _shipped(tmp_path):
    path = tmp_path / "pins.json"
    shutil.copyfile(pinning.PIN_FILE, path)
    return path


def _edit(tmp_path, change):
    """A copy of the shipped pins with ``change(data)`` applied."""
    data = json.loads(pinning.PIN_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "pins.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _set(scenario_value):
    def change(data):
        data["scenarios"][SCENARIO] = scenario_value
    return change


def _set_pin(key, value):
    def change(data):
        data["scenarios"][SCENARIO]["pins"][key] = value
    return change


BAD_PIN_FILES = {
    "not UTF-8": (lambda p: _bytes(p, b'{"scenarios": {"\xff": 1}}'), ["not UTF-8"]),
    "not JSON": (lambda p: _bytes(p, b"pins: yes"), ["invalid JSON"]),
    "NaN in JSON": (lambda p: _bytes(p, b'{"scenarios": {"a": {"pins": {"cost": NaN}}}}'), ["NaN is not a JSON number"]),
    "no scenarios": (lambda p: _bytes(p, b"[1, 2]"), ["no 'scenarios' object"]),
    "scenario not an object": (lambda p: _edit(p, _set([1, 2])), [SCENARIO, "must be a JSON object, got list"]),
    "pins a string": (lambda p: _edit(p, _set({"pins": "none"})), [SCENARIO, "'pins' must be dict or NoneType"]),
    "pin a string": (lambda p: _edit(p, _set_pin("cost", "0.5")), ["pin 'cost' must be a number"]),
    "too large": (lambda p: _bytes(p, b" " * (pinning.MAX_PIN_BYTES + 1)), ["at most 16 MiB"]),
    "directory": (lambda p: p, ["is a directory"]),
    "/dev/zero": (lambda p: Path("/dev/zero"), ["not a regular file"]),
}


def _bytes(folder, content):
    path = folder / "pins.json"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("case", BAD_PIN_FILES)
def test_bad_pin_file_is_one_line_exit_2(case, tmp_path, capsys):
    build, words = BAD_PIN_FILES[case]
    one_line_exit_2(["pin", "--check", "--file", str(build(tmp_path)), "--scenario", SCENARIO], capsys, *words)


def test_the_schema_check_passes_the_shipped_file(tmp_path, capsys):
    """The bad cases fail for their own reason: the unedited copy passes."""
    assert main(["pin", "--check", "--file", str(_shipped(tmp_path)), "--scenario", SCENARIO]) == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    """open() on a FIFO blocks until a writer comes; the reader must not wait at all."""
    fifo = tmp_path / "pins.json"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "crosscheck", "pin", "--check", "--file", str(fifo)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2 and "not a regular file" in result.stderr
    assert result.stderr.count("\n") == 1


def test_dev_zero_is_refused_with_bounded_memory():
    """/dev/zero never ends: the reader must stop at its bound, in a child whose memory is capped."""
    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
            "from reference.pinning import read_text; from manual import InputError\n"
            "try:\n    read_text('/dev/zero')\nexcept InputError as exc:\n    print(exc)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0 and "not a regular file" in result.stdout, result.stderr


# ---- pin --update writes atomically --------------------------------------------------------

def _stale(tmp_path):
    """A pin file whose SCENARIO cost is off, so that --update must rewrite it."""
    return _edit(tmp_path, _set_pin("cost", 0.5))


def test_update_rewrites_a_stale_pin(tmp_path, capsys):
    """The control: the stale copy really is rewritten, and no temporary file is left."""
    path = _stale(tmp_path)
    assert main(["pin", "--update", "--file", str(path), "--scenario", SCENARIO]) == 0
    assert pinning.load(path)["scenarios"][SCENARIO]["pins"]["cost"] != 0.5
    assert [p.name for p in tmp_path.iterdir()] == ["pins.json"]


@pytest.mark.parametrize("failure", ["disk full", "interrupted"])
def test_a_failed_write_leaves_the_old_file(failure, tmp_path, capsys, monkeypatch):
    path = _stale(tmp_path)
    before = path.read_bytes()

    def fail(fd):
        if failure == "disk full":
            raise OSError(28, "No space left on device")
        raise KeyboardInterrupt
    monkeypatch.setattr(pinning.os, "fsync", fail)
    code = main(["pin", "--update", "--file", str(path), "--scenario", SCENARIO])
    assert code == (2 if failure == "disk full" else 130)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["pins.json"]
    if failure == "disk full":
        assert "No space left on device" in capsys.readouterr().err


def test_a_kill_before_the_rename_leaves_the_old_file(tmp_path):
    """SIGKILL between writing the new text and renaming it over the old: a real process, killed."""
    path = _stale(tmp_path)
    before = path.read_bytes()
    code = ("import os, signal; from reference import pinning\n"
            "pinning.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
            "from crosscheck.cli import main\n"
            f"main(['pin', '--update', '--file', {str(path)!r}, '--scenario', {SCENARIO!r}])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == -signal.SIGKILL
    assert path.read_bytes() == before


def test_an_unwritable_folder_is_one_line_exit_2(tmp_path, capsys, monkeypatch):
    path = _stale(tmp_path)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(pinning.tempfile, "mkstemp", denied)
    one_line_exit_2(["pin", "--update", "--file", str(path), "--scenario", SCENARIO], capsys,
                    "cannot write the pin file", "unchanged")


def test_concurrent_reader_never_sees_a_partial_file(tmp_path):
    """While the file is rewritten many times, every read parses: the rename is atomic."""
    path = _shipped(tmp_path)
    texts = [path.read_text(encoding="utf-8"), pinning.dumps(pinning.empty())]
    stop, seen = threading.Event(), []

    def read():
        while not stop.is_set():
            seen.append(pinning.parse(pinning.read_text(path), path) is not None)
    reader = threading.Thread(target=read)
    reader.start()
    for i in range(40):
        pinning.write(path, texts[i % 2])
    stop.set()
    reader.join()
    assert seen and all(seen)
