"""Reading the course's .mat files (v4, v5/v7, v7.3) and the embedded digits, with every bad
input refused as one ``InputError``. File handling, not math: kept apart from the equations."""
from .data import check_fit, load_default_digits, load_ex4data, load_ex4weights, train_test_split
from .matfile import read_mat

__all__ = ["check_fit", "load_default_digits", "load_ex4data", "load_ex4weights", "read_mat",
           "train_test_split"]
