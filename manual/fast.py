"""The cost and gradient on prepared data: the fast path the optimiser calls.

The equations are manual.backprop's (see its docstring); only their arrangement differs.
Write Θ^(l) = [b^(l) | W^(l)]: b = Θ[:, 0] (s_{l+1},) multiplies the bias unit, W = Θ[:, 1:]
(s_{l+1}, s_l). For m examples, a^(1) = X (m, s_1), K = s_L:

    z^(l+1) = a^(l) Wᵀ + b                    (m, s_{l+1})   the bias folded in, never [1, X]
    e = exp(−|z|), r = 1/(1 + e)              every layer's one exp, for z = z^(l+1):
        g(z) = max(e, [z ≥ 0]) ⊙ r,  g(−z) = max(e, [z < 0]) ⊙ r,  g'(z) = e ⊙ r²
    a^(l+1) = g(z^(l+1))                      overwrites z^(l+1) in place; hidden layers keep
                                              g'(z^(l+1)) for the backward pass
        cross-entropy m·J = Σ [max(z, 0) − y·z] + Σ log1p(e)     (losses.data_loss_sum)
    δ^(L) = r_y                    with r_y = (1 − y) ⊙ g(z) − y ⊙ g(−z)   (= h − y, exact
        or  r_y ⊙ g'(z^(L))        for one-hot y: losses.residual, losses.output_delta)
    δ^(l) = (δ^(l+1) W^(l)) ⊙ g'(z^(l))                          (m, s_l)
    ∂J/∂W^(l) = (1/m) δ^(l+1)ᵀ a^(l) + (λ/m) W^(l)              (s_{l+1}, s_l)
    ∂J/∂b^(l) = (1/m) Σᵢ δ^(l+1)_i                               (never regularised)

Why it is fast: X is used as given (no bias column copy); rows go in chunks of CHUNK_ROWS,
so a chunk of X is still in cache when the backward product reads it again, and every
buffer is (chunk, s), allocated once and written with out= (memory beyond X: Y's O(m·K)
plus O(chunk·Σ s_l)); the gradient is written straight into the unrolled vector (order
"F", the course's and scipy's) with no concatenation; each layer takes one exp.
Large problems split their rows into shares, one per thread (manual.threads.row_threads), each
with its own buffers and Δ, run with single-threaded BLAS; the shares' Δ are summed in a fixed
order, so a result depends on the number of shares, never on timing.
Agreement with the per-example loop is to rounding (tests use the tolerance table).
g'(z) is e·r², never a ⊙ (1 − a) from the rounded a = g(z): 1 − a cancels for a saturated
unit (relative error ≈ 1e-16·e^|z|, all of it once a rounds to 1 at |z| ≳ 37); e·r² is the
same number as manual.activation.sigmoid_gradient's g(z)·g(−z), to rounding.
"""
import numpy as np

from .errors import InputError
from .layout import theta_shapes
from .losses import check_loss
from .threads import row_threads, run_shares, single_threaded_blas

DTYPES = ("float64", "float32")
# Rows per pass. A chunk of the course's X (4096 × 400 float64 = 13 MB) is still in the
# last-level cache when the backward product Δ^(1) = δᵀ X reads it again, so X streams
# from memory once per call, not twice; the buffers are (4096, s) whatever m is.
CHUNK_ROWS = 4096


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
        return np.ascontiguousarray(arr, dtype=dtype)
    Y = one_hot(arr, K)
    if Y.shape[0] != m:
        raise InputError(f"X has {m} rows but there are {Y.shape[0]} labels")
    return Y.astype(dtype)


def _sigmoid_and_slope(z, slope, r):
    """g(z) into z and g'(z) into slope, in place, with one exp; r is scratch. All (n, s).

    e = exp(−|z|) ∈ (0, 1] never overflows; r = 1/(1 + e) = g(|z|); g(z) = max(e, [z ≥ 0])·r
    (e·r for z < 0, r for z ≥ 0, without a masked copy); g'(z) = e·r² = g(z)·g(−z). No
    subtraction, so a saturated unit keeps g' to full relative accuracy.
    """
    np.abs(z, out=slope)
    np.negative(slope, out=slope)
    np.exp(slope, out=slope)                         # e
    np.add(slope, 1.0, out=r)
    np.divide(1.0, r, out=r)                         # r
    np.greater_equal(z, 0.0, out=z, casting="unsafe")
    np.maximum(slope, z, out=z)
    z *= r                                           # g(z)
    slope *= r
    slope *= r                                       # g'(z) = e·r²


