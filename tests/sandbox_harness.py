"""A class run under attack (tests/test_sandbox_attacks*.py): a class folder with an honest
classmate and hostile submissions (tests/attacks/, templates whose {HOME}, {CLASS}, {CWD},
{SITE}, {PORT} and {MARKER} name the real places, as an attacker who knows the machine would),
a temporary $HOME with a planted secret, the teacher's working folder, and a real
`python -m crosscheck verify` subprocess; then what changed, what survived, what leaked."""
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import sysconfig
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from crosscheck.learner.run import sandbox

TESTS = Path(__file__).resolve().parent
ROOT, ATTACKS = TESTS.parent, TESTS / "attacks"
SECRET = "s3cr3t-" + uuid.uuid4().hex            # in the environment and in ~/.ssh/id_rsa
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HANG_GUARD = 300

needs_sandbox = pytest.mark.skipif(sandbox.isolation() != sandbox.BUBBLEWRAP,
                                   reason="bubblewrap cannot run here (missing, or user namespaces refused)")


def honest_source():
    return (TESTS / "learner_files" / "course_cost.py").read_text() + "\nnnCostFunction = nn_cost_function\n"


@dataclass
class Scene:
    root: Path
    marker: str
    listener: socket.socket

    @property
    def home(self):
        return self.root / "home"

    @property
    def klass(self):
        return self.root / "class"

    @property
    def cwd(self):
        return self.root / "cwd"

    def fill(self, text):
        return (text.replace("{HOME}", str(self.home)).replace("{CLASS}", str(self.klass))
                .replace("{CWD}", str(self.cwd)).replace("{SITE}", sysconfig.get_paths()["purelib"])
                .replace("{PORT}", str(self.listener.getsockname()[1])).replace("{MARKER}", self.marker))

    def add(self, attack, name=None):
        """Copy tests/attacks/``attack`` into the class folder (as ``name``), its places filled in."""
        target = self.klass / (name or attack)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.fill((ATTACKS / attack).read_text()))
        return target


def scene(tmp_path):
    s = Scene(tmp_path, "crosscheck-attack-" + uuid.uuid4().hex, socket.create_server(("127.0.0.1", 0)))
    s.listener.setblocking(False)
    (s.home / ".ssh").mkdir(parents=True)
    (s.home / ".ssh" / "id_rsa").write_text(f"-----BEGIN KEY-----\n{SECRET}\n")
    (s.home / ".bashrc").write_text("# the teacher's\n")
    s.cwd.mkdir()
    (s.cwd / "grades.txt").write_text("the teacher's working folder\n")
    s.klass.mkdir()
    (s.klass / "honest.py").write_text(honest_source())
    return s


def snapshot(root, skip):
    """{relative path: content hash} of every file and folder under ``root`` but ``skip``."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder, d) != skip]
        for name in [*files, *dirs]:
            path = Path(folder, name)
            found[str(path.relative_to(root))] = (hashlib.sha256(path.read_bytes()).hexdigest()
                                                  if path.is_file() and not path.is_symlink() else "dir")
    return found


def survivors(marker):
    """Pids of processes whose command line carries ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    csv: str
    changed: dict
    survivors: list
    connections: int

    def report(self):
        return json.loads(self.out)

    def passed(self):
        """{target file name: passed} from the JSON report."""
        return {Path(r["target"].rsplit(":", 1)[0]).name if ":" in r["target"] else Path(r["target"]).name:
                r["passed"] for r in self.report()["results"]}


def verify(s, targets, *extra, cwd=None, unsafe=False, mechanism=None):
    """Run `crosscheck verify TARGETS --json --csv` as the teacher would; what came of it."""
    out_dir = s.root / "out"
    out_dir.mkdir(exist_ok=True)
    before = snapshot(s.root, out_dir)
    site_before = set(os.listdir(sysconfig.get_paths()["purelib"]))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(s.home), "SECRET_TOKEN": SECRET,
           "PYTHONPATH": str(ROOT), "CROSSCHECK_JAX_CACHE": "off", "LANG": "C.UTF-8"}
    if mechanism:
        env["CROSSCHECK_SANDBOX"] = mechanism
    if unsafe:
        env["CROSSCHECK_SANDBOX"] = "none"
        extra = (*extra, "--unsafe-no-sandbox")
    done = subprocess.run([sys.executable, "-m", "crosscheck", "verify", *map(str, targets), "--json",
                           "--csv", str(out_dir / f"{s.marker}.csv"), *extra],
                          capture_output=True, text=True, timeout=HANG_GUARD, env=env, cwd=cwd or s.cwd,
                          errors="replace")
    after = snapshot(s.root, out_dir)
    changed = {k: (before.get(k), after.get(k)) for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    new_site = set(os.listdir(sysconfig.get_paths()["purelib"])) - site_before
    changed.update({f"site-packages/{n}": (None, "new") for n in new_site})
    connections = 0
    while True:
        try:
            s.listener.accept()[0].close()
            connections += 1
        except BlockingIOError:
            break
    table = out_dir / f"{s.marker}.csv"
    left = survivors(s.marker)                         # the crosscheck process itself has ended
    for pid in left:                                   # the test reports them; it leaves none
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    for name in new_site:                              # nor a planted .pth in the real site-packages
        Path(sysconfig.get_paths()["purelib"], name).unlink(missing_ok=True)
    return Outcome(done.returncode, done.stdout, done.stderr, table.read_text(errors="replace") if table.exists() else "",
                   changed, left, connections)


def assert_contained(outcome, hostile):
    """The honest classmate RIGHT, every hostile target WRONG (exit 1), nothing changed outside
    the scratch folder, nothing left running, no connection, no secret or control character."""
    assert outcome.code == 1, (outcome.code, outcome.err[-2000:])
    passed = outcome.passed()
    assert passed.pop("honest.py") is True, outcome.out[:3000]
    assert set(passed) == set(hostile) and not any(passed.values()), passed
    assert outcome.changed == {}
    assert outcome.survivors == [] and outcome.connections == 0
    values = json.dumps(outcome.report(), ensure_ascii=False)          # what the escapes decode to
    for text in (outcome.out, outcome.err, outcome.csv, values):
        assert SECRET not in text
        assert not CONTROL.search(text.replace("\r\n", "").replace("\n", "")), CONTROL.findall(text)[:5]
