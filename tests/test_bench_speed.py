"""The speed benches run and print their figures (tiny sizes; no timing is asserted)."""
from bench import bench_jobs, bench_target_cost


def test_the_class_figure_runs_a_class_of_right_wrong_and_crashing_targets():
    rate, rc, ratio = bench_jobs.class_rate(10, 2)
    assert rc == 1 and rate > 0 and ratio > 0          # 1: the class has wrong and crashing targets


def test_the_refused_files_are_refused(capsys):
    assert bench_jobs.main(["--jobs", "refuse-verify", "refuse-train", "--rounds", "1"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if "refuse-" in line]
    assert [row[-4] for row in rows] == ["2", "2"]       # the exit column: every file refused


def test_the_per_target_breakdown_runs(capsys):
    assert bench_target_cost.main(["--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "a worker of its own per target" in out and ("one target forked" in out or "no bubblewrap" in out)
