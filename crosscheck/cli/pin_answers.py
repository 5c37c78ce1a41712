"""``crosscheck pin``'s second file: the stored reference answers of verify's fixed problems
(``reference/answers.json``, read by ``reference.answers``).

``check`` recomputes every problem's answer, for both losses, with JAX and with PyTorch and
fails (1) when an entry is missing, stale (its problem's inputs changed) or left over, when
JAX's J or any gradient entry moved from the stored one by more than the pin tolerance
(|now − stored| ≤ 1e-10·|stored J|, and ≤ 1e-10·max|stored entry| in each Θ^(l)), or when
PyTorch disagrees with it beyond the autodiff tolerance. ``update`` recomputes and rewrites the
file atomically, refusing (1, file untouched) when JAX and PyTorch disagree.
"""
import os
import sys
from dataclasses import dataclass, field

import numpy as np

from manual.errors import InputError
from manual.losses import LOSSES


def refuse_bad_files(pin_path, answer_path, update, explicit):
    """Read what a pin run reads before JAX and PyTorch load: InputError (exit 2) on a bad file.
    --check needs the pin file (and an --answers file named); --update a folder to write in."""
    from reference import answers, pinning
    if not update or os.path.lexists(pin_path):
        pinning.load(pin_path)
    for path in (pin_path, answer_path) if update else ():
        if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise InputError(f"{path}: no such folder to write in")
    if explicit and not update:
        try:
            answers.read(answer_path)
        except (OSError, ValueError) as exc:
            raise InputError(f"{answer_path}: not a readable answer file "
                             f"({getattr(exc, 'strerror', None) or exc})") from None


@dataclass
class Outcome:
    """One (problem, loss): how far JAX moved from the stored answer, and PyTorch's disagreement."""
    name: str
    loss: str
    moved: float = 0.0             # the largest |now − stored| / its scale (cost, or the layer's max |entry|)
    torch_rel: float = 0.0         # compare(): max of the cost's relative error and the gradient's rel diff
    problems: list = field(default_factory=list)


def _moved(stored, now):
    """The largest change of JAX's answer from the stored one, each relative to its scale."""
    (J0, g0), (J1, g1) = stored, now
    if [g.shape for g in g0] != [g.shape for g in g1]:
        return float("inf")
    changes = [abs(J1 - J0) / max(abs(J0), 1e-300)]
    changes += [float(np.max(np.abs(b - a), initial=0.0)) / max(float(np.max(np.abs(a), initial=0.0)), 1e-300)
                for a, b in zip(g0, g1)]
    return max(changes) if np.all(np.isfinite(changes)) else float("inf")


def _fresh(problem, loss):
    """(JAX's answer, PyTorch's Comparison with it) computed now."""
    from crosscheck.check.compare import compare
    from crosscheck.learner.problems import autodiff_result
    jax_answer = autodiff_result(problem, loss, "jax")
    return jax_answer, compare("jax", jax_answer, "torch", autodiff_result(problem, loss, "torch"), kind="autodiff")


def _disagreement(comparison):
    return max(comparison.cost_rel_err, comparison.grad_rel_diff)


def check(path, progress=None):
    """Recompute and compare; prints a table; the exit code (0 every answer holds, else 1)."""
    from reference import PIN_TOLERANCE, answers
    from crosscheck.learner.problems import PROBLEMS, definition, inputs_digest
    try:
        data = answers.read(path)
    except (OSError, ValueError) as exc:
        print(f"\ncrosscheck pin --check: {path}: FAILED: {exc} (regenerate: `crosscheck pin --update`)")
        return 1
    stored = {answers.key(e["problem"], e["loss"]): e for e in data["answers"]}
    outcomes = []
    for problem in PROBLEMS:
        for loss in LOSSES:
            out = Outcome(problem.name, loss)
            entry = stored.pop(answers.key(definition(problem), loss), None)
            now, torch = _fresh(problem, loss)
            out.torch_rel = _disagreement(torch)
            if not torch.passed:
                out.problems.append(torch.describe())
            if entry is None:
                out.problems.append("missing from the answer file")
            elif entry.get("inputs") != inputs_digest(problem):
                out.problems.append("stale: its inputs (Θ, X, y from the seed) are not the stored ones")
            else:
                try:
                    out.moved = _moved(answers.decode(entry), now)
                except (KeyError, TypeError, ValueError) as exc:
                    out.problems.append(f"malformed entry ({exc})")
                if out.moved > PIN_TOLERANCE:
                    out.problems.append(f"moved: {out.moved:.2e} relative > {PIN_TOLERANCE:.0e}")
            outcomes.append(out)
            if progress:
                progress.step(f"{problem.name} {loss}")
    for left in stored.values():
        outcomes.append(Outcome(str(left.get("problem")), str(left.get("loss")),
                                problems=["in the answer file but not a problem of crosscheck/learner/problems.py"]))
    _print(path, outcomes, PIN_TOLERANCE)
    return 1 if any(o.problems for o in outcomes) else 0


