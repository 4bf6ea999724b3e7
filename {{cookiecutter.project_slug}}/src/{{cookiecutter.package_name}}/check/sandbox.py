"""The parent side of a check's run: start child.py in a check environment, under the container's
limits, with an allow-listed environment in a scratch folder, and judge what it reports."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .live import LiveData
from .report import ERROR, OK, WARNING, Finding, RunFigures
from .validation import numerai_findings

CHILD_SCRIPT = Path(__file__).with_name("child.py")  # run by path: the image's Python cannot import us
GB = 2**30
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt])i?b?\s*$", re.IGNORECASE)
UNITS = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
# Native thread pools read these when they start: one CPU means one thread, as in the container.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS", "NUMBA_NUM_THREADS", "POLARS_MAX_THREADS",
                    "RAYON_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
CLOSE_TO_LIMIT = 0.8
# All the pickle under check sees of the caller's environment: never credentials (NUMERAI_*,
# GITHUB_TOKEN, ACTIONS_*, cloud keys) nor anything else. HOME and TMPDIR point into the scratch folder.
PASSED_THROUGH = ("PATH", "LANG", "LANGUAGE", "TZ")
PASSED_THROUGH_PREFIXES = ("LC_",)


@dataclass(frozen=True)
class Limits:
    """Numerai's: 10 minutes, 4 GB, 1 CPU, no network. Each overridable on the command line."""

    seconds: float = 600.0
    memory_bytes: int = 4 * GB
    cpus: int = 1
    network: bool = False


def parse_size(text: str, flag: str = "--memory") -> int:
    """'4g', '512m', '1.5G' in bytes; a bare number is refused (bytes or MB would be a guess)."""
    match = SIZE.match(text)
    if not match:
        raise UsageError(f"{flag} {text!r} ==> expected a size with a unit, e.g. 4g or 512m")
    return int(float(match.group(1)) * UNITS[match.group(2).lower()])


def child_environment(limits: Limits, scratch: Path) -> dict[str, str]:
    """An allow-list: PATH, locale and time zone from the caller; HOME and TMPDIR in `scratch`; threads."""
    environment = {key: value for key, value in os.environ.items()
                   if key in PASSED_THROUGH or key.startswith(PASSED_THROUGH_PREFIXES)}
    environment.setdefault("PATH", os.defpath)
    for name, folder in (("HOME", "home"), ("TMPDIR", "tmp")):
        (scratch / folder).mkdir(exist_ok=True)
        environment[name] = str(scratch / folder)
    if limits.cpus > 0:
        environment.update({name: str(limits.cpus) for name in THREAD_VARIABLES})
    return environment


def child_command(python: Path, pickle_path: Path, live: LiveData, events: Path, limits: Limits,
                   output: Path) -> list[str]:
    # Absolute paths: the child starts in a scratch folder, so that nothing of the repository is near.
    command = [str(python), "-I", str(CHILD_SCRIPT), "--model", str(Path(pickle_path).resolve()),
               "--dataset", str(live.dataset.resolve()), "--benchmarks", str(live.benchmarks.resolve()),
               "--events", str(events), "--output", str(output),
               "--memory", str(limits.memory_bytes), "--cpus", str(limits.cpus)]
    if not limits.network:
        command.append("--block-network")
    return command


def wait(process: subprocess.Popen, seconds: float) -> tuple[int, bool]:
    """(exit code, negative for a signal; timed out) of the process, killed after `seconds`."""
    try:
        return process.wait(timeout=seconds), False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: takes any children with it
        return process.wait(), True


def read_events(path: Path) -> list[dict]:
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a crash
    return events


STAGE_WORDS = {"start": "starting", "import": "importing numpy and pandas", "load": "loading the pickle",
               "data": "reading the live data", "predict": "predicting", "validate": "checking the predictions"}


def signal_finding(code: int, stage: str | None, python: str) -> Finding:
    """A crash by signal, with its likely cause."""
    number = -code
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    where = f" while {STAGE_WORDS.get(stage, stage)}" if stage else ""
    rebuild = (f"build with Python {python} and the image's pins (-c runtimes/py{python}-<tag>.txt, "
               "the lock runtimes/catalogue.json names), then rebuild the pickle")
    if number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL):
        return Finding("crash", ERROR, f"the process crashed with {name}{where}: the usual cause is a pickle "
                       "built with another Python minor or other binary library versions than the image's "
                       "(Numerai reports 'Segmentation fault! Ensure python and library versions match our "
                       "environment.')", rebuild)
    if number == signal.SIGKILL:
        return Finding("memory", ERROR, f"the process was killed ({name}){where}: most likely out of memory "
                       "(Numerai's container is killed at 4 GB, exit code 137)", "use less memory")
    if number == signal.SIGABRT:
        return Finding("crash", ERROR, f"the process aborted ({name}){where}: a native library gave up, usually "
                       "out of memory under the limit or a library version mismatch",
                       "use less memory; " + rebuild)
    return Finding("crash", ERROR, f"the process was stopped by {name}{where}", rebuild)


