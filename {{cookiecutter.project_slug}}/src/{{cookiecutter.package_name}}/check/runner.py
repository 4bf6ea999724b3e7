"""The parent side of a check's run: start child.py in a check environment, under the container's
limits, with an allow-listed environment in a scratch folder, isolated as this machine allows
(isolation.py), and judge what it leaves (outcome.py).

The run gets the very bytes the check hashed (copied into its scratch folder), a nonce on a pipe
its harness reads and closes before it loads the pickle, and limits that hold for its whole process
tree. Whatever happens, a timeout, a crash, Ctrl-C or SIGTERM to this process, everything the run
started is killed and its scratch folder removed before this function returns or the signal is let
through.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from ..logs import remember_secrets
from ..sandbox import isolation, quota, scratch, tree
from ..sandbox.bubblewrap import Confinement
from ..sandbox.cgroups import TreeGroups
from ..sandbox.limits import Limits
from ..settings import KEY_FIELDS, SECRET_NAME, Settings, variable
from .live import LiveData
from .outcome import (
    PREDICTIONS_AT_MOST,
    READ_AT_MOST,
    disk_finding,
    limit_findings,
    outcome_findings,
    output_tail,
    prediction_findings,
    read_events,
    tree_findings,
)
from .report import ERROR, OK, WARNING, Finding, RunFigures

CHILD_SCRIPT = Path(__file__).with_name("child.py")  # run by path: the image's Python cannot import us
# Native thread pools read these when they start: one CPU means one thread, as in the container.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS", "NUMBA_NUM_THREADS", "POLARS_MAX_THREADS",
                    "RAYON_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
MAX_TASKS = 256  # processes and threads of the whole tree at once: a fork bomb stops here
WATCH_SECONDS = 0.2  # how often the tree is measured where no cgroup limits it
# Where the tree's resident memory is limited (cgroup or watch), as Numerai's container limits it, each
# process's address space is capped at twice the limit only: allocators reserve far more address space
# than they use, and one allocation past the ceiling still fails as a MemoryError with a clear message.
ADDRESS_SPACE_HEADROOM = 2
# All the pickle under check sees of the caller's environment: never credentials (NUMERAI_*,
# GITHUB_TOKEN, ACTIONS_*, cloud keys) nor anything else. HOME and TMPDIR point into the scratch folder.
PASSED_THROUGH = ("PATH", "LANG", "LANGUAGE", "TZ")
PASSED_THROUGH_PREFIXES = ("LC_",)
URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@", re.IGNORECASE)


def child_environment(limits: Limits, scratch: Path, caller: dict[str, str]) -> dict[str, str]:
    """An allow-list: PATH, locale and time zone from the `caller`'s environment; HOME and TMPDIR in
    `scratch`; threads."""
    environment = {key: value for key, value in caller.items()
                   if key in PASSED_THROUGH or key.startswith(PASSED_THROUGH_PREFIXES)}
    environment.setdefault("PATH", os.defpath)
    for name, folder in (("HOME", "home"), ("TMPDIR", "tmp")):
        (scratch / folder).mkdir(exist_ok=True)
        environment[name] = str(scratch / folder)
    if limits.cpus > 0:
        environment.update({name: str(limits.cpus) for name in THREAD_VARIABLES})
    return environment


def withheld_secrets(caller: dict[str, str]) -> list[str]:
    """The values of the caller's variables named like credentials or the key's (the run never gets them),
    and the password of any URL in its environment (a database URL's)."""
    keys = {variable(name) for name in KEY_FIELDS}
    found = [value for name, value in caller.items()  # (a path, e.g. a key file's, is no secret)
             if (SECRET_NAME.search(name) or name in keys) and name not in PASSED_THROUGH and len(value.strip()) >= 8
             and not value.startswith(("/", "~"))]
    return found + [match.group(1) for value in caller.values() for match in URL_PASSWORD.finditer(value)
                    if len(match.group(1)) >= 8]


@dataclass(frozen=True)
class Layout:
    """The run's scratch folder, the only place it may write, and what is in it; and the parent's own
    folder beside it, which the run never sees (its output, the live ids, copies of what it left)."""

    scratch: Path
    model: Path  # the bytes the check hashed, not the path it was given
    events: Path
    work: Path
    submission: Path
    predictions: Path  # where the harness writes the CSV; the parent looks nowhere else
    parent: Path  # the parent's own files: never in scratch, where the run could plant links
    output: Path  # the run's stdout and stderr, in the parent's folder

    @classmethod
    def made_in(cls, scratch: Path, parent: Path) -> Layout:
        submission = scratch / "submission"
        return cls(scratch, scratch / "model.pkl", scratch / "events.jsonl", scratch / "work", submission,
                   submission / "live_predictions.csv", parent, parent / "output.txt")

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.scratch))


