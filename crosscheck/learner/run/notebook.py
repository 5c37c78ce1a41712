"""A Jupyter notebook as a target: its definitions as the source text of a module.

``module_source("ex4.ipynb", "nnCostFunction")`` reads the notebook (plain JSON, nbformat 4 or
3: no dependency) and keeps the top-level statements of its code cells that only *define*
(imports, functions, classes, constants: literals, names, arithmetic, lambdas; no calls) and
that the function needs, followed name by name (an unused ``import google.colab`` never runs).
The rest is skipped and recorded: data loading, training, plots, magics (``%matplotlib``,
``%%time`` cells), shell lines (``!pip``), and definitions using a name nothing kept defines.
A function needing a name only a skipped statement defines gets ``InputError`` naming both
(cells counted from the top, markdown included).
"""
import ast
import builtins
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from manual.errors import InputError

from crosscheck.learner.run import statements

MAX_BYTES = 100 * 2**20      # notebooks with many images reach tens of MB; beyond this, refuse
MAX_SOURCE = 10 * 2**20      # characters of code parsed (a script, or a notebook's code cells)
HELP = re.compile(r"[\w.]+\?{1,2}")                 # `np.sum?`, `obj??`
TARGETS = re.compile(r"[\w.,\s]+")                   # `x`, `a, b` before `= %time ...`, `= !ls`


def is_magic(line):
    """An IPython magic, shell or help line (``%timeit``, ``!pip``, ``x?``, ``out = !ls``), in
    linear time: no pattern here can backtrack over the line more than once."""
    text = line.strip()
    if text[:1] in ("%", "!", "?"):
        return True
    if text.endswith("?") and HELP.fullmatch(text):
        return True
    left, equals, right = text.partition("=")
    return bool(equals) and right.lstrip()[:1] in ("%", "!") and TARGETS.fullmatch(left) is not None


@dataclass(frozen=True)
class Skipped:
    """One statement (or cell) that crosscheck does not run."""
    cell: int
    line: int                # line within the cell
    text: str                # its first line
    reason: str
    defines: tuple = ()

    def describe(self):
        return f"cell {self.cell} line {self.line}: `{self.text}` ({self.reason})"


@dataclass
class NotebookSource:
    text: str                                       # the module's source
    skipped: list = field(default_factory=list)     # [Skipped], in notebook order
    defined: dict = field(default_factory=dict)     # name -> cell of the kept statement defining it
    cells: dict = field(default_factory=dict)       # file name each cell is compiled under -> its number


