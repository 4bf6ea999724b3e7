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
CUT_KEY = "CUTKEY0123456789abcdefghijKLMNOPQRSTUVWXYZ-never-shown"  # tests/check/test_check_isolation.py


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


def writes_proc_sys(live_features):
    """As root outside, tries to write the host's kernel settings back unchanged (so that nothing changes
    even where it works): domainname, and core_pattern opened for writing. Fails saying what worked."""
    worked = []
    for name in ("kernel/domainname", "kernel/core_pattern", "kernel/hostname", "vm/drop_caches"):
        path = f"/proc/sys/{name}"
        try:
            value = open(path, "rb").read() if name != "vm/drop_caches" else b""
            with open(path, "r+b" if value else "wb", buffering=0) as stream:
                if value:
                    stream.write(value)
            worked.append(path)
        except OSError:
            pass
    if worked:
        raise RuntimeError("the pickle opened kernel settings for writing: " + ", ".join(worked))
    return predictions(live_features)


def plants_links(live_features):
    """Replaces what the parent reads or writes in scratch by links: its predictions CSV to
    /proc/self/environ (the parent's environment), its own folder and files to a folder outside."""
    scratch = Path(sys.argv[sys.argv.index("--events") + 1]).parent
    outside = OUT / "outside"
    for name, target in (("output.txt", "/proc/self/environ"), ("parent", str(outside)),
                         ("events.jsonl.link", "/proc/self/environ")):
        path = scratch / name
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            elif path.exists() or path.is_symlink():
                path.unlink()
            path.symlink_to(target)
        except OSError:
            pass
    submission = Path(sys.argv[sys.argv.index("--output") + 1])
    submission.mkdir(parents=True, exist_ok=True)
    (submission / "live_predictions.csv").symlink_to("/proc/self/environ")
    os._exit(0)


def reaches_unix_sockets(live_features):
    """Connects to a Unix socket outside (the test listens on OUT/outside.sock) and to the host's usual ones."""
    import socket

    reached = []
    for path in [str(OUT / "outside.sock"), "/run/docker.sock", "/var/run/docker.sock", "/run/dbus/system_bus_socket",
                 os.environ.get("SSH_AUTH_SOCK") or "/nonexistent"]:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect(path)
            reached.append(path)
        except OSError:
            pass
        finally:
            client.close()
    if reached:
        raise RuntimeError("the pickle reached Unix sockets outside: " + ", ".join(reached))
    return predictions(live_features)


def nests_namespaces(live_features):
    """Tries a nested user, mount and cgroup namespace (to remount cgroups and lift its limits), then puts
    3 children of 400 MB together over a 1 GB limit."""
    made = []
    for flags in (os.CLONE_NEWUSER, os.CLONE_NEWUSER | os.CLONE_NEWNS | os.CLONE_NEWCGROUP, os.CLONE_NEWNS):
        pid = os.fork()
        if pid == 0:
            try:
                os.unshare(flags)
                os._exit(0)
            except OSError:
                os._exit(1)
        if os.waitpid(pid, 0)[1] == 0:
            made.append(hex(flags))
    if made:
        raise RuntimeError("the pickle made nested namespaces: " + ", ".join(made))
    return tree_over_memory(live_features)


def fills_scratch(live_features):
    """Writes 192 MB of files into its working folder (relative paths: the folder is writable)."""
    block = b"x" * (8 * 2**20)
    for number in range(24):
        with open(f"fill-{number}.bin", "wb") as stream:
            stream.write(block)
    return predictions(live_features)


def fills_output(live_features):
    """Writes 192 MB to its stdout."""
    block = "x" * 2**20
    for _ in range(192):
        sys.stdout.write(block)
    sys.stdout.flush()
    return predictions(live_features)


def writes_terminals(live_features):
    """Writes into every terminal /dev/pts shows (another process's, where /dev is the host's)."""
    written = []
    for name in os.listdir("/dev/pts") if os.path.isdir("/dev/pts") else []:
        if name.isdigit():
            try:
                with open(f"/dev/pts/{name}", "w") as terminal:
                    terminal.write(MARKER)
                written.append(name)
            except OSError:
                pass
    if written:
        raise RuntimeError("the pickle wrote into terminals " + ", ".join(written))
    return predictions(live_features)


def prints_a_cut_key(live_features):
    """Prints pieces of the test's key (as an output tail cut mid-key shows them) and fails."""
    sys.stdout.write("y" * 100 + CUT_KEY[20:] + "\n" + CUT_KEY[:30] + "\n")
    sys.stdout.flush()
    os._exit(3)  # a crash: the report shows the output's tail


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