def _sum_of_squares(x):
    """Σ x², accumulated in float64 whatever x's dtype."""
    if x.dtype == np.float64:
        return float(np.vdot(x, x))
    return float(np.sum(np.square(x, dtype=np.float64)))


class CostGradient:
    """``f = CostGradient(X, y, (400, 25, 10)); J, grad = f(params)`` for scipy (jac=True).

    X (m, s_1) without a bias column; y_or_Y labels (m,) in 1..K or one-hot Y (m, K).
    params (n_params,) is the course's column-major unrolling [Θ^(1)(:); Θ^(2)(:); …];
    grad (n_params,) float64 is unrolled the same way, J a Python float. ``dtype`` float32
    runs the arithmetic in single precision (costs are still summed in float64).
    ``threads``: row shares run in parallel (default: manual.threads.row_threads by size).
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
        m, K = self.m, self.sizes[-1]
        self.Y = _targets(y_or_Y, m, K, self.dtype)
        # Cross-entropy's exact bracket max(z, 0) − y·z is max(s·z, 0) with s = 1 − 2y when
        # y ∈ {0, 1} (bitwise the same value, one pass fewer); other targets use the bracket.
        binary = loss == "cross_entropy" and bool(np.all((self.Y == 0) | (self.Y == 1)))
        self.S = (1.0 - 2.0 * self.Y) if binary else None
        self.offsets = np.cumsum([0] + [r * c for r, c in self.shapes])
        self.n_params = int(self.offsets[-1])
        count = row_threads(m, self.sizes) if threads is None else max(1, min(int(threads), m))
        bounds = [m * i // count for i in range(count + 1)]
        self.shares = [_Share(self, slice(a, b), min(b - a, int(chunk_rows))) for a, b in zip(bounds, bounds[1:])]

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
        """Forward and backward over every share; writes ∂J/∂Θ^(l) into grads[l]; returns J."""
        m = self.m
        if len(self.shares) == 1:
            data = self.shares[0].run(thetas)
        else:
            with single_threaded_blas():
                data = sum(run_shares([lambda s=s: s.run(thetas) for s in self.shares]))
        reg = 0.0
        for l, (theta, grad) in enumerate(zip(thetas, grads)):
            Delta = self.shares[0].Delta[l]
            for share in self.shares[1:]:
                Delta += share.Delta[l]
            np.multiply(Delta, 1.0 / m, out=grad)       # column-major gradient view
            if self.lambda_:
                W = theta[:, 1:]
                grad[:, 1:] += (self.lambda_ / m) * W
                W64 = W.astype(np.float64, copy=False)
                reg += float(np.vdot(W64, W64))
        return data / m + self.lambda_ / (2.0 * m) * reg


class _Share:
    """Rows ``rows`` of a CostGradient's X: its own (chunk, s) buffers and Δ^(l) sums."""

    def __init__(self, f, rows, chunk):
        self.X, self.Y, self.loss = f.X, f.Y, f.loss
        self.S, self.rows, self.chunk = f.S, rows, chunk
        dt, n, K = f.dtype, chunk, f.sizes[-1]
        # Per-chunk buffers (n rows): a^(l) for hidden layers, δ^(2..L), g'(z^(l)) for hidden
        # layers, output layer.
        self.acts = [None] + [np.empty((n, s), dt) for s in f.sizes[1:-1]]
        self.deltas = [None] + [np.empty((n, s), dt) for s in f.sizes[1:]]
        self.slopes = [None] + [np.empty((n, s), dt) for s in f.sizes[1:-1]]
        self.z, self.e, self.r, self.h = (np.empty((n, K), dt) for _ in range(4))
        self.ones = np.ones(n, dt)
        # Δ^(l) = Σ over chunks: the sum (s_{l+1}, 1 + s_l) and one chunk's part, row-major.
        self.Delta = [np.empty((r, c), dt) for r, c in f.shapes]
        self.part = [np.empty((r, c), dt) for r, c in f.shapes]

    def run(self, thetas):
        """This share's m·J part; its Δ^(l) into self.Delta, chunk by chunk."""
        data, start, stop = 0.0, self.rows.start, self.rows.stop
        for begin in range(start, stop, self.chunk):
            end = min(begin + self.chunk, stop)
            data += self._chunk(thetas, slice(begin, end), end - begin, first=begin == start)
        return data

    def _chunk(self, thetas, rows, n, first):
        """Rows ``rows`` (n of them): adds their Δ^(l) into self.Delta; returns their m·J part."""
        L1 = len(thetas)
        acts = [self.X[rows]] + [a[:n] for a in self.acts[1:]]
        deltas = [None] + [d[:n] for d in self.deltas[1:]]
        slopes = [None] + [s[:n] for s in self.slopes[1:]]
        for l in range(L1 - 1):                          # hidden layers: a^(l+1) = g(a Wᵀ + b)
            out = acts[l + 1]
            np.matmul(acts[l], thetas[l][:, 1:].T, out=out)
            out += thetas[l][:, 0]
            # δ^(l+1)'s buffer is free until the backward pass: it holds r meanwhile.
            _sigmoid_and_slope(out, slopes[l + 1], deltas[l + 1])
        data = self._output_layer(acts[-1], thetas[-1], rows, n)   # fills deltas[-1] with δ^(L)
        for l in range(L1 - 1, -1, -1):
            delta, a = deltas[l + 1], acts[l]
            target = self.Delta[l] if first else self.part[l]
            # Δ = δᵀ a in the (s_{l+1}, n) × (n, s_l) order, ~20% faster in OpenBLAS than (aᵀ δ)ᵀ.
            np.matmul(delta.T, a, out=target[:, 1:])
            np.matmul(self.ones[:n], delta, out=target[:, 0])   # Σᵢ δ_i: BLAS, 5× np.sum(axis=0)
            if not first:
                self.Delta[l] += target
            if l > 0:                                    # δ^(l) = (δ^(l+1) W) ⊙ g'(z^(l))
                below = deltas[l]
                np.matmul(delta, thetas[l][:, 1:], out=below)
                below *= slopes[l]
        return data

    def _output_layer(self, a, theta, rows, n):
        """z = a Wᵀ + b, h, the chunk's data loss (float) and δ^(L) into self.deltas[-1][:n]."""
        z, e, r, h, delta = self.z[:n], self.e[:n], self.r[:n], self.h[:n], self.deltas[-1][:n]
        Y, S = self.Y[rows], None if self.S is None else self.S[rows]
        np.matmul(a, theta[:, 1:].T, out=z)
        z += theta[:, 0]
        np.abs(z, out=e)
        np.negative(e, out=e)
        np.exp(e, out=e)                                 # e = exp(−|z|) ∈ (0, 1], never overflows
        np.add(e, 1.0, out=r)
        np.divide(1.0, r, out=r)                         # r = 1/(1 + e) = g(|z|)
        # h = g(z) = q·r with q = 1 where z ≥ 0 and q = e where z < 0, i.e. q = max(e, [z ≥ 0]):
        # no subtraction 1 − r, so a tiny h keeps its relative accuracy; no masked copy (slow).
        np.greater_equal(z, 0.0, out=h, casting="unsafe")
        np.maximum(e, h, out=h)
        h *= r
        if self.loss == "cross_entropy":
            if S is not None:
                np.multiply(S, z, out=delta)
                np.maximum(delta, 0.0, out=delta)        # max(z, 0) − y·z, exact and ≥ 0
            else:
                np.maximum(z, 0.0, out=delta)
                delta -= Y * z                           # soft targets: the bracket as written
            data = float(np.sum(delta, dtype=np.float64))
            # g(−z) = q'·r with q' = max(e, [z < 0]), as h above, into delta's buffer.
            np.less(z, 0.0, out=delta, casting="unsafe")
            np.maximum(e, delta, out=delta)
            delta *= r
            np.log1p(e, out=e)                           # log(1 + e^(−|z|)), exact for tiny e
            data += float(np.sum(e, dtype=np.float64))
            # δ = h − y taken as (1 − y) ⊙ g(z) − y ⊙ g(−z), as losses.output_delta with z: for
            # one-hot y each step is exact, so a confident, correct unit keeps δ = −g(−z) ≈
            # −e^(−z) instead of 1 − g(z), which cancels (and is 0 once g(z) rounds to 1).
            np.multiply(Y, h, out=e)
            h -= e                                       # (1 − y) ⊙ g(z): h or exactly 0
            delta *= Y                                   # y ⊙ g(−z): g(−z) or exactly 0
            np.subtract(h, delta, out=delta)
            return data
        # r_y = h − y taken as (1 − y) ⊙ g(z) − y ⊙ g(−z), exact for one-hot y (as above).
        np.less(z, 0.0, out=delta, casting="unsafe")
        np.maximum(e, delta, out=delta)
        delta *= r                                       # g(−z)
        delta *= Y
        np.multiply(Y, h, out=z)                         # z is no longer needed
        h -= z
        np.subtract(h, delta, out=delta)                 # r_y
        data = 0.5 * _sum_of_squares(delta)
        # g'(z) = e·r² = g(z) ⊙ g(−z), not h ⊙ (1 − h): no cancellation where h rounds to 1.
        e *= r
        e *= r
        delta *= e                                       # δ = r_y ⊙ g'(z)
        return data
