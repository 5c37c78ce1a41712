"""nnCostFunctions written the way learners write them, vectorised and per-example loops, with
any set of mistakes switched on: the fixture behind the confusion matrix in
tests/test_verify_confusion.py. Each switch is named after the id verify must give it.

``make(mistakes, loss, order, style)`` returns a function with the course signature; ``loss``
and ``order`` are what verify is told (``other_loss`` implements the other one).
"""
import numpy as np

OTHER = {"F": "C", "C": "F", "cross_entropy": "squared_error", "squared_error": "cross_entropy"}

SWITCHES = ("no_penalty_in_cost", "cost_penalty_lambda_over_m", "regularize_bias", "regularize_bias_cost_only",
            "regularize_bias_gradient_only", "missing_divide_by_m", "raw_delta", "no_reg_in_gradient",
            "gradient_reg_half", "output_delta_dJ_dh", "squared_missing_sigmoid_prime",
            "sigmoid_prime_of_activation", "hidden_missing_sigmoid_prime", "unroll_order", "writes_grad_other_order",
            "reads_params_other_order", "label_offset", "other_loss")

# Switches that cannot be made together (they set the same thing two ways).
EXCLUSIVE = [{"no_penalty_in_cost", "cost_penalty_lambda_over_m"},
             {"regularize_bias", "regularize_bias_cost_only", "regularize_bias_gradient_only"},
             {"no_penalty_in_cost", "regularize_bias", "regularize_bias_cost_only"},
             {"missing_divide_by_m", "raw_delta", "no_reg_in_gradient"},
             {"raw_delta", "no_reg_in_gradient", "gradient_reg_half"},
             {"raw_delta", "no_reg_in_gradient", "regularize_bias", "regularize_bias_gradient_only"},
             {"unroll_order", "writes_grad_other_order", "reads_params_other_order"},
             {"other_loss", "output_delta_dJ_dh", "squared_missing_sigmoid_prime"},
             {"sigmoid_prime_of_activation", "hidden_missing_sigmoid_prime"}]
LOSS_ONLY = {"output_delta_dJ_dh": "cross_entropy", "squared_missing_sigmoid_prime": "squared_error"}


def compatible(mistakes, loss):
    return (all(len(set(mistakes) & group) <= 1 for group in EXCLUSIVE)
            and all(LOSS_ONLY.get(m, loss) == loss for m in mistakes))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoidGradient(z):
    return sigmoid(z) * (1 - sigmoid(z))


