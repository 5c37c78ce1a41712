"""How fast is one cost + gradient of the course's network, against the hardware's limits?

    python bench/bench_cost.py              # m = 5000 and 50,000, 400-25-10, both losses, λ = 1
    python bench/bench_cost.py --threads 1  # every contender (BLAS, XLA, PyTorch) on one thread
    python bench/bench_cost.py --busy 1     # with one competing process spinning a core
    python bench/bench_cost.py --quick      # small sizes, a few seconds: a smoke run

The contenders are in contenders.py. A script, not a test: it prints times and ratios
measured in this one run. Contenders are measured round-robin (every round times each once),
so a busy machine slows them alike; the table shows the median over rounds and the minimum
(the least-disturbed run). Whole commands' wall times: bench_jobs.py.

Compute roofline: the FLOPs of one cost + gradient (its matrix products, 2·m·rows·cols each:
z^(l+1), Δ^(l), and δ^(l) for l ≥ 2) divided by this machine's large-GEMM rate, measured in
the same rounds (np.matmul of two n×n matrices, 2n³ FLOPs, BLAS's own threads). It is the
time the matrix products alone would take at full speed: a lower bound, elementwise work
ignored. Medians are divided by the roofline at the median GEMM rate, minima by the one at
the best, so that a busy machine's slowdown cancels in both. Memory bandwidth, also in the
same rounds: numpy's c = a + b on arrays far larger than the cache (3 × 8 bytes moved per
element); X must stream through at least once per call, so X's bytes ÷ that rate is a
second lower bound.

Idle BLAS threads: after each call on several threads, OpenBLAS's workers spin for about
0.1 s (2^28 cycles; measured here: 0.12 s of CPU during a 0.3 s sleep after one GEMM). In a
round-robin every contender follows such a call (the GEMM probe, BLAS-threaded contenders),
so the next one ran with a core taken: CostGradient measured 10–11 ms at m = 5000 right after
a GEMM against 4.6 ms alone. So this script sets OPENBLAS_THREAD_TIMEOUT=4 (2^4 cycles: they
sleep at once) before numpy loads, unless it is set already; run with
OPENBLAS_THREAD_TIMEOUT=28 to see OpenBLAS's default. PyTorch's and XLA's pools are left as
they are.

Warm data: each timed call directly follows an untimed call of the same contender, so its X
is in cache as in an optimiser's loop, where the same X is used call after call. Without that,
the contender before (each has its own X, 16 MB at m = 5000) and the bandwidth probe evict it:
CostGradient took 4.96 ms at m = 5000 in that cold round-robin against ~3.9 ms called in a loop.

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
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")               # before numpy: see above

import numpy as np  # noqa: E402

from bench.contenders import (LOSSES, SIZES, agreement, contenders, course_vectorised,  # noqa: E402
                              matmul_flops, problem, products_only)
from manual import CostGradient, unroll  # noqa: E402
from manual.threads import row_threads  # noqa: E402

TARGET = 2.5          # the fast path's goal: ≤ 2.5× the compute roofline (issue #15)


def gemm_callable(n, dtype=np.float64, seed=1):
    rng = np.random.default_rng(seed)
    A, B = rng.random((n, n)).astype(dtype), rng.random((n, n)).astype(dtype)
    C = np.empty((n, n), dtype)
    return lambda: np.matmul(A, B, out=C)


def stream_callable(n_bytes=3 * 2 ** 27):
    """c = a + b over three float64 arrays of n_bytes in all (default 384 MiB, beyond any cache)."""
    n = n_bytes // 24
    a, b, c = np.ones(n), np.ones(n), np.empty(n)
    call = lambda: np.add(a, b, out=c)          # noqa: E731
    call.bytes = 3 * 8 * n
    return call


def time_round_robin(calls, rounds, sparse=()):
    """{name: [seconds, ...]}: each round times every call once (those in ``sparse`` only
    every fifth round, as they are slow). One warm-up call each first (jit compile). Each
    timed call follows an untimed one of the same contender (except the slow ones): its own
    data warm, as in an optimiser's loop, not evicted by the contender before it."""
    for call in calls.values():
        call()
    times = {name: [] for name in calls}
    for r in range(rounds):
        for name, call in calls.items():
            if name in sparse and r % 5:
                continue
            if name not in sparse:
                call()
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return times


