"""How fast is one cost + gradient of the course's network, against the hardware's limit?

    python bench/bench_cost.py              # m = 5000, 400-25-10, both losses, λ = 1, then scaling
    python bench/bench_cost.py --threads 1  # every contender (BLAS, XLA, PyTorch) on one thread
    python bench/bench_cost.py --quick      # small sizes, a few seconds: a smoke run

Contenders: the per-example loop (manual.cost_and_gradient_loop); "course numpy", the
course's vectorised formula transcribed plainly below; manual.cost_and_gradient, the
readable vectorised reference; manual.CostGradient, the prepared fast path that training
uses (called on unrolled parameters, as scipy calls it); JAX's jax.jit(jax.value_and_grad)
and PyTorch autograd on crosscheck's independent cost functions.

A script, not a test: it prints times and ratios measured in this one run. Contenders are
measured round-robin (every round times each once), so a busy machine slows them alike;
the table shows the minimum over rounds (the least-disturbed run) and the median.

Roofline: the FLOPs of one cost + gradient (its matrix products, 2·m·rows·cols each:
z^(l+1), Δ^(l), and δ^(l) for l ≥ 2) divided by this machine's large-GEMM rate, measured
in the same rounds (np.matmul of two n×n matrices, 2n³ FLOPs). It is the time the
matrix products alone would take at full speed: a lower bound, elementwise work ignored.

Peak memory: tracemalloc, which sees every numpy allocation (numpy reports its buffers
to it) and nothing of X made before tracing starts; so it measures memory beyond X, in
one process, without the interpreter's and libraries' resident size that ru_maxrss adds.
"""
import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from anywhere

import numpy as np  # noqa: E402
from scipy.special import expit  # noqa: E402

from manual import CostGradient, cost_and_gradient, cost_and_gradient_loop, one_hot, unroll  # noqa: E402

SIZES = (400, 25, 10)
LOSSES = ("cross_entropy", "squared_error")


def problem(m, sizes=SIZES, seed=0, dtype=np.float64):
    """Synthetic data of the course's shape: X (m, s_1) pixels in [0, 1], y (m,) in 1..K,
    Y (m, K) one-hot, weights uniform ±0.12 (the course's start)."""
    rng = np.random.default_rng(seed)
    thetas = [rng.uniform(-0.12, 0.12, size=(sizes[i + 1], sizes[i] + 1)) for i in range(len(sizes) - 1)]
    X = rng.uniform(0.0, 1.0, size=(m, sizes[0])).astype(dtype)
    y = rng.integers(1, sizes[-1] + 1, size=m)
    return thetas, X, y, one_hot(y, sizes[-1]).astype(dtype)


def course_vectorised(thetas, X, Y, lambda_, loss):
    """The course's vectorised nnCostFunction, transcribed plainly to numpy (3 layers).

    a1 = [1 X]; z2 = a1 Θ1ᵀ; a2 = [1 g(z2)]; h = g(a2 Θ2ᵀ);
    J = (1/m) Σ −y log h − (1 − y) log(1 − h)   (or (1/2m) Σ (h − y)²)  + λ/(2m) Σ Θ[:, 1:]²;
    δ3 = h − y (or (h − y) h (1 − h)); δ2 = δ3 Θ2[:, 1:] ⊙ g'(z2); Θ_grad = δᵀ a / m + (λ/m) [0 Θ[:, 1:]].
    """
    theta1, theta2 = thetas
    m = X.shape[0]
    a1 = np.hstack([np.ones((m, 1), X.dtype), X])
    z2 = a1 @ theta1.T
    a2 = np.hstack([np.ones((m, 1), X.dtype), expit(z2)])
    h = expit(a2 @ theta2.T)
    if loss == "cross_entropy":
        J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
        d3 = h - Y
    else:
        J = np.sum((h - Y) ** 2) / (2 * m)
        d3 = (h - Y) * h * (1 - h)
    J += lambda_ / (2 * m) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))
    d2 = (d3 @ theta2[:, 1:]) * (expit(z2) * (1 - expit(z2)))
    grad1 = d2.T @ a1 / m
    grad2 = d3.T @ a2 / m
    grad1[:, 1:] += lambda_ / m * theta1[:, 1:]
    grad2[:, 1:] += lambda_ / m * theta2[:, 1:]
    return float(J), [grad1, grad2]


