"""Compute a scenario's pinned quantities with one implementation: manual, jax or torch.

Quantities of a ``network`` scenario, from J and the gradients G^(l) = ∂J/∂Θ^(l):

    cost         J
    grad_norms   [‖G^(l)‖_F for each layer]
    grad_sum     Σ all entries of every G^(l)      (checked relative to grad_abs_sum)
    grad_abs_sum Σ |entries|
    grad_sumsq   Σ entries²

Sums are exact-rounded (math.fsum), so the digest does not depend on summation order:
only the gradients' own rounding reaches it. jax and torch are imported on first use.
"""
import math

import numpy as np

from manual.labels import one_hot
from manual.layout import reroll, unroll
from manual.numgrad import numerical_gradient, relative_difference

from reference.scenarios import SIGMOID_POINTS, CourseFiles, build

IMPLEMENTATIONS = ("manual", "jax", "torch")


def value_and_grad(impl):
    """f(thetas, X, Y, lambda_, loss) -> (J, [G^(l)]) of implementation ``impl``."""
    if impl == "manual":
        from manual.backprop import cost_and_gradient
        return cost_and_gradient
    if impl == "jax":
        from crosscheck.backends.jax_cost import value_and_grad as f
        return f
    if impl == "torch":
        from crosscheck.backends.torch_cost import value_and_grad as f
        return f
    raise KeyError(f"unknown implementation {impl!r}; known: {', '.join(IMPLEMENTATIONS)}")


def sigmoid_gradient(impl, z):
    """g'(z) elementwise, z (n,): by hand for manual, by autodiff of the backends' g for jax and torch."""
    z = np.asarray(z, dtype=np.float64)
    if impl == "manual":
        from manual.activation import sigmoid_gradient as g_prime
        return g_prime(z)
    if impl == "jax":
        import jax
        from crosscheck.backends import jax_cost  # also switches on float64
        return np.asarray(jax.vmap(jax.grad(jax_cost.sigmoid))(jax.numpy.asarray(z)))
    if impl == "torch":
        import torch
        from crosscheck.backends import torch_cost
        t = torch.as_tensor(z).requires_grad_(True)
        (grad,) = torch.autograd.grad(torch_cost.sigmoid(t).sum(), t)
        return grad.numpy()
    raise KeyError(impl)


def versions():
    """{implementation: its library and version}, for the pins' provenance."""
    import jax
    import torch
    return {"manual": f"numpy {np.__version__}", "jax": f"jax {jax.__version__}",
            "torch": f"torch {torch.__version__}"}


def digest(J, grads):
    """The pinned quantities of (J, [G^(l)]) as plain floats."""
    flat = np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in grads])
    return {"cost": float(J),
            "grad_norms": [math.sqrt(math.fsum(np.square(g).ravel())) for g in grads],
            "grad_sum": math.fsum(flat),
            "grad_abs_sum": math.fsum(np.abs(flat)),
            "grad_sumsq": math.fsum(np.square(flat))}


def gradient_descent(f, thetas, X, Y, lambda_, loss, step, iterations):
    """Θ ← Θ − step·∂J/∂Θ, ``iterations`` times, with implementation ``f``'s gradient."""
    thetas = [t.copy() for t in thetas]
    for _ in range(iterations):
        _, grads = f(thetas, X, Y, lambda_, loss)
        thetas = [t - step * np.asarray(g) for t, g in zip(thetas, grads)]
    return thetas


def network_result(scenario, impl, files=CourseFiles()):
    """(J, [G^(l)]) of a ``network`` scenario by ``impl`` (after its training run, if any)."""
    f = value_and_grad(impl)
    thetas, X, y = build(scenario, files)
    Y = one_hot(y, thetas[-1].shape[0])
    if scenario.training:
        t = scenario.training
        thetas = gradient_descent(f, thetas, X, Y, scenario.lambda_, scenario.loss,
                                  t["step"], t["iterations"])
    return f(thetas, X, Y, scenario.lambda_, scenario.loss)


def gradient_check(scenario, impl):
    """The course's relative difference ‖n − a‖/‖n + a‖, central differences n vs ``impl``'s a."""
    f = value_and_grad(impl)
    thetas, X, y = build(scenario)
    Y = one_hot(y, thetas[-1].shape[0])
    sizes = tuple([thetas[0].shape[1] - 1] + [t.shape[0] for t in thetas])

    def cost_of(params):
        return f(reroll(params, sizes), X, Y, scenario.lambda_, scenario.loss)[0]

    analytic = unroll(f(thetas, X, Y, scenario.lambda_, scenario.loss)[1])
    return relative_difference(numerical_gradient(cost_of, unroll(thetas)), analytic)


def evaluate(scenario, impl, files=CourseFiles()):
    """The scenario's quantities by ``impl``, a dict ready to compare with its pins."""
    if scenario.kind == "network":
        return digest(*network_result(scenario, impl, files))
    if scenario.kind == "sigmoid_gradient":
        return {"values": [float(v) for v in sigmoid_gradient(impl, SIGMOID_POINTS)]}
    if scenario.kind == "gradient_check":
        return {"relative_difference": gradient_check(scenario, impl)}
    raise KeyError(scenario.kind)
