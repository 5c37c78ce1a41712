"""What one top-level statement of a notebook cell defines, reads and does: the analysis
``notebook.module_source`` uses to keep definitions, skip the rest and follow what a function
needs, name by name. Works on ``ast`` nodes and ``symtable`` scopes; never runs the code."""
import ast
import symtable

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
          ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
CONSTANT_PARTS = (ast.Constant, ast.Name, ast.Load, ast.Attribute, ast.UnaryOp, ast.BinOp, ast.BoolOp,
                  ast.Compare, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Subscript, ast.Slice,
                  ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


def loads(nodes):
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


def defines(node):
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


def class_locals(node):
    """Names a class body binds (read later in the same body, they are not module names)."""
    return set().union(*(defines(s) for s in node.body)) if isinstance(node, ast.ClassDef) else set()


def is_definition(node):
    """Imports, defs, classes, constant assignments to plain names, try blocks of imports."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
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


def why_skipped(node):
    """'an assignment that calls loadmat', 'a loop that calls minimize', ..."""
    kind = {ast.Expr: "an expression", ast.Assign: "an assignment", ast.AugAssign: "an assignment",
            ast.AnnAssign: "an assignment", ast.For: "a loop", ast.While: "a loop", ast.If: "an if block",
            ast.With: "a with block", ast.Try: "a try block"}.get(type(node), f"a {type(node).__name__} statement")
    call = next((n for n in ast.walk(node) if isinstance(n, ast.Call)), None)
    if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
        return "runs only as a script"
    name = ast.unparse(call.func) if call else ""
    return f"{kind} that calls {name if len(name) <= 40 else name[:37] + '...'}" if call else kind


def compile_error(text):
    """'' if ``text`` compiles; else why not (ast.parse accepts a `return` in a class body)."""
    try:
        compile(text, "<cell>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return f"not Python: {type(exc).__name__}: {getattr(exc, 'msg', exc)}"
    return ""


def reads(node, text):
    """Module names ``node`` reads: when it runs, and in the bodies of its functions, methods
    and lambdas (symtable's globals), so what a function needs can be followed name by name."""
    names = loads([node]) - class_locals(node)
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