def matmul_flops(m, sizes=SIZES):
    """FLOPs of the matrix products of one cost + gradient: forward z^(l+1) = a Θᵀ and
    Δ^(l) = δᵀ a, 2·m·s_{l+1}·(1 + s_l) each, and δ^(l) = δ^(l+1) Θ for l ≥ 2, 2·m·s_{l+1}·s_l."""
    total = 0
    for l in range(len(sizes) - 1):
        total += 2 * (2 * m * sizes[l + 1] * (sizes[l] + 1))
        if l > 0:
            total += 2 * m * sizes[l + 1] * sizes[l]
    return total


def contenders(m, loss, lambda_=1.0, dtype=np.float64, jax_on=True, torch_on=True, loop=True):
    """{name: zero-argument callable returning (J, [grads])} on one synthetic problem."""
    thetas, X, y, Y = problem(m, dtype=dtype)
    thetas_d = [t.astype(dtype) for t in thetas]
    params = unroll(thetas)
    prepared = CostGradient(X, y, SIZES, loss, lambda_, dtype)

    def prepared_call():
        J, grad = prepared(params)
        return J, prepared.views(grad)
    out = {}
    if loop and dtype == np.float64:
        out["per-example loop"] = lambda: cost_and_gradient_loop(thetas, X, Y, lambda_, loss)
    out["course numpy"] = lambda: course_vectorised(thetas_d, X, Y, lambda_, loss)
    if dtype == np.float64:
        out["manual cost_and_gradient"] = lambda: cost_and_gradient(thetas, X, Y, lambda_, loss)
    out["manual CostGradient"] = prepared_call
    if jax_on:
        out["jax.jit(value_and_grad)"] = _jax_contender(thetas_d, X, Y, lambda_, loss)
    if torch_on:
        out["torch autograd"] = _torch_contender(thetas_d, X, Y, lambda_, loss)
    return out


def products_only(m, dtype=np.float64):
    """The matrix products of one CostGradient call on one chunk (the same numpy calls, no
    elementwise work): what these skinny shapes cost with this BLAS, a floor for the fast path."""
    thetas, X, y, Y = problem(m, dtype=dtype)
    W1, W2 = (np.asarray(t[:, 1:], dtype) for t in thetas)
    (n, h), k = X.shape, SIZES[-1]
    A, z, d3, d2 = np.empty((n, SIZES[1]), dtype), np.empty((n, k), dtype), np.ones((n, k), dtype), np.empty((n, SIZES[1]), dtype)
    D1, D2 = np.empty((SIZES[1], h + 1), dtype), np.empty((k, SIZES[1] + 1), dtype)

    def call():
        np.matmul(X, W1.T, out=A)
        np.matmul(A, W2.T, out=z)
        np.matmul(d3.T, A, out=D2[:, 1:])
        np.matmul(d3, W2, out=d2)
        np.matmul(d2.T, X, out=D1[:, 1:])
    return call


def _jax_contender(thetas, X, Y, lambda_, loss):
    import jax
    from crosscheck.backends import jax_cost  # its cost, jitted with jax.value_and_grad
    dev = jax.devices("cpu")[0]
    args = [[jax.device_put(t, dev) for t in thetas], jax.device_put(X, dev), jax.device_put(Y, dev)]
    lam = np.asarray(lambda_, X.dtype)

    def call():
        J, grads = jax_cost._value_and_grad(*args, lam, loss=loss)
        J.block_until_ready()
        return float(J), [np.asarray(g) for g in grads]
    return call


