"""The sandbox where user namespaces are refused (no bubblewrap): Landlock (Linux ≥ 5.13) and a
seccomp filter, set by a small launcher that then runs the learner's process. Run as a script
(no crosscheck import): ``python -S -s landlock.py SETUP -- COMMAND...``, SETUP a JSON object:
``"rules"``, a list of ``[path, access]`` with access "read" (files beneath: read, execute),
"list" (folders beneath: list) or "write" (everything: the scratch folder), ``"cwd"``, and
``"script"``: where COMMAND is this Python running a script, the script's index in COMMAND: it
then runs in the launcher's child itself (one interpreter start less per target).

The launcher forks; the child restricts itself and execs COMMAND; the launcher stays outside,
a *subreaper*: every process COMMAND starts that loses its parent (a daemon that called setsid)
becomes its child, and when COMMAND ends, or the launcher gets SIGTERM (crosscheck ending the
target) or loses crosscheck, it kills them all. It exits with COMMAND's code (128 + signal).

In the child, from then on and in everything it execs:
- files: only what RULES grant (no crosscheck, no JAX cache, no classmate, no $HOME, no /proc);
- no new socket of any family (seccomp: ``socket`` fails with EACCES), so no network, no
  Unix socket of the desktop or of docker;
- Landlock ABI ≥ 6: no signal to a process outside the domain (crosscheck, a sibling), no
  abstract Unix socket outside it; ptrace of a process outside it is refused at every ABI.
Not given here (bubblewrap gives them): a private PID namespace (the processes are visible, by
pid), a byte cap on the scratch folder (it is on disk: each file ≤ RLIMIT_FSIZE, and the time
limit), hiding the *names* in a listed folder (the target's folder is listed for its imports).
"""
import ctypes
import json
import os
import platform
import signal
import struct
import sys

CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446     # the same number on every architecture
RULE_PATH_BENEATH, CREATE_RULESET_VERSION = 1, 1
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1, 2, 4, 8
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | (1 << 14) | (1 << 15)     # TRUNCATE, IOCTL_DEV
ACCESS = {"read": EXECUTE | READ_FILE, "list": READ_DIR}
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, PR_SET_CHILD_SUBREAPER = 38, 22, 2, 36
PR_SET_PDEATHSIG = 1
# seccomp: (AUDIT_ARCH, socket's syscall number) per machine
SOCKET = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def abi():
    """The kernel's Landlock ABI version, 0 where there is none (or it is disabled)."""
    try:
        return max(0, _libc.syscall(CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION)))
    except (AttributeError, OSError):
        return 0


def _fail(what):
    errno = ctypes.get_errno()
    raise OSError(errno, f"{what}: {os.strerror(errno)}")


def restrict(rules):
    """This process and what it execs: only ``rules``' access, no new socket (see above)."""
    version = abi()
    if version < 1:
        raise OSError("Landlock is not available")
    handled = (1 << 13) - 1 | (1 << 13 if version >= 2 else 0) | (1 << 14 if version >= 3 else 0) \
        | (1 << 15 if version >= 5 else 0)
    attr = struct.pack("=QQQ", handled, 3 if version >= 4 else 0, 3 if version >= 6 else 0)   # TCP bind/connect; scopes
    size = 8 if version < 4 else 16 if version < 6 else 24
    ruleset = _libc.syscall(CREATE_RULESET, ctypes.c_char_p(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        _fail("landlock_create_ruleset")
    for path, access in rules:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue                           # not on this machine
        rights = handled if access == "write" else ACCESS[access]
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS
        if rights and _libc.syscall(ADD_RULE, ruleset, RULE_PATH_BENEATH,
                                    ctypes.c_char_p(struct.pack("=Qi", rights, fd)), ctypes.c_uint32(0)) != 0:
            _fail(f"landlock_add_rule {path}")
        os.close(fd)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        _fail("no_new_privs")
    no_sockets()
    if _libc.syscall(RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) != 0:
        _fail("landlock_restrict_self")
    os.close(ruleset)


def no_sockets():
    """A seccomp filter: ``socket()`` fails with EACCES (x32 calls on x86_64 refused too)."""
    arch, nr = SOCKET.get(platform.machine(), (None, None))
    if arch is None:
        return
    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    deny, allow = 0x00050000 | 13, 0x7FFF0000
    program = [(ld_abs, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, deny),     # another ABI: refused
               (ld_abs, 0, 0, 0), (jge, 2, 0, 0x40000000), (jeq, 1, 0, nr), (ret, 0, 0, allow),
               (ret, 0, 0, deny)]
    code = b"".join(struct.pack("=HBBI", *op) for op in program)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("=HxxxxxxQ", len(program), ctypes.addressof(buffer))
    if _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.c_char_p(fprog), 0, 0) != 0:
        _fail("seccomp")


def _children():
    try:
        return {int(p) for t in os.listdir("/proc/self/task") for p in open(f"/proc/self/task/{t}/children").read().split()}
    except OSError:                    # no CONFIG_PROC_CHILDREN: every process's parent, read
        found = set()
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                    found.add(int(pid))
            except (OSError, IndexError, ValueError):
                pass
        return found


def _kill_children(rounds=1000):
    """SIGKILL every child (the orphans reparented here too), reaping, until none is left."""
    import time
    for _ in range(rounds):
        for pid in _children():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                return
        time.sleep(0.005)


def main(argv):
    setup, command = json.loads(argv[1]), argv[argv.index("--") + 1:]
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    child = os.fork()
    if child == 0:
        try:
            os.chdir(setup["cwd"])
            restrict(setup["rules"])
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            if setup.get("script"):            # a Python script (the worker): run here, in this
                import runpy                   # interpreter, not a second one started by exec
                sys.argv = command[setup["script"]:]
                runpy.run_path(sys.argv[0], run_name="__main__")
                os._exit(0)
            os.execv(command[0], command)
        finally:
            os._exit(70)

    def end(*_):
        _kill_children()
        os._exit(128 + signal.SIGKILL)
    signal.signal(signal.SIGTERM, end)
    status = os.waitpid(child, 0)[1]
    code = os.waitstatus_to_exitcode(status)
    _kill_children()
    os._exit(128 - code if code < 0 else code)


if __name__ == "__main__":
    main(sys.argv)
