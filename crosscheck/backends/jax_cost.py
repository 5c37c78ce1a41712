"""The network's cost written a second time, in JAX, from the equations alone.

Never calls ``manual``. Gradients come from ``jax.value_and_grad``; the function is
jitted once per shape (λ is traced, so a new λ does not recompile). float64 throughout.

Compiled functions are kept in JAX's persistent cache (about 70 kB), so a second run does not
compile again: one XLA compile per shape is most of a short command's time (verify: 0.9 of
1.9 s). The folder is $CROSSCHECK_JAX_CACHE, else $XDG_CACHE_HOME or ~/.cache, then
backprop-crosscheck/jax; CROSSCHECK_JAX_CACHE=off (or an unwritable folder) turns it off.
No learner's code can reach it (``crosscheck verify`` runs it in a sandbox that shows neither
$HOME nor the caches), and what it gives is verified before use (``problems.reference_result``
checks every reference answer against numpy's, and drops the cache on a disagreement).
"""
import os

import jax

jax.config.update("jax_enable_x64", True)


def _persistent_cache():
    folder = os.environ.get("CROSSCHECK_JAX_CACHE")
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "backprop-crosscheck", "jax")
    if folder in ("", "off"):
        return
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return
    if os.access(folder, os.W_OK):
        jax.config.update("jax_compilation_cache_dir", folder)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)     # ours take ~0.3 s
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


_persistent_cache()


def drop_persistent_cache():
    """Stop reading and writing the persistent cache in this process, and forget what was loaded
    from it: for a compiled cost whose answer disagreed with an independent one (a cache entry
    written by something other than this code is never trusted)."""
    jax.config.update("jax_compilation_cache_dir", None)
    jax.clear_caches()

import jax.numpy as jnp  # noqa: E402  (x64 must be set before arrays exist)
import numpy as np  # noqa: E402

from manual.errors import InputError  # noqa: E402  (the error type only; no math from manual)


def sigmoid(z):
    """g(z) = 1/(1 + e^(−z)), written as exp(log g(z)) so that autodiff's g'(z) is exact.

    jax.grad(jax.nn.sigmoid) forms g(z)(1 − g(z)) from the rounded g(z): 1 − g(z) cancels
    for a saturated unit (relative error ≈ 1e-16·e^|z|: 1e-3 at z = 30, g' = 0 at z ≳ 37).
    The chain rule through exp ∘ log_sigmoid gives g(z)·g(−z) instead, with no subtraction.
    """
    return jnp.exp(jax.nn.log_sigmoid(z))


def cost(thetas, X, Y, lambda_, loss):
    """J(Θ): thetas [(s_{l+1}, 1 + s_l)], X (m, s_1), Y (m, K) one-hot."""
    m = X.shape[0]
    a = X
    for theta in thetas:
        z = jnp.concatenate([jnp.ones((m, 1), X.dtype), a], axis=1) @ theta.T
        a = sigmoid(z)
    if loss == "cross_entropy":
        # log h and log(1 − h) straight from z, so saturated units stay finite.
        data = -jnp.sum(Y * jax.nn.log_sigmoid(z) + (1 - Y) * jax.nn.log_sigmoid(-z)) / m
    elif loss == "squared_error":
        # h − y as (1 − y) g(z) − y g(−z): the same number, but 1 − g(z) never cancels when y = 1.
        data = jnp.sum(((1 - Y) * a - Y * sigmoid(-z)) ** 2) / (2 * m)
    else:
        raise ValueError(f"unknown loss {loss!r}")
    reg = sum(jnp.sum(theta[:, 1:] ** 2) for theta in thetas)   # bias column 0 skipped
    return data + lambda_ / (2 * m) * reg


_value_and_grad = jax.jit(jax.value_and_grad(cost), static_argnames="loss")


def _device(device):
    if device == "cpu":
        return jax.devices("cpu")[0]
    try:
        return jax.devices("gpu")[0]
    except RuntimeError:
        raise InputError("--device gpu: JAX sees no GPU on this machine") from None


def value_and_grad(thetas, X, Y, lambda_=0.0, loss="cross_entropy", device="cpu"):
    """(J, [∂J/∂Θ^(l)]) as Python float and float64 numpy arrays."""
    dev = _device(device)
    put = lambda a: jax.device_put(jnp.asarray(a, dtype=jnp.float64), dev)  # noqa: E731
    J, grads = _value_and_grad([put(t) for t in thetas], put(X), put(Y),
                               jnp.float64(lambda_), loss=loss)
    return float(J), [np.asarray(g) for g in grads]
