"""The parent's verdict on a check's run, from what it can trust.

The pickle runs in the same process as the harness (child.py), so it can write anything the harness
can: events, files in the scratch folder, its exit code. So the verdict rests on what the parent
sees for itself: the exit status, its own limits (time, the tree's memory and processes), and the
predictions CSV at the path the parent chose, validated here against live ids the parent reads from
the live data itself. Events only explain (the stage reached, the harness's findings); an event
counts only with the run's nonce and the shape the harness writes. The nonce keeps out lines from
anything but the harness's process and its forks (another run, a process left over, a program the
pickle starts); the pickle itself could find it in its process's memory, which is why events never
make a verdict on their own.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

from ..logs import scrub
from ..sandbox.limits import GB, Limits
from .report import ERROR, OK, WARNING, Finding, RunFigures
from .validation import numerai_findings

CLOSE_TO_LIMIT = 0.8
READ_AT_MOST = 16 * 2**20  # of the events and the output: a pickle may write gigabytes
PREDICTIONS_AT_MOST = 256 * 2**20  # a CSV of a live era is a few hundred KB
STAGE_WORDS: dict[str | None, str]
STAGE_WORDS = {"start": "starting", "import": "importing numpy and pandas", "load": "loading the pickle",
               "data": "reading the live data", "predict": "predicting", "validate": "checking the predictions"}
PASSED = {
    "predict.py": "not None, a pd.DataFrame, {rows:,} rows, no NaN, first column within [0, 1] (predict.py's checks)",
}
# The fields each event the harness writes must have, and their types.
SHAPES: dict[str, dict[str, type | tuple[type, ...]]]
SHAPES = {"stage": {"stage": str}, "finding": {"check": str, "level": str, "message": str, "fix": str, "detail": str},
          "passed": {"check": str, "rows": int}, "signature": {"arguments": int}, "data": {"rows": int},
          "predicted": {"seconds": (int, float)}, "submission": {}, "done": {}, "network": {"attempt": str}}


def well_formed(event: object, nonce: str) -> bool:
    if not isinstance(event, dict) or event.get("nonce") != nonce or event.get("event") not in SHAPES:
        return False
    fields = SHAPES[event["event"]]
    if not all(isinstance(event.get(name), kind) for name, kind in fields.items()):
        return False
    if event["event"] == "finding" and event["level"] not in (ERROR, WARNING):
        return False
    return event["event"] != "passed" or event["check"] in PASSED


def read_events(path: Path, nonce: str) -> list[dict[str, Any]]:
    """The run's events: lines of JSON with its nonce and a known shape; anything else is ignored."""
    events = []
    with open(path, "rb") as stream:
        text = stream.read(READ_AT_MOST).decode("utf-8", errors="replace")
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash
        if well_formed(event, nonce):
            events.append(event)
    return events


def output_tail(path: Path, characters: int = 3000) -> str:
    with open(path, "rb") as stream:
        stream.seek(max(0, stream.seek(0, 2) - 4 * characters))
        return stream.read().decode("utf-8", errors="replace")[-characters:]


# How a process killed by a signal is reported by a parent that is itself a process (a shell, bubblewrap).
SHELL_SIGNAL_BASE = 128
FATAL_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGABRT, signal.SIGKILL}


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


def last_stage(events: list[dict[str, Any]]) -> str | None:
    stages = [event["stage"] for event in events if event["event"] == "stage"]
    return stages[-1] if stages else None


