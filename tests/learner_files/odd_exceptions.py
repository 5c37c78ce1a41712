"""Exceptions that are not Exceptions."""


class Escape(BaseException):
    pass


def custom_base_exception(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    raise Escape("out of here")


def generator_exit(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    raise GeneratorExit


def keyboard_interrupt(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    raise KeyboardInterrupt
