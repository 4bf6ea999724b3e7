"""Write hostile pickles for the check's isolation tests: each tries to get out of its run.

Run with the interpreter of a check environment, like corpus_builder.py:

    python hostile_builder.py OUT_DIR MARKER

MARKER (at most 15 characters) names every process the pickles start, so that a test can look for
survivors. Files a pickle reads at run time are in OUT_DIR: `port.txt` (a loopback port the test
listens on) and `dist/` (a folder the pickle must not be able to write to).
"""

import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import cloudpickle
import pandas as pd
from corpus_builder import FEATURES, manifest

OUT = Path(sys.argv[1]).resolve()
MARKER = sys.argv[2]
PR_SET_NAME = 15
SLEEP = "import sys, time; time.sleep(600)"


def predictions(live_features):
    values = live_features[FEATURES].astype("float64").mean(axis=1).rank(pct=True, method="first")
    return pd.DataFrame({"prediction": values}, index=live_features.index)


def reads_environments(live_features):
    """Reads every process environment it can see; fails, showing what it found, when one holds a key."""
    found = []
    for path in [f"/proc/{os.getppid()}/environ", *(f"/proc/{name}/environ" for name in os.listdir("/proc")
                                                    if name.isdigit())]:
        try:
            text = open(path, "rb").read().decode(errors="replace")
        except OSError:
            continue
        found += [f"{path}: {entry}" for entry in text.split("\0")
                  if entry.startswith(("NUMERAI_SECRET_KEY=", "GITHUB_TOKEN="))]
    if found:
        print("found", *found)  # the output, too, is shown on failure
        raise RuntimeError("the pickle read the caller's credentials: " + "; ".join(sorted(set(found))))
    return predictions(live_features)


def spawn_sleepers(count: int) -> None:
    for _ in range(count):
        subprocess.Popen([sys.executable, "-c", SLEEP, MARKER], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def fork_sleepers(count: int) -> None:
    import ctypes

    for _ in range(count):
        if os.fork() == 0:
            os.setsid()  # out of the run's process group, as a daemon would
            ctypes.CDLL(None).prctl(PR_SET_NAME, MARKER.encode(), 0, 0, 0)
            time.sleep(600)
            os._exit(0)


def leaves_processes(live_features):
    """50 spawned processes and 50 forks, all left running: the check must end every one."""
    spawn_sleepers(50)
    fork_sleepers(50)
    return predictions(live_features)


def hangs_with_processes(live_features):
    """Starts processes, then never returns: for a check stopped by SIGTERM."""
    spawn_sleepers(5)
    fork_sleepers(5)
    time.sleep(600)
    return predictions(live_features)


def reaches_network(live_features):
    """Connects to the test's loopback port from a child process and through ctypes, past the audit hook."""
    import ctypes
    import socket
    import struct

    port = int((OUT / "port.txt").read_text())
    code = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=5).close()"
    subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30)
    libc = ctypes.CDLL(None, use_errno=True)
    descriptor = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    address = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(port), socket.inet_aton("127.0.0.1"))
    libc.connect(descriptor, address, len(address))
    libc.close(descriptor)
    return predictions(live_features)


def forges_a_pass(live_features):
    """Writes the harness's own "passed" and "done" events, with its nonce, and leaves without a result."""
    harness_events = next(item for item in gc.get_objects() if type(item).__name__ == "Events")
    harness_events.emit("passed", check="predict.py", rows=len(live_features))
    harness_events.emit("done", python=sys.version.split()[0], peak_bytes=1)
    harness_events.stream.flush()
    os._exit(0)


def forges_events_without_nonce(live_features):
    """Appends a pass to the events file, as another process could, and leaves without a result."""
    events = sys.argv[sys.argv.index("--events") + 1]
    with open(events, "a") as stream:
        stream.write(json.dumps({"event": "passed", "check": "predict.py", "rows": len(live_features)}) + "\n")
        stream.write(json.dumps({"event": "done"}) + "\n")
    os._exit(0)


def writes_dist(live_features):
    """Tries to plant a file in dist/ and in its home; only the home (its scratch folder) may work."""
    for folder in (OUT / "dist", Path.home()):
        try:
            (folder / "planted.txt").write_text("planted by a pickle")
        except OSError:
            pass
    return predictions(live_features)


def tree_over_memory(live_features):
    """3 children of 400 MB each: together over a 1 GB limit, each under it."""
    code = ("import sys, time\nblock = bytearray(400 * 2**20)\nfor i in range(0, len(block), 4096): block[i] = 1\n"
            "print('ready', flush=True)\ntime.sleep(30)")
    children = [subprocess.Popen([sys.executable, "-c", code, MARKER], stdout=subprocess.PIPE) for _ in range(3)]
    for child in children:
        child.stdout.readline()  # ready, or nothing when the limit killed it
    time.sleep(1)  # still working, as a model would
    return predictions(live_features)


CASES = {name: value for name, value in dict(globals()).items() if callable(value) and getattr(value, "__module__", "")
         == "__main__" and value.__code__.co_varnames[:1] == ("live_features",) and name != "predictions"}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "dist").mkdir(exist_ok=True)
    for name, function in CASES.items():
        data = cloudpickle.dumps(function)
        (OUT / f"{name}.pkl").write_bytes(data)
        (OUT / f"{name}.json").write_text(json.dumps(manifest(data, ["numpy", "pandas", "cloudpickle"]), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
