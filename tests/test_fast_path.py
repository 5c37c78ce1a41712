"""manual.fast.CostGradient, the path the optimiser calls, against the loop and autodiff."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import random_problem
from crosscheck import compare
from crosscheck.backends import jax_cost, torch_cost
from manual import (LOSSES, CostGradient, InputError, cost_and_gradient, cost_and_gradient_loop,
                    reroll, unroll)
from manual import chunk


COURSE = (400, 25, 10)
LAMBDAS = [0.0, 1.0, 3.0]
AUTODIFF = {"jax": jax_cost.value_and_grad, "torch": torch_cost.value_and_grad}


def fast_result(thetas, X, y, sizes, loss, lambda_, dtype=np.float64):
    """(J, [grads]) from the unrolled call, the way scipy sees it."""
    J, grad = CostGradient(X, y, sizes, loss, lambda_, dtype)(unroll(thetas))
    return J, reroll(grad, sizes)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("lambda_", LAMBDAS)
@pytest.mark.parametrize("sizes", [COURSE, (5, 4, 3), (7, 6, 5, 3)])
def test_fast_equals_loop_float64(sizes, lambda_, loss):
    thetas, X, Y, y = random_problem(sizes, m=40, seed=3, scale=0.5)
    result = compare("fast", fast_result(thetas, X, y, sizes, loss, lambda_),
                     "loop", cost_and_gradient_loop(thetas, X, Y, lambda_, loss), "loop")
    assert result.passed, result.describe()


@pytest.mark.parametrize("backend", sorted(AUTODIFF))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("lambda_", LAMBDAS)
def test_fast_equals_autodiff_float64(backend, lambda_, loss):
    thetas, X, Y, y = random_problem(COURSE, m=60, seed=4, course_like=True)
    result = compare("fast", fast_result(thetas, X, y, COURSE, loss, lambda_),
                     backend, AUTODIFF[backend](thetas, X, Y, lambda_, loss), "autodiff")
    assert result.passed, result.describe()


@pytest.mark.parametrize("backend", sorted(AUTODIFF))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("lambda_", [0.0, 1.0])
def test_fast_float32_within_its_row(backend, lambda_, loss):
    """float32 arithmetic against float64 autodiff and the float64 loop, each with its float32 row."""
    thetas, X, Y, y = random_problem(COURSE, m=300, seed=5, course_like=True)
    single = fast_result(thetas, X, y, COURSE, loss, lambda_, np.float32)
    for name, reference, kind in [(backend, AUTODIFF[backend](thetas, X, Y, lambda_, loss), "autodiff"),
                                  ("loop", cost_and_gradient_loop(thetas, X, Y, lambda_, loss), "loop")]:
        result = compare("fast float32", single, name, reference, kind, dtype=np.float32)
        assert result.passed, result.describe()
    # and float32 is really float32: not bit-identical to float64 (else the row tests nothing)
    assert compare("fast float32", single, "loop", cost_and_gradient_loop(thetas, X, Y, lambda_, loss),
                   "loop").grad_rel_diff > 1e-12


@pytest.mark.parametrize("loss", LOSSES)
def test_labels_or_one_hot_and_the_function_form_agree(loss):
    """CostGradient from labels or from one-hot Y, per-layer or unrolled, equals cost_and_gradient."""
    thetas, X, Y, y = random_problem(COURSE, m=30, seed=6, scale=0.3)
    vectorised = cost_and_gradient(thetas, X, Y, 1.0, loss)
    for result in (CostGradient(X, Y, COURSE, loss, 1.0).cost_and_gradient(thetas),
                   CostGradient(X, y, COURSE, loss, 1.0).cost_and_gradient(thetas),
                   fast_result(thetas, X, y, COURSE, loss, 1.0)):
        assert compare("fast", result, "vectorised", vectorised, "loop").passed


def test_repeated_calls_reuse_buffers_without_leaking_state():
    """A prepared object gives the same answer whatever it evaluated before."""
    thetas, X, Y, y = random_problem(COURSE, m=50, seed=7, scale=0.3)
    f = CostGradient(X, y, COURSE, "cross_entropy", 1.0)
    first = f(unroll(thetas))
    f(unroll(thetas) * -2.0)
    again = f(unroll(thetas))
    assert first[0] == again[0] and np.array_equal(first[1], again[1])
    assert first[1] is not again[1]                  # scipy may keep the previous gradient


@pytest.mark.parametrize("z", [30.0, 40.0, 700.0])
def test_confident_units_cost_exactly(z):
    """A correct, confident output unit costs log(1 + e^(−z)) ≈ e^(−z), not 0 after 30 − 30."""
    theta = [np.array([[z, 0.0], [-z, 0.0]])]         # 1 input, 2 outputs, bias only
    X, y = np.zeros((1, 1)), np.array([1])            # label 1: unit 1 on (z), unit 2 off (−z)
    J, _ = CostGradient(X, y, (1, 2), "cross_entropy").cost_and_gradient(theta)
    assert J == pytest.approx(2.0 * np.log1p(np.exp(-z)), rel=1e-15)
    assert J > 0.0


@pytest.mark.parametrize("bias", [20.0, 40.0, 700.0])
@pytest.mark.parametrize("loss", LOSSES)
def test_confident_correct_network_keeps_its_tiny_gradient(bias, loss):
    """Every example labelled 3, the output sure of it (z = ±bias): δ ≈ e^(−bias) must survive,
    as autodiff keeps it (1 − g(z) would be 0 once g(z) rounds to 1)."""
    rng = np.random.default_rng(12)
    thetas = [rng.normal(size=(25, 401)), np.zeros((10, 26))]
    thetas[1][:, 0] = -bias
    thetas[1][2, 0] = bias
    X, y = rng.uniform(size=(15, 400)), np.full(15, 3)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        fast_side = fast_result(thetas, X, y, COURSE, loss, 0.0)
    Y = np.eye(10)[y - 1]
    for name, value_and_grad in AUTODIFF.items():
        result = compare("fast", fast_side, name, value_and_grad(thetas, X, Y, 0.0, loss), "autodiff")
        assert result.passed, result.describe()


def test_saturated_units_stay_finite():
    thetas, X, Y, y = random_problem((20, 8, 4), m=10, seed=8, scale=200.0)
    for loss in LOSSES:
        J, grad = CostGradient(X, y, (20, 8, 4), loss, 1.0)(unroll(thetas))
        assert np.isfinite(J) and np.all(np.isfinite(grad))


def _double_output_delta(monkeypatch):
    original = chunk.Worker.output_layer

    def planted(self, a, theta, rows, n, delta):
        data = original(self, a, theta, rows, n, delta)
        delta *= 2.0                                 # δ^(L) = 2(h − y): a factor from ∂J/∂h kept
        return data
    monkeypatch.setattr(chunk.Worker, "output_layer", planted)


def _tanh_for_sigmoid(monkeypatch):
    def planted(z, slope, r):                        # hidden layers: tanh and its slope 1 − tanh²
        np.tanh(z, out=z)
        np.multiply(z, z, out=slope)
        np.subtract(1.0, slope, out=slope)
    monkeypatch.setattr(chunk, "sigmoid_and_slope", planted)


@pytest.mark.parametrize("plant", [_double_output_delta, _tanh_for_sigmoid])
@pytest.mark.parametrize("loss", LOSSES)
def test_the_agreement_check_catches_a_planted_mistake(monkeypatch, plant, loss):
    """Test the test: the same check, with a mistake planted in the fast path, must fail."""
    thetas, X, Y, y = random_problem((6, 5, 3), m=12, seed=9)
    reference = cost_and_gradient_loop(thetas, X, Y, 1.0, loss)
    assert compare("fast", fast_result(thetas, X, y, (6, 5, 3), loss, 1.0), "loop", reference, "loop").passed
    plant(monkeypatch)
    planted = fast_result(thetas, X, y, (6, 5, 3), loss, 1.0)
    assert not compare("fast (planted)", planted, "loop", reference, "loop").passed


@pytest.mark.parametrize("bad, message", [
    (dict(X=np.zeros((4, 3))), "need"),
    (dict(X=np.zeros((0, 5))), "no rows"),
    (dict(y=np.array([1, 2, 3])), "rows"),
    (dict(y=np.array([0, 1, 2, 1])), "zero-based"),
    (dict(loss="hinge"), "unknown loss"),
    (dict(dtype=np.float16), "float64 or float32"),
])
def test_bad_input_is_an_input_error(bad, message):
    args = dict(X=np.zeros((4, 5)), y=np.array([1, 2, 3, 1]), loss="cross_entropy", dtype=np.float64)
    args.update(bad)
    with pytest.raises(InputError, match=message):
        CostGradient(args["X"], args["y"], (5, 4, 3), args["loss"], 1.0, args["dtype"])


def test_wrong_parameter_length_is_an_input_error():
    with pytest.raises(InputError, match="params"):
        CostGradient(np.zeros((4, 5)), np.array([1, 2, 3, 1]), (5, 4, 3))(np.zeros(7))


@settings(max_examples=25, deadline=None)
@given(n_in=st.integers(1, 400), hidden=st.lists(st.integers(1, 40), min_size=1, max_size=2),
       k=st.integers(2, 12), m=st.integers(1, 300), seed=st.integers(0, 2**32 - 1),
       lambda_=st.floats(0, 10), loss=st.sampled_from(LOSSES), course_like=st.booleans())
def test_random_networks_float32_within_its_row(n_in, hidden, k, m, seed, lambda_, loss, course_like):
    sizes = (n_in, *hidden, k)
    thetas, X, Y, y = random_problem(sizes, m, seed, scale=1.0, course_like=course_like)
    result = compare("fast float32", fast_result(thetas, X, y, sizes, loss, lambda_, np.float32),
                     "loop", cost_and_gradient_loop(thetas, X, Y, lambda_, loss), "loop", dtype=np.float32)
    assert result.passed, result.describe()


def test_column_major_X_as_loadmat_gives_it():
    """scipy.io.loadmat returns column-major arrays; the fast path uses them without a copy."""
    thetas, X, Y, y = random_problem(COURSE, m=25, seed=10, course_like=True)
    XF = np.asfortranarray(X)
    f = CostGradient(XF, y, COURSE, "cross_entropy", 1.0)
    assert f.X is XF
    assert compare("fast, X column-major", f.cost_and_gradient(thetas),
                   "loop", cost_and_gradient_loop(thetas, X, Y, 1.0, "cross_entropy"), "loop").passed


@pytest.mark.parametrize("chunk_rows", [1, 7, 40, 1000])
@pytest.mark.parametrize("loss", LOSSES)
def test_chunked_passes_equal_the_loop(chunk_rows, loss):
    """X is processed in row chunks (cache reuse); any chunk size, even or ragged, is the same math."""
    thetas, X, Y, y = random_problem((9, 6, 4, 3), m=40, seed=11, scale=0.7)
    f = CostGradient(X, y, (9, 6, 4, 3), loss, 1.0, chunk_rows=chunk_rows)
    result = compare(f"fast, chunks of {chunk_rows}", f.cost_and_gradient(thetas),
                     "loop", cost_and_gradient_loop(thetas, X, Y, 1.0, loss), "loop")
    assert result.passed, result.describe()


# Workers (manual.threads): each thread takes the next chunk with its own buffers; each chunk's
# Δ has its own slot, summed in chunk order.

@pytest.mark.parametrize("threads", [1, 2, 3, 7])
@pytest.mark.parametrize("loss", LOSSES)
def test_workers_equal_the_loop(threads, loss):
    thetas, X, Y, y = random_problem((9, 6, 4, 3), m=41, seed=13, scale=0.7)
    f = CostGradient(X, y, (9, 6, 4, 3), loss, 1.0, chunk_rows=5, threads=threads)
    assert len(f.workers) == threads and len(f.chunks) % threads == 0
    result = compare(f"fast, {threads} workers", f.cost_and_gradient(thetas),
                     "loop", cost_and_gradient_loop(thetas, X, Y, 1.0, loss), "loop")
    assert result.passed, result.describe()


def test_workers_catch_a_chunk_left_out(monkeypatch):
    """Test the test: a chunk whose Δ and cost are dropped from the sum must fail the check."""
    thetas, X, Y, y = random_problem((9, 6, 4, 3), m=41, seed=13, scale=0.7)
    reference = cost_and_gradient_loop(thetas, X, Y, 1.0, "cross_entropy")
    f = CostGradient(X, y, (9, 6, 4, 3), "cross_entropy", 1.0, chunk_rows=5, threads=3)
    original = chunk.Worker.run

    def planted(self, thetas, rows, Delta):
        data = original(self, thetas, rows, Delta)
        if rows == f.chunks[-1]:
            for part in Delta:
                part[...] = 0.0
            return 0.0
        return data
    monkeypatch.setattr(chunk.Worker, "run", planted)
    assert not compare("fast (planted)", f.cost_and_gradient(thetas), "loop", reference, "loop").passed


@pytest.mark.parametrize("loss", LOSSES)
def test_workers_are_deterministic(loss):
    """The chunks' sums are taken in chunk order: whichever worker ran which chunk, the same bits."""
    thetas, X, Y, y = random_problem(COURSE, m=300, seed=14, course_like=True)
    f = CostGradient(X, y, COURSE, loss, 1.0, chunk_rows=20, threads=2)
    assert len(f.chunks) == 16
    first = f(unroll(thetas))
    for _ in range(20):
        again = f(unroll(thetas))
        assert first[0] == again[0] and np.array_equal(first[1], again[1])


