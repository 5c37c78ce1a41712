"""Placeholder: filled in by its issue."""
import sys


def add_arguments(parser):
    pass


def run(args):
    sys.stderr.write("not implemented yet\n")
    return 1
