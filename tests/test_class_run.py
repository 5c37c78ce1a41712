"""A teacher's class run: it survives Ctrl-C, resumes without re-running what is done (but re-runs
a changed file), hands back a report per student, counts each student once, and two shards
merged equal one run. Small classes (tests/class_files.py), real worker processes.
"""
import csv
import json
import signal
import subprocess
import sys
import time

from class_files import SOURCES, targets, write_class
from crosscheck.cli import main
from crosscheck.cli.classes.record import FIELDS

HANG_GUARD = 120          # s: a wait longer than this is a hang, and the test fails
TIMED = ("seconds", "slowest_call_seconds")


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def rows(path, timed=False):
    """The CSV's rows; without the timing columns unless ``timed``."""
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: v for k, v in row.items() if timed or k not in TIMED} for row in csv.DictReader(f)]


def verify(*argv):
    return subprocess.run([sys.executable, "-m", "crosscheck", "verify", *map(str, argv)],
                          capture_output=True, text=True, timeout=HANG_GUARD)


def interrupted(class_, jsonl, table, n, signum):
    """(exit code, stderr) of a class run (-j 1) sent ``signum`` once its journal has ``n`` lines
    and a moment more: the next target's worker hangs."""
    proc = subprocess.Popen([sys.executable, "-m", "crosscheck", "verify", *class_, "-j", "1", "--timeout", "600",
                             "--jsonl", str(jsonl), "--csv", str(table)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + HANG_GUARD
        while not (jsonl.exists() and jsonl.read_text().count("\n") >= n):
            assert proc.poll() is None and time.monotonic() < deadline, "the class ended or hung"
            time.sleep(0.2)
        time.sleep(1.0)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=HANG_GUARD)
    finally:
        proc.kill()
    return proc.returncode, err


def test_ctrl_c_keeps_the_rows_done_and_resume_runs_only_the_rest(tmp_path):
    """Killed with SIGINT while the third student hangs: the two finished are in the journal and
    the CSV, and stderr says how to go on. --resume runs the other two only; then a changed file,
    and only it, runs again."""
    folder = write_class(tmp_path / "class", hanging="carol", names=("alice", "bob", "dave"))
    class_ = targets(folder, ["alice", "bob", "carol", "dave"])
    jsonl, table = tmp_path / "class.jsonl", tmp_path / "class.csv"
    code, err = interrupted(class_, jsonl, table, 2, signal.SIGINT)
    assert code == 130
    assert [r["target"] for r in lines(jsonl)] == class_[:2]
    assert [r["target"] for r in rows(table)] == class_[:2] and rows(table)[1]["outcome"] == "mistake"
    assert "2 of 4 targets done" in err and "--resume" in err

    (folder / "carol.py").write_text(SOURCES["alice"])
    resumed = verify(*class_, "--jsonl", jsonl, "--resume", "--csv", table)
    assert resumed.returncode == 1, resumed.stderr
    assert len(lines(jsonl)) == 4                                  # alice and bob did not run again
    assert sorted(r["target"] for r in lines(jsonl)[2:]) == sorted(class_[2:])
    assert [r["target"] for r in rows(table)] == class_
    assert [r["outcome"] for r in rows(table)] == ["right", "mistake", "right", "crash"]

    (folder / "bob.py").write_text((folder / "bob.py").read_text() + "# fixed it, he says\n")
    again = verify(*class_, "--jsonl", jsonl, "--resume", "--csv", table)
    assert again.returncode == 1
    assert [r["target"] for r in lines(jsonl)[4:]] == [class_[1]]   # only the changed file ran


def test_sigterm_from_a_scheduler_stops_a_class_as_ctrl_c_does(tmp_path):
    folder = write_class(tmp_path / "class", hanging="erin", names=("alice",))
    class_ = targets(folder, ["alice", "erin"])
    jsonl, table = tmp_path / "class.jsonl", tmp_path / "class.csv"
    code, err = interrupted(class_, jsonl, table, 1, signal.SIGTERM)
    assert code == 130 and "1 of 2 targets done" in err
    assert [r["target"] for r in rows(table)] == class_[:1]


def test_feedback_for_every_target_holds_its_diagnosis(tmp_path, capsys):
    folder = write_class(tmp_path / "sub dir")
    odd = folder / "it's=1.py"
    odd.write_text((folder / "alice.py").read_text())
    class_ = targets(folder, ["alice", "bob", "carol", "dave"]) + [f"{odd}:nnCostFunction",
                                                                   f"{folder / 'alice.py'}:no_such"]
    out = tmp_path / "feedback"
    code = main(["verify", *class_, "--feedback", str(out), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    pages = sorted(p.name for p in out.iterdir())
    assert len(pages) == 2 * len(class_) and all(p.endswith((".txt", ".html")) for p in pages)
    for rec in report["results"]:
        from crosscheck.cli.classes.feedback import file_name
        name = file_name(rec["target"])
        text = (out / f"{name}.txt").read_text(encoding="utf-8")
        page = (out / f"{name}.html").read_text(encoding="utf-8")
        assert rec["reason"] in text and f"{rec['problems_right']} of {rec['problems_run']}" in text
        for mistake in rec["diagnosis"]:
            assert mistake in text and mistake in page
        assert "http://" not in page and "https://" not in page          # self-contained
    bob = next(r for r in report["results"] if "bob" in r["target"])
    assert "data:image/png;base64," in (out / f"{file_name(bob['target'])}.html").read_text()   # heat map
    assert [r["outcome"] for r in report["results"]] == ["right", "mistake", "unfinished", "crash", "right",
                                                         "not_found"]


def test_two_shards_merged_equal_one_unsharded_run(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)            # the split is by the path as given: relative, as in a job array
    write_class(tmp_path / "class")
    glob = "class/*.py:nnCostFunction"
    assert main(["verify", glob, "--csv", str(tmp_path / "all.csv"), "--json"]) == 1
    whole = json.loads(capsys.readouterr().out)
    shards = []
    for i in (1, 2):
        main(["verify", glob, "--shard", f"{i}/2", "--jsonl", str(tmp_path / f"shard{i}.jsonl")])
        capsys.readouterr()
        shards.append(lines(tmp_path / f"shard{i}.jsonl"))
    assert all(shards) and sum(map(len, shards)) == whole["summary"]["targets"]      # a real split
    code = main(["verify", "--merge", str(tmp_path / "shard1.jsonl"), str(tmp_path / "shard2.jsonl"),
                 "--csv", str(tmp_path / "merged.csv"), "--json", "--class-page", str(tmp_path / "class.html")])
    merged = json.loads(capsys.readouterr().out)
    assert code == 1
    assert rows(tmp_path / "merged.csv") == rows(tmp_path / "all.csv")
    assert merged["summary"] == whole["summary"]
    assert list(rows(tmp_path / "merged.csv", timed=True)[0]) == list(FIELDS)
    page = (tmp_path / "class.html").read_text(encoding="utf-8")
    assert "<svg" in page and all(r["target"] in page for r in merged["results"])
