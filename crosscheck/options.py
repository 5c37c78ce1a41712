"""Options shared by the sub-commands, and turning them into data and weights."""
import numpy as np

from manual.data import load_default_digits, load_ex4data, load_ex4weights
from manual.errors import InputError


def add_data_options(parser, weights=True, device=True):
    parser.add_argument("--data", metavar="PATH",
                        help="the course's ex4data1.mat (default: scikit-learn's bundled 8×8 digits)")
    if weights:
        parser.add_argument("--weights", metavar="PATH", help="the course's ex4weights.mat")
    if device:
        parser.add_argument("--device", choices=("cpu", "gpu"), default="cpu",
                            help="where the autodiff side runs (default cpu)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def load_data(args):
    """(X (m, n), y (m,) in 1..10, name) from --data, or the embedded digits."""
    if getattr(args, "data", None):
        X, y = load_ex4data(args.data)
        return X, y, "ex4data1"
    X, y = load_default_digits()
    return X, y, "digits8x8"


def load_weights(args, X):
    """The --weights file's [Theta1, Theta2], checked against X's width; None if not given."""
    if not getattr(args, "weights", None):
        return None
    thetas = load_ex4weights(args.weights)
    if thetas[0].shape[1] != X.shape[1] + 1:
        raise InputError(
            f"{args.weights}: Theta1 is {thetas[0].shape}, which needs {thetas[0].shape[1] - 1} input "
            f"features, but the data has {X.shape[1]} (the embedded digits have 64; pass --data ex4data1.mat)")
    return thetas


def check_lambda(value):
    """argparse type for λ: a finite number ≥ 0."""
    try:
        lam = float(value)
    except ValueError:
        raise InputError(f"λ must be a number, got {value!r}") from None
    if not np.isfinite(lam) or lam < 0:
        raise InputError(f"λ must be a finite number ≥ 0, got {value}")
    return lam


def add_model_options(parser, method=False):
    """--loss and --lambda (and --method for training)."""
    from manual.losses import LOSSES
    parser.add_argument("--loss", choices=LOSSES, default="cross_entropy")
    parser.add_argument("--lambda", dest="lambda_", type=check_lambda, default=1.0, metavar="λ",
                        help="regularisation strength λ ≥ 0 (default 1)")
    if method:
        from manual.train import METHODS
        parser.add_argument("--method", choices=METHODS, default="TNC")


def check_device(device):
    """Fail early, as bad input, when --device gpu is asked for and no GPU is visible."""
    if device != "gpu":
        return
    import torch
    if not torch.cuda.is_available():
        raise InputError("--device gpu: no GPU is visible to PyTorch on this machine (use --device cpu)")
