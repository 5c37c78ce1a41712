"""Every pin in reference/pins.json is reproduced by manual, JAX and PyTorch, and the
published course values hold as literal numbers (in case the helpers start letting
everything pass)."""
import numpy as np
import pytest

from manual.layout import unroll
from manual.catalogue import with_mistake
from manual.numgrad import numerical_gradient, relative_difference
from reference import pinning
from crosscheck.check.evaluate import IMPLEMENTATIONS, evaluate, network_result, sigmoid_gradient
from reference.scenarios import NAMES, NOTEBOOK_PRINTED, SCENARIOS, CourseFiles, build

PINS = pinning.load()


def files_for(scenario, request):
    """CourseFiles with the paths ``scenario`` needs; skips (with the reason) when absent."""
    data = request.getfixturevalue("ex4data_path") if "ex4data" in scenario.requires else None
    weights = request.getfixturevalue("ex4weights_path") if "ex4weights" in scenario.requires else None
    return CourseFiles(data=data, weights=weights)


def test_pin_file_matches_the_code_and_reads_as_written():
    assert list(PINS["scenarios"]) == list(NAMES)
    for name, entry in PINS["scenarios"].items():
        assert entry["setup"] == SCENARIOS[name].setup(), name
        if entry["pins"] is None:
            assert SCENARIOS[name].requires and "needs the course's" in entry["pending"], name
        else:
            assert set(entry["provenance"]["agreed"]) == set(IMPLEMENTATIONS), name
            assert entry["provenance"]["date"], name
    assert pinning.PIN_FILE.read_text(encoding="utf-8") == pinning.dumps(PINS)   # indented, canonical


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("name", NAMES)
def test_pin_reproduced(name, impl, request):
    scenario = SCENARIOS[name]
    files = files_for(scenario, request)
    pins = PINS["scenarios"][name]["pins"]
    got = evaluate(scenario, impl, files)
    assert pinning.published_mismatches(scenario, got) == []
    if pins is None:
        # pending (course data only just given): pinned by nobody yet, so it must at least
        # agree with the hand-derived values
        pins = pinning.pins_of(scenario, evaluate(scenario, "manual", files))
    if scenario.kind == "gradient_check":
        assert pinning.reproduces(scenario, pins, got), got
    else:
        assert pinning.moved(name, impl, pins, got) == []


# --- published values, written out literally -----------------------------------------------

COURSE_COSTS = [("course_ex4weights_ex4data1_ce_lambda0", 0.287629, 6),
                ("course_ex4weights_ex4data1_ce_lambda1", 0.383770, 6),
                ("course_ex4weights_ex4data1_ce_lambda3", 0.576051, 6)]
DATA_FREE_COSTS = [("grader_2_4_4_ce_lambda0", 3.08745, 5, 3.0874491581586434),
                   ("grader_2_4_4_ce_lambda1_5", 3.64704, 5, 3.647041255559591),
                   ("community_2_2_4_ce_lambda0", 7.4070, 4, 7.406969856065753),
                   ("community_2_2_4_ce_lambda3", 16.457, 3, 16.45696985606575)]


@pytest.mark.parametrize("name, printed, decimals", COURSE_COSTS)
def test_course_published_cost(name, printed, decimals, request):
    scenario = SCENARIOS[name]
    assert scenario.published["cost"] == printed
    J, _ = network_result(scenario, "manual", files_for(scenario, request))
    assert round(J, decimals) == printed


@pytest.mark.parametrize("name, printed, decimals, full", DATA_FREE_COSTS)
@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_data_free_published_cost(name, printed, decimals, full, impl):
    scenario = SCENARIOS[name]
    assert scenario.published["cost"] == printed
    J, _ = network_result(scenario, impl)
    assert round(J, decimals) == printed
    assert J == pytest.approx(full, rel=1e-12)
    assert PINS["scenarios"][name]["pins"]["cost"] == pytest.approx(full, rel=1e-12)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_sigmoid_gradient_published(impl):
    values = sigmoid_gradient(impl, [-1.0, -0.5, 0.0, 0.5, 1.0])
    np.testing.assert_array_equal(np.round(values, 6), [0.196612, 0.235004, 0.250000, 0.235004, 0.196612])


def test_gradient_check_bound_is_the_course_s():
    for lam in ("0", "3"):
        assert PINS["scenarios"][f"course_gradient_check_lambda{lam}"]["pins"] == {"bound": 1e-9}


def test_notebook_number_is_recorded_with_its_reason():
    note = PINS["scenarios"]["notebook_normal_digits_ce_lambda1"]["setup"]["note"]
    assert NOTEBOOK_PRINTED == 3.2763407662496107 and "3.2763407662496107" in note
    assert "unseeded" in note and "close" in note


# --- why pins matter: consistent mistakes pass a gradient check, the pinned cost does not --

CONSISTENT = ("regularize_bias", "label_offset", "unroll_order")


@pytest.mark.parametrize("mistake", CONSISTENT)
def test_pinned_cost_catches_a_mistake_the_gradient_check_passes(mistake):
    scenario = SCENARIOS["debug_3_5_3_ce_lambda1"]
    thetas, X, y = build(scenario)
    f = with_mistake(mistake)
    sizes = (3, 5, 3)
    params = unroll(thetas)
    J, grad = f(params, *sizes, X, y, 1.0)
    numeric = numerical_gradient(lambda p: f(p, *sizes, X, y, 1.0)[0], params)
    assert relative_difference(numeric, grad) < 1e-9            # the gradient check passes
    pins = PINS["scenarios"][scenario.name]["pins"]
    caught = pinning.moved(scenario.name, mistake, {"cost": pins["cost"]}, {"cost": J})
    assert [m.quantity for m in caught] == ["cost"]              # the pin does not


def test_pinned_cost_catches_regularised_bias_on_the_course_weights(ex4weights_path):
    scenario = SCENARIOS["course_ex4weights_sin_pixels_ce_lambda1"]
    thetas, X, y = build(scenario, CourseFiles(weights=ex4weights_path))
    J, _ = with_mistake("regularize_bias")(unroll(thetas), 400, 25, 10, X, y, 1.0)
    pinned = PINS["scenarios"][scenario.name]["pins"]["cost"]
    assert pinning.moved(scenario.name, "mistake", {"cost": pinned}, {"cost": J})


def test_regularised_bias_gives_the_course_s_wrong_number(ex4weights_path, ex4data_path):
    scenario = SCENARIOS["course_ex4weights_ex4data1_ce_lambda1"]
    thetas, X, y = build(scenario, CourseFiles(data=ex4data_path, weights=ex4weights_path))
    J, _ = with_mistake("regularize_bias")(unroll(thetas), 400, 25, 10, X, y, 1.0)
    assert round(J, 6) == 0.384488 and round(J, 6) != scenario.published["cost"]
