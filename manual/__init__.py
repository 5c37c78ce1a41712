"""Backpropagation for the course's sigmoid network, derived and written by hand.

numpy and scipy only: this package never imports jax or torch, so that the
autodiff cross-checks in ``crosscheck`` are independent of it.
"""
from .activation import sigmoid, sigmoid_gradient, softplus
from .backprop import cost, cost_and_gradient, forward
from .backprop_loop import cost_and_gradient_loop
from .course import nn_cost_function
from .fast import CostGradient
from .io.data import load_default_digits, load_ex4data, load_ex4weights, train_test_split
from .errors import InputError
from .initialisation import (debug_init, debug_initialize_weights, epsilon_for, normal_init,
                             rand_initialize_weights, uniform_init)
from .labels import accuracy, check_labels, one_hot, predict
from .layout import COURSE_LAYER_SIZES, add_bias, layer_sizes_of, reroll, theta_shapes, unroll
from .losses import LOSSES
from .numgrad import check_nn_gradients, debug_problem, numerical_gradient, relative_difference
from .training import METHODS, train
