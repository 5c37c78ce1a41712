"""``crosscheck``: the command line. Each sub-command lives in its own module with
``add_arguments(parser)`` and ``run(args) -> exit code``; modules load lazily so that
``crosscheck train`` does not pay for importing JAX and PyTorch.

Exit codes: 0 every check passed, 1 a check failed, 2 bad input or usage (one line on
stderr, never a traceback).
"""
import argparse
import importlib
import sys

from manual.errors import InputError

COMMANDS = {
    "report": ("crosscheck.report", "cross-check manual/ against JAX, PyTorch and central differences (default)"),
    "pin": ("crosscheck.pin", "check or update the pinned reference values"),
    "verify": ("crosscheck.verify", "check your own nnCostFunction and name its mistake"),
    "mistakes": ("crosscheck.gallery", "the gallery of common delta mistakes and what they do to training"),
    "train": ("crosscheck.train_cmd", "train the network and report accuracy"),
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message):
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


def build_parser():
    parser = _Parser(prog="crosscheck", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.set_defaults(module=module)
        importlib.import_module(module).add_arguments(cmd)
    return parser


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "report")            # `crosscheck` alone is `crosscheck report`
    args = build_parser().parse_args(argv)
    try:
        return importlib.import_module(args.module).run(args)
    except InputError as exc:
        sys.stderr.write(f"crosscheck {args.command}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("crosscheck: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
