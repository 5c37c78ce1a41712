"""The fenced blocks of README.md and docs/*.md, read as things to run (tests/test_doc_pages.py).

What each fence means:

- ```python: the page's Python blocks run in order in one namespace; afterwards every function
  the page defined whose name starts with ``test_`` is called, as pytest would.
- ```sh (or bash, shell): every command in it runs in bash and must exit 0.
- ```console: lines starting with ``$ `` are commands; the lines under one are its output, which
  must match what the command prints (stdout and stderr together). In the shown output ``…``
  stands for any text (a whole line of ``…``: any number of lines); whitespace, line breaks
  and the digits of decimal numbers (timings, last digits) are not compared; words and
  integers are (write ``…`` for an integer that varies, such as whole seconds).
- anything else (``text``, ``json``, no tag) is shown, not run. An untagged block whose first
  line looks like a command is an error: tag it ``sh``, ``console`` or ``text``.

A visible HTML comment on the line before a fence changes that block:
``<!-- ci: skip: REASON -->`` (too slow, needs absent data, sets up an environment: the reason
is printed with the skip), ``<!-- ci: needs PROGRAM -->`` (skipped, saying so, where PROGRAM is
not installed, e.g. octave-cli) or ``<!-- ci: exit N -->`` (its commands exit N). Any other
``<!-- ci: … -->`` is an error, so a typo cannot skip a block silently.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```([\w-]*)\s*$")
MARKER = re.compile(r"^<!--\s*ci:\s*(.*?)\s*-->\s*$")
SHELLS = {"sh", "bash", "shell"}
LOOKS_LIKE_A_COMMAND = re.compile(r"^(\$ |\.venv/bin/|python3? -m |crosscheck(\s+-|\s+[a-z]+\s|\s*$))")


@dataclass
class Block:
    page: str
    line: int              # of the opening fence, 1-based
    lang: str
    text: str
    skip: str | None = None
    needs: str | None = None
    exit_code: int = 0
    problems: list = field(default_factory=list)


@dataclass
class Command:
    block: Block
    line: int
    command: str
    expected: str | None   # the shown output (console blocks), None where none is shown

    @property
    def id(self):
        return f"{self.block.page}:{self.line}: {self.command[:60]}"


def pages():
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def page_name(path):
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def read_marker(text, block):
    if text.startswith("skip:") and text[5:].strip():
        block.skip = text[5:].strip()
    elif re.fullmatch(r"needs [\w.+-]+", text):
        block.needs = text.split()[1]
    elif re.fullmatch(r"exit \d+", text):
        block.exit_code = int(text.split()[1])
    else:
        block.problems.append(f"unknown marker <!-- ci: {text} -->: use 'skip: REASON', 'needs PROGRAM' or 'exit N'")


def blocks(path, text=None):
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    found, i = [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].rstrip() == "```"), len(lines))
        block = Block(page_name(path), i + 1, opening.group(1), "\n".join(lines[i + 1:end]) + "\n")
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        if marker := MARKER.match(before):
            read_marker(marker.group(1), block)
        first = block.text.lstrip("\n").splitlines()[:1]
        if block.lang == "" and first and LOOKS_LIKE_A_COMMAND.match(first[0]):
            block.problems.append(f"untagged block starting with a command ({first[0][:40]!r}): "
                                  "tag it sh, console or text")
        found.append(block)
        i = end + 1
    return found


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def broken_links(path):
    """Relative links of the page whose file does not exist."""
    text = path.read_text(encoding="utf-8")
    return [target for target in LINK.findall(text)
            if "://" not in target and not target.startswith("mailto:")
            and not (path.parent / target).exists()]


def logical_lines(text, first_line):
    """(line number, line) with backslash continuations joined."""
    pending, start = "", None
    for number, line in enumerate(text.splitlines(), start=first_line):
        start = number if not pending else start
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield start, pending + line
        pending = ""


def commands(block):
    """The block's commands; for a console block each with the output shown under it."""
    found = []
    for number, line in logical_lines(block.text, block.line + 1):
        if block.lang in SHELLS:
            if line.strip() and not line.lstrip().startswith("#"):
                found.append(Command(block, number, line.strip(), None))
        elif line.startswith("$ "):
            found.append(Command(block, number, line[2:].strip(), ""))
        elif found:
            found[-1].expected += line + "\n"
    return found


def page_commands(paths=None):
    return [c for path in (paths or pages()) for b in blocks(path)
            if b.lang in SHELLS | {"console"} for c in commands(b)]


ELLIPSIS = "…"
DECIMAL = re.compile(r"\d+\.\d+(?:e[-+]?\d+)?|\d+e[-+]?\d+")
ANY_NUMBER = r"[-+]?(?:\d+\.\d+|\d+)(?:e[-+]?\d+)?|nan|inf"


def squeeze(text):
    return " ".join(text.split())


def word_pattern(word):
    out, at = [], 0
    for number in DECIMAL.finditer(word):
        out += [re.escape(word[at:number.start()]), f"(?:{ANY_NUMBER})"]
        at = number.end()
    return "".join(out) + re.escape(word[at:])


def output_pattern(shown):
    """A regex for the shown output: … is any text, a decimal number any number, spaces any."""
    pieces = [r"\s*".join(word_pattern(w) for w in part.split()) for part in squeeze(shown).split(ELLIPSIS)]
    return re.compile(r"\s*" + r"\s*.*?\s*".join(pieces) + r"\s*", re.DOTALL)


def output_matches(shown, printed):
    return output_pattern(shown).fullmatch(squeeze(printed)) is not None
