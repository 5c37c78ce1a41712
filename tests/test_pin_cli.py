"""``crosscheck pin``: a changed digit fails --check, a disagreeing implementation makes
--update refuse, absent course files are skipped (never passed). Run in-process."""
import json
import re
import shutil

import numpy as np
import pytest
import scipy.io

import crosscheck.check.evaluate as evaluate_module
from crosscheck.cli import main
from reference import pinning

SCENARIO = "debug_3_5_3_ce_lambda1"     # cheap: 3-5-3, m = 5


@pytest.fixture
def pin_copy(tmp_path):
    path = tmp_path / "pins.json"
    shutil.copyfile(pinning.PIN_FILE, path)
    return path


@pytest.fixture
def no_course_files(monkeypatch):
    monkeypatch.delenv("EX4_DATA", raising=False)
    monkeypatch.setenv("EX4_WEIGHTS", "")
    monkeypatch.setattr("crosscheck.cli.pin.SHARED_WEIGHTS", pinning.PIN_FILE.parent / "absent.mat")


def change_one_digit(text, value):
    """``text`` with the 9th significant digit of the number ``value`` changed (rel ~1e-8)."""
    old = repr(value)
    digits = [i for i, c in enumerate(old) if c.isdigit()]
    first = next(i for i in digits if old[i] != "0")
    pos = [i for i in digits if i >= first][8]
    new = old[:pos] + str((int(old[pos]) + 1) % 10) + old[pos + 1:]
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_check_passes_on_the_shipped_pins(capsys):
    assert main(["pin", "--check", "--scenario", SCENARIO, "--scenario", "grader_2_4_4_ce_lambda0",
                 "--scenario", "course_sigmoid_gradient"]) == 0
    out = capsys.readouterr().out
    assert "3 reproduced by every implementation" in out and "0 FAILED" in out


@pytest.mark.parametrize("quantity", ["cost", "grad_norms", "grad_sum", "grad_sumsq"])
def test_a_changed_digit_fails_check(quantity, pin_copy, capsys):
    pins = pinning.load(pin_copy)["scenarios"][SCENARIO]["pins"]
    value = pins[quantity][1] if quantity == "grad_norms" else pins[quantity]
    pin_copy.write_text(change_one_digit(pin_copy.read_text(encoding="utf-8"), value), encoding="utf-8")
    assert main(["pin", "--check", "--file", str(pin_copy), "--scenario", SCENARIO]) == 1
    out = capsys.readouterr().out
    moved_rows = [line for line in out.splitlines() if line.startswith(SCENARIO) and quantity in line]
    assert len(moved_rows) == 3                       # manual, jax and torch all moved
    assert re.search(r"\d\.\d\de-0[89]", moved_rows[0])   # and by how much
    assert "1 FAILED" in out


def test_a_changed_definition_fails_check(pin_copy, capsys):
    data = pinning.load(pin_copy)
    data["scenarios"][SCENARIO]["setup"]["lambda"] = 2.0
    pin_copy.write_text(pinning.dumps(data), encoding="utf-8")
    assert main(["pin", "--check", "--file", str(pin_copy), "--scenario", SCENARIO]) == 1
    assert "differs from the pin file's setup" in capsys.readouterr().out


def test_absent_course_files_are_skipped_not_passed(no_course_files, capsys):
    name = "course_ex4weights_ex4data1_ce_lambda1"
    assert main(["pin", "--check", "--scenario", name, "--scenario", SCENARIO]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith(name))
    assert "skipped: needs the course's ex4data1.mat" in row and " ok" not in row
    assert "1 reproduced by every implementation, 1 skipped (course files absent; not passed)" in out


def planted(impl_to_break, how):
    """value_and_grad with ``impl_to_break`` made to disagree with the others."""
    real = evaluate_module.value_and_grad

    def chooser(impl):
        f = real(impl)
        if impl != impl_to_break:
            return f

        def broken(thetas, X, Y, lambda_, loss):
            J, grads = f(thetas, X, Y, lambda_, loss)
            if how == "cost":
                return J * (1 + 1e-8), grads
            return J, [g.copy() + (1e-8 * np.abs(g).max() if i == 0 else 0.0) for i, g in enumerate(grads)]
        return broken
    return chooser


