"""``crosscheck verify FILE.py:FUNCTION [...]``: check learners' own nnCostFunction and name the mistake.

Each target runs in its own worker process (``crosscheck.learner.run.target.run_target``); every
comparison, diagnosis, verdict and exit code is computed here. Exit codes, one rule: 0 right;
1 the learner's code is not right (wrong numbers, an exception, a syntax or import error, a
time or memory limit, a crash or signal, an exit call, a wrong return, inputs written into, a
different answer the second time); 2 only when crosscheck cannot tell what to check (no such
file or function, a malformed target, bad options). With ``--json`` stdout is exactly one
strict JSON object for every outcome (NaN and inf as null: ``crosscheck.strict_json``),
``{"error": ...}`` for exit 2.

Several targets (a class's submissions; a glob in FILE is expanded here, so the shell's quoting
does not matter) run in parallel, ``-j`` workers at a time; see ``class_report``.
"""
import glob
import math
import os
import sys

from manual.errors import InputError
from manual.layout import ORDERS
from manual.losses import LOSSES

from crosscheck.cli import one_line
from crosscheck.cli.options import path_type, whole_number
from crosscheck.learner.calls import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from crosscheck.learner.run.conventions import Y_FORMS, pinned
from crosscheck.learner.run.target import COURSE_SIGNATURE, check_limits, options
from crosscheck.strict_json import strict_json


def _number(option, value):
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{option} must be a number, got {value!r}") from None
    return number if math.isfinite(number) else float("nan")


def add_arguments(parser):
    parser.add_argument("functions", nargs="*", metavar="TARGET",
                        help="FILE.py:FUNCTION | NOTEBOOK.ipynb:FUNCTION | FILE.m (Octave): your cost "
                             f"function, signature {COURSE_SIGNATURE}; several, or a glob "
                             "(subs/*.py:nnCostFunction), to check a whole class")
    parser.add_argument("--loss", choices=LOSSES, default="cross_entropy",
                        help="the loss your function implements (default cross_entropy)")
    parser.add_argument("--order", choices=ORDERS, default=None,
                        help="how your function unrolls the weights, read and written: F column-major, the "
                             "course's Theta(:); C row-major, numpy's default (default: inferred, F first)")
    parser.add_argument("--labels", choices=("0", "1"), default=None,
                        help="the labels in y: 1 for 1..K with K for digit 0 (the course's), 0 for 0..K-1 "
                             "(default: inferred, 1 first)")
    parser.add_argument("--y", choices=Y_FORMS, default=None, dest="y_form",
                        help="how y is passed: labels (m,), column (m, 1) or onehot (m, K) (default: inferred)")
    parser.add_argument("--x-bias", action="store_const", const=True, default=None,
                        help="X is passed with its column of ones already added (default: inferred)")
    parser.add_argument("--grad", metavar="FUNC", default=None,
                        help="a separate gradient function in the same file, when FUNCTION returns J alone")
    parser.add_argument("--path", metavar="DIR", action="append", default=[],
                        help="a folder your code imports from (as on PYTHONPATH); may be given again")
    parser.add_argument("--timeout", type=str, default=str(DEFAULT_TIMEOUT), metavar="S",
                        help=f"time limit per call of your function (and for importing it) in seconds "
                             f"(default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--memory", type=str, default=str(DEFAULT_MEMORY_MB), metavar="MB",
                        help=f"memory limit of the process running your code, MiB (default {DEFAULT_MEMORY_MB})")
    parser.add_argument("-j", "--jobs", type=whole_number(1), default=None, metavar="N",
                        help="targets checked in parallel (default: the number of cores)")
    parser.add_argument("--csv", metavar="FILE", help="also write one row per target to FILE")
    add_class_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--train", action="store_true",
                        help="also train the network on the embedded digits with your function (in the same "
                             "worker, with the same limits) beside the correct one: does your mistake matter?")
    parser.add_argument("--train-figure", metavar="PNG", default=None,
                        help="with --train: write the cost curves and held-out accuracies to this PNG file")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="check several targets even where no sandbox is available (bubblewrap "
                             "missing): each learner's code then runs with your permissions")
    _usage_errors_as_json(parser)


