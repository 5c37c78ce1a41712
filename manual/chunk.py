"""One chunk of rows through the network, feature-major: the inner loop of manual.fast.

Every per-example quantity is stored transposed, one row per unit and one column per example
(a^(l)ᵀ is (s_l, n)), so each product is a short, wide matrix times the chunk:

    z^(l+1)ᵀ = W^(l) a^(l)ᵀ + b^(l)          (s_{l+1}, s_l) × (s_l, n)
    δ^(l)ᵀ   = (W^(l)ᵀ δ^(l+1)ᵀ) ⊙ g'(z^(l))ᵀ
    Δ^(l)    = [Σᵢ δ^(l+1)_i | δ^(l+1)ᵀ a^(l)]  (s_{l+1}, 1 + s_l)

Measured on these shapes (OpenBLAS, one thread, 400-25-10): W Xᵀ into a (25, n) array runs at
45–48 GFLOP/s, X Wᵀ into (n, 25) at 34–38, because BLAS then sweeps the long dimension with its
full-width kernel; δᵀ X is as fast either way. The chunk's a^(1)ᵀ is Xᵀ, a view: no copy of X.

Elementwise steps are in place on (s, n) buffers a Worker allocates once. Every layer takes one
exp, e = exp(−|z|) ∈ (0, 1], which never overflows; r = 1/(1 + e) = g(|z|). Then
g(z) = max(e, [z ≥ 0]) ⊙ r and g'(z) = e ⊙ r² = g(z) ⊙ g(−z), with no subtraction, so a saturated
unit keeps its activation and slope to full relative accuracy (a ⊙ (1 − a) from a rounded
a = g(z) loses it: all of it once a rounds to 1 at |z| ≳ 37).

Output layer, targets y ∈ {0, 1} (one-hot): with s = 1 − 2y and v = s ⊙ z,
    h − y = s ⊙ g(v)                        (y = 0: g(z) = h; y = 1: −g(−z) = h − 1)
    cross-entropy per unit: max(v, 0) + log1p(e)  (= −y log h − (1 − y) log(1 − h), exactly)
so δ^(L) = s ⊙ g(v) for cross-entropy, and (s ⊙ g(v)) ⊙ g'(z) for squared error: each step
exact in sign and scale, so a confident, correct unit keeps δ ≈ ∓e^(−|z|) instead of 1 − g(z).
Other targets (soft labels) take the same quantities written with y: see ``_soft_targets``.
"""
import numpy as np


def _exp_and_r(z, e, r):
    """e = exp(−|z|) ∈ (0, 1] (never overflows) into e, r = 1/(1 + e) = g(|z|) into r."""
    np.abs(z, out=e)
    np.negative(e, out=e)
    np.exp(e, out=e)
    np.add(e, 1.0, out=r)
    np.divide(1.0, r, out=r)


def _g(z, e, r, out, negated=False):
    """g(z) (or g(−z)) into out, as max(e, [±z ≥ 0])·r from _exp_and_r's e and r: e·r where
    ±z < 0, r elsewhere, with no subtraction and no masked copy. out may be z itself."""
    (np.less_equal if negated else np.greater_equal)(z, 0.0, out=out, casting="unsafe")
    np.maximum(e, out, out=out)
    out *= r


def sigmoid_and_slope(z, slope, r):
    """g(z) into z and g'(z) into slope, in place, with one exp; r is scratch. All (s, n)."""
    _exp_and_r(z, slope, r)                          # e into slope's buffer
    _g(z, slope, r, z)
    slope *= r
    slope *= r                                       # g'(z) = e·r²


