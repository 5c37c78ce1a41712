"""Dereferences a null pointer through ctypes: SIGSEGV."""
import ctypes


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    return ctypes.string_at(0), None
