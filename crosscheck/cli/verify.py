"""``crosscheck verify FILE.py:FUNCTION``: check a learner's own nnCostFunction and name its mistake.

Exit 0: right (matches autodiff on every problem); 1: wrong (with a diagnosis, or
"unrecognised"); 2: the function cannot be loaded or run (one line on stderr).
"""
import math

from manual.errors import InputError
from manual.layout import ORDERS
from manual.losses import LOSSES

from crosscheck.learner.target import COURSE_SIGNATURE, DEFAULT_TIMEOUT


def _timeout(value):
    try:
        seconds = float(value)
    except ValueError:
        raise InputError(f"--timeout must be a number of seconds, got {value!r}") from None
    if not (math.isfinite(seconds) and seconds > 0):
        raise InputError(f"--timeout must be a positive number of seconds, got {value}")
    return seconds


def add_arguments(parser):
    parser.add_argument("function", metavar="TARGET",
                        help="FILE.py:FUNCTION | NOTEBOOK.ipynb:FUNCTION | FILE.m (Octave): your cost "
                             f"function, signature {COURSE_SIGNATURE}")
    parser.add_argument("--loss", choices=LOSSES, default="cross_entropy",
                        help="the loss your function implements (default cross_entropy)")
    parser.add_argument("--order", choices=ORDERS, default="F",
                        help="how your function unrolls the weights: F column-major, the course's "
                             "Theta(:) (default); C row-major, numpy's default")
    parser.add_argument("--timeout", type=str, default=str(DEFAULT_TIMEOUT), metavar="S",
                        help=f"time limit per call of your function in seconds (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def run(args):
    from crosscheck.learner.diagnosis import diagnose
    from crosscheck.cli.report_format import strict_json
    from crosscheck.learner.render import to_json, to_text
    from crosscheck.learner.target import run_target

    run = run_target(args.function, order=args.order, timeout=_timeout(args.timeout))
    result = diagnose(run, loss=args.loss, order=args.order)
    if args.json:
        print(strict_json(to_json(result), indent=2))
    else:
        print(to_text(result))
    return 0 if result.passed else 1
