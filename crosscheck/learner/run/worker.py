"""The child side of ``crosscheck verify``: imports a learner's module and calls its function in a
process of its own (started by ``runner``; run as a script: no crosscheck module, nothing heavier
than numpy). Protocol, over two fds apart from the learner's 0/1/2: parent → worker a framed pickle
of a dict (``{"op": "load" | "call" | "quit", ...}``; the parent is trusted); worker → parent a
framed JSON header, then the framed raw bytes of each array it refers to (dtype and shape in the
header; an argument the call left as it was sent comes back as "same"), read with ``json.loads``
and ``np.frombuffer`` and validated by the parent: nothing here decides a verdict. The learner's
fd 1 and 2 go to the parent's capture file, fd 0 reads /dev/null;
``RLIMIT_AS`` (``--memory``), ``RLIMIT_FSIZE`` and no core dumps are set before its module loads.
The wall-clock limit is the parent's: it kills this process group.
"""
import contextlib
import importlib
import importlib.util
import inspect
import os
import pickle
import sys
import time
import traceback
import warnings

import numpy as np

if __package__:                      # imported by crosscheck (runner, forked)
    from .wire import FRAME, MAX_ELEMENTS, MAX_TEXT, encode, read_exactly, read_message, reply, short, write_message  # noqa: F401
else:                                # run as a script (the sandbox: wire.py beside it in /sandbox)
    from wire import FRAME, MAX_ELEMENTS, MAX_TEXT, encode, read_exactly, read_message, reply, short, write_message  # noqa: F401

FILE_SIZE_LIMIT = 64 * 2 ** 20       # RLIMIT_FSIZE: what the learner's code may write to a file


def one_line(exc):
    try:
        text = short(exc)
    except BaseException:          # noqa: BLE001  a learner's __str__ may raise anything
        text = "(its message could not be printed)"
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def locate(exc, path, cells=None):
    """{"file", "line", "cell"} of the deepest traceback frame in the learner's code (``path``, or
    a notebook cell compiled under one of ``cells``' file names), or None."""
    files = {**({path: None} if path else {}), **(cells or {})}
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        name = frame.filename if frame.filename in files else os.path.abspath(frame.filename)
        if name in files:
            return {"file": path, "line": frame.lineno, "cell": files[name]}
    return None


def classify(exc, path, cells=None, loading=False):
    """What a learner's exception means, as plain data: {"kind", "message", "where", "in_call"}.
    The one place a learner's exception is read, whether it came from loading the code
    (``loading``: a SyntaxError is "syntax", any other exception "import") or from a call.
    The message does not say where: the parent adds ``where``, in the learner's terms
    (``runner.Outcome.failed``)."""
    if loading and isinstance(exc, SyntaxError):
        file = path if exc.filename in (cells or {}) else exc.filename or path or ""
        at = {"file": file, "line": exc.lineno, "cell": (cells or {}).get(exc.filename)}
        return {"kind": "syntax", "where": at, "in_call": False,
                "message": f"{type(exc).__name__}: {short(exc.msg)}"}
    at = locate(exc, path, cells)
    if isinstance(exc, MemoryError):
        kind, message = "memory", f"raised {one_line(exc)}"
    elif isinstance(exc, SystemExit):
        kind, message = "exit", f"called sys.exit({short(exc.code)})"
    else:
        kind, message = "import" if loading else "exception", f"raised {one_line(exc)}"
    return {"kind": kind, "message": message, "where": at,
            "in_call": not loading and isinstance(exc, TypeError) and at is None}


def load_module(path=None, module_name=None, source=None):
    """The learner's module: from a .py file (its folder first on sys.path for the whole run,
    so helpers it imports later are found), from a module name, or from source text (a
    notebook's cells) compiled as if it were ``path``."""
    if module_name is not None:
        return importlib.import_module(module_name)      # from the parent's sys.path (see load)
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = "crosscheck_learner_module"
    if source is not None:
        module = type(sys)(name)
        module.__file__ = path
        sys.modules[name] = module
        exec(compile(source, path, "exec"), module.__dict__)
        return module
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def defined_functions(module):
    return sorted(k for k, v in vars(module).items()
                  if callable(v) and not k.startswith("_") and getattr(v, "__module__", None) == module.__name__)


def load(request):
    path, cells = request.get("path"), request.get("cells")
    sys.path[0:0] = [p for p in request.get("sys_path", []) if p not in sys.path]
    try:
        module = load_module(path, request.get("module"), request.get("source"))
    except BaseException as exc:     # noqa: BLE001  learner code: anything can come out
        return {"status": "failed", **classify(exc, path, cells, loading=True)}, None
    name = request["name"]
    if not hasattr(module, name):
        return {"status": "no_function", "defined": defined_functions(module)[:50]}, None
    fn = getattr(module, name)
    if not callable(fn):
        return {"status": "not_callable", "type": type(fn).__name__}, None
    header = {"status": "loaded", "parameters": parameters(fn), "defined": defined_functions(module)[:50]}
    grad = getattr(module, request["grad"], None) if request.get("grad") else fn
    if not callable(grad):
        return {"status": "no_function", "defined": defined_functions(module)[:50], "missing": request["grad"]}, None
    return header, with_gradient(fn, grad) if grad is not fn else fn


