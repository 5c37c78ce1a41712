"""The one exception type the suite raises for bad input.

The CLI turns it into one line on stderr and exit code 2; library users catch it
like any ``ValueError``.
"""


class InputError(ValueError):
    """Input the suite cannot use: a malformed file, wrong shapes, NaN, bad labels."""


def one_line(message):
    """``message`` with its line breaks and runs of spaces folded: an error is one line."""
    return " ".join(str(message).split())