def _torch_contender(thetas, X, Y, lambda_, loss):
    import torch
    from crosscheck.backends import torch_cost  # its cost, differentiated by torch.autograd
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    base = [torch.from_numpy(t) for t in thetas]

    def call():
        params = [t.detach().requires_grad_(True) for t in base]
        J = torch_cost.cost(params, Xt, Yt, lambda_, loss)
        grads = torch.autograd.grad(J, params)
        return float(J.detach()), [g.numpy() for g in grads]
    return call


def gemm_callable(n, dtype=np.float64, seed=1):
    rng = np.random.default_rng(seed)
    A, B = rng.random((n, n)).astype(dtype), rng.random((n, n)).astype(dtype)
    C = np.empty((n, n), dtype)
    return lambda: np.matmul(A, B, out=C)


def time_round_robin(calls, rounds, sparse=()):
    """{name: [seconds, ...]}: each round times every call once (those in ``sparse`` only
    every fifth round, as they are slow). One warm-up call each first (jit compile)."""
    for call in calls.values():
        call()
    times = {name: [] for name in calls}
    for r in range(rounds):
        for name, call in calls.items():
            if name in sparse and r % 5:
                continue
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return times


def agreement(m=20, loss="cross_entropy", lambda_=1.0, dtype=np.float64, jax_on=True, torch_on=True):
    """{name: Comparison against the per-example loop in float64} on a small problem."""
    from crosscheck import compare
    thetas, X, y, Y = problem(m)
    reference = cost_and_gradient_loop(thetas, X, Y, lambda_, loss)
    result = {}
    for name, call in contenders(m, loss, lambda_, dtype, jax_on, torch_on, loop=False).items():
        result[name] = compare(name, call(), "loop", reference, "loop", dtype=dtype)
    return result


def speed_table(m, rounds, gemm_n, threads_note, jax_on, torch_on):
    """Print the m-example table, both losses, for each dtype; returns its rows.

    Per dtype, one round-robin holds the GEMM and every contender for both losses, so the
    roofline's GEMM rate is measured under the same load as what it is compared with."""
    rows = []
    flops = matmul_flops(m)
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        calls = {"GEMM": gemm_callable(gemm_n, dtype), "products": products_only(m, dtype)}
        for loss in LOSSES:
            for label, call in contenders(m, loss, 1.0, dtype, jax_on, torch_on).items():
                calls[(loss, label)] = call
        times = time_round_robin(calls, rounds, sparse=[k for k in calls if "loop" in k[1]])
        gemm = times.pop("GEMM")
        products = min(times.pop("products"))
        rate = 2 * gemm_n ** 3 / min(gemm)
        roof = flops / rate
        print(f"\n{name}, m={m}, {'-'.join(map(str, SIZES))}, λ=1 ({threads_note}): GEMM {rate / 1e9:.1f} "
              f"GFLOP/s best (median {2 * gemm_n ** 3 / statistics.median(gemm) / 1e9:.1f}, n={gemm_n}); "
              f"{flops / 1e6:.1f} MFLOP of matrix products -> roofline {roof * 1e3:.3f} ms")
        print(f"  the same products at these skinny shapes alone: {products * 1e3:.3f} ms = "
              f"{products / roof:.2f}× roofline ({flops / products / 1e9:.1f} GFLOP/s)")
        for loss in LOSSES:
            mine = {label: ts for (l, label), ts in times.items() if l == loss}
            best_manual = min(mine["manual CostGradient"])
            print(f"  {loss}\n  {'contender':26s} {'min ms':>9s} {'median ms':>10s} {'÷roofline':>10s} "
                  f"{'÷manual':>8s}  runs")
            for label, ts in mine.items():
                best, med = min(ts), statistics.median(ts)
                print(f"  {label:26s} {best * 1e3:9.3f} {med * 1e3:10.3f} {best / roof:10.2f} "
                      f"{best / best_manual:8.2f}  {len(ts)}")
                rows.append((name, loss, label, best, med, best / roof, best / best_manual))
            rivals = [min(ts) for k, ts in mine.items() if k.startswith(("jax", "torch"))]
            verdict = [f"manual ≤ 1.5× roofline: {'met' if best_manual <= 1.5 * roof else 'NOT met'} "
                       f"({best_manual / roof:.2f}×)"]
            if rivals:
                verdict.append(f"faster than JAX and PyTorch: {'met' if best_manual < min(rivals) else 'NOT met'} "
                               f"(fastest rival {min(rivals) / best_manual:.2f}× manual)")
            print("  target: " + "; ".join(verdict))
    return rows


