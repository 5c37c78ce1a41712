"""Endless loops that swallow every exception, the time limit's included."""


def bare_except(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    while True:
        try:
            sum(range(1000))
        except:  # noqa: E722
            pass


def except_base_exception(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    while True:
        try:
            sum(range(1000))
        except BaseException:
            pass
