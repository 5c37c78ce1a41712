"""One target's own sandbox, made inside the fork server's (``zygote``): Linux namespaces set up
by hand with ctypes, the way bubblewrap does it, because a forked child cannot run bubblewrap
without starting Python and numpy again. Run as a plain module (no crosscheck import).

``enter(files)`` in a child just forked from the zygote:

1. ``unshare`` a user, mount, PID, network, IPC and UTS namespace: this target's processes see
   no sibling (PID), reach no socket or shared memory of a sibling (network, IPC);
2. ``fork``: the child is PID 1 of the new PID namespace (the target's *init*, ``Init``); when it
   ends, the kernel kills everything the target started, wherever it ran off to;
3. in it, a new root on a private tmpfs: the zygote's read-only system folders bound in again
   read-only, the target's own files written at their own paths (copies: the zygote never sees
   them, and a classmate's are never there), /tmp a fresh tmpfs capped in bytes *and* in files
   (bubblewrap cannot cap the file count), /dev/shm and /dev/pts fresh, /proc empty (the kernel refuses a
   new proc mount where bubblewrap's is partly covered, and the zygote's would show the other
   targets); ``pivot_root`` into it and the old root detached.

The worker then forks from the init and drops every capability (``drop``): it cannot mount,
unmount or pivot, and a user namespace it makes inside copies these mounts locked.
"""
import ctypes
import os
import signal
import struct

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
KEPT_FLAGS = MS_NOSUID | MS_NODEV | MS_NOEXEC | 1024 | 2048 | (1 << 21)   # and (no)atime: locked
MNT_DETACH = 2
PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41}     # syscall numbers (no glibc wrapper)
PROCESSES = 256                      # RLIMIT_NPROC in a target's own user namespace
INSIDE_UID = 1000                    # the worker's uid in its namespace: not 0, so no exec regains caps
NEW_ROOT = "/nest"                   # an empty folder in the zygote's root: each target's root mounts here
SKIPPED = {"proc", "tmp", "nest"}    # made fresh per target
STAGE = "/.files"                    # where the target's files are written before they are bound

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    encode = (lambda s: s.encode() if s is not None else None)
    _check(_libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
           f"mount {target}")


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def unshare(flags=CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS):
    """New namespaces for this process (1.; ``cap``: a user and a mount namespace only), this
    process's uid and gid mapped to INSIDE_UID."""
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(flags), "unshare")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{INSIDE_UID} {uid} 1")
    _write("/proc/self/gid_map", f"{INSIDE_UID} {gid} 1")


def _scratch(folder, size, files, flags=MS_NOSUID | MS_NODEV):
    """A fresh tmpfs over ``folder``, capped at ``size`` bytes and ``files`` files."""
    _mount("tmpfs", folder, "tmpfs", flags, f"size={int(size)},nr_inodes={int(files)},mode=1777")


def _bind_read_only(source, target):
    _mount(source, target, None, MS_BIND | MS_REC)
    flags = os.statvfs(source).f_flag & KEPT_FLAGS        # a remount must keep the locked flags
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)


