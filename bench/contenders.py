"""The contenders of bench_cost.py: the same cost + gradient computed six ways, on synthetic
data of the course's shape.

The per-example loop (manual.cost_and_gradient_loop); "course numpy", the course's vectorised
formula transcribed plainly below; manual.cost_and_gradient, the readable vectorised
reference; manual.CostGradient, the prepared fast path that training uses (called on
unrolled parameters, as scipy calls it, with its own thread policy: manual.threads);
JAX's jax.jit(jax.value_and_grad) and PyTorch autograd on crosscheck's independent cost
functions, each with its library's own threads.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from anywhere

import numpy as np  # noqa: E402
from scipy.special import expit  # noqa: E402

from manual import CostGradient, cost_and_gradient, cost_and_gradient_loop, one_hot, unroll  # noqa: E402
from manual.threads import product_flops  # noqa: E402

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
    """FLOPs of the matrix products of one cost + gradient over m examples: forward
    z^(l+1) = a Θᵀ and Δ^(l) = δᵀ a, 2·m·s_{l+1}·(1 + s_l) each, and δ^(l) = δ^(l+1) Θ for
    l ≥ 2, 2·m·s_{l+1}·s_l (manual.threads.product_flops per example)."""
    return m * product_flops(sizes)


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


def products_only(m, dtype=np.float64, workers=1):
    """The five matrix products of one CostGradient call, arranged as it arranges them (row
    chunks, feature-major, the same numpy calls) with no elementwise work: a floor for the
    fast path. workers=1: the chunks in turn, BLAS with its own threads; more: that many
    threads taking chunks, single-threaded BLAS each, as CostGradient runs them."""
    from contextlib import nullcontext

    from manual.fast import chunk_bounds
    from manual.threads import run_chunks, single_threaded_blas
    thetas, X, y, Y = problem(m, dtype=dtype)
    theta1, theta2 = (np.asarray(t, dtype) for t in thetas)
    bounds = chunk_bounds(m, workers)
    chunks = [slice(a, b) for a, b in zip(bounds, bounds[1:])]
    capacity = max(c.stop - c.start for c in chunks)
    tasks = [_products(X, theta1, theta2, capacity, dtype) for _ in range(workers)]

    def call():
        with single_threaded_blas() if workers > 1 else nullcontext():
            run_chunks([lambda k, t=t: t(chunks[k]) for t in tasks], len(chunks))
    return call


def _products(X, theta1, theta2, capacity, dtype):
    (h, k), n = theta1.shape, capacity
    A = np.ones((h + 1, n), dtype)                       # [1; a^(2)ᵀ]
    z, d3, d2 = np.empty((theta2.shape[0], n), dtype), np.ones((theta2.shape[0], n), dtype), np.empty((h, n), dtype)
    D1, D2 = np.empty(theta1.shape, dtype), np.empty(theta2.shape, dtype)

    def task(rows):
        n = rows.stop - rows.start
        Xc, a = X[rows], A[:, :n]
        np.matmul(theta1[:, 1:], Xc.T, out=a[1:])
        np.matmul(theta2, a, out=z[:, :n])
        np.matmul(d3[:, :n], a.T, out=D2)
        np.matmul(theta2[:, 1:].T, d3[:, :n], out=d2[:, :n])
        np.matmul(d2[:, :n], Xc, out=D1[:, 1:])
    return task


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


def agreement(m=20, loss="cross_entropy", lambda_=1.0, dtype=np.float64, jax_on=True, torch_on=True):
    """{name: Comparison against the per-example loop in float64} on a small problem."""
    from crosscheck import compare
    thetas, X, y, Y = problem(m)
    reference = cost_and_gradient_loop(thetas, X, Y, lambda_, loss)
    result = {}
    for name, call in contenders(m, loss, lambda_, dtype, jax_on, torch_on, loop=False).items():
        result[name] = compare(name, call(), "loop", reference, "loop", dtype=dtype)
    return result