def add_class_arguments(parser):
    """A class run's options: see docs/teachers.md."""
    from crosscheck.cli.classes.shard import shard_type
    group = parser.add_argument_group("a class run (see docs/teachers.md)")
    group.add_argument("--jsonl", metavar="FILE", type=path_type,
                       help="append each target's result to FILE (JSON Lines) as soon as it is judged")
    group.add_argument("--resume", action="store_true",
                       help="with --jsonl: skip the targets already in FILE whose file is unchanged")
    group.add_argument("--feedback", metavar="DIR", type=path_type,
                       help="write a text report and an HTML page per target into DIR, to hand back")
    group.add_argument("--class-page", metavar="FILE", type=path_type,
                       help="write the class page (bar chart of outcomes, table of students) to FILE "
                            "(.html), and FILE.png beside it where Chromium is installed")
    group.add_argument("--shard", type=shard_type, metavar="I/N",
                       help="check only share I of N of the targets (a stable split by path), for job arrays")
    group.add_argument("--merge", nargs="+", metavar="JSONL",
                       help="run nothing: join these --jsonl files into one CSV, summary and class page")
    group.add_argument("--gradescope", metavar="FILE", type=path_type,
                       help="write Gradescope's results.json for the one target to FILE")


def _check_class_options(args, targets):
    if args.resume and not args.jsonl:
        raise InputError("--resume needs --jsonl FILE: the results to resume from")
    if args.merge and (targets or args.jsonl or args.feedback or args.shard or args.gradescope):
        raise InputError("--merge runs nothing: give it the --jsonl files alone (with --csv, --class-page, --json)")
    for path in args.merge or []:
        if not os.path.isfile(path):
            raise InputError(f"--merge {path}: no such file")
    if args.gradescope and len(targets) != 1:
        raise InputError(f"--gradescope writes one submission's results.json: give one target, not {len(targets)}")


def _usage_errors_as_json(parser):
    """With --json, a usage error also prints {"error": ...} on stdout (then argparse's one line
    on stderr and exit 2), so that stdout is one JSON object for every outcome."""
    parse, error = parser.parse_known_args, parser.error
    state = {"json": False}

    def parse_known_args(args=None, namespace=None):
        state["json"] = "--json" in (args or [])
        namespace, extras = parse(args, namespace)
        if extras:                              # as the top-level parser would say, but from here
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras

    def json_error(message):
        if state["json"]:
            print(strict_json({"error": one_line(message)}, indent=None))
        error(message)

    parser.parse_known_args, parser.error = parse_known_args, json_error