@pytest.mark.parametrize("how", ["cost", "gradient"])
def test_update_refuses_when_implementations_disagree(how, pin_copy, monkeypatch, capsys):
    before = pin_copy.read_text(encoding="utf-8")
    monkeypatch.setattr(evaluate_module, "value_and_grad", planted("torch", how))
    assert main(["pin", "--update", "--file", str(pin_copy), "--scenario", SCENARIO]) == 1
    err = capsys.readouterr().err
    assert "refusing" in err and SCENARIO in err and "torch" in err
    assert pin_copy.read_text(encoding="utf-8") == before


def test_update_restores_a_changed_pin_and_shows_the_diff(pin_copy, capsys):
    shipped = pin_copy.read_text(encoding="utf-8")
    assert main(["pin", "--update", "--file", str(pin_copy), "--scenario", SCENARIO]) == 0
    assert "nothing changed" in capsys.readouterr().out
    cost = pinning.load(pin_copy)["scenarios"][SCENARIO]["pins"]["cost"]
    pin_copy.write_text(change_one_digit(shipped, cost), encoding="utf-8")
    assert main(["pin", "--update", "--file", str(pin_copy), "--scenario", SCENARIO]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^-\s+\"cost\"", out, re.M) and re.search(r"^\+\s+\"cost\"", out, re.M)
    new = pinning.load(pin_copy)["scenarios"][SCENARIO]
    assert new["pins"]["cost"] == pytest.approx(cost, rel=1e-12)
    assert main(["pin", "--check", "--file", str(pin_copy), "--scenario", SCENARIO]) == 0


def fake_ex4data(path, m=50):
    """A course-shaped ex4data1.mat that is not the course's: X (m, 400) in [0, 1]."""
    rng = np.random.default_rng(7)
    scipy.io.savemat(path, {"X": rng.uniform(size=(m, 400)), "y": (1 + np.arange(m) % 10)[:, None]})
    return path


def test_course_data_scenarios_run_when_data_is_given(ex4weights_path, tmp_path, no_course_files, capsys):
    data = str(fake_ex4data(tmp_path / "ex4data1.mat"))
    # no pin yet: implementations are compared with each other, reported as pending
    assert main(["pin", "--check", "--data", data, "--scenario", "notebook_normal_ex4data1_ce_lambda1"]) == 0
    assert "1 pending" in capsys.readouterr().out
    # published cost: data that is not the course's cannot print 0.383770
    name = "course_ex4weights_ex4data1_ce_lambda1"
    args = ["--data", data, "--weights", str(ex4weights_path), "--scenario", name]
    assert main(["pin", "--check", *args]) == 1
    assert "does not print as 0.383770" in capsys.readouterr().out
    assert main(["pin", "--update", "--file", str(tmp_path / "new.json"), *args]) == 1
    assert not (tmp_path / "new.json").exists()


@pytest.mark.parametrize("argv, message", [
    (["pin", "--check", "--file", "no/such/pins.json"], "pin file not found"),
    (["pin", "--check", "--scenario", "no_such_scenario"], "unknown scenario"),
    (["pin", "--check", "--data", "no/such/ex4data1.mat"], "file not found"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_list_names_every_scenario(capsys):
    assert main(["pin", "--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(json.loads(pinning.PIN_FILE.read_text(encoding="utf-8"))["scenarios"])


def test_a_missing_quantity_fails_check(pin_copy, capsys):
    data = pinning.load(pin_copy)
    del data["scenarios"][SCENARIO]["pins"]["grad_sumsq"]
    pin_copy.write_text(pinning.dumps(data), encoding="utf-8")
    assert main(["pin", "--check", "--file", str(pin_copy), "--scenario", SCENARIO]) == 1
    assert "grad_sumsq" in capsys.readouterr().out