def child_command(python: Path, label: str, live: LiveData, layout: Layout, limits: Limits, nonce_fd: int,
                  address_space: int) -> list[str]:
    # Absolute paths: the child starts in a scratch folder, so that nothing of the repository is near.
    command = [str(python), "-I", str(CHILD_SCRIPT), "--model", str(layout.model), "--label", label,
               "--dataset", str(live.dataset.resolve()), "--benchmarks", str(live.benchmarks.resolve()),
               "--events", str(layout.events), "--output", str(layout.submission), "--nonce-fd", str(nonce_fd),
               "--memory", str(address_space), "--cpus", str(limits.cpus)]
    if not limits.network:
        command.append("--block-network")
    return command


class Terminated(KeyboardInterrupt):
    """SIGTERM during a run: raised so that the run is cleaned up before the signal is let through."""


@contextmanager
def sigterm_cleans_up() -> Iterator[None]:
    """While a run lasts, SIGTERM unwinds it (killing and removing everything), then acts as before."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        yield
        return

    def raise_terminated(_number: int, _frame: FrameType | None) -> NoReturn:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    except Terminated:
        signal.signal(signal.SIGTERM, previous)
        os.kill(os.getpid(), signal.SIGTERM)  # the default action ends this process here
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


class Run:
    """One run of a pickle: started, waited for, stopped with everything it started, cleaned up."""

    def __init__(self, python: Path, minor: str, pickle_bytes: bytes, label: str, live: LiveData, limits: Limits,
                 settings: Settings):
        self.python, self.minor, self.label, self.live, self.limits = python, minor, label, live, limits
        self.caller = settings.environment()
        self.mode = isolation.detect(python, required=settings.check_isolation == isolation.NAMESPACES)
        self.layout = Layout.made_in(Path(tempfile.mkdtemp(prefix="numerai-check-")),
                                     Path(tempfile.mkdtemp(prefix="numerai-check-parent-")))
        self.quota_mounted = quota.mount_tmpfs(self.layout.scratch, limits.disk_bytes)
        self.disk_seen = 0
        self.nonce = secrets.token_hex(16)
        self.groups: TreeGroups | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.tree: tree.Tree | None = None
        self.subreaper = False
        self.memory_seen = self.tree_peak = 0
        self.process_limit_hit = False
        for folder in (self.layout.work, self.layout.submission):
            folder.mkdir()
        self.layout.model.write_bytes(pickle_bytes)
        self.layout.model.chmod(0o444)
        self.layout.events.touch()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *_exception: object) -> None:
        try:
            self.stop()
        finally:
            if self.groups:
                self.groups.remove()
            if tree.proc_available():
                tree.set_subreaper(self.subreaper)
            if self.quota_mounted:
                quota.unmount(self.layout.scratch)
            shutil.rmtree(self.layout.scratch, ignore_errors=True)
            shutil.rmtree(self.layout.parent, ignore_errors=True)

    @property
    def tree_watched(self) -> bool:
        """Whether the parent measures the tree: where a cgroup does not limit both memory and tasks."""
        limited = set(self.groups.groups) if self.groups else set()
        return tree.proc_available() and not {"memory", "pids"} <= limited

    @property
    def watched(self) -> bool:
        """Whether the parent measures anything while it waits: the tree, or the scratch folder where no
        tmpfs holds its quota."""
        return self.tree_watched or not self.quota_mounted

    def confinement(self) -> Confinement:
        readable = (CHILD_SCRIPT, self.live.dataset.resolve(), self.live.benchmarks.resolve())
        return Confinement(readable, (self.layout.scratch,), self.layout.work, self.limits.network,
                           self.limits.disk_bytes)

    def start(self) -> None:
        if tree.proc_available():
            self.groups = TreeGroups.make(self.limits.memory_bytes, MAX_TASKS)
            self.subreaper = tree.set_subreaper(True)
        earlier = tree.children_of_this_process() if tree.proc_available() else set()
        reading, writing = os.pipe()
        os.write(writing, self.nonce.encode())
        os.close(writing)
        tree_limited = self.tree_watched or (self.groups is not None and "memory" in self.groups.groups)
        address_space = self.limits.memory_bytes * (ADDRESS_SPACE_HEADROOM if tree_limited else 1)
        harness = child_command(self.python, self.label, self.live, self.layout, self.limits, reading, address_space)
        command = isolation.wrap(harness, self.mode, self.groups, self.confinement())
        try:
            with open(self.layout.output, "wb") as output:
                self.process = subprocess.Popen(
                    command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, pass_fds=(reading,),
                    env=child_environment(self.limits, self.layout.scratch, self.caller), cwd=self.layout.work,
                    start_new_session=True, preexec_fn=isolation.file_size_limit(self.limits.disk_bytes))
        finally:
            os.close(reading)
        self.tree = tree.Tree(self.process.pid, earlier)

    def wait(self) -> tuple[int, bool]:
        """(exit code, negative for a signal; timed out), measuring the tree where no cgroup limits it."""
        deadline = time.monotonic() + self.limits.seconds
        assert self.process is not None  # started
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                return self.process.wait(), True
            try:
                return self.process.wait(timeout=min(left, WATCH_SECONDS) if self.watched else left), False
            except subprocess.TimeoutExpired:
                if self.watched:
                    self.measure()

    def measure(self) -> None:
        if not self.quota_mounted and quota.used_bytes(self.layout.scratch) > self.limits.disk_bytes:
            self.disk_seen = quota.used_bytes(self.layout.scratch)
            self.stop()
            return
        if not self.tree_watched:
            return
        assert self.tree is not None  # started
        usage = self.tree.usage()
        self.tree_peak = max(self.tree_peak, usage.memory_bytes)
        over_memory = 0 < self.limits.memory_bytes < usage.memory_bytes
        if over_memory or usage.tasks > MAX_TASKS:
            self.memory_seen = usage.memory_bytes if over_memory else 0
            self.process_limit_hit = usage.tasks > MAX_TASKS
            self.stop()

    def stop(self) -> None:
        """Kill everything the run started: its session, its tree, its cgroups (idempotent)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: with --kill-child, its namespace
            except OSError:
                pass
        if self.tree and tree.proc_available():
            self.tree.kill()
        if self.groups:
            self.groups.kill()
        self.process.wait()

    def taken(self, path: Path, limit: int) -> Path | None:
        """The parent's copy of a file the run left at `path` in scratch (None: none, or a link, or too big)."""
        try:
            return scratch.copy_out(self.layout.scratch, self.layout.relative(path), self.layout.parent / path.name,
                                    limit)
        except scratch.Untrusted:
            return None

    def judge(self, code: int, timed_out: bool, seconds: float) -> tuple[list[Finding], RunFigures]:
        events_copy = self.layout.parent / self.layout.events.name
        try:
            events_copy.write_bytes(scratch.read_regular(self.layout.scratch, self.layout.relative(self.layout.events),
                                                         READ_AT_MOST))
        except scratch.Untrusted:
            events_copy.write_bytes(b"")
        events = read_events(events_copy, self.nonce)
        tail = output_tail(self.layout.output)
        findings = outcome_findings(events, code, timed_out, self.limits, self.minor, tail,
                                    stopped_by_watch=bool(self.memory_seen or self.process_limit_hit
                                                          or self.disk_seen))
        findings += disk_finding(self.disk_seen, self.limits)
        memory_hits = self.groups.hits("memory") if self.groups else 0
        process_hits = (self.groups.hits("pids") if self.groups else 0) or int(self.process_limit_hit)
        findings += tree_findings(memory_hits, self.memory_seen, process_hits, self.limits, MAX_TASKS, findings)
        if not timed_out and code == 0:
            size = scratch.size_of(self.layout.scratch, self.layout.relative(self.layout.predictions))
            csv = self.taken(self.layout.predictions, PREDICTIONS_AT_MOST)
            findings += prediction_findings(csv, size, self.live.dataset, self.layout.parent, events, findings)
        figures = run_figures(events, seconds, self.limits, self.live, self.tree_peak)
        figures.isolation = self.mode.name
        if not any(finding.level == ERROR for finding in findings):
            findings.extend(limit_findings(figures))
        return [self.isolation_finding(), *findings], figures

    def isolation_finding(self) -> Finding:
        described = isolation.describe(self.mode, self.groups, self.limits.network)
        if self.mode.name == isolation.NAMESPACES:
            return Finding("isolation", OK, described)
        return Finding("isolation", WARNING, described, "install bubblewrap (`sudo apt-get install -y "
                       "bubblewrap`, Linux) and run the check again, or run it in the numerai_predict container")


