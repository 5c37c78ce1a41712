"""Central-difference gradients and the course's checkNNGradients.

A central difference needs the cost at θ with ONE coordinate moved, for every coordinate and
every stencil step: 4n costs for n parameters. Evaluated one vector at a time (the readable
form, ``numerical_gradient``), Python's overhead per call dominates at the report's sizes.
``numerical_gradient_batched`` asks instead for many such costs per call, and
``PerturbedCost`` evaluates them for the network with a few large numpy calls: still the
cost alone at each perturbed point (what depends on the moved weight recomputed from it),
never a gradient formula.
"""
import numpy as np

from .activation import sigmoid
from .backprop import cost_and_gradient
from .initialisation import debug_initialize_weights
from .labels import one_hot
from .layout import add_bias, reroll, unroll
from .losses import check_loss, residual

NUMGRAD_EPSILON = 1e-4

# Central-difference stencils: order -> ((step in units of ε, weight), ...), the derivative
# being Σ weight·f(θ + step·ε·eᵢ) / ε.
STENCILS = {2: ((1, 0.5), (-1, -0.5)),
            4: ((2, -1 / 12), (1, 8 / 12), (-1, -8 / 12), (-2, 1 / 12))}

# Elements of scratch one batch of PerturbedCost may hold (8 MiB in float64): b copies of the
# m activations of the widest layer. Small enough for the last-level cache, large enough that
# each numpy call does thousands of costs' work.
BATCH_ELEMENTS = 2 ** 20


def numerical_gradient_batched(costs, theta, epsilon=NUMGRAD_EPSILON, order=2, batch=64):
    """∂f/∂θᵢ by central differences for every i, up to ``batch`` costs per call. theta (n,) -> (n,).

    costs(index (b,), value (b,)) -> (b,) returns f at the b vectors that equal θ except
    θ[index[k]] = value[k]. The stencil (see numerical_gradient) and its arithmetic are the
    same: value = θᵢ + step·ε, weights summed in stencil order, divided by ε at the end.
    """
    if order not in STENCILS:
        raise ValueError(f"order must be 2 or 4, got {order}")
    theta = np.array(theta, dtype=float)
    grad = np.zeros_like(theta)
    for start in range(0, theta.size, batch):
        index = np.arange(start, min(start + batch, theta.size))
        for step, weight in STENCILS[order]:
            grad[index] += weight * np.asarray(costs(index, theta[index] + step * epsilon), dtype=float)
    return grad / epsilon


def numerical_gradient(f, theta, epsilon=NUMGRAD_EPSILON, order=2):
    """∂f/∂θᵢ by central differences for every i, f called on one vector at a time. theta (n,) -> (n,).

    order=2 (the course's): (f(θ + εeᵢ) − f(θ − εeᵢ)) / 2ε, error O(ε²·f⁽³⁾) + O(u·|f|/ε).
    order=4: (−f(θ+2εeᵢ) + 8f(θ+εeᵢ) − 8f(θ−εeᵢ) + f(θ−2εeᵢ)) / 12ε, error O(ε⁴·f⁽⁵⁾) + O(u·|f|/ε).
    With ε = 1e-4 the two error terms of order 2 meet near 1e-9 relative, the course's bound:
    an unlucky random problem (m = 1, squared error) measured 1.2e-9. Randomised tests use
    order=4 with ε = 1e-3, measured ≤ 3e-12 over 400 random shapes.
    """
    point = np.array(theta, dtype=float)

    def one_at_a_time(index, value):
        out = np.empty(index.size)
        for k, (i, v) in enumerate(zip(index, value)):
            saved, point[i] = point[i], v
            out[k] = f(point)
            point[i] = saved
        return out
    return numerical_gradient_batched(one_at_a_time, point, epsilon, order)


def _data_loss_sums(z, Y, loss):
    """losses.data_loss_sum for each of b problems side by side: z (m, b, K), Y (m, 1, K) -> (b,).
    The same terms (cross-entropy as [max(z, 0) − y·z] + log(1 + e^(−|z|)), squared error's
    ½ r² with r from losses.residual), summed per problem: over the m rows first (whole
    contiguous rows added at once), then over K."""
    if loss == "cross_entropy":
        terms = np.abs(z)
        np.negative(terms, out=terms)
        np.exp(terms, out=terms)
        np.log1p(terms, out=terms)
        terms += np.maximum(z, 0.0) - Y * z
    else:
        terms = residual(z, Y)
        terms *= terms
        terms *= 0.5
    return terms.sum(axis=0).sum(axis=1)


