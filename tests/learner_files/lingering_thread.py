"""Right, but leaves a non-daemon thread running for ever."""
import threading
import time

from course_cost import nn_cost_function


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    threading.Thread(target=time.sleep, args=(10_000,), daemon=False).start()
    return nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
