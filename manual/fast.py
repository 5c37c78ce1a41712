"""The cost and gradient on prepared data: the fast path the optimiser calls.

The equations are manual.backprop's (see its docstring); only their arrangement differs, and
manual.chunk holds it: Θ^(l) = [b^(l) | W^(l)] is used as a bias b = Θ[:, 0] and weights
W = Θ[:, 1:], so X is used as given (no [1, X] copy), and every per-example quantity is stored
transposed, (units, examples), which is where BLAS runs these skinny products fastest.

Rows go in chunks (CHUNK_ROWS at most): a chunk of X is still in cache when the backward product
δᵀ X reads it again, so X streams from memory once per call, and the buffers are (s, chunk)
whatever m is. Each chunk writes its own Δ^(l), and the chunks' Δ and costs are summed in chunk
order: the result is the same bits whichever thread ran which chunk.

Threads (manual.threads): large problems run ``row_threads`` workers, each with its own buffers
and single-threaded BLAS, taking the next chunk as they finish one. Where there are more chunks
than workers (m > 5000 on two), a worker slowed by a busy core takes fewer of them, instead of
the whole call waiting for its fixed half. The gradient is
written straight into the unrolled vector (order "F", the course's and scipy's).
Agreement with the per-example loop is to rounding (tests use the tolerance table).
"""
from contextlib import nullcontext

import numpy as np

from .chunk import Worker
from .errors import InputError
from .layout import theta_shapes
from .losses import check_loss
from .threads import row_threads, run_chunks, single_threaded_blas

DTYPES = ("float64", "float32")
# Rows per chunk, at most. Measured on 2 cores (400-25-10, float64, two workers, one run):
# 2500-row chunks (8 MB of X, in the last-level cache for the second read) took 2.92× the
# compute roofline at m = 5000 and 2.98× at 50,000; 1024-row chunks 3.56× and 3.10× (more
# numpy calls per row); 4096, 2.92× and 3.00×. A worker's buffers are (s, CHUNK_ROWS).
CHUNK_ROWS = 2500


def _check_dtype(dtype):
    name = np.dtype(dtype).name
    if name not in DTYPES:
        raise InputError(f"dtype must be float64 or float32, got {name}")
    return np.dtype(name)


def _targets(y_or_Y, m, K, dtype):
    """Y (m, K) in ``dtype`` from labels y (m,) / (m, 1) in 1..K or from Y (m, K) itself."""
    from .labels import one_hot          # lazily: labels imports backprop, which imports us
    arr = np.asarray(y_or_Y)
    if arr.ndim == 2 and arr.shape == (m, K):
        if arr.dtype.kind not in "iuf":
            raise InputError(f"targets Y must be numeric, got dtype {arr.dtype}")
        return np.asarray(arr, dtype=dtype)
    Y = one_hot(arr, K)
    if Y.shape[0] != m:
        raise InputError(f"X has {m} rows but there are {Y.shape[0]} labels")
    return Y.astype(dtype)