def speed_table(m, rounds, gemm_n, threads_note, jax_on, torch_on, dtypes=(np.float64, np.float32)):
    """Print the m-example table, both losses, for each dtype; returns its rows.

    Per dtype, one round-robin holds the GEMM, the bandwidth probe and every contender for
    both losses, so the limits are measured under the same load as what they bound."""
    rows = []
    flops, workers = matmul_flops(m), row_threads(m, SIZES)
    for dtype in dtypes:
        name = np.dtype(dtype).name
        calls = {"GEMM": gemm_callable(gemm_n, dtype), "stream": stream_callable(),
                 "products": products_only(m, dtype), "products, workers": products_only(m, dtype, workers)}
        for loss in LOSSES:
            for label, call in contenders(m, loss, 1.0, dtype, jax_on, torch_on, loop=m <= 5000).items():
                calls[(loss, label)] = call
        times = time_round_robin(calls, rounds, sparse=[k for k in calls if "loop" in k[1]])
        gemm, stream = times.pop("GEMM"), times.pop("stream")
        rate, bandwidth = 2 * gemm_n ** 3 / min(gemm), calls["stream"].bytes / min(stream)
        roof = flops / rate                                  # minima are compared with this one,
        roof_med = flops * statistics.median(gemm) / (2 * gemm_n ** 3)   # medians with this one
        x_bytes = m * SIZES[0] * np.dtype(dtype).itemsize
        print(f"\n{name}, m={m}, {'-'.join(map(str, SIZES))}, λ=1 ({threads_note}; CostGradient: {workers} "
              f"worker thread(s)):\n  GEMM {rate / 1e9:.1f} GFLOP/s best (median "
              f"{2 * gemm_n ** 3 / statistics.median(gemm) / 1e9:.1f}, n={gemm_n}); {flops / 1e6:.1f} MFLOP "
              f"of matrix products -> compute roofline {roof * 1e3:.3f} ms (median {roof_med * 1e3:.3f})"
              f"\n  memory bandwidth "
              f"{bandwidth / 1e9:.1f} GB/s best (median {calls['stream'].bytes / statistics.median(stream) / 1e9:.1f}, "
              f"numpy a + b, one thread); X streamed once: {x_bytes / 2 ** 20:.1f} MiB -> "
              f"{x_bytes / bandwidth * 1e3:.3f} ms = {x_bytes / bandwidth / roof:.2f}× compute roofline")
        for label in ("products", "products, workers"):
            best, med = min(times[label]), statistics.median(times.pop(label))
            how = "BLAS's own threads" if label == "products" else f"{workers} worker thread(s), 1-thread BLAS each"
            print(f"  the same products alone ({how}): median {med * 1e3:.3f} ms = {med / roof_med:.2f}× "
                  f"roofline, min {best / roof:.2f}×")
        for loss in LOSSES:
            rows.extend(_loss_table(name, loss, {lab: ts for (l, lab), ts in times.items() if l == loss},
                                    roof, roof_med))
    return rows