class PerturbedCost:
    """manual.backprop.cost at θ with one coordinate moved, many coordinates per call.

    ``PerturbedCost(thetas, X, Y, λ, loss)(index, value)`` -> (b,): J at the b parameter
    vectors equal to unroll(thetas) (column-major, the course's) except θ[index[k]] = value[k];
    pass it to numerical_gradient_batched with batch=self.batch. Moving Θ^(l)[r, c] to v:

        a^(1..l+1), z^(l+1)   manual.backprop.forward's, shared: nothing there depends on
                              Θ^(l)[r, c] except unit r of layer l + 1
        z^(l+1)_r = a^(l) w   w = Θ^(l)[r, :] with w_c = v: unit r recomputed from the
                              moved row (one product for all b copies)
        a^(l+1)_r = g(z^(l+1)_r), then every layer above from scratch: the b copies' m rows
                              stacked, z = [1, g(z)] Θᵀ, one product per layer
        J = data_loss_sum(z^(L), Y)/m + λ/(2m) Σ_j ‖Θ^(j)[:, 1:]‖²   with the moved weight

    Every number that depends on the moved weight is computed from the moved weights, as
    manual.backprop.cost would (never by adding a correction to the unperturbed value); only
    numbers that do not depend on it are shared. No gradient formula is involved.
    """

    def __init__(self, thetas, X, Y, lambda_=0.0, loss="cross_entropy"):
        self.loss = check_loss(loss)
        self.thetas = [np.asarray(t, dtype=float) for t in thetas]
        self.Y, self.m, self.lambda_ = np.asarray(Y, dtype=float), X.shape[0], float(lambda_)
        self.acts, self.zs = [add_bias(np.asarray(X, dtype=float))], []   # a^(l) with bias; z^(l+1)
        for theta in self.thetas:
            self.zs.append(self.acts[-1] @ theta.T)
            self.acts.append(add_bias(sigmoid(self.zs[-1])))
        # Σ‖Θ^(j)[:, 1:]‖² of every layer but l, and of layer l's rows but r: summed, not subtracted.
        rows_sq = [np.einsum("ij,ij->i", t[:, 1:], t[:, 1:]) for t in self.thetas]
        self.others = [sum(float(q.sum()) for j, q in enumerate(rows_sq) if j != l) for l in range(len(rows_sq))]
        self.other_rows = [np.array([q[np.arange(q.size) != r].sum() for r in range(q.size)]) for q in rows_sq]
        self.offsets = np.cumsum([0] + [t.size for t in self.thetas])
        widest = self.m * (1 + max(t.shape[0] for t in self.thetas))
        self.batch = max(1, BATCH_ELEMENTS // widest)

    def __call__(self, index, value):
        index, value = np.asarray(index), np.asarray(value, dtype=float)
        out = np.empty(index.size)
        layer_of = np.searchsorted(self.offsets, index, side="right") - 1
        for l in np.unique(layer_of):
            mine = layer_of == l
            out[mine] = self._layer(l, index[mine] - self.offsets[l], value[mine])
        return out

    def _layer(self, l, local, value):
        """J for b copies of Θ^(l), copy k with its column-major element local[k] set to value[k].

        Rows stay in (m, b) order throughout, example-major: no transposed copies."""
        rows = self.thetas[l].shape[0]
        b, k = local.size, np.arange(local.size)
        r = local % rows                                            # the unit each copy moves
        moved = self.thetas[l][r]                                   # (b, 1 + s_l): its row, copied
        moved[k, local // rows] = value
        unit = self.acts[l] @ moved.T                               # (m, b): z^(l+1)_r per copy
        if l == len(self.thetas) - 1:
            z = np.repeat(self.zs[l][:, None, :], b, axis=1)        # (m, b, K)
            z[:, k, r] = unit
        else:
            a = np.repeat(self.acts[l + 1][:, None, :], b, axis=1)  # (m, b, 1 + s_{l+1})
            a[:, k, 1 + r] = sigmoid(unit)
            z = a.reshape(self.m * b, 1 + rows) @ self.thetas[l + 1].T
            for theta_up in self.thetas[l + 2:]:
                z = add_bias(sigmoid(z)) @ theta_up.T
        penalty = self.others[l] + self.other_rows[l][r] + np.einsum("bj,bj->b", moved[:, 1:], moved[:, 1:])
        data = _data_loss_sums(z.reshape(self.m, b, -1), self.Y[:, None, :], self.loss)
        return data / self.m + self.lambda_ / (2.0 * self.m) * penalty


def relative_difference(a, b):
    """The course's ‖a − b‖ / ‖a + b‖ (0 when both are zero)."""
    denom = np.linalg.norm(np.asarray(a) + np.asarray(b))
    num = np.linalg.norm(np.asarray(a) - np.asarray(b))
    return 0.0 if denom == 0 else float(num / denom)


def debug_problem(input_layer_size=3, hidden_layer_size=5, num_labels=3, m=5):
    """The course's gradient-check problem: (thetas, X (m, n), y (m,), layer sizes)."""
    thetas = [debug_initialize_weights(hidden_layer_size, input_layer_size),
              debug_initialize_weights(num_labels, hidden_layer_size)]
    X = debug_initialize_weights(m, input_layer_size - 1)      # reuses the sin() trick for X
    y = 1 + np.arange(1, m + 1) % num_labels
    return thetas, X, y, (input_layer_size, hidden_layer_size, num_labels)


def check_nn_gradients(lambda_=0.0, loss="cross_entropy", cost_and_gradient_fn=cost_and_gradient):
    """(numerical, analytic, relative difference) on the course's 3-5-3, m = 5 problem."""
    thetas, X, y, sizes = debug_problem()
    Y = one_hot(y, sizes[-1])

    def cost_of(params):
        return cost_and_gradient_fn(reroll(params, sizes), X, Y, lambda_, loss)[0]

    analytic = unroll(cost_and_gradient_fn(thetas, X, Y, lambda_, loss)[1])
    numerical = numerical_gradient(cost_of, unroll(thetas))
    return numerical, analytic, relative_difference(numerical, analytic)