def outcome_findings(events: list[dict[str, Any]], code: int, timed_out: bool, limits: Limits, python: str,
                     stderr_tail: str, *, stopped_by_watch: bool = False) -> list[Finding]:
    """The harness's findings and the run's end; `stopped_by_watch`: the parent killed the tree for a
    limit (tree_findings says which), so its SIGKILL is no crash."""
    findings = []
    stderr_tail = scrub(stderr_tail)
    stage = last_stage(events)
    for event in events:
        if event["event"] == "finding":  # the pickle's own words may be in them: scrubbed like any output
            findings.append(Finding(event["check"], event["level"], scrub(event["message"]), scrub(event["fix"]),
                                    scrub(event["detail"])))
        elif event["event"] == "passed":
            findings.append(Finding(event["check"], OK, PASSED[event["check"]].format(rows=event["rows"])))
    finished = any(event["event"] == "done" for event in events)
    if timed_out:
        findings.append(Finding("time", ERROR, f"did not finish within {limits.seconds:g} s (stopped while "
                                f"{STAGE_WORDS.get(stage, stage)}); Numerai stops a model after 10 minutes",
                                "make prediction faster (fewer trees or features), or raise --timeout to "
                                "measure it"))
    elif stopped_by_watch:
        pass
    elif code < 0:
        findings.append(signal_finding(code, stage, python))
    elif not finished and (number := code - SHELL_SIGNAL_BASE) in FATAL_SIGNALS:
        # In the sandbox bubblewrap is the run's parent: a harness killed by signal N exits 128 + N there.
        findings.append(signal_finding(-number, stage, python))
    elif not finished or code != 0:
        last = stderr_tail.strip().splitlines()[-1:] or ["no output"]
        memory = " (out of memory under the limit?)" if "memory" in stderr_tail.lower() else ""
        findings.append(Finding("crash", ERROR, f"the process exited with code {code} while "
                                f"{STAGE_WORDS.get(stage, stage)}{memory}: {last[0]}", "see the output below",
                                detail=stderr_tail))
    return findings


def live_ids_file(dataset: Path, folder: Path) -> Path:
    """The live ids as the parent reads them from the live data (never the run's own list)."""
    import pandas as pd

    ids = pd.read_parquet(dataset, columns=[]).index
    path = folder / "live_ids.txt"
    path.write_text("\n".join(str(value) for value in ids), encoding="utf-8")
    return path


def prediction_findings(csv: Path | None, size: int | None, dataset: Path, folder: Path, events: list[dict[str, Any]],
                        so_far: list[Finding]) -> list[Finding]:
    """Numerai's validation and ours on the parent's copy (`csv`) of the CSV at the path the parent chose
    (`size`: its size there, None when no regular file is there). A run that left no such file (or a huge
    one, or a link) fails, whatever it reported, unless it failed already and said why."""
    if csv is None or size is None or size > PREDICTIONS_AT_MOST:
        if any(finding.level == ERROR for finding in so_far) and size is None:
            return []
        state = "no" if size is None else f"a {size / 2**20:,.0f} MB"
        return [Finding("predictions", ERROR, f"the run ended with {state} predictions file (the CSV predict.py "
                        "writes from the DataFrame the function returns), whatever it reported",
                        "return the predictions from the function: pd.DataFrame({'prediction': values}, "
                        "index=live_features.index)")]
    written = next((event for event in events if event["event"] == "submission"), {})
    index_name = written.get("index_name")
    return numerai_findings(csv, live_ids_file(dataset, folder), index_name if isinstance(index_name, str) else None)


def disk_finding(disk_seen: int, limits: Limits) -> list[Finding]:
    """The scratch folder's quota, where the parent watched it (a tmpfs quota fails the pickle's own write)."""
    if not disk_seen:
        return []
    return [Finding("disk", ERROR, f"the pickle wrote {disk_seen / 2**20:,.0f} MB to its scratch folder, over the "
                    f"{limits.disk_bytes / 2**20:,.0f} MB quota, and was stopped",
                    "write less: Numerai's container gives a model little disk")]


def tree_findings(memory_hits: int, memory_seen: int, process_hits: int, limits: Limits, max_tasks: int,
                  so_far: list[Finding]) -> list[Finding]:
    """The tree's limits: a process killed for memory, forks refused at the process limit."""
    findings = []
    if (memory_hits or memory_seen) and not any(finding.check == "memory" and finding.level == ERROR
                                                for finding in so_far):
        used = f" (together {memory_seen / GB:.2f} GB)" if memory_seen else ""
        findings.append(Finding("memory", ERROR, f"the pickle's processes together{used} went over the "
                                f"{limits.memory_bytes / GB:.2f} GB limit and were killed: Numerai's container "
                                "counts every process the model starts", "use less memory, in every process"))
    if process_hits:
        findings.append(Finding("processes", ERROR, f"the pickle started more than {max_tasks} processes and "
                                "threads at once; further ones were refused",
                                "start fewer processes (Numerai gives a model 1 CPU)"))
    return findings


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
