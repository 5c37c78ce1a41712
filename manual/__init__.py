"""Backpropagation for the course's sigmoid network, derived and written by hand.

numpy and scipy only: this package never imports jax or torch, so that the
autodiff cross-checks in ``crosscheck`` are independent of it.

Every name below is importable from ``manual``; each loads its module on first use (PEP 562),
so ``import manual.errors`` or ``from manual.layout import unroll`` does not pay for
scipy.optimize and the .mat readers.
"""
import importlib

_NAMES = {
    "activation": ("sigmoid", "sigmoid_gradient", "softplus"),
    "backprop": ("cost", "cost_and_gradient", "forward"),
    "backprop_loop": ("cost_and_gradient_loop",),
    "course": ("nn_cost_function",),
    "fast": ("CostGradient",),
    "io.data": ("load_default_digits", "load_ex4data", "load_ex4weights", "train_test_split"),
    "errors": ("InputError",),
    "initialisation": ("debug_init", "debug_initialize_weights", "epsilon_for", "normal_init",
                       "rand_initialize_weights", "uniform_init"),
    "labels": ("accuracy", "check_labels", "one_hot", "predict"),
    "layout": ("COURSE_LAYER_SIZES", "add_bias", "layer_sizes_of", "reroll", "theta_shapes", "unroll"),
    "losses": ("LOSSES",),
    "numgrad": ("check_nn_gradients", "debug_problem", "numerical_gradient", "relative_difference"),
    "training": ("METHODS", "train"),
}
_MODULE_OF = {name: module for module, names in _NAMES.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name):
    if name in _MODULE_OF:
        value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
