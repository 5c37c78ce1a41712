"""The judge's half of the conventions: every run of a function (under the course's conventions
and, from ``run.explore``, under others) is diagnosed, and ``conventions.choose`` keeps one.
The Diagnosis returned is that run's, with the run it judged."""
from crosscheck.learner.judge.diagnosis import diagnose
from crosscheck.learner.run.conventions import COURSE, Outcome, choose


def outcome(diagnosis):
    run = diagnosis.run
    return Outcome(run.convention or COURSE, sum(not c.ok for c in run.calls) if run.calls else 1 << 30,
                   diagnosis.passed, diagnosis.recognised, tuple(diagnosis.ids),
                   bool(diagnosis.reports) and all(r.ok for r in diagnosis.reports))


def judge_run(run, loss="cross_entropy"):
    """The :class:`~crosscheck.learner.judge.diagnosis.Diagnosis` of ``run`` under the convention
    that explains it best (``conventions.choose``)."""
    order = (run.convention or COURSE).order
    base = diagnose(run, loss, order)
    if base.passed or not run.alternatives:
        return base
    others = [diagnose(alt, loss, alt.convention.order) for alt in run.alternatives]
    picked = choose(outcome(base), [outcome(d) for d in others])
    chosen = next((d for d in [base, *others] if d.run.convention == picked.convention), base)
    if chosen is not base:           # what was found on the way in stays with the run reported
        chosen.run.notes = run.notes + chosen.run.notes
    return chosen