def chunk_bounds(m, workers, chunk_rows=CHUNK_ROWS):
    """Row bounds of the chunks: a multiple of ``workers`` chunks of near-equal size, each at
    most ``chunk_rows`` rows (so that equal workers finish together)."""
    per_worker = -(-m // (workers * max(1, int(chunk_rows))))
    count = min(m, workers * per_worker)
    return [m * i // count for i in range(count + 1)]


class CostGradient:
    """``f = CostGradient(X, y, (400, 25, 10)); J, grad = f(params)`` for scipy (jac=True).

    X (m, s_1) without a bias column; y_or_Y labels (m,) in 1..K or one-hot Y (m, K).
    params (n_params,) is the course's column-major unrolling [Θ^(1)(:); Θ^(2)(:); …];
    grad (n_params,) float64 is unrolled the same way, J a Python float. ``dtype`` float32
    runs the arithmetic in single precision (costs are still summed in float64).
    ``threads``: workers over the chunks (default: manual.threads.row_threads by size).
    One object's buffers serve one call at a time: not for concurrent use from threads.
    """

    def __init__(self, X, y_or_Y, layer_sizes, loss="cross_entropy", lambda_=0.0,
                 dtype=np.float64, chunk_rows=CHUNK_ROWS, threads=None):
        self.loss = check_loss(loss)
        self.dtype = _check_dtype(dtype)
        self.shapes = theta_shapes(layer_sizes)
        self.sizes = tuple(int(s) for s in layer_sizes)
        self.lambda_ = float(lambda_)
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise InputError(f"X has shape {X.shape}; layer sizes {self.sizes} need (m, {self.sizes[0]})")
        if X.shape[0] == 0:
            raise InputError("X has no rows")
        if X.dtype != self.dtype or not (X.flags.c_contiguous or X.flags.f_contiguous):
            X = np.ascontiguousarray(X, dtype=self.dtype)    # the only copy of X, and only if needed
        self.X, self.m = X, X.shape[0]
        Y = _targets(y_or_Y, self.m, self.sizes[-1], self.dtype)
        # Targets, transposed (K, m) as every per-example quantity: s = 1 − 2y when y ∈ {0, 1}
        # (manual.chunk's exact one-hot form), else Y itself.
        self.binary = bool(np.all((Y == 0) | (Y == 1)))
        self.T = np.ascontiguousarray((1.0 - 2.0 * Y).T if self.binary else Y.T, dtype=self.dtype)
        self.offsets = np.cumsum([0] + [r * c for r, c in self.shapes])
        self.n_params = int(self.offsets[-1])
        workers = row_threads(self.m, self.sizes) if threads is None else max(1, min(int(threads), self.m))
        bounds = chunk_bounds(self.m, workers, chunk_rows)
        self.chunks = [slice(a, b) for a, b in zip(bounds, bounds[1:])]
        capacity = max(c.stop - c.start for c in self.chunks)
        self.workers = [Worker(self, capacity) for _ in range(workers)]
        # Each chunk's Δ^(l) (row-major) and data loss: summed in chunk order after the call.
        self.parts = [[np.empty(shape, self.dtype) for shape in self.shapes] for _ in self.chunks]
        self.data = [0.0] * len(self.chunks)

    def views(self, vector):
        """[Θ^(l)] as column-major views into ``vector`` (no copies)."""
        return [vector[self.offsets[l]:self.offsets[l + 1]].reshape(shape, order="F")
                for l, shape in enumerate(self.shapes)]

    def __call__(self, params):
        """(J, grad) for the unrolled params (n_params,); grad is float64 (n_params,)."""
        params = np.asarray(params)
        if params.shape != (self.n_params,):
            raise InputError(f"params has shape {params.shape}; layer sizes {self.sizes} need ({self.n_params},)")
        thetas = self.views(params.astype(self.dtype, copy=False))
        grad = np.empty(self.n_params, self.dtype)
        J = self._run(thetas, self.views(grad))
        return J, grad.astype(np.float64, copy=False)

    def cost_and_gradient(self, thetas):
        """(J, [∂J/∂Θ^(l)]) for per-layer weights, as manual.cost_and_gradient returns them."""
        if [tuple(np.shape(t)) for t in thetas] != self.shapes:
            raise InputError(f"weights {[np.shape(t) for t in thetas]} do not match {self.shapes}")
        grad = np.empty(self.n_params, self.dtype)
        views = self.views(grad)
        J = self._run([np.asarray(t, dtype=self.dtype) for t in thetas], views)
        return J, [np.asarray(v, dtype=np.float64) for v in views]

    def _run(self, thetas, grads):
        """Forward and backward over every chunk; writes ∂J/∂Θ^(l) into grads[l]; returns J."""
        m = self.m

        def chunk(worker, k):                    # each chunk's Δ and cost into its own slot
            self.data[k] = worker.run(thetas, self.chunks[k], self.parts[k])
        with single_threaded_blas() if len(self.workers) > 1 else nullcontext():
            run_chunks([lambda k, w=w: chunk(w, k) for w in self.workers], len(self.chunks))
        reg = 0.0
        for l, (theta, grad) in enumerate(zip(thetas, grads)):
            Delta = self.parts[0][l]
            for part in self.parts[1:]:
                Delta += part[l]                              # in chunk order: the same bits
            np.multiply(Delta, 1.0 / m, out=grad)             # column-major gradient view
            if self.lambda_:
                W = theta[:, 1:]
                grad[:, 1:] += (self.lambda_ / m) * W
                W64 = W.astype(np.float64, copy=False)
                reg += float(np.vdot(W64, W64))
        return sum(self.data) / m + self.lambda_ / (2.0 * m) * reg
