"""A Jupyter notebook as a target: its definitions as the source text of a module.

``module_source("ex4.ipynb", "nnCostFunction")`` reads the notebook (plain JSON, nbformat 4 or
3: no dependency) and keeps, from its code cells in order, the top-level statements that only
*define*: imports, functions, classes, assignments of constants (literals, names, arithmetic,
lambdas; no calls), and of those only what the function needs, followed name by name (so an
unused ``from google.colab import drive`` never runs). Everything else is skipped and recorded:
statements that load data, train or plot, IPython magics (``%matplotlib``, ``%%time`` cells),
shell lines (``!pip``). A definition using a name no kept statement above defines is skipped
too, so the module always imports. When the function needs a name that only a skipped
statement defines, ``InputError`` says which name, which cell (counted from the top, markdown
included) and why that statement was skipped.
"""
import ast
import builtins
import json
import re
import symtable
from dataclasses import dataclass, field
from pathlib import Path

from manual.errors import InputError

MAX_BYTES = 100 * 2**20      # notebooks with many images reach tens of MB; beyond this, refuse
MAGIC = re.compile(r"^\s*([%!]|\?|[\w.]+\?{1,2}\s*$|[\w.,\s]+=\s*[%!])")
DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
          ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
CONSTANT_PARTS = (ast.Constant, ast.Name, ast.Load, ast.Attribute, ast.UnaryOp, ast.BinOp, ast.BoolOp,
                  ast.Compare, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Subscript, ast.Slice,
                  ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


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
    replaced = [(i, line) for i, line in enumerate(lines, start=1) if MAGIC.match(line)]
    for i, line in replaced:
        lines[i - 1] = line[:len(line) - len(line.lstrip())] + "pass"
    return "\n".join(lines), replaced


def _loads(nodes):
    """Names read when ``nodes`` run, not descending into function bodies (read only when called)."""
    names, todo = set(), list(nodes)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            names.add(node.id)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            todo.extend([*node.decorator_list, *a.defaults, *[d for d in a.kw_defaults if d],
                         *[x.annotation for x in (*a.posonlyargs, *a.args, *a.kwonlyargs) if x.annotation],
                         *([node.returns] if node.returns else [])])
        elif isinstance(node, ast.Lambda):
            todo.extend([*node.args.defaults, *[d for d in node.args.kw_defaults if d]])
        else:
            todo.extend(ast.iter_child_nodes(node))
    return names


def _defines(node):
    """Names a top-level statement binds in the module."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    names, todo = set(), [node]
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in n.names if a.name != "*")
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
        if not isinstance(n, SCOPES):
            todo.extend(ast.iter_child_nodes(n))
    return names


def _class_locals(node):
    """Names a class body binds (read later in the same body, they are not module names)."""
    if not isinstance(node, ast.ClassDef):
        return set()
    return set().union(*(_defines(s) for s in node.body))


def _is_definition(node):
    """Imports, defs, classes, constant assignments to plain names, try blocks of imports."""
    if isinstance(node, DEFINITIONS):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        plain = all(isinstance(t, ast.Name) or isinstance(t, ast.Tuple) and all(isinstance(e, ast.Name) for e in t.elts)
                    for t in targets)
        return plain and (isinstance(node.value, ast.Lambda)
                          or all(isinstance(n, CONSTANT_PARTS) for n in ast.walk(node.value)))
    if isinstance(node, ast.Try):
        inner = [*node.body, *node.orelse, *node.finalbody, *(s for h in node.handlers for s in h.body)]
        return all(isinstance(s, (ast.Import, ast.ImportFrom, ast.Pass)) for s in inner)
    return False


def _why_skipped(node):
    """'an assignment that calls loadmat', 'a loop that calls minimize', ..."""
    kind = {ast.Expr: "an expression", ast.Assign: "an assignment", ast.AugAssign: "an assignment",
            ast.AnnAssign: "an assignment", ast.For: "a loop", ast.While: "a loop", ast.If: "an if block",
            ast.With: "a with block", ast.Try: "a try block"}.get(type(node), f"a {type(node).__name__} statement")
    call = next((n for n in ast.walk(node) if isinstance(n, ast.Call)), None)
    if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
        return "runs only as a script"
    name = ast.unparse(call.func) if call else ""
    return f"{kind} that calls {name if len(name) <= 40 else name[:37] + '...'}" if call else kind


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


def _reads(node, text):
    """Module names ``node`` reads: when it runs, and in the bodies of its functions, methods
    and lambdas (symtable's globals), so what a function needs can be followed name by name."""
    names = _loads([node]) - _class_locals(node)
    try:
        table = symtable.symtable(text, "<cell>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return names

    def body(t):
        found = {s.get_name() for s in t.get_symbols() if s.is_global() and s.is_referenced()}
        if t.get_type() == "class":
            found |= {s.get_name() for s in t.get_symbols() if s.is_referenced() and not s.is_assigned()}
        return found.union(*(body(c) for c in t.get_children()))
    return names.union(*(body(c) for c in table.get_children()))


def _split(cells):
    """([_Kept] in notebook order, [Skipped]) over every code cell."""
    kept, skipped = [], []
    available = set(dir(builtins)) | {"__name__", "__file__", "__doc__"}
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
            unknown = [] if isinstance(node, (ast.Import, ast.ImportFrom)) else sorted(
                _loads([node]) - available - _class_locals(node))
            if not _is_definition(node) or unknown:
                reason = (f"uses {', '.join(unknown)}, which no statement kept above defines"
                          if _is_definition(node) else _why_skipped(node))
                skipped.append(Skipped(number, start, lines[start - 1].strip(), reason, tuple(sorted(_defines(node)))))
                continue
            text = "\n".join(lines[start - 1:node.end_lineno])
            if node.col_offset or node.end_col_offset < len(lines[node.end_lineno - 1]):   # shares a line (a; b)
                text = ast.get_source_segment(code, node)
            kept.append(_Kept(number, start, text, frozenset(_defines(node)), frozenset(_reads(node, text))))
            available |= _defines(node)
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


def module_source(path, function=None):
    """The notebook's definitions as one module's source (see the module docstring), as a
    :class:`NotebookSource`. With ``function``, only the statements it needs (so an import it
    does not use, such as ``google.colab``, cannot fail), and InputError when it needs a name
    that only a skipped statement defines."""
    path = Path(path)
    kept, skipped = _split(_code_cells(path))
    defined = {name: k.cell for k in kept for name in k.defines}
    only_skipped = {}
    for s in skipped:
        for name in s.defines:
            if name not in defined:
                only_skipped.setdefault(name, s)
    if function in only_skipped:
        s = only_skipped[function]
        raise InputError(f"{path.name}: {function} is defined only in {s.describe()}, which crosscheck "
                         "does not run; define it in a cell of plain definitions")
    if function in defined:
        needed, seen = _closure(kept, function)
        missing = sorted(n for n in seen if n in only_skipped)
        if missing:
            s = only_skipped[missing[0]]
            also = f" (also {', '.join(missing[1:])})" if len(missing) > 1 else ""
            raise InputError(f"{path.name}: {function} needs {missing[0]!r}{also}, defined only by {s.describe()}; "
                             "crosscheck runs only a notebook's imports and definitions, so define "
                             f"{missing[0]!r} in a cell of its own or pass it as an argument")
        kept = [k for k in kept if k in needed or not k.defines]       # `from x import *` stays
    # Each cell compiles on its own, its statements on their own lines and under the notebook's
    # path, so an error's line counts from the top of its cell, as Jupyter counts them.
    by_cell, chunks = {}, [f"# The definitions of {path.name} crosscheck runs; {len(skipped)} statement(s) not run"]
    for k in kept:
        lines = by_cell.setdefault(k.cell, [])
        lines += [""] * (k.line - 1 - len(lines)) + k.text.splitlines()
    for cell, lines in by_cell.items():
        chunks.append(f"# --- cell {cell} ---\nexec(compile({chr(10).join(lines)!r}, {str(path.resolve())!r}, 'exec'))")
    return NotebookSource("\n\n".join(chunks) + "\n", skipped, defined)