class Worker:
    """One thread's buffers: runs any chunk of up to ``capacity`` rows of a CostGradient.

    A hidden layer's buffer holds [1; a^(l)ᵀ], (1 + s_l, n), its row of ones written once here:
    the layer above takes its bias in the product (z = Θ [1; aᵀ]) and its Δ, bias column
    included, in one product (δᵀ [1; aᵀ]ᵀ). X has no such row (it is not copied), so the first
    layer adds b and sums δ over the chunk (a product with a vector of ones) separately.
    """

    def __init__(self, f, capacity):
        dt, n, K = f.dtype, capacity, f.sizes[-1]
        self.X, self.T, self.binary, self.loss = f.X, f.T, f.binary, f.loss
        self.acts = [np.ones((1 + s, n), dt) for s in f.sizes[1:-1]]   # [1; a^(l)ᵀ], hidden
        self.slopes = [np.empty((s, n), dt) for s in f.sizes[1:-1]]    # g'(z^(l))ᵀ, hidden
        self.deltas = [np.empty((s, n), dt) for s in f.sizes[1:]]      # δ^(2..L)ᵀ
        self.ze = np.empty((2, K, n), dt)     # output z and e side by side: one sum for the loss
        self.r = np.empty((K, n), dt)
        self.ones = np.ones(n, dt)

    def run(self, thetas, rows, Delta):
        """Rows ``rows``: their Δ^(l) into Delta[l] (overwritten); returns their m·J data part."""
        n = rows.stop - rows.start
        acts = [self.X[rows].T] + [a[:, :n] for a in self.acts]
        deltas = [d[:, :n] for d in self.deltas]
        for l, slope in enumerate(self.slopes):                     # hidden layers
            a = acts[l + 1][1:]
            _affine(thetas[l], acts[l], a, first=l == 0)
            sigmoid_and_slope(a, slope[:, :n], deltas[l])   # δ's buffer is free until backward
        data = self.output_layer(acts[-1], thetas[-1], rows, n, deltas[-1])
        for l in range(len(thetas) - 1, -1, -1):
            delta = deltas[l]                                # δ^(l+1)ᵀ, (s_{l+1}, n)
            if l > 0:
                np.matmul(delta, acts[l].T, out=Delta[l])   # [Σᵢ δ_i | δᵀ a], one product
                np.matmul(thetas[l][:, 1:].T, delta, out=deltas[l - 1])     # δ^(l)ᵀ =
                deltas[l - 1] *= self.slopes[l - 1][:, :n]                  # (Wᵀ δ^(l+1)ᵀ) ⊙ g'
            else:
                np.matmul(delta, acts[0].T, out=Delta[0][:, 1:])
                np.matmul(delta, self.ones[:n], out=Delta[0][:, 0])         # Σᵢ δ_i
        return data

    def output_layer(self, a, theta, rows, n, delta):
        """z = Θ [1; aᵀ], δ^(L) into ``delta``; returns the chunk's data loss (a float)."""
        z, e, r = self.ze[0, :, :n], self.ze[1, :, :n], self.r[:, :n]
        _affine(theta, a, z, first=not self.acts)
        _exp_and_r(z, e, r)
        if not self.binary:
            data = _soft_targets(z, e, r, self.T[:, rows], delta, self.loss)
        else:
            s = self.T[:, rows]                              # s = 1 − 2y
            z *= s                                           # v = s ⊙ z; |v| = |z|, so e and r stand
            _g(z, e, r, delta)
            delta *= s                                       # h − y = s ⊙ g(v)
            if self.loss == "cross_entropy":
                np.maximum(z, 0.0, out=z)
                np.log1p(e, out=e)                           # log(1 + e^(−|z|)), exact for tiny e
                data = float(np.sum(self.ze[:, :, :n], dtype=np.float64))    # Σ max(v, 0) + log1p(e)
        if self.loss == "cross_entropy":
            return data
        data = 0.5 * _sum_of_squares(delta)
        e *= r
        e *= r                                               # g'(z) = e·r²
        delta *= e                                           # δ = (h − y) ⊙ g'(z)
        return data


def _affine(theta, a, out, first):
    """out = z = Θ [1; aᵀ]: one product on a hidden layer's buffer (its row of ones), and
    W aᵀ + b on the first layer's Xᵀ."""
    if first:
        np.matmul(theta[:, 1:], a, out=out)
        out += theta[:, :1]
    else:
        np.matmul(theta, a, out=out)


def _soft_targets(z, e, r, Y, delta, loss):
    """Targets y anywhere in [0, 1] (Y is (K, n)): h − y = (1 − y) ⊙ g(z) − y ⊙ g(−z) into
    delta; returns the cross-entropy Σ [max(z, 0) − y·z + log1p(e)] (0.0 for squared error).
    e and r are _exp_and_r's and stay as they are."""
    _g(z, e, r, delta, negated=True)
    delta *= Y                                               # y ⊙ g(−z)
    data = 0.0
    if loss == "cross_entropy":
        data = float(np.sum(np.maximum(z, 0.0) - Y * z, dtype=np.float64))
        data += float(np.sum(np.log1p(e), dtype=np.float64))
    _g(z, e, r, z)                                           # h = g(z)
    z -= Y * z                                               # (1 − y) ⊙ g(z)
    np.subtract(z, delta, out=delta)                         # h − y
    return data


def _sum_of_squares(x):
    """Σ x², accumulated in float64 whatever x's dtype."""
    if x.dtype == np.float64:
        return float(np.vdot(x, x))                          # x may be strided: vdot copies then
    return float(np.sum(np.square(x, dtype=np.float64)))
