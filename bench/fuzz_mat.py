"""Fuzz the .mat loaders: seeded mutants of valid v4, v5, v5-compressed and v7.3 files.

Every mutant is loaded as data and as weights (``load_ex4data``, ``load_ex4weights``) in a
worker process, and counted as one of

- ok / refused: a clean load, or the suite's own InputError (both fine);
- foreign: any other exception (a scipy, h5py, zlib or numpy error escaping the loader);
- crash: the worker died from a signal (a segfault in a C reader);
- hang: no answer within ``--timeout`` seconds.

A crash or hang restarts the worker at the next mutant, so one run counts them all. Mutant i
of a run is rebuilt from ``default_rng([seed, i])`` alone: ``--only I`` replays one, and
``--save DIR`` writes the crashers, hangs and foreign errors there.

    .venv/bin/python bench/fuzz_mat.py                   # 100,000 mutants, seed 0
    .venv/bin/python bench/fuzz_mat.py --count 2000 --json
"""
import argparse
import io
import json
import os
import resource
import selectors
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("v4", "v5", "v5 compressed", "v7.3")
WORKER_MEMORY = 4 << 30        # RLIMIT_AS of a worker: a loader that needs more is a finding
INTERESTING = (0, 1, 2, 4, 5, 7, 8, 9, 14, 15, 16, 17, 18, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0x10000)


def seed_files():
    """{kind: bytes} of small valid course-style files, with text, cells and a struct beside
    the numbers so that every reader path is walked."""
    import scipy.io
    sys.path.insert(0, str(ROOT / "tests"))
    from matfiles import small_data, small_weights, write_v73
    X, y = small_data()
    t1, t2 = small_weights()
    numbers = dict(X=X, y=y.astype(np.float64), Theta1=t1, Theta2=t2)
    extras = dict(note="course data", names=np.array([["ab", "cd"]]), parts=np.array([[np.eye(2), "a"]], dtype=object),
                  info={"m": 12.0, "tag": "x"}, flags=np.array([[True, False]]), z=np.array([[1 + 2j]]))
    files = {}
    for kind, kwargs, variables in (("v4", {"format": "4"}, numbers),
                                    ("v5", {}, {**numbers, **extras}),
                                    ("v5 compressed", {"do_compression": True}, {**numbers, **extras})):
        buffer = io.BytesIO()
        scipy.io.savemat(buffer, variables, **kwargs)
        files[kind] = buffer.getvalue()
    with tempfile.TemporaryDirectory() as folder:
        files["v7.3"] = write_v73(Path(folder) / "v73.mat", **numbers, note="text", parts=[np.eye(2), "a"]).read_bytes()
    return files


def _recompressed(data, rng):
    """A v5-compressed file whose inflated matrices are mutated, then deflated again: the
    damage reaches the reader instead of stopping at zlib."""
    out, pos = bytearray(data[:128]), 128
    while pos + 8 <= len(data):
        mdtype, count = struct.unpack_from("<II", data, pos)
        chunk = data[pos + 8:pos + 8 + count]
        if mdtype == 15 and rng.random() < 0.5:
            chunk = zlib.compress(bytes(_mutate_bytes(bytearray(zlib.decompress(chunk)), rng)))
        out += struct.pack("<II", mdtype, len(chunk)) + chunk
        pos += 8 + count
    return bytes(out)


def _mutate_bytes(data, rng):
    """One to six seeded edits: byte flips, 32-bit words set to telling values, cuts, copies."""
    for _ in range(int(rng.integers(1, 7))):
        if not data:
            break
        at = int(rng.integers(0, len(data)))
        choice = rng.random()
        if choice < 0.45:
            data[at] = int(rng.integers(0, 256))
        elif choice < 0.75 and at + 4 <= len(data):
            value = INTERESTING[int(rng.integers(0, len(INTERESTING)))]
            if rng.random() < 0.3:
                value = int(rng.integers(0, 2**32))
            data[at & ~3:(at & ~3) + 4] = struct.pack("<I", value)[:len(data[at & ~3:(at & ~3) + 4])]
        elif choice < 0.85:
            del data[at:]
        elif choice < 0.95:
            n = int(rng.integers(1, 64))
            data[at:at] = data[max(0, at - n):at]
        else:
            data[at:at] = bytes(rng.integers(0, 256, size=int(rng.integers(1, 16)), dtype=np.uint8))
    return data


def mutant(files, seed, i):
    """(kind, bytes) of mutant i: rebuilt from (seed, i) alone."""
    rng = np.random.default_rng([seed, i])
    kind = KINDS[i % len(KINDS)]
    data = files[kind]
    if kind == "v5 compressed" and rng.random() < 0.7:
        return kind, _recompressed(data, rng)
    return kind, bytes(_mutate_bytes(bytearray(data), rng))


def classify(path):
    """'ok', 'refused' or 'foreign: <type>: <message>' for loading ``path`` both ways."""
    from manual import InputError, load_ex4data, load_ex4weights
    outcomes = []
    for load in (load_ex4data, load_ex4weights):
        try:
            load(path)
            outcomes.append("ok")
        except InputError as exc:
            if "\n" in str(exc) or not str(exc):
                return f"foreign: InputError not one line: {exc!r}"
            outcomes.append("refused")
        except Exception as exc:   # noqa: BLE001  exactly what the fuzz counts
            return f"foreign: {type(exc).__name__}: {str(exc)[:200]}"
    return "ok" if "ok" in outcomes else "refused"


