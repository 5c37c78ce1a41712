"""Imports its sibling helper module inside the function, at call time."""


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    from sibling_helper import cost
    return cost(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
