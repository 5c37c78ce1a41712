"""The thread policy: how many threads, chosen by problem size, for this network's products.

Issue #15 measured on 2 cores (m = 5000, 400-25-10) that the skinny products of one cost +
gradient gain little from BLAS's own threads but split well by rows: Python threads, each
running single-threaded BLAS over its own rows, their Δ summed. Measured here
(bench/bench_cost.py, quiet machine, one run): the five products took a median 2.60× the
compute roofline with BLAS's own threads at m = 5000, 2.16× on two such threads (3.03× and
2.32× at m = 50,000). And BLAS's threads spin while they wait: for ~0.1 s after every
multi-threaded call OpenBLAS's idle workers keep a core busy (0.12 s of CPU measured in a
0.3 s sleep), so a busy machine, or BLAS work between two calls, takes a core from the next.

So: BLAS runs single-threaded (``single_threaded_blas`` inside CostGradient and around
manual.train's optimiser, ``command_threads`` around a whole command), and ``row_threads``
picks how many worker threads a problem gets: one per MIN_FLOPS_PER_WORKER of matrix products,
at most one per CPU this process may run on. The workers take chunks of rows from a shared
queue (manual.fast), so a worker slowed by a busy core takes fewer chunks.
"""
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

# A worker must carry enough work to pay for handing it to a thread and joining it (measured:
# a median 16 µs for two empty tasks, more on a busy machine): 2 MFLOP is ~50 µs of these
# products at one core's rate on these shapes (measured 35–41 GFLOP/s single-threaded).
MIN_FLOPS_PER_WORKER = 2e6

_lock = threading.Lock()
_state = {}


def usable_cpus():
    """CPUs this process may run on (its affinity mask, which containers narrow), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                               # not on Linux
        return max(1, os.cpu_count() or 1)


def product_flops(layer_sizes):
    """FLOPs of one example's matrix products in one cost + gradient: z^(l+1) and Δ^(l),
    2·s_{l+1}·(1 + s_l) each, and δ^(l) for l ≥ 2, 2·s_{l+1}·s_l."""
    total = 0
    for l in range(len(layer_sizes) - 1):
        total += 4 * layer_sizes[l + 1] * (layer_sizes[l] + 1)
        if l > 0:
            total += 2 * layer_sizes[l + 1] * layer_sizes[l]
    return total


def row_threads(m, layer_sizes, cpus=None):
    """Worker threads for m examples: min(CPUs, m·FLOPs per example / MIN_FLOPS_PER_WORKER), ≥ 1."""
    cpus = usable_cpus() if cpus is None else cpus
    return int(max(1, min(cpus, m, m * product_flops(layer_sizes) // MIN_FLOPS_PER_WORKER)))


def _controller():
    with _lock:
        if "controller" not in _state:
            from threadpoolctl import ThreadpoolController     # after numpy has loaded its BLAS
            _state["controller"] = ThreadpoolController()
        return _state["controller"]


@contextmanager
def single_threaded_blas():
    """BLAS (and OpenMP) on one thread inside the block (about 10 µs to enter and leave)."""
    with _controller().limit(limits=1):
        yield


@contextmanager
def command_threads():
    """A command's whole run (report, pin, train): every BLAS and OpenMP library loaded so far
    (numpy's and scipy's OpenBLAS, PyTorch's OpenMP) on one thread. Their work here is small
    products that threads slow down on a busy machine; where rows are many, CostGradient's
    workers are the parallelism. Import PyTorch before entering, so that its pool is found."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):
        yield


def run_parallel(tasks):
    """[task() for task in tasks], the first in this thread and the rest on a shared pool."""
    if len(tasks) == 1:
        return [tasks[0]()]
    with _lock:
        if _state.get("workers", 0) < len(tasks) - 1:
            if "pool" in _state:
                _state["pool"].shutdown(wait=False)
            _state["pool"] = ThreadPoolExecutor(len(tasks) - 1, thread_name_prefix="manual-rows")
            _state["workers"] = len(tasks) - 1
        pool = _state["pool"]
    futures = [pool.submit(task) for task in tasks[1:]]
    first = tasks[0]()
    return [first] + [f.result() for f in futures]


def run_chunks(workers, count):
    """worker(k) for every chunk k in 0..count−1: the workers in parallel (run_parallel), each
    taking the next k from one shared counter (next() on an itertools.count is atomic), so a
    slowed worker takes fewer chunks."""
    queue = itertools.count()

    def drain(worker):
        for k in queue:
            if k >= count:
                return
            worker(k)
    run_parallel([lambda w=w: drain(w) for w in workers])
