"""Asks for 20 GB (a 50000×50000 float64 matrix) for a problem of kilobytes. np.zeros maps the
memory lazily, so even without a limit this file would not fill the machine's RAM; under the
worker's address-space limit the allocation itself fails."""
import numpy as np


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    scratch = np.zeros((50_000, 50_000))
    return float(scratch[0, 0]), np.zeros_like(nn_params)
