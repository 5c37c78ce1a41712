"""``--train`` / ``verify(fn).train()``: the learner's function trained beside the correct one.

It reproduces the gallery's accuracies for the same settings (in this process and through the
worker), is not fooled by what the function says (the weights and accuracies are the parent's),
and keeps every isolation guarantee while training: a call past the time limit, over the memory
limit or printing without end stops the training with one line, and the parent stays clean.
"""
import json
import textwrap

import pytest

from crosscheck.cli import main
from crosscheck.learner.run.session_training import train_target
from crosscheck.learner.run.target import UserFunction, options, run_target
from manual.catalogue import MISTAKE_IDS

from crosscheck.teaching.gallery import GallerySettings, gallery_problem, train_entry, variant_loss
from crosscheck.learner.run.session_training import CourseCaller
from crosscheck.teaching.learner_training import train_beside_correct

SHORT = GallerySettings(maxfun=40)        # the gallery's settings, fewer evaluations: the same code path
MISTAKES = [(mistake, variant_loss(mistake)) for mistake in MISTAKE_IDS]   # every catalogue mistake


def _in_process(fn, name, loss, verified=False, settings=SHORT):
    caller = CourseCaller(UserFunction(fn, f"x:{name}", None, 30.0), name)
    return train_beside_correct(caller, name, loss, verified, settings)


@pytest.mark.parametrize("mistake, loss", MISTAKES)
def test_reproduces_the_gallery_in_process(mistake, loss):
    from manual.catalogue import with_mistake
    gallery = train_entry(mistake, loss, gallery_problem(SHORT), SHORT)
    result = _in_process(with_mistake(mistake, loss, "F"), mistake, loss)
    assert result.yours.heldout_accuracy == gallery["heldout_accuracy"]
    assert result.yours.train_accuracy == gallery["train_accuracy"]
    assert result.yours.nonfinite_evaluations == gallery["nonfinite_evaluations"]
    correct = train_entry("correct", loss, gallery_problem(SHORT), SHORT)
    assert result.correct.heldout_accuracy == correct["heldout_accuracy"]


LEARNER = textwrap.dedent('''
    from manual.catalogue import with_mistake
    _f = with_mistake("{mistake}", "cross_entropy", "F")

    def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
        {hostile}
        return _f(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
''')

TRAINING_ONLY = "if X.shape[1] == 64:  # the embedded digits: training, not verify's problems\n            "


