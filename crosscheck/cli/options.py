"""Options shared by the sub-commands, and turning them into data and weights.

Every bad value ends as one line on stderr and exit code 2: argparse rejects an unknown
--loss, --method or --device and a bad --lambda as a usage error; a bad file or a missing
GPU raises InputError, which ``cli.main`` prints.
"""
import argparse
import os

import numpy as np

from manual.io.data import check_fit, load_default_digits, load_ex4data, load_ex4weights
from manual.io.matfile import MAX_MAT_BYTES
from manual.errors import InputError


def check_path(value):
    """A file name as given: an empty one is an error, never "use the default"."""
    if not str(value).strip():
        raise InputError("an empty path; give a file name, or leave the option out")
    return value


AUTODIFF_EXTRA = "pip install 'backprop-crosscheck[autodiff]'"


def require_autodiff(command, libraries=("jax", "torch")):
    """InputError (exit 2, one line: how to get them) unless ``libraries`` are installed; a plain
    install of backprop-crosscheck leaves JAX and PyTorch out. Looks, imports nothing."""
    import importlib.util
    names = {"jax": "JAX", "torch": "PyTorch"}
    missing = [names[lib] for lib in libraries if importlib.util.find_spec(lib) is None]
    if missing:
        raise InputError(f"`crosscheck {command}` needs {' and '.join(missing)}, which a plain install "
                         f"leaves out: {AUTODIFF_EXTRA}")


def output_dir(out):
    """--out DIR, checked (and created) before any work: InputError if it cannot be a folder."""
    from pathlib import Path
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out}: cannot create the folder ({exc.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(f"--out {out}: the folder is not writable")
    return path


def add_size_limit(parser):
    """--max-mat-mb: the most a .mat file, and each array it declares, may take."""
    parser.add_argument("--max-mat-mb", type=whole_number(1), default=MAX_MAT_BYTES >> 20, metavar="MIB",
                        help=f"refuse .mat files, and arrays in them, larger than this many MiB "
                             f"(default {MAX_MAT_BYTES >> 20}; checked before reading or inflating)")


def max_bytes(args):
    return getattr(args, "max_mat_mb", MAX_MAT_BYTES >> 20) << 20


def add_data_options(parser, weights=True, device=True):
    parser.add_argument("--data", metavar="PATH", type=path_type,
                        help="the course's ex4data1.mat (default: scikit-learn's bundled 8×8 digits)")
    if weights:
        parser.add_argument("--weights", metavar="PATH", type=path_type, help="the course's ex4weights.mat")
    add_size_limit(parser)
    if device:
        parser.add_argument("--device", choices=("cpu", "gpu"), default="cpu",
                            type=argparse_type(_device_type),
                            help="where the autodiff side runs (default cpu)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def load_data(args):
    """(X (m, n), y (m,) in 1..10, name) from --data, or the embedded digits."""
    if getattr(args, "data", None) is not None:
        X, y = load_ex4data(args.data, max_bytes=max_bytes(args))
        return X, y, "ex4data1"
    X, y = load_default_digits()
    return X, y, "digits8x8"


def load_weights(args, X, num_labels=10):
    """The --weights file's [Theta1, Theta2], checked against X's width and the K labels; None if not given."""
    if getattr(args, "weights", None) is None:
        return None
    thetas = load_ex4weights(args.weights, max_bytes=max_bytes(args))
    try:
        check_fit(thetas, X, num_labels)
    except InputError as exc:
        hint = (" (the embedded digits have 64; pass --data ex4data1.mat)"
                if X.shape[1] == 64 and not getattr(args, "data", None) else "")
        raise InputError(f"{args.weights}: {exc}{hint}") from None
    return thetas


def check_lambda(value):
    """λ as a float: a finite number ≥ 0, else InputError (``lambda_type`` is the argparse form)."""
    try:
        lam = float(value)
    except (TypeError, ValueError):
        raise InputError(f"λ must be a number, got {value!r}") from None
    if not np.isfinite(lam) or lam < 0:
        raise InputError(f"λ must be a finite number ≥ 0, got {value}")
    return lam


def argparse_type(check):
    """``check`` as an argparse ``type=``: its InputError message becomes the usage error.

    argparse swallows a plain ValueError's message ("invalid check_lambda value"), so the
    InputError is re-raised as ArgumentTypeError, whose text argparse prints as is.
    """
    def convert(value):
        try:
            return check(value)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = check.__name__
    return convert


def whole_number(low):
    """argparse ``type=`` for an integer ≥ ``low`` (iterations, rows, seeds, threads)."""
    def convert(value):
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number ≥ {low}, got {value!r}") from None
        if number < low:
            raise argparse.ArgumentTypeError(f"expected a whole number ≥ {low}, got {number}")
        return number
    convert.__name__ = f"whole_number_at_least_{low}"
    return convert


def number_between(what, low, high):
    """argparse ``type=`` for a number strictly inside (low, high), named ``what`` in errors."""
    def convert(value):
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, got {value!r}") from None
        if not low < number < high:
            raise argparse.ArgumentTypeError(f"{what} must lie strictly between {low:g} and {high:g}, got {value}")
        return number
    convert.__name__ = "number"
    return convert


lambda_type = argparse_type(check_lambda)
path_type = argparse_type(check_path)


def add_model_options(parser, method=False):
    """--loss and --lambda (and --method for training)."""
    from manual.losses import LOSSES
    parser.add_argument("--loss", choices=LOSSES, default="cross_entropy",
                        help="the cost: cross_entropy (the course's logistic cost) or squared_error "
                             "(1/(2m) Σ (h − y)²) (default cross_entropy)")
    parser.add_argument("--lambda", dest="lambda_", type=lambda_type, default=1.0, metavar="λ",
                        help="regularisation strength λ ≥ 0 (default 1)")
    if method:
        from manual.training import METHODS
        parser.add_argument("--method", choices=METHODS, default="TNC",
                            help="scipy.optimize.minimize method (default %(default)s)")


def check_device(device):
    """Fail early, as bad input, when --device gpu is asked for and no GPU is visible."""
    if device != "gpu":
        return device
    require_autodiff("--device gpu", ("torch",))
    import warnings
    import torch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # a broken CUDA driver warns, then reports False
        available = torch.cuda.is_available()
    if not available:
        raise InputError("--device gpu: no GPU is visible to PyTorch on this machine (use --device cpu)")
    return device


def _device_type(value):
    """argparse type for --device: 'gpu' is checked at parse time, before any work is done."""
    if value != "gpu":
        return value                            # "cpu", or a typo that `choices` rejects
    require_autodiff("--device gpu", ("torch",))
    try:
        return check_device(value)
    except InputError:
        raise InputError("no GPU is visible to PyTorch on this machine (use --device cpu)") from None