def with_gradient(cost, gradient):
    """(J, grad) from a cost and a separate gradient function (--grad), each on its own arguments."""
    return lambda *args: (cost(*[np.array(a) if isinstance(a, np.ndarray) else a for a in args]), gradient(*args))


def parameters(fn):
    """[positional parameter names, number required], or None (no signature, *args)."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [[short(p.name)[:60] for p in positional[:20]], sum(p.default is p.empty for p in positional)]


def call(fn, request, path, cells=None):
    """Call the learner's function on the request's arguments, as fresh writable arrays."""
    args = [np.array(a) if isinstance(a, np.ndarray) else a for a in request["args"]]
    start = time.perf_counter()
    try:
        with np.errstate(all="warn"):
            result = fn(*args)
    except BaseException as exc:     # noqa: BLE001  learner code: anything can come out
        return {"status": "failed", **classify(exc, path, cells)}, []
    seconds = time.perf_counter() - start
    arrays = []
    after = [{"t": "same"} if _unchanged(args[i], request["args"][i]) else encode(args[i], arrays)
             for i in request["watch"]]                             # first: always within the cap
    header = {"status": "returned", "seconds": seconds, "after": after, "value": encode(result, arrays)}
    return header, arrays


def _unchanged(arg, sent):
    """Is the argument as crosscheck sent it? Then it is not sent back ("same"): the learner's
    own code could say so of a changed one too, but would only hide its own mistake."""
    return (isinstance(arg, np.ndarray) and isinstance(sent, np.ndarray) and arg.dtype == sent.dtype
            and arg.shape == sent.shape and np.array_equal(arg, sent))


def serve(inbox, outbox, fn=None, path=None):     # fn: already there in a forked child (``forked``)
    recorded, cells = [], None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        while True:
            request = pickle.loads(read_message(inbox))
            op = request["op"]
            if op == "quit":
                return
            del caught[:]
            try:
                if op == "load":
                    path, cells = request.get("path"), request.get("cells")
                    header, fn = load(request)
                    arrays = []
                else:
                    header, arrays = call(fn, request, path, cells)
            except BaseException as exc:    # noqa: BLE001  the learner broke what we use (numpy, json)
                header, arrays = {"status": "failed", "kind": "crash",
                                  "message": f"broke the worker ({one_line(exc)})"}, []
            for w in caught:
                message = short(f"{w.category.__name__}: {w.message}")
                if message not in recorded and len(recorded) < 20:
                    recorded.append(message)
            header["warnings"] = recorded[:]
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:     # noqa: BLE001  the learner may have replaced them
                    pass
            try:
                reply(outbox, header, arrays)
            except (ValueError, TypeError) as exc:     # e.g. a NaN slipped into the header
                reply(outbox, {"status": "failed", "kind": "bad_return",
                               "message": f"returned something that cannot be sent back ({one_line(exc)})"})


def die_with_parent():
    """Linux: SIGKILL this worker when crosscheck ends, even while the learner's code loops."""
    with contextlib.suppress(OSError, AttributeError):
        __import__("ctypes").CDLL(None).prctl(1, 9)   # PR_SET_PDEATHSIG, SIGKILL


def main(argv):
    start(int(argv[1]), 0, 1, 2)


def start(memory, inbox, outbox, capture):
    """Serve the parent on ``inbox``/``outbox`` until it says quit; the learner's fd 1 and 2 go
    to ``capture``, fd 0 reads /dev/null. Run as a script (``main``) or in a child forked from
    the fork server (``zygote``)."""
    import builtins
    import fcntl
    import resource
    if not hasattr(builtins, "exit"):             # started without `site` (the sandbox): exit() as usual
        __import__("site").setquit()
    die_with_parent()
    for limit, value in ((resource.RLIMIT_AS, int(memory)), (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))
    # The protocol's fds above 2, close-on-exec (not inherited by the learner's children).
    given = (inbox, outbox, capture)
    inbox, outbox, capture = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3) for fd in given)
    for fd in set(given) - {0, 1, 2}:
        os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(capture, 1)                           # the learner's fd 1 and 2: the capture file
    os.dup2(capture, 2)
    os.close(capture)
    reply(outbox, {"status": "ready"})            # the time limits start now, not at our start-up
    serve(inbox, outbox)
    os._exit(0)                                   # threads the learner left running end here


if __name__ == "__main__":
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]                           # our folder must not shadow the learner's modules
    main(sys.argv)