def _loss_table(name, loss, mine, roof, roof_med):
    """Print one loss's contenders and the verdicts; returns the rows. Medians are divided by
    the roofline from the median GEMM, minima by the one from the best GEMM: like with like."""
    rows = []
    manual_med = statistics.median(mine["manual CostGradient"])
    print(f"  {loss}\n  {'contender':26s} {'median ms':>10s} {'min ms':>9s} {'med÷roof':>9s} "
          f"{'min÷roof':>9s} {'med÷manual':>10s}  runs")
    for label, ts in mine.items():
        best, med = min(ts), statistics.median(ts)
        print(f"  {label:26s} {med * 1e3:10.3f} {best * 1e3:9.3f} {med / roof_med:9.2f} {best / roof:9.2f} "
              f"{med / manual_med:10.2f}  {len(ts)}")
        rows.append((name, loss, label, best, med, med / roof_med, med / manual_med))
    rivals = {k: statistics.median(ts) for k, ts in mine.items() if k.startswith(("jax", "torch"))}
    manual_min = min(mine["manual CostGradient"])
    verdict = [f"manual ≤ {TARGET}× roofline: median {'met' if manual_med <= TARGET * roof_med else 'NOT met'} "
               f"({manual_med / roof_med:.2f}×), min {'met' if manual_min <= TARGET * roof else 'NOT met'} "
               f"({manual_min / roof:.2f}×)"]
    if rivals:
        verdict.append(f"fastest median of manual/JAX/PyTorch: "
                       f"{'met' if manual_med < min(rivals.values()) else 'NOT met'} "
                       f"(fastest rival {min(rivals.values()) / manual_med:.2f}× manual)")
    print("  target: " + "; ".join(verdict))
    return rows


def scaling(ms, reps):
    """Time and tracemalloc peak (beyond X) of CostGradient, and of the course transcription."""
    print("\nscaling (float64, cross-entropy, λ=1): time = median (min) over runs; memory = tracemalloc "
          "peak beyond X")
    print(f"  {'m':>8s} {'median ms':>10s} {'min ms':>9s} {'µs/example':>11s} {'peak MiB':>9s} "
          f"{'course numpy MiB':>17s} {'X MiB':>8s}")
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
        t = statistics.median(ts)
        results.append((m, t, peak))
        print(f"  {m:8d} {t * 1e3:10.2f} {min(ts) * 1e3:9.2f} {t / m * 1e6:11.3f} {peak / 2**20:9.1f} "
              f"{course_peak / 2**20:17.1f} {X.nbytes / 2**20:8.1f}")
        del f, X, Y, y
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
    from bench.bench_jobs import busy_processes
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few rounds (a smoke run)")
    parser.add_argument("--threads", type=int, default=0, help="threads for every contender (default: libraries' own)")
    parser.add_argument("--rounds", type=int, default=0, help="round-robin rounds (default 30, quick 5)")
    parser.add_argument("--sizes", type=int, nargs="+", help="examples m per table (default 5000 50000)")
    parser.add_argument("--busy", type=int, default=0, help="competing processes spinning a core each")
    parser.add_argument("--float64-only", action="store_true")
    parser.add_argument("--no-jax", action="store_true")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--no-scaling", action="store_true")
    args = parser.parse_args(argv)
    limiter = limit_threads(args.threads) if args.threads > 0 else None
    sizes = args.sizes or ([500] if args.quick else [5000, 50000])
    rounds = args.rounds or (5 if args.quick else 30)
    note = f"{args.threads} thread(s)" if limiter else f"default threads, {os.cpu_count()} CPUs"
    spinners = busy_processes(args.busy)
    try:
        print(f"bench_cost: numpy {np.__version__}, {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f}; {note}; {args.busy} competing busy process(es); "
              f"OPENBLAS_THREAD_TIMEOUT={os.environ['OPENBLAS_THREAD_TIMEOUT']}")
        dtypes = (np.float64,) if args.float64_only else (np.float64, np.float32)
        for m in sizes:
            speed_table(m, rounds, 512 if args.quick else 1536, note, not args.no_jax, not args.no_torch, dtypes)
        float32_agreement()
        if not args.no_scaling:
            scaling((500, 5000) if args.quick else (5000, 50000, 500000), 3 if args.quick else 7)
        print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    finally:
        for p in spinners:
            p.kill()
            p.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
