"""``crosscheck``: the command line, a thin dispatcher. Each sub-command lives in its own module
of this package with ``add_arguments(parser)`` and ``run(args) -> exit code``; a command's
heavy imports (JAX, PyTorch) happen inside its ``run``, so ``crosscheck train`` never pays for them.

Exit codes: 0 every check passed, 1 a check failed, 2 bad input or usage (one line on
stderr, never a traceback), 3 an internal error: a bug in crosscheck itself, shown with its
traceback so that it can be reported, and never mistaken for a verdict (0 or 1) on your
code. Every bad-input path raises ``manual.InputError``; any other exception escaping a
sub-command is by definition such a bug. 130 interrupted (Ctrl-C), 141 output pipe closed.
"""
import argparse
import importlib
import os
import sys
import warnings

from manual.errors import InputError, one_line  # noqa: F401  (one_line: the commands import it from here)

USAGE = """\
Prove a hand-derived backpropagation right with JAX and PyTorch autodiff, and check your own.

  crosscheck                          cross-check manual/ on the embedded digits (= crosscheck report)
  crosscheck verify mycode.py:nnCostFunction  (or NOTEBOOK.ipynb:FUNCTION, FILE.m, many: subs/*.py:f)
                                      check YOUR nnCostFunction and name what is wrong with it
  crosscheck mistakes                 the gallery of classic delta mistakes and what they do
  crosscheck train                    train the 400-25-10 network (or 64-25-10 on the embedded digits)
  crosscheck pin --check              recompute the pinned reference values

`crosscheck COMMAND --help` for a command's options. Exit codes: 0 right / all passed,
1 wrong / a check failed, 2 bad input or usage (one line on stderr), 3 a bug in crosscheck."""

COMMANDS = {
    "report": ("crosscheck.cli.report", "cross-check manual/ against JAX, PyTorch and central differences (default)"),
    "pin": ("crosscheck.cli.pin", "check or update the pinned reference values"),
    "verify": ("crosscheck.cli.verify", "check your own nnCostFunction and name its mistake"),
    "mistakes": ("crosscheck.cli.mistakes", "the gallery of common delta mistakes and what they do to training"),
    "train": ("crosscheck.cli.train", "train the network and report accuracy"),
}


# Python 3.14's argparse suggests close matches for a mistyped choice itself; before that (and
# for unrecognised options, which it leaves alone) ``suggestion`` does, with difflib.
SUGGESTS = {"suggest_on_error": True} if sys.version_info >= (3, 14) else {}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2, with the nearest
    option or command when one was mistyped ("--timout": did you mean --timeout?)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**SUGGESTS, **kwargs})

    def error(self, message):
        sys.stderr.write(f"{self.prog}: error: {one_line(message)}{suggestion(self, message)}\n")
        sys.exit(2)


def suggestion(parser, message):
    """"; did you mean X?" for the first mistyped option or command in argparse's ``message``, or ''."""
    if "maybe you meant" in message or "did you mean" in message:
        return ""                                   # argparse ≥ 3.14 already said it
    if message.startswith("unrecognized arguments:"):
        words = [w for w in message.split(":", 1)[1].split() if w.startswith("-")]
        known = [o for o in parser._option_string_actions if o.startswith("--")]
    elif "invalid choice:" in message:
        words = [message.split("invalid choice:", 1)[1].split("'")[1]] if "'" in message else []
        known = [c for action in parser._actions if action.choices for c in action.choices]
    else:
        return ""
    for word in words:
        word = word.split("=")[0]
        close = [k for k in known if k.startswith(word)] if len(word) > 2 else []
        if len(close) != 1:
            import difflib
            close = difflib.get_close_matches(word, known, n=1, cutoff=0.7)
        if close:
            return f"; did you mean {close[0]}?"
    return ""


def version():
    """The installed distribution's version (the source tree's when not installed)."""
    from importlib.metadata import PackageNotFoundError, version as dist_version
    try:
        return dist_version("backprop-crosscheck")
    except PackageNotFoundError:
        return "unknown (not installed)"


class _Version(argparse.Action):
    """-V: the version, looked up only when asked for (importlib.metadata costs ~10 ms)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {version()}")
        parser.exit()


def build_parser(only=None):
    """The parser; with ``only`` a command's name, only that command's module is imported (and
    its options added), so a command pays for no other's imports; ``only=""``: none."""
    parser = _Parser(prog="crosscheck", description=USAGE, usage="crosscheck [COMMAND] [options]",
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-V", "--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, title="commands", metavar="COMMAND")
    parser.commands = sub.choices
    for name, (module, help_text) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text, prog=f"crosscheck {name}")
        cmd.set_defaults(module=module)
        if only is None or only == name:
            importlib.import_module(module).add_arguments(cmd)
    return parser


def _silence_stdout():
    """Point stdout at /dev/null so the interpreter's final flush has nowhere to fail."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):   # stdout replaced by a test capture: nothing to do
        pass


def _start_early(args):
    """verify naming a Python file or notebook that exists: start the fork server now, so that
    its Python and numpy load while this process loads its own (verify starts it anyway, later)."""
    import glob
    files = (a.rpartition(":")[0] or a for a in args if not a.startswith("-"))
    if "--merge" not in args and any(f.endswith((".py", ".ipynb")) and glob.glob(f)[:1] for f in files):
        from crosscheck.learner.run import forkserver
        forkserver.warm(probe=False)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "-V", "--version"):
        argv.insert(0, "report")            # `crosscheck` alone is `crosscheck report`
    if argv[0] == "verify":
        _start_early(argv[1:])
    parser = build_parser(only=argv[0] if argv[0] in COMMANDS else "")
    args, extras = parser.parse_known_args(argv)
    if extras:                              # said by the command's own parser: its prog, its options
        parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extras)}")
    try:
        with warnings.catch_warnings():
            # Overflow in exp, inf − inf, …: every outcome is judged by explicit finiteness
            # checks (NaN or inf in a result is a failure, one line), so numpy's warning text
            # would only be noise on stderr.
            warnings.simplefilter("ignore", RuntimeWarning)
            code = importlib.import_module(args.module).run(args)
        sys.stdout.flush()                  # a closed pipe surfaces here, not at exit
        return code
    except InputError as exc:
        sys.stderr.write(f"crosscheck {args.command}: error: {one_line(exc)}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("crosscheck: interrupted\n")
        return 130
    except BrokenPipeError:
        # `crosscheck report | head`: the reader left; say nothing more, and keep Python's
        # exit-time flush of stdout from raising again.
        _silence_stdout()
        return 141
    except Exception as exc:   # noqa: BLE001  anything but InputError here is our bug
        import traceback
        traceback.print_exc()
        sys.stderr.write(f"crosscheck {args.command}: internal error (a bug in crosscheck, not in your "
                         f"input; please report it with the traceback above): "
                         f"{type(exc).__name__}: {one_line(exc)}\n")
        return 3


def console():
    """The ``crosscheck`` command: :func:`main`, then :func:`exit_now`."""
    exit_now(main())


def exit_now(code):
    """End this process with ``code`` as at a normal exit (the output flushed, the exit handlers
    run: the fork server ends there), but without the interpreter's teardown, which frees every
    module one by one (about 10 ms with numpy loaded, a twentieth of a verify run; measured)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):      # a reader gone (141 was returned): nothing more to say
            pass
    run_exit_handlers = getattr(__import__("atexit"), "_run_exitfuncs", None)
    if run_exit_handlers is None or not isinstance(code, int):   # another Python: the usual way
        sys.exit(code)
    run_exit_handlers()
    os._exit(code)


if __name__ == "__main__":
    console()
