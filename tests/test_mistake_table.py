"""The one table of mistakes (manual/mistake_table.py) against everything that lists mistakes:
the docs, the test fixtures' switches and ports, the catalogue's refusals, the diagnosis's names,
and `crosscheck mistakes --list`. Each check is a function shown to fail on a planted slip."""
import itertools
import re
import sys
from pathlib import Path

import pytest

from crosscheck.cli import main
from crosscheck.learner.judge import attribution, findings
from manual import InputError
from manual.catalogue import MISTAKE_IDS, MISTAKES, mistake_set, with_mistake
from manual.mistake_table import SIGNATURES, TABLE, named

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "tests" / "student_code"
sys.path.insert(0, str(STUDENT))
import loop_mistakes  # noqa: E402
import switchable  # noqa: E402
import vectorised_mistakes  # noqa: E402

OUTSIDE_ATTRIBUTION = ("calls", "runner")      # signature parts seen by the runner or in failed calls
BACKTICKED = re.compile(r"`([a-z][a-zA-Z0-9]*(?:_[a-zA-Z0-9]+)*)`")     # `raw_delta`, `nondeterministic`


def docs_text():
    """The README and every docs/ page: wherever the list of mistakes is kept."""
    return "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def source_words():
    """Every word written in the project's code (a backticked name in the docs must be one of them)."""
    words = set()
    for package in ("manual", "reference", "crosscheck", "bench"):
        for path in (ROOT / package).rglob("*"):
            if path.suffix in (".py", ".m"):
                words |= set(re.findall(r"\w+", path.read_text(encoding="utf-8")))
    return words


def doc_slips(text, table, words):
    """(ids the docs never name, backticked snake_case names that are neither an id nor in the code:
    a mistake renamed or dropped from the table but still listed)."""
    backticked = set(BACKTICKED.findall(text))
    stale = sorted(n for n in backticked - set(table) if "_" in n and n not in words)
    return sorted(set(table) - backticked), stale


def test_the_docs_list_every_mistake_and_no_other():
    assert doc_slips(docs_text(), TABLE, source_words()) == ([], [])


def test_doc_check_sees_a_missing_and_a_stale_id():
    text = docs_text()
    gone = text.replace("`raw_delta`", "raw delta")
    stale = text + "\n- `sigmoid_prime_of_z_twice`\n"
    words = source_words()
    assert doc_slips(gone, TABLE, words)[0] == ["raw_delta"]
    assert doc_slips(stale, TABLE, words)[1] == ["sigmoid_prime_of_z_twice"]


def test_mistakes_list_prints_the_table(capsys):
    assert main(["mistakes", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[0] for line in lines] == list(MISTAKE_IDS) + [i for i in TABLE if i not in MISTAKES]
    assert all(TABLE[line.split()[0]].summary in line for line in lines)


# --- the table itself -------------------------------------------------------------------------

def conflict_slips(table):
    """Conflicts naming an unknown id, or listed on one row only."""
    return sorted((m.id, c) for m in table.values() for c in m.conflicts
                  if c not in table or m.id not in table[c].conflicts)


def test_conflicts_are_known_and_listed_on_both_rows():
    assert conflict_slips(TABLE) == []


def test_conflict_check_sees_a_one_sided_conflict():
    planted = dict(TABLE)
    planted["label_offset"] = TABLE["label_offset"].__class__(
        **{**TABLE["label_offset"].__dict__, "conflicts": ("unroll_order",)})
    assert conflict_slips(planted) == [("label_offset", "unroll_order")]


def test_every_row_has_one_signature_and_its_texts():
    assert len(SIGNATURES) == len(TABLE)
    for m in TABLE.values():
        assert named(*m.signature) == m.id
        assert m.summary and m.explanation and m.correction


def test_the_catalogue_is_the_plantable_rows():
    assert list(MISTAKES) == [i for i, m in TABLE.items() if m.plantable] == list(MISTAKE_IDS)
    for i in MISTAKE_IDS:
        for loss in TABLE[i].losses:
            assert callable(with_mistake(i, loss))


@pytest.mark.parametrize("pair", list(itertools.combinations(MISTAKE_IDS, 2)))
def test_the_catalogue_refuses_exactly_the_conflicting_pairs(pair):
    if pair[1] in TABLE[pair[0]].conflicts:
        with pytest.raises(InputError, match="cannot be made together"):
            mistake_set(pair)
    else:
        assert mistake_set(pair) == frozenset(pair)


def test_the_diagnosis_names_through_the_table():
    """attribution's output and hidden variants and findings' ids are the table's rows."""
    assert attribution.OUTPUT_VARIANT == {"cross_entropy": "output_delta_dJ_dh",
                                          "squared_error": "squared_missing_sigmoid_prime"}
    assert attribution.HIDDEN_VARIANTS == ("sigmoid_prime_of_activation", "hidden_missing_sigmoid_prime")
    assert findings.EXPLAINED is TABLE
    assert set(findings.NEW) == {i for i, m in TABLE.items() if not m.plantable}


def test_a_fitted_part_is_named_by_its_signature_row(monkeypatch):
    """The diagnosis looks the fitted symbol up: re-sign the row and the name follows it."""
    from crosscheck.learner.judge.diagnosis import diagnose
    from crosscheck.learner.run.target import UserFunction, run_problems
    from manual import mistake_table

    fn = with_mistake("gradient_reg_half")
    run = run_problems(UserFunction(fn, "catalogue.py:half", Path("catalogue.py")), order="F")
    assert diagnose(run).ids == ["gradient_reg_half"]
    monkeypatch.setitem(mistake_table.SIGNATURES, ("gradient penalty r_w", "1/2"), "no_reg_in_gradient")
    assert diagnose(run).ids == ["no_reg_in_gradient"]


# --- the fixtures: switches and hand-written ports --------------------------------------------

def switch_slips(switches, exclusive, loss_only, table):
    """How the fixture's switch list differs from the table: (missing, extra, conflicts not
    matching, loss restrictions not matching)."""
    fitted = {i for i, m in table.items() if m.signature[0] not in OUTSIDE_ATTRIBUTION}
    pairs = {frozenset(p) for group in exclusive for p in itertools.combinations(group, 2)}
    conflicts = {frozenset((i, c)) for i in switches for c in table[i].conflicts if c in switches}
    restricted = {i: table[i].losses[0] for i in switches if len(table[i].losses) == 1}
    return (sorted(fitted - set(switches)), sorted(set(switches) - fitted),
            sorted(map(sorted, pairs ^ conflicts)), restricted != loss_only)


def test_the_switch_list_is_the_table():
    assert switch_slips(switchable.SWITCHES, switchable.EXCLUSIVE, switchable.LOSS_ONLY, TABLE) == ([], [], [], False)


def test_switch_check_sees_a_dropped_switch_and_a_lost_conflict():
    switches = tuple(s for s in switchable.SWITCHES if s != "raw_delta")
    exclusive = [g for g in switchable.EXCLUSIVE if "sigmoid_prime_of_activation" not in g]
    missing, _, pairs, _ = switch_slips(switches, exclusive, switchable.LOSS_ONLY, TABLE)
    assert missing == ["raw_delta"]
    assert ["hidden_missing_sigmoid_prime", "sigmoid_prime_of_activation"] in pairs


def test_every_catalogue_mistake_has_a_hand_written_port():
    ports = {name for module in (loop_mistakes, vectorised_mistakes) for name in vars(module)}
    assert set(MISTAKE_IDS) <= ports