def _code_cells(path):
    """[(cell number, source)] of a notebook's code cells; InputError for anything else."""
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{path}: {path.stat().st_size / 2**20:.0f} MB, larger than a notebook "
                         f"crosscheck reads ({MAX_BYTES / 2**20:.0f} MB); clear its outputs")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"{path}: not a Jupyter notebook (not JSON: {' '.join(str(exc).split())[:80]})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells", nb.get("worksheets")), list):
        raise InputError(f"{path}: not a Jupyter notebook (no cells)")
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    language = (meta.get("kernelspec") or {}).get("language") or (meta.get("language_info") or {}).get("name")
    if isinstance(language, str) and language.lower() not in ("python", "python3", "ipython"):
        raise InputError(f"{path}: its kernel's language is {language}; crosscheck verify reads Python notebooks "
                         "(for Octave, save the function as nnCostFunction.m and verify that file)")
    # nbformat 4: cells with "source"; nbformat 3: worksheets of cells with "input"
    cells, key = ((nb["cells"], "source") if "cells" in nb else
                  ([c for w in nb["worksheets"] if isinstance(w, dict) for c in w.get("cells", [])], "input"))
    found = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get(key, "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise InputError(f"{path}: cell {number} has no readable source")
        found.append((number, source))
    return found


def _without_magics(source):
    """(source with each magic or shell line replaced by `pass`, [(line, text) replaced]);
    None for a cell magic (``%%time``, ``%%bash``...): the whole cell is not plain Python."""
    lines = source.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("%%"):
        return None
    replaced = [(i, line) for i, line in enumerate(lines, start=1) if is_magic(line)]
    for i, line in replaced:
        lines[i - 1] = line[:len(line) - len(line.lstrip())] + "pass"
    return "\n".join(lines), replaced


def _guess_defines(source):
    """Names an unparseable cell seems to define (for the error message only)."""
    found = re.findall(r"^(?:def|class)\s+(\w+)|^(\w+)\s*=(?!=)", source, re.M)
    return tuple(sorted({a or b for a, b in found}))


@dataclass(frozen=True)
class _Kept:
    cell: int
    line: int               # where it starts in its cell
    text: str
    defines: frozenset
    reads: frozenset        # module names it reads when it runs, and (bodies) when called


def _split(cells):
    """([_Kept] in notebook order, [Skipped]) over every code cell."""
    kept, skipped = [], []
    available = set(dir(builtins)) | {"__name__", "__file__", "__doc__"}
    if sum(len(source) for _, source in cells) > MAX_SOURCE:
        raise InputError(f"more than {MAX_SOURCE >> 20} MB of code: not a learner's notebook or script")
    for number, source in cells:
        cleaned = _without_magics(source)
        first = source.strip().splitlines()[0] if source.strip() else ""
        if cleaned is None:
            skipped.append(Skipped(number, 1, first, "a cell magic", _guess_defines(source)))
            continue
        code, magics = cleaned
        skipped.extend(Skipped(number, i, text.strip(), "an IPython magic or shell line") for i, text in magics)
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            where = f"line {exc.lineno}: " if getattr(exc, "lineno", None) else ""
            skipped.append(Skipped(number, 1, first, f"not Python: {where}{type(exc).__name__}",
                                   _guess_defines(code)))
            continue
        lines = code.splitlines()
        for node in tree.body:
            if isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
                continue                                        # magics replaced by pass, docstrings
            start = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
            defines = statements.defines(node)
            unknown = [] if isinstance(node, (ast.Import, ast.ImportFrom)) else sorted(
                statements.loads([node]) - available - statements.class_locals(node))
            text = "\n".join(lines[start - 1:node.end_lineno])
            if node.col_offset or node.end_col_offset < len(lines[node.end_lineno - 1]):   # shares a line (a; b)
                text = ast.get_source_segment(code, node)
            reason = (statements.why_skipped(node) if not statements.is_definition(node) else
                      f"uses {', '.join(unknown)}, which no statement kept above defines" if unknown else
                      statements.compile_error(text))
            if reason:
                skipped.append(Skipped(number, start, lines[start - 1].strip(), reason, tuple(sorted(defines))))
            else:
                kept.append(_Kept(number, start, text, frozenset(defines), frozenset(statements.reads(node, text))))
                available |= defines
    return kept, skipped


def _closure(kept, function):
    """(the kept statements ``function`` needs, every name it reads on the way)."""
    by_name = {}
    for k in kept:
        for name in k.defines:
            by_name.setdefault(name, []).append(k)
    needed, seen, todo = set(), set(), [function]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            for k in by_name.get(name, []):
                needed.add(k)
                todo.extend(k.reads)
    return needed, seen


def module_source(path, function=None, cells=None):
    """The notebook's definitions as one module's source (see the module docstring), as a
    :class:`NotebookSource`. With ``function``, only the statements it needs (so an import it
    does not use, such as ``google.colab``, cannot fail), and InputError when it needs a name
    that only a skipped statement defines. ``cells`` [(number, source)] replaces the file's
    code cells: a .py script is one cell (``script_source``)."""
    path, own_cells = Path(path), cells is None
    kept, skipped = _split(_code_cells(path) if own_cells else cells)
    defined = {name: k.cell for k in kept for name in k.defines}
    only_skipped = {}
    for s in skipped:
        for name in s.defines:
            if name not in defined:
                only_skipped.setdefault(name, s)
    if function in only_skipped and only_skipped[function].reason.startswith("not Python"):
        # The function's own cell does not parse: the learner's syntax error, to be reported as
        # such (exit 1, with its cell and line), so that cell alone is compiled and fails there.
        s = only_skipped[function]
        code = dict(_code_cells(path) if cells is None else cells)[s.cell]
        cleaned = _without_magics(code)
        kept = [_Kept(s.cell, 1, cleaned[0] if cleaned else code, frozenset([function]), frozenset())]
    elif function in only_skipped:
        s = only_skipped[function]
        raise InputError(f"{path.name}: {function} is defined only in {s.describe()}, which crosscheck "
                         "does not run; define it in a cell of plain definitions")
    elif function in defined:
        needed, seen = _closure(kept, function)
        missing = sorted(n for n in seen if n in only_skipped)
        if missing:
            s = only_skipped[missing[0]]
            also = f" (also {', '.join(missing[1:])})" if len(missing) > 1 else ""
            raise InputError(f"{path.name}: {function} needs {missing[0]!r}{also}, defined only by {s.describe()}; "
                             "crosscheck runs only a notebook's imports and definitions, so compute "
                             f"{missing[0]!r} inside {function} from its arguments (as m = X.shape[0]), "
                             "or pass it in")
        kept = [k for k in kept if k in needed or not k.defines]       # `from x import *` stays
    # Each cell compiles on its own, its statements on their own lines and under the notebook's
    # path, so an error's line counts from the top of its cell, as Jupyter counts them.
    # A notebook's cells compile under names of their own, so that a failure's Location has its
    # cell (a script, one "cell", compiles under its own path).
    by_cell, chunks = {}, [f"# The definitions of {path.name} crosscheck runs; {len(skipped)} statement(s) not run"]
    for k in kept:
        lines = by_cell.setdefault(k.cell, [])
        lines += [""] * (k.line - 1 - len(lines)) + k.text.splitlines()
    names = {cell: str(path.resolve()) + (f"#cell{cell}" if own_cells else "") for cell in by_cell}
    for cell, lines in by_cell.items():
        chunks.append(f"# --- cell {cell} ---\nexec(compile({chr(10).join(lines)!r}, {names[cell]!r}, 'exec'))")
    return NotebookSource("\n\n".join(chunks) + "\n", skipped, defined,
                          {name: cell for cell, name in names.items()} if own_cells else {})


def script_source(path, function):
    """A .py script's imports and definitions, as for a notebook of one cell (error lines are
    the file's): for a script whose top level fails (data loading, training), so that the
    function can still be checked. InputError as ``module_source``, or when it cannot be read."""
    path = Path(path)
    try:
        if path.stat().st_size > 4 * MAX_SOURCE:
            raise InputError(f"{path.name}: {path.stat().st_size >> 20} MB, more code than crosscheck reads")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: {exc}") from None
    return module_source(path, function, cells=[(1, text)])


def ipython_cell(filename):
    """The execution count N of the IPython cell (``In [N]``) compiled under ``filename``, or None:
    outside IPython, or a file that is not a cell. IPython names each cell's code after a hash
    (``/tmp/ipykernel_4242/366674594.py``) and keeps the map from that name to the count; it is
    read only when IPython is already running (never imported here)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    mapping = getattr(getattr(shell, "compile", None), "_filename_map", None)
    number = mapping.get(filename) if isinstance(mapping, dict) and isinstance(filename, str) else None
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def cell_line(cell_source, line):
    """Line ``line`` (from 1) of a cell's source: the learner's text, so cleaned as everything from
    their code is (control and bidi characters dropped, one line, at most 120 characters); ''."""
    from crosscheck.learner import clean
    lines = cell_source.splitlines() if isinstance(cell_source, str) else []
    return clean.text(lines[line - 1], 120) if isinstance(line, int) and 0 < line <= len(lines) else ""


def source_line(filename, line, cell=None):
    """The text of line ``line`` where a learner's code failed, for the message: from the
    notebook's cell ``cell`` (a notebook target), else from linecache (a .py file, or an IPython
    cell, whose source IPython keeps there); '' when unknown."""
    if cell is not None and str(filename).endswith(".ipynb"):
        try:
            return cell_line(dict(_code_cells(Path(filename))).get(cell, ""), line)
        except (InputError, OSError):
            return ""
    import linecache
    return cell_line(linecache.getline(str(filename), line) if isinstance(line, int) else "", 1)


def learner_terms(filename, line, cell=None):
    """Where, as the learner sees it: 'cell 3, line 2: `J = 1 / 0`' for a notebook's cell (a
    target's cell, or the IPython cell ``filename`` is), 'mycode.py line 12: `…`' for a file."""
    in_kernel = ipython_cell(filename) if cell is None else None
    text = source_line(filename, line, cell)
    place = (f"cell {cell}, line {line}" if cell is not None else
             f"cell In[{in_kernel}], line {line}" if in_kernel is not None else
             f"{Path(str(filename)).name} line {line}")
    return place + (f": `{text}`" if text else "")


def in_learner_terms(location):
    """``location`` (a calls.Location, or None) with the cell of a live IPython kernel filled in
    (its In[N]) and the text of its line, read here from the learner's file, notebook or cell."""
    if location is None or not location.line:
        return location
    from dataclasses import replace
    cell = location.cell if location.cell is not None else ipython_cell(location.file)
    return replace(location, cell=cell, text=source_line(location.file, location.line, location.cell))
