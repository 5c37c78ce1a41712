"""The fork server: one sandboxed Python (started by ``forkserver`` in bubblewrap, seeing no
learner's file) with numpy and scipy.special already imported, that forks one worker per target,
so a class pays the interpreter's and numpy's start once, not once per target. Run as a script
(no crosscheck module; ``worker`` and ``nest`` beside it).

Protocol on the fd named by its argument (a SOCK_SEQPACKET socket from the parent): a request is one JSON object
(``{"memory": bytes, "scratch_bytes": n, "scratch_files": n, "shm_bytes": n}``) with five fds (the worker's inbox,
outbox, capture file, the read end of its life pipe, the write end of its status pipe); the reply
is ``b"ok"`` once forked, else ``b"error: ..."``. The forked child (``spawn``) makes its own
namespaces (``nest``), reads its files from the inbox (the first message: ``{"files": [(path,
bytes)]}``), becomes PID 1 of the target's namespace, and forks the worker; a sandbox that cannot
be set up answers ``{"status": "unsandboxed", "message"}`` instead of "ready", and the parent
falls back to a worker of its own.
"""
import json
import os
import pickle
import signal
import socket
import sys
import threading
import types

import nest
import worker

def preload():
    """What nearly every target imports, imported once here (learners import expit from scipy)."""
    import numpy
    deferred(numpy)
    try:
        import scipy.special  # noqa: F401
    except ImportError:
        pass


def deferred(package):
    """Each submodule ``package`` offers by name (np.testing, np.random, ...) that is not imported
    yet becomes a :class:`Deferred` module, run on its first use as a first import would run it.
    scipy.special's import reads every name of numpy's (scipy's array_api_compat), which runs
    numpy.testing, f2py, ma, random and polynomial: about half of its cost (65 of 125 ms,
    measured), for modules it does not use."""
    import importlib.machinery
    import importlib.util
    import pkgutil
    public = set(dir(package))              # what numpy itself offers as np.testing, np.random, ...
    for found in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        name = found.name
        if name in sys.modules or name.rpartition(".")[2] not in public:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            continue                       # a compiled module is loaded as it is created: not deferred
        spec.loader_state = (threading.RLock(), [False])      # Deferred._run's lock, [running now]
        module = importlib.util.module_from_spec(spec)
        module.__class__ = Deferred
        sys.modules[name] = module
        setattr(package, name.rpartition(".")[2], module)


class Deferred(types.ModuleType):
    """A module whose code runs when an attribute it lacks, or its ``dir()``, is first asked for.
    Unlike ``importlib.util.LazyLoader`` (before Python 3.12.3), safe in threads: a second thread
    waits for the first one's run, and the running thread itself sees the module as a partly run
    import, as Python shows it."""

    def __getattr__(self, attr):
        if not self._run():
            raise AttributeError(f"partially initialized module {self.__name__!r} has no attribute {attr!r}")
        return getattr(self, attr)

    def __dir__(self):
        return dir(self) if self._run() else list(self.__dict__)

    def _run(self):
        """Run the module's code once (whichever thread asks first); False while it runs (asked
        by that code itself)."""
        lock, running = self.__spec__.loader_state
        with lock:
            if running[0]:
                return False
            if type(self) is Deferred:
                running[0] = True
                try:
                    self.__spec__.loader.exec_module(self)
                    self.__class__ = types.ModuleType
                finally:
                    running[0] = False
        return True


def spawn(request, inbox, outbox, capture, life, status):
    """In the child forked for one target: never returns."""
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        nest.unshare()
        if os.fork():
            os._exit(0)                    # the init below is reaped by the zygote's PID 1
        setup = pickle.loads(worker.read_message(inbox))
        nest.build_root(setup["files"], request["scratch_bytes"], request["scratch_files"], request["shm_bytes"])
        child = os.fork()
    except BaseException as exc:           # noqa: BLE001  our failure, not the learner's: said so
        worker.reply(outbox, {"status": "unsandboxed", "message": worker.one_line(exc)})
        os._exit(70)
    if child == 0:
        try:
            os.close(life), os.close(status)
            nest.drop()
            worker.start(request["memory"], inbox, outbox, capture)
        finally:
            os._exit(70)
    for fd in (inbox, outbox, capture):
        os.close(fd)
    nest.run_init(child, life, status)


def serve(server):
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(server, 4096, 5)
        except OSError:
            return
        if not message:
            return                         # the parent is gone
        try:
            request = json.loads(message)
            if len(fds) != 5:
                raise ValueError(f"{len(fds)} fds")
            pid = os.fork()
        except (OSError, ValueError) as exc:
            server.send(f"error: {worker.one_line(exc)}".encode())
            pid = None
        if pid == 0:
            server.close()
            spawn(request, *fds)
        for fd in fds:
            os.close(fd)
        if pid is not None:
            server.send(b"ok")


def main():
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)      # children reaped by the kernel
    worker.die_with_parent()
    preload()
    server = socket.socket(fileno=int(sys.argv[1]))
    server.send(b"ready")
    serve(server)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p) != here]   # no shadowing of a learner's module
    main()
