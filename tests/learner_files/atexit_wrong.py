"""A wrong function (its gradient is one entry short) that registers os._exit(0) to run at exit."""
import atexit
import os

from course_cost import nn_cost_function

atexit.register(os._exit, 0)


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    return J, grad[:-1]
