"""Ending the process from inside the function."""
import os


def os_exit(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    os._exit(0)


def sys_exit(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    raise SystemExit(0)