def test_thread_policy_by_size():
    """One worker for small problems, at most one per CPU, more work → not fewer workers."""
    from manual.threads import MIN_FLOPS_PER_WORKER, product_flops, row_threads
    assert row_threads(1, COURSE, cpus=8) == 1
    assert row_threads(10, (5, 4, 3), cpus=8) == 1
    assert row_threads(5000, COURSE, cpus=2) == 2
    assert row_threads(10 ** 6, COURSE, cpus=3) == 3
    small = int(MIN_FLOPS_PER_WORKER // product_flops(COURSE))
    assert row_threads(small, COURSE, cpus=8) == 1 and row_threads(4 * small + 4, COURSE, cpus=8) == 4
    counts = [row_threads(m, COURSE, cpus=4) for m in range(1, 400, 7)]
    assert counts == sorted(counts)


def test_single_threaded_blas_restores_the_limit():
    """numpy's BLAS, the one CostGradient's products use, is on one thread inside, as before after."""
    from pathlib import Path

    from threadpoolctl import threadpool_info

    from manual.threads import single_threaded_blas

    def numpys():                      # a numpy wheel bundles its OpenBLAS in numpy.libs/
        return [lib["num_threads"] for lib in threadpool_info()
                if lib["user_api"] == "blas" and Path(lib["filepath"]).parent.name == "numpy.libs"]
    before = numpys()
    if not before:
        pytest.skip("numpy's BLAS is not a bundled numpy.libs library here")
    with single_threaded_blas():
        assert numpys() == [1] * len(before)
    assert numpys() == before


@pytest.mark.parametrize("smoothing", [0.1, 0.5])
@pytest.mark.parametrize("loss", LOSSES)
def test_soft_targets_equal_the_loop(smoothing, loss):
    """Targets other than 0/1 (label smoothing) take manual.chunk's general output layer."""
    thetas, X, Y, y = random_problem((9, 6, 4, 3), m=41, seed=15, scale=0.7)
    soft = Y * (1.0 - smoothing) + smoothing / Y.shape[1]
    f = CostGradient(X, soft, (9, 6, 4, 3), loss, 1.0, chunk_rows=7, threads=2)
    assert not f.binary
    result = compare("fast, soft targets", f.cost_and_gradient(thetas),
                     "loop", cost_and_gradient_loop(thetas, X, soft, 1.0, loss), "loop")
    assert result.passed, result.describe()


@settings(max_examples=40, deadline=None)
@given(n_in=st.integers(1, 30), hidden=st.lists(st.integers(1, 12), min_size=0, max_size=3),
       k=st.integers(1, 6), m=st.integers(1, 90), chunk_rows=st.integers(1, 40),
       threads=st.integers(1, 4), seed=st.integers(0, 2**32 - 1), lambda_=st.floats(0, 5),
       loss=st.sampled_from(LOSSES), smoothing=st.sampled_from([0.0, 0.2]),
       column_major=st.booleans())
def test_random_layouts_float64_equal_the_loop(n_in, hidden, k, m, chunk_rows, threads, seed,
                                               lambda_, loss, smoothing, column_major):
    """Any depth (no hidden layer too), chunk size, worker count, X order and target kind."""
    sizes = (n_in, *hidden, k)
    thetas, X, Y, y = random_problem(sizes, m, seed, scale=0.7)
    targets = Y * (1.0 - smoothing) + smoothing / k if smoothing else y
    Yref = targets if smoothing else Y
    X = np.asfortranarray(X) if column_major else X
    f = CostGradient(X, targets, sizes, loss, lambda_, chunk_rows=chunk_rows, threads=threads)
    result = compare("fast", f.cost_and_gradient(thetas),
                     "loop", cost_and_gradient_loop(thetas, X, Yref, lambda_, loss), "loop")
    assert result.passed, result.describe()