def run_figures(events: list[dict[str, Any]], seconds: float, limits: Limits, live: LiveData,
                tree_peak: int) -> RunFigures:
    stages = [event["stage"] for event in events if event["event"] == "stage"]
    own_peak = max((event.get("peak_bytes") or 0 for event in events if isinstance(event.get("peak_bytes"), int)),
                   default=0)
    return RunFigures(
        seconds=seconds, limit_seconds=limits.seconds,
        peak_memory_bytes=max(own_peak, tree_peak) or None,
        limit_memory_bytes=limits.memory_bytes or None, cpus=limits.cpus or None, network=limits.network,
        predict_seconds=next((event["seconds"] for event in events if event["event"] == "predicted"), None),
        arguments=next((event["arguments"] for event in events if event["event"] == "signature"), None),
        rows=next((event["rows"] for event in events if event["event"] == "data"), None),
        data=live.source, stage=stages[-1] if stages else None,
    )


def run_pickle(python: Path, minor: str, pickle_bytes: bytes, label: str, live: LiveData,
               limits: Limits, settings: Settings,
               keep_predictions: Path | None = None) -> tuple[list[Finding], RunFigures]:
    """Run the pickle's bytes in child.py; the findings and the figures of the run. `keep_predictions`: where
    to copy the predictions CSV the run wrote (diagnostics compares two pickles' live predictions)."""
    remember_secrets(withheld_secrets(settings.environment()))
    with sigterm_cleans_up(), Run(python, minor, pickle_bytes, label, live, limits, settings) as run:
        started = time.perf_counter()
        run.start()
        code, timed_out = run.wait()
        run.stop()
        verdict = run.judge(code, timed_out, time.perf_counter() - started)
        if keep_predictions is not None and run.layout.predictions.is_file():
            shutil.copyfile(run.layout.predictions, keep_predictions)
        return verdict
