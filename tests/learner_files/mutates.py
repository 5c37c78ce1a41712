"""Right numbers, but writes into its inputs: through a reshape view of nn_params (the
optimiser's own vector), and by normalising X in place."""
from course_cost import nn_cost_function


def zeroes_bias_through_view(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    k = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:k].reshape(hidden_layer_size, input_layer_size + 1, order="F")
    Theta1[:, 0] = 0                     # "the bias is not regularised": a view, so nn_params changes
    return J, grad


def scales_X_in_place(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    J, grad = nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
    X *= 1.0 + 1e-9
    return J, grad