def _print(path, outcomes, tol):
    from crosscheck.check.tolerances import tolerance
    print(f"\ncrosscheck pin --check: {path}  (verify's reference answers: JAX now vs stored, moved ≤ {tol:.0e}; "
          f"PyTorch vs JAX ≤ {tolerance('autodiff'):.0e})")
    width = max(len(o.name) for o in outcomes)
    print(f"{'problem':{width}s}  {'loss':13s}  {'moved':>8s}  {'torch':>8s}  result")
    for o in outcomes:
        print(f"{o.name:{width}s}  {o.loss:13s}  {o.moved:8.1e}  {o.torch_rel:8.1e}  "
              + ("FAILED: " + "; ".join(o.problems) if o.problems else "ok"))
    failed = sum(bool(o.problems) for o in outcomes)
    print(f"\n{len(outcomes) - failed} answers hold, {failed} FAILED"
          + (" (regenerate with `crosscheck pin --update`)" if failed else ""))


def update(path, progress=None):
    """Recompute every answer with JAX, agreed by PyTorch, and rewrite the file atomically."""
    from reference import answers, pinning
    from crosscheck.check.evaluate import versions
    from crosscheck.check.tolerances import tolerance
    from crosscheck.learner.problems import PROBLEMS, definition, inputs_digest
    from reference import PIN_TOLERANCE
    try:
        old = answers.read(path)
    except (OSError, ValueError):
        old = None
    kept = {answers.key(e["problem"], e["loss"]): e for e in (old or {"answers": []})["answers"]}
    entries, refusals, worst = [], [], 0.0
    for problem in PROBLEMS:
        for loss in LOSSES:
            (J, grads), torch = _fresh(problem, loss)
            if not torch.passed:
                refusals.append(f"{problem.name} {loss}: {torch.describe()}")
            worst = max(worst, _disagreement(torch))
            entry = kept.get(answers.key(definition(problem), loss))
            if not (entry and entry.get("inputs") == inputs_digest(problem)
                    and _holds(answers, entry, (J, grads), PIN_TOLERANCE)):
                entry = answers.encode(definition(problem), loss, inputs_digest(problem), J, grads,
                                       float(f"{_disagreement(torch):.3g}"))
            entries.append(entry)
            if progress:
                progress.step(f"{problem.name} {loss}")
    if refusals:
        sys.stderr.write("crosscheck pin --update: refusing to store the answers, JAX and PyTorch disagree:\n")
        for r in refusals:
            sys.stderr.write(f"  {r}\n")
        sys.stderr.write(f"{path} is unchanged.\n")
        return 1
    if old is not None and old["answers"] == entries:
        print(f"crosscheck pin --update: {path}: every stored answer still holds; nothing changed")
        return 0
    versions_now = {k: v for k, v in versions().items() if k != "manual"}
    versions_now["numpy"] = f"numpy {np.__version__}"     # draws the problems' inputs
    prov = answers.provenance(versions_now, float(f"{worst:.3g}"), tolerance("autodiff"))
    pinning.write(path, answers.dumps(entries, prov))
    print(f"crosscheck pin --update: wrote {path} ({len(entries)} answers; JAX and PyTorch agree to {worst:.1e})")
    return 0


def _holds(answers, entry, now, tol):
    """Whether a stored entry still holds (kept as it is, with its provenance, when it does)."""
    try:
        return _moved(answers.decode(entry), now) <= tol
    except (KeyError, TypeError, ValueError):
        return False