def _target(tmp_path, mistake="regularize_bias", hostile="pass"):
    """A learner's file using the catalogue's function; a copy of manual/ beside it, since the
    sandbox shows learner code no package of crosscheck's own."""
    import shutil
    from pathlib import Path
    if not (tmp_path / "manual").exists():
        shutil.copytree(Path(__file__).resolve().parents[1] / "manual", tmp_path / "manual",
                        ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "mine.py"
    path.write_text(LEARNER.format(mistake=mistake, hostile=hostile))
    return f"{path}:nnCostFunction"


def test_reproduces_the_gallery_through_the_worker(tmp_path):
    spec = _target(tmp_path)
    gallery = train_entry("regularize_bias", "cross_entropy", gallery_problem(SHORT), SHORT)
    run = run_target(spec)
    assert run.calls and not run.failure
    result = train_target(spec, run, settings=SHORT)
    assert not result.yours.failure, result.yours.failure
    assert result.yours.heldout_accuracy == gallery["heldout_accuracy"]
    assert result.yours.evaluations == gallery["evaluations"]


@pytest.mark.parametrize("hostile, said", [
    (TRAINING_ONLY + "import time; time.sleep(60)", "took longer than the 2 s limit"),
    (TRAINING_ONLY + "import numpy; numpy.ones(2 ** 33)", "memory"),
    (TRAINING_ONLY + "import os; os._exit(0)", ""),
])
def test_hostile_training_stops_in_one_line(tmp_path, hostile, said):
    spec = _target(tmp_path, hostile=hostile)
    run = run_target(spec, timeout=2, memory=400)
    assert run.calls and all(call.ok for call in run.calls)       # verify's problems: all ran
    result = train_target(spec, run, options(timeout=2, memory=400), settings=SHORT)
    assert result.yours.failure and said in result.yours.failure
    assert result.yours.evaluations == 1 and "\n" not in result.sentence
    assert result.yours.heldout_accuracy is not None              # the start weights, judged here
    assert result.sentence.startswith("your nnCostFunction stopped the training after 0 evaluations")


def test_printing_without_end_is_bounded(tmp_path, capfd):
    spec = _target(tmp_path, hostile=TRAINING_ONLY + "print('x' * 100000); print('y\\n' * 100000)")
    result = train_target(spec, run_target(spec), settings=SHORT)
    out, err = capfd.readouterr()
    assert "xxxxx" not in out + err
    assert len(result.printed) <= 10 and all(len(line) <= 200 for line in result.printed)


def test_whole_training_has_a_time_limit():
    from manual.catalogue import with_mistake
    f = with_mistake("regularize_bias", "cross_entropy", "F")
    caller = CourseCaller(UserFunction(f, "x:f", None, 30.0), "f")
    result = train_beside_correct(caller, "f", "cross_entropy", False, SHORT, limit_s=0.0)
    assert "the training took longer than its 0 s limit" in result.yours.failure


def test_not_fooled_by_what_the_function_says():
    """A function that claims a perfect cost and no gradient leaves the start weights: their
    accuracy, computed here, is what is shown, whatever J it returned."""
    import numpy as np

    def liar(nn_params, *rest):
        return 0.0, np.zeros_like(nn_params)
    result = _in_process(liar, "liar", "cross_entropy")
    start = train_entry("correct", "cross_entropy", gallery_problem(GallerySettings(maxfun=1)),
                        GallerySettings(maxfun=1))
    assert result.yours.costs[0] == 0.0 and result.yours.true_costs[0] > 1.0
    assert result.yours.heldout_accuracy < 0.5 < result.correct.heldout_accuracy
    assert "trains to" in result.sentence and start is not None


def test_right_function_says_so():
    from manual.course import nn_cost_function
    result = _in_process(nn_cost_function, "nnCostFunction", "cross_entropy", verified=True)
    assert result.sentence.endswith(f"as the correct one does ({100 * result.correct.heldout_accuracy:.1f}%).")


def test_cli_train_json_and_figure(tmp_path, capsys, monkeypatch):
    import crosscheck.learner.run.session_training as st
    monkeypatch.setattr(st, "SETTINGS", SHORT)
    spec = _target(tmp_path)
    figure = tmp_path / "t.png"
    assert main(["verify", spec, "--train", "--train-figure", str(figure), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["training"]["yours"]["heldout_accuracy"] > 0.5
    from PIL import Image
    assert Image.open(figure).size[0] == 960


def test_cli_train_figure_that_cannot_be_written_is_one_json_error(tmp_path, capsys, monkeypatch):
    """Refused after the training ran: still exit 2 and exactly one JSON object on stdout."""
    import crosscheck.learner.run.session_training as st
    monkeypatch.setattr(st, "SETTINGS", SHORT)
    figure = tmp_path / "no such folder" / "t.png"
    assert main(["verify", _target(tmp_path), "--train", "--train-figure", str(figure), "--json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == {"error": f"--train-figure {figure}: No such file or directory"}
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_train_takes_one_target(tmp_path, capsys):
    spec = _target(tmp_path)
    assert main(["verify", spec, spec.replace("mine.py", "mine.py"), str(tmp_path / "x.py:f"), "--train"]) == 2
    assert "--train trains one function" in capsys.readouterr().err


def test_training_imports_no_autodiff_framework():
    """--train adds no JAX or PyTorch to verify: the correct side is manual/, in this process."""
    import subprocess
    import sys
    code = ("import sys; import crosscheck.learner.run.session_training, crosscheck.teaching.training_figure; "
            "from crosscheck.teaching.learner_training import correct_side; "
            "from crosscheck.teaching.gallery import GallerySettings; correct_side(GallerySettings(maxfun=3), 'cross_entropy'); "
            "print(sorted(m for m in ('jax', 'torch') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == "[]", done.stderr


def test_an_octave_target_is_checked_not_trained(capsys):
    from pathlib import Path
    octave = Path(__file__).resolve().parent / "octave_code" / "nnCostFunction.m"
    assert main(["verify", str(octave), "--train", "--json"]) == 2
    out, err = capsys.readouterr()
    assert "checked, not trained" in json.loads(out)["error"] and len(err.strip().splitlines()) == 1