def scaling(ms, reps):
    """Time and tracemalloc peak (beyond X) of CostGradient, and of the course transcription."""
    print("\nscaling (float64, cross-entropy, λ=1): time = min over runs; memory = tracemalloc peak beyond X")
    print(f"  {'m':>8s} {'ms':>10s} {'µs/example':>11s} {'peak MiB':>9s} {'B/(m·(s2+K))':>13s} "
          f"{'course numpy MiB':>17s} {'X MiB':>8s}")
    per_unit = SIZES[1] + SIZES[2]
    results = []
    for m in ms:
        thetas, X, y, Y = problem(m)
        params = unroll(thetas)
        tracemalloc.start()
        f = CostGradient(X, y, SIZES, "cross_entropy", 1.0)
        f(params)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        tracemalloc.start()
        course_vectorised(thetas, X, Y, 1.0, "cross_entropy")
        course_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        ts = []
        for _ in range(reps):
            start = time.perf_counter()
            f(params)
            ts.append(time.perf_counter() - start)
        t = min(ts)
        results.append((m, t, peak))
        print(f"  {m:8d} {t * 1e3:10.2f} {t / m * 1e6:11.3f} {peak / 2**20:9.1f} "
              f"{peak / (m * per_unit):13.1f} {course_peak / 2**20:17.1f} {X.nbytes / 2**20:8.1f}")
        del f, X, Y, y
    (m0, t0, p0), (m1, t1, p1) = results[0], results[-1]
    print(f"  m ×{m1 / m0:g}: time ×{t1 / t0:.1f}, memory ×{p1 / p0:.1f} "
          "(linear would be the m factor; memory includes Y's (m, K) one-hot and sign copies)")
    return results


def float32_agreement():
    print("\nagreement with the per-example loop (float64), m=200, tolerance table row in ():")
    for dtype in (np.float64, np.float32):
        for loss in LOSSES:
            res = agreement(200, loss, 1.0, dtype, jax_on=False, torch_on=False)["manual CostGradient"]
            print(f"  {np.dtype(dtype).name:8s} {loss:14s} gradient rel diff {res.grad_rel_diff:.2e}, "
                  f"cost rel err {res.cost_rel_err:.2e} (tol {res.tol:.0e}) {'ok' if res.passed else 'FAIL'}")


def limit_threads(n):
    """Every contender on n threads: BLAS/OpenMP via threadpoolctl, PyTorch, XLA (before import)."""
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               f" --xla_cpu_multi_thread_eigen={'true' if n > 1 else 'false'}"
                               f" intra_op_parallelism_threads={n}").strip()
    from threadpoolctl import threadpool_limits
    import torch
    torch.set_num_threads(n)
    return threadpool_limits(n)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few rounds (a smoke run)")
    parser.add_argument("--threads", type=int, default=0, help="threads for every contender (default: libraries' own)")
    parser.add_argument("--rounds", type=int, default=0, help="round-robin rounds (default 30, quick 5)")
    parser.add_argument("--no-jax", action="store_true")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--no-scaling", action="store_true")
    args = parser.parse_args(argv)
    limiter = limit_threads(args.threads) if args.threads > 0 else None
    m = 500 if args.quick else 5000
    rounds = args.rounds or (5 if args.quick else 30)
    note = f"{args.threads} thread(s)" if limiter else f"default threads, {os.cpu_count()} CPUs"
    print(f"bench_cost: numpy {np.__version__}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; {note}")
    speed_table(m, rounds, 512 if args.quick else 1536, note, not args.no_jax, not args.no_torch)
    float32_agreement()
    if not args.no_scaling:
        scaling((500, 5000) if args.quick else (5000, 50000, 500000), 2 if args.quick else 5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