def build_root(files, scratch_bytes, scratch_files, shm_bytes):
    """The target's root (3.), entered. ``files``: [(absolute path, bytes)], written read-only."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)          # nothing propagates back to the zygote
    _mount("tmpfs", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    for name in sorted(os.listdir("/")):
        path, inside = "/" + name, NEW_ROOT + "/" + name
        if name in SKIPPED:
            os.mkdir(inside, 0o755)
        elif os.path.islink(path):
            os.symlink(os.readlink(path), inside)
        elif os.path.isdir(path):
            os.mkdir(inside, 0o755)
            _bind_read_only(path, inside)
    staged = []                    # the files on a tmpfs of their own, then bound at their paths:
    os.mkdir(NEW_ROOT + STAGE, 0o755)
    _mount("tmpfs", NEW_ROOT + STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")   # /tmp too
    for i, (path, data) in enumerate(files):
        with open(f"{NEW_ROOT}{STAGE}/{i}", "wb") as f:
            f.write(data)
        staged.append((f"{STAGE}/{i}", os.path.normpath("/" + path)))
    os.chdir(NEW_ROOT)
    _check(_libc.syscall(PIVOT_ROOT[os.uname().machine], b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
    _scratch("/tmp", scratch_bytes, scratch_files)
    if os.path.isdir("/dev/shm"):
        _scratch("/dev/shm", shm_bytes, scratch_files, MS_NOSUID | MS_NODEV | MS_NOEXEC)
    if os.path.isdir("/dev/pts"):                  # the server's terminals are every target's: its own
        try:
            _mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620")
        except OSError:
            _mount("tmpfs", "/dev/pts", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=0")
    for source, path in staged:
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o444))
        _bind_read_only(source, path)
    _check(_libc.umount2(STAGE.encode(), MNT_DETACH), "detach the staged files")
    os.rmdir(STAGE)
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir("/tmp")                              # the working folder, as bubblewrap's --chdir


def drop():
    """No capability left in this process or anything it execs, no privilege gained by exec, and
    at most PROCESSES processes and threads in this user namespace (a fork bomb's bound: the
    kernel counts RLIMIT_NPROC per user namespace since Linux 5.14, and not for root)."""
    import resource
    header = struct.pack("=Ii", 0x20080522, 0)              # _LINUX_CAPABILITY_VERSION_3, this thread
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSES, PROCESSES))
    _check(_libc.capset(header, bytes(24)), "capset")


def run_init(child, life_fd, status_fd):
    """PID 1's loop: reap every process of the target until ``child`` (the worker) ends, then
    write its end as an exit code (128 + signal, as bubblewrap's) to ``status_fd`` and end,
    taking every other process of the namespace with it; end at once when ``life_fd`` (the
    parent's end of a pipe) closes: crosscheck killed the target or ended."""
    import select
    prctl = _libc.prctl
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)                     # the worker cannot ptrace its init
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2"):   # the worker's signals to PID 1
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    code = 137
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            code = 128 - code if code < 0 else code
            break
        if pid:
            continue
        ready = select.select([life_fd, wake_r], [], [], 1.0)[0]
        if life_fd in ready:
            os._exit(137)
        if wake_r in ready:
            os.read(wake_r, 4096)
    os.write(status_fd, struct.pack(">i", code))
    os._exit(code & 0xFF)


def cap(folders, scratch_files):
    """Over each of ``folders`` ([path, bytes]: bubblewrap's tmpfs, uncapped in files), a tmpfs
    of this process's own, capped in bytes and files, holding copies of what was there (the
    learner's files bound under /tmp); every capability dropped."""
    kept = {}
    for folder, _ in folders:
        for top, _, names in os.walk(folder):
            for name in names:
                with open(os.path.join(top, name), "rb") as f:
                    kept[os.path.join(top, name)] = f.read()
    unshare(CLONE_NEWUSER | CLONE_NEWNS)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    cwd = os.getcwd()
    for folder, size in folders:
        _scratch(folder, size, scratch_files)
    os.chdir(cwd)                                 # the new mount, if the working folder is one of them
    for path, data in kept.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    drop()


def main(argv):
    """``python -S -s nest.py SETUP -- COMMAND...``: :func:`cap` SETUP's folders (JSON: "folders",
    "files"), then exec COMMAND. Best effort: where a user namespace cannot be made
    inside bubblewrap's, COMMAND runs with bubblewrap's byte cap alone."""
    import json
    setup, command = json.loads(argv[1]), argv[argv.index("--") + 1:]
    try:
        cap(setup["folders"], setup["files"])
    except OSError:
        pass
    os.execv(command[0], command)


if __name__ == "__main__":
    import sys
    main(sys.argv)
