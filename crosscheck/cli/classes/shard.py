"""``--shard I/N``: this job's share of a class, for a job array (Slurm ``--array=1-N``, a CI
matrix). The split is stable: a target belongs to shard 1 + (SHA-256 of its path) mod N,
whatever else the class holds and in whatever order the files are listed, so N jobs given the
same class cover every target exactly once; ``--merge`` joins their JSON Lines.
"""
import argparse
import hashlib
import os


def shard_type(value):
    """argparse ``type=`` for I/N: 1 ≤ I ≤ N."""
    i, slash, n = str(value).partition("/")
    try:
        i, n = int(i), int(n)
    except ValueError:
        i = n = 0
    if not slash or not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"expected I/N with 1 ≤ I ≤ N (this job's share of N), got {value!r}")
    return i, n


def shard_of(target, n):
    """The shard (1..n) ``target`` (a spec, or a ``kinds.Target``) belongs to."""
    key = os.path.normpath(getattr(target, "spec", target)).encode("utf-8", "surrogateescape")
    return 1 + int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % n


def shard(targets, i, n):
    """The targets of shard ``i`` of ``n``, in their given order."""
    return [t for t in targets if shard_of(t, n) == i]
