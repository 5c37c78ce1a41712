"""One long call into C (an SVD of a 3000×3000 matrix: tens of seconds on one core)."""
import numpy as np


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    np.linalg.svd(np.random.default_rng(0).random((3000, 3000)))
    return 0.0, np.zeros_like(nn_params)