def worker(seed, start, stop):
    """Print 'i' before and 'i outcome' after each mutant: the parent sees where a crash hit."""
    import warnings
    warnings.simplefilter("error", RuntimeWarning)       # as in the test suite: warnings are findings
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    files = seed_files()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.mat"
        crash, hang = (int(os.environ.get(f"FUZZ_MAT_PLANT_{what}", -1)) for what in ("CRASH", "HANG"))
        for data in files.values():         # import every reader now, inside the start-up allowance,
            path.write_bytes(data)          # so the first timed mutant is not charged for the imports
            classify(path)
        for i in range(start, stop):
            print(i, flush=True)
            if i == crash:                                   # the tests' planted findings
                os.kill(os.getpid(), signal.SIGSEGV)
            if i == hang:
                time.sleep(3600)
            path.write_bytes(mutant(files, seed, i)[1])
            print(i, classify(path), flush=True)


def run(seed, start, stop, timeout, progress=True):
    """Counts over mutants start..stop-1, restarting the worker after each crash or hang."""
    counts = {"ok": 0, "refused": 0, "foreign": 0, "crash": 0, "hang": 0}
    findings, next_i, began = [], start, time.perf_counter()
    while next_i < stop:
        proc = subprocess.Popen([sys.executable, __file__, "--worker", "--seed", str(seed),
                                 "--start", str(next_i), "--stop", str(stop)],
                                stdout=subprocess.PIPE, bufsize=0, cwd=ROOT,     # unbuffered: see below
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        current, done, limit = None, next_i - 1, time.monotonic() + timeout + 60   # + 60: the worker's imports
        while True:
            if not sel.select(max(0.0, limit - time.monotonic())):
                proc.kill()
                proc.wait()
                counts["hang"] += 1
                findings.append((current, "hang"))
                next_i = (current if current is not None else done) + 1
                break
            # a raw (unbuffered) pipe reads one line and no more: a buffered reader could take
            # several lines at once, and select() would then wait for data already read
            line = proc.stdout.readline().decode()
            if not line:                                  # the worker ended
                code = proc.wait()
                if code != 0 and current is not None:
                    counts["crash"] += 1
                    findings.append((current, f"crash: exit {code}"))
                    next_i = current + 1
                elif code != 0:
                    raise SystemExit(f"fuzz worker failed to start (exit {code})")
                else:
                    next_i = stop
                break
            fields = line.split(maxsplit=1)
            if len(fields) == 1:
                current, limit = int(fields[0]), time.monotonic() + timeout
                continue
            i, outcome = int(fields[0]), fields[1].strip()
            key = outcome.split(":")[0]
            counts[key] += 1
            if key == "foreign":
                findings.append((i, outcome))
            current, done = None, i
            if progress and (i + 1) % 5000 == 0:
                sys.stderr.write(f"  {i + 1 - start} mutants, {time.perf_counter() - began:.0f} s: {counts}\n")
        sel.close()
        proc.stdout.close()
    return counts, findings, time.perf_counter() - began


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="mutants (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--stop", type=int)
    parser.add_argument("--only", type=int, metavar="I", help="replay mutant I in this process")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per mutant before it counts as a hang")
    parser.add_argument("--save", metavar="DIR", help="write every finding's mutant here")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    stop = args.stop if args.stop is not None else args.start + args.count
    if args.worker:
        worker(args.seed, args.start, stop)
        return 0
    if args.only is not None:
        kind, data = mutant(seed_files(), args.seed, args.only)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "mutant.mat"
            path.write_bytes(data)
            print(f"mutant {args.only} ({kind}, {len(data)} bytes): {classify(path)}")
        return 0
    counts, findings, seconds = run(args.seed, args.start, stop, args.timeout, progress=not args.json)
    if args.save and findings:
        files = seed_files()
        Path(args.save).mkdir(parents=True, exist_ok=True)
        for i, _ in findings:
            Path(args.save, f"mutant_{args.seed}_{i}.mat").write_bytes(mutant(files, args.seed, i)[1])
    result = {"seed": args.seed, "mutants": stop - args.start, "kinds": list(KINDS), **counts,
              "seconds": round(seconds, 1), "findings": [{"mutant": i, "outcome": o} for i, o in findings[:50]]}
    if args.json:
        print(json.dumps(result, allow_nan=False))
    else:
        print(f"{result['mutants']} mutants (seed {args.seed}; {', '.join(KINDS)} in turn) in {seconds:.0f} s: "
              f"{counts['crash']} crashes, {counts['hang']} hangs, {counts['foreign']} foreign errors "
              f"({counts['ok']} loaded, {counts['refused']} refused with InputError)")
        for i, outcome in findings[:50]:
            print(f"  mutant {i}: {outcome}   (replay: bench/fuzz_mat.py --seed {args.seed} --only {i})")
    return 1 if counts["crash"] or counts["hang"] or counts["foreign"] else 0


if __name__ == "__main__":
    sys.exit(main())