def outcome_findings(events: list[dict], code: int, timed_out: bool, limits: Limits, python: str,
                     stderr_tail: str) -> list[Finding]:
    findings = []
    stages = [event["stage"] for event in events if event["event"] == "stage"]
    stage = stages[-1] if stages else None
    for event in events:
        if event["event"] == "finding":
            findings.append(Finding(event["check"], event["level"], event["message"], event.get("fix", ""),
                                    event.get("detail", "")))
        elif event["event"] == "passed":
            findings.append(Finding(event["check"], OK, PASSED[event["check"]].format(rows=event["rows"])))
    finished = any(event["event"] == "done" for event in events)
    if timed_out:
        findings.append(Finding("time", ERROR, f"did not finish within {limits.seconds:g} s (stopped while "
                                f"{STAGE_WORDS.get(stage, stage)}); Numerai stops a model after 10 minutes",
                                "make prediction faster (fewer trees or features), or raise --timeout to "
                                "measure it"))
    elif code < 0:
        findings.append(signal_finding(code, stage, python))
    elif not finished:
        last = stderr_tail.strip().splitlines()[-1:] or ["no output"]
        memory = " (out of memory under the limit?)" if "memory" in stderr_tail.lower() else ""
        findings.append(Finding("crash", ERROR, f"the process exited with code {code} while "
                                f"{STAGE_WORDS.get(stage, stage)}{memory}: {last[0]}", "see the output below",
                                detail=stderr_tail))
    return findings


PASSED = {
    "predict.py": "not None, a pd.DataFrame, {rows:,} rows, no NaN, first column within [0, 1] (predict.py's checks)",
}


def submission_findings(events: list[dict]) -> list[Finding]:
    """Numerai's validation and ours, on the CSV the child wrote as predict.py would."""
    written = next((event for event in events if event["event"] == "submission"), None)
    if written is None or not Path(written["csv"]).is_file():
        return []
    return numerai_findings(Path(written["csv"]), Path(written["live_ids"]), written.get("index_name"))


def limit_findings(figures: RunFigures) -> list[Finding]:
    """Warnings for a run that passed close to a limit: Numerai's machines may be slower or busier."""
    findings = []
    if figures.limit_seconds and figures.seconds and figures.seconds > CLOSE_TO_LIMIT * figures.limit_seconds:
        findings.append(Finding("time", WARNING, f"took {figures.seconds:.0f} s of the {figures.limit_seconds:g} s "
                                "limit", "leave headroom: Numerai's machines may be slower"))
    if figures.limit_memory_bytes and figures.peak_memory_bytes and \
            figures.peak_memory_bytes > CLOSE_TO_LIMIT * figures.limit_memory_bytes:
        findings.append(Finding("memory", WARNING, f"used {figures.peak_memory_bytes / GB:.1f} GB of the "
                                f"{figures.limit_memory_bytes / GB:.1f} GB limit", "leave headroom"))
    return findings


def run_pickle(python: Path, minor: str, pickle_path: Path, live: LiveData,
               limits: Limits) -> tuple[list[Finding], RunFigures]:
    """Run the pickle in child.py; the findings and the figures of the run."""
    with tempfile.TemporaryDirectory(prefix="numerai-check-") as folder:
        scratch = Path(folder)
        events_path, output_path = scratch / "events.jsonl", scratch / "output.txt"
        events_path.touch()
        submission, work = scratch / "submission", scratch / "work"
        submission.mkdir()
        work.mkdir()
        started = time.perf_counter()
        with open(output_path, "wb") as output:
            process = subprocess.Popen(child_command(python, pickle_path, live, events_path, limits, submission),
                                       stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env=child_environment(limits, scratch), cwd=work, start_new_session=True)
            code, timed_out = wait(process, limits.seconds)
        seconds = time.perf_counter() - started
        events = read_events(events_path)
        tail = output_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        findings = outcome_findings(events, code, timed_out, limits, minor, tail)
        if not timed_out and code == 0:
            findings.extend(submission_findings(events))
    stages = [event["stage"] for event in events if event["event"] == "stage"]
    figures = RunFigures(
        seconds=seconds, limit_seconds=limits.seconds,
        peak_memory_bytes=max((event.get("peak_bytes") or 0 for event in events), default=0) or None,
        limit_memory_bytes=limits.memory_bytes or None, cpus=limits.cpus or None, network=limits.network,
        predict_seconds=next((event["seconds"] for event in events if event["event"] == "predicted"), None),
        arguments=next((event["arguments"] for event in events if event["event"] == "signature"), None),
        rows=next((event["rows"] for event in events if event["event"] == "data"), None),
        data=live.source, stage=stages[-1] if stages else None,
    )
    if not any(finding.level == ERROR for finding in findings):
        findings.extend(limit_findings(figures))
    return findings, figures