def _functions_in(path, limit=2 ** 20):
    """The top-level function names of a small .py file, read with ast (nothing runs); [] if none."""
    import ast
    try:
        if path.stat().st_size > limit:
            return []
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    return [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def check_target(spec):
    """InputError with the way out for the two commonest slips: a folder, or a file without
    ``:FUNCTION``; otherwise nothing (``parse_spec`` judges the rest)."""
    from pathlib import Path
    if ":" in spec or glob.has_magic(spec):
        return
    path = Path(spec)
    if path.is_dir():
        kinds = [f"'{spec.rstrip('/')}/*{ext}" + (":nnCostFunction'" if ext != ".m" else "'")
                 for ext in (".py", ".ipynb", ".m") if any(path.glob(f"*{ext}"))]
        raise InputError(f"{spec} is a folder; to check every file in it: crosscheck verify "
                         + (" or ".join(kinds) if kinds else f"'{spec.rstrip('/')}/*.py:nnCostFunction'"))
    if path.suffix in (".py", ".ipynb"):
        if not path.exists():
            raise InputError(f"{spec}: no such file")
        found = _functions_in(path) if path.suffix == ".py" and path.is_file() else []
        named = f" (it defines {', '.join(found[:8])})" if found else ""
        example = next((f for f in found if f.lower() == "nncostfunction"), found[0] if len(found) == 1 else "nnCostFunction")
        raise InputError(f"{spec}: which function? name it after a colon: crosscheck verify {spec}:{example}{named}")


def expand(specs):
    """The targets named, each parsed once (``kinds.parse``), with globs in the FILE part expanded
    (sorted); InputError if one names no target or its glob matches nothing."""
    from crosscheck.learner.run import kinds
    targets = {}
    for spec in specs:
        check_target(spec)
        for target in kinds.expand(kinds.parse(spec)):
            targets.setdefault(target.spec, target)
    return list(targets.values())


def pinned_conventions(args):
    """The course's conventions with what the options pin (None: inferred)."""
    return pinned(labels=None if args.labels is None else int(args.labels), y=args.y_form, x_bias=args.x_bias,
                  order=args.order, grad=args.grad or None, path=tuple(args.path) or None)


def run(args):
    try:
        if not args.functions and not args.merge:
            raise InputError("give a TARGET to check (FILE.py:FUNCTION, NOTEBOOK.ipynb:FUNCTION, FILE.m), "
                             "or --merge A.jsonl B.jsonl")
        timeout = _number("--timeout", args.timeout)
        memory = _number("--memory", args.memory)
        check_limits(timeout, memory)
        chosen = options(order=args.order or "F", loss=args.loss, timeout=timeout, memory=memory,
                         conventions=pinned_conventions(args))
        targets = expand(args.functions)
        if args.shard:
            from crosscheck.cli.classes.shard import shard
            everyone, targets = targets, shard(targets, *args.shard)
            if not targets:
                sys.stderr.write(f"crosscheck verify: shard {args.shard[0]}/{args.shard[1]} holds none of the "
                                 f"{len(everyone)} targets\n")
        if args.train and len(targets) > 1:
            raise InputError(f"--train trains one function; {len(targets)} targets were given")
        if args.train and targets and targets[0].kind == "octave":
            raise InputError(f"{targets[0].spec}: --train trains Python functions (.py, .ipynb); "
                             "an Octave .m file is checked, not trained")
        if args.train_figure and not args.train:
            raise InputError("--train-figure goes with --train")
        _check_class_options(args, targets)
        for option in ("csv", "class_page", "gradescope"):
            path = getattr(args, option)
            if path and not os.access(os.path.dirname(os.path.abspath(path)), os.W_OK):
                raise InputError(f"--{option.replace('_', '-')} {path}: cannot write into its folder")
        args.isolation = "none" if args.merge else _isolation(targets, args)
        if args.isolation == "bubblewrap" and any(t.kind == "python_module" or t.kind != "octave" and t.path.is_file()
                                                  for t in targets):
            from crosscheck.learner.run import forkserver
            forkserver.warm()        # Python and numpy start in the fork server while we go on
    except InputError as exc:
        message = one_line(exc)
        if args.json:
            print(strict_json({"error": message}, indent=None))
        raise InputError(message) from None
    from crosscheck.cli import class_report
    from manual.threads import command_threads
    if args.merge:
        return class_report.merge(args)
    # BLAS on one thread here: judging compares kilobyte arrays, whose norms OpenBLAS would
    # spread over threads that, on a busy machine, wait for cores (measured at load 12:
    # 11 ms per norm, 0.35 s of CPU per target, most of a class's time).
    with command_threads():
        return class_report.check_all(targets, args, chosen)


def _isolation(targets, args):
    """The sandbox learner code runs in here ("bubblewrap" or "none"); InputError for a class
    where there is none, unless --unsafe-no-sandbox; one line on stderr for one target."""
    from crosscheck.learner.run import sandbox
    isolation = sandbox.isolation()
    if isolation == sandbox.NONE:
        if len(targets) > 1 and not args.unsafe_no_sandbox:
            raise InputError("no sandbox here (install bubblewrap: apt-get install bubblewrap; or allow "
                             "user namespaces): refusing to run several learners' code with your "
                             "permissions; --unsafe-no-sandbox does it anyway")
        sys.stderr.write(f"crosscheck verify: {sandbox.NONE_NOTE}\n")
    sandbox.class_targets = {str(t.path.resolve()) for t in targets} if len(targets) > 1 else set()
    return isolation