def make(mistakes=(), loss="cross_entropy", order="F", style="vectorised"):
    mk = set(mistakes)
    assert mk <= set(SWITCHES) and compatible(mk, loss), mk
    lossu = OTHER[loss] if "other_loss" in mk else loss
    read = OTHER[order] if mk & {"unroll_order", "reads_params_other_order"} else order
    write = OTHER[order] if mk & {"unroll_order", "writes_grad_other_order"} else order
    bias_cost = bool(mk & {"regularize_bias", "regularize_bias_cost_only"})
    bias_grad = bool(mk & {"regularize_bias", "regularize_bias_gradient_only"})

    def penalty_and_gradient(Theta1, Theta2, Delta1, Delta2, m, lambda_):
        first = 0 if bias_cost else 1
        penalty = np.sum(Theta1[:, first:] ** 2) + np.sum(Theta2[:, first:] ** 2)
        cost_reg = (0 if "no_penalty_in_cost" in mk else
                    lambda_ / m if "cost_penalty_lambda_over_m" in mk else lambda_ / (2 * m)) * penalty
        if "raw_delta" in mk:
            return cost_reg, Delta1, Delta2
        grads = []
        for Theta, Delta in ((Theta1, Delta1), (Theta2, Delta2)):
            reg = Theta.copy()
            if not bias_grad:
                reg[:, 0] = 0
            factor = 0 if "no_reg_in_gradient" in mk else lambda_ / (2 * m) if "gradient_reg_half" in mk else lambda_ / m
            grads.append((Delta if "missing_divide_by_m" in mk else Delta / m) + factor * reg)
        return cost_reg, grads[0], grads[1]

    def vectorised(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
        k = hidden_layer_size * (input_layer_size + 1)
        Theta1 = nn_params[:k].reshape(hidden_layer_size, input_layer_size + 1, order=read)
        Theta2 = nn_params[k:].reshape(num_labels, hidden_layer_size + 1, order=read)
        m = X.shape[0]
        y = np.ravel(y)
        Y = np.eye(num_labels)[y % num_labels if "label_offset" in mk else y - 1]
        A1 = np.c_[np.ones(m), X]
        Z2 = A1 @ Theta1.T
        A2 = np.c_[np.ones(m), sigmoid(Z2)]
        H = sigmoid(A2 @ Theta2.T)
        if lossu == "cross_entropy":
            J = -np.sum(Y * np.log(H) + (1 - Y) * np.log(1 - H)) / m
            D3 = -Y / H + (1 - Y) / (1 - H) if "output_delta_dJ_dh" in mk else H - Y
        else:
            J = np.sum((H - Y) ** 2) / (2 * m)
            D3 = H - Y if "squared_missing_sigmoid_prime" in mk else (H - Y) * H * (1 - H)
        gprime = sigmoidGradient(A2[:, 1:]) if "sigmoid_prime_of_activation" in mk else sigmoidGradient(Z2)
        D2 = D3 @ Theta2[:, 1:]
        if "hidden_missing_sigmoid_prime" not in mk:
            D2 = D2 * gprime
        reg, G1, G2 = penalty_and_gradient(Theta1, Theta2, D2.T @ A1, D3.T @ A2, m, lambda_)
        return J + reg, np.concatenate([G1.ravel(order=write), G2.ravel(order=write)])

    def loop(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
        split = hidden_layer_size * (input_layer_size + 1)
        Theta1 = np.reshape(nn_params[:split], (hidden_layer_size, input_layer_size + 1), order=read)
        Theta2 = np.reshape(nn_params[split:], (num_labels, hidden_layer_size + 1), order=read)
        m = len(X)
        J = 0.0
        Delta1, Delta2 = np.zeros(Theta1.shape), np.zeros(Theta2.shape)
        for i in range(m):
            label = int(np.ravel(y)[i])
            yk = np.zeros(num_labels)
            yk[label % num_labels if "label_offset" in mk else label - 1] = 1
            a1 = np.insert(X[i], 0, 1)
            z2 = Theta1 @ a1
            a2 = np.insert(sigmoid(z2), 0, 1)
            h = sigmoid(Theta2 @ a2)
            if lossu == "cross_entropy":
                J += np.sum(-yk * np.log(h) - (1 - yk) * np.log(1 - h))
                d3 = -yk / h + (1 - yk) / (1 - h) if "output_delta_dJ_dh" in mk else h - yk
            else:
                J += 0.5 * np.sum((h - yk) ** 2)
                d3 = h - yk if "squared_missing_sigmoid_prime" in mk else (h - yk) * h * (1 - h)
            g = a2[1:] * (1 - a2[1:])
            if "sigmoid_prime_of_activation" in mk:
                g = sigmoidGradient(a2[1:])
            d2 = Theta2[:, 1:].T @ d3 if "hidden_missing_sigmoid_prime" in mk else (Theta2[:, 1:].T @ d3) * g
            Delta2 += np.outer(d3, a2)
            Delta1 += np.outer(d2, a1)
        reg, G1, G2 = penalty_and_gradient(Theta1, Theta2, Delta1, Delta2, m, lambda_)
        return J / m + reg, np.concatenate([G1.flatten(write), G2.flatten(write)])

    fn = {"vectorised": vectorised, "loop": loop}[style]
    fn.__name__ = f"{style}_{'_and_'.join(sorted(mk)) or 'correct'}"
    return fn
