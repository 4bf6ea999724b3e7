"""What a check found, as text for people and as JSON for workflows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from ..logs import scrub
from ..sandbox.limits import MB

ERROR, WARNING, OK = "error", "warning", "ok"


@dataclass(frozen=True)
class Finding:
    check: str  # modules, versions, manifest, environment, load, signature, predict, predict.py, ...
    level: str  # error, warning or ok
    message: str
    fix: str = ""
    detail: str = ""


@dataclass
class RunFigures:
    """The run against the limits it had."""

    seconds: float | None = None  # the whole run: start, imports, load, data, predict, checks
    predict_seconds: float | None = None  # the pickle's own call
    peak_memory_bytes: int | None = None
    limit_seconds: float | None = None
    limit_memory_bytes: int | None = None
    cpus: int | None = None
    network: bool = False
    arguments: int | None = None
    rows: int | None = None
    data: str = ""
    stage: str | None = None
    isolation: str = ""  # "namespaces" or "process group only" (sandbox/isolation.py)


@dataclass
class Report:
    pickle: Path
    runtime: str  # "Python 3.12 (ghcr.io/numerai/numerai_predict_py_3_12:a78dedd)"
    python: str
    findings: list[Finding] = field(default_factory=list)
    run: RunFigures | None = None
    environment: str = ""
    seconds: float = 0.0  # the whole check, environment included

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.level == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """Every text scrubbed, as in render_text: a pickle's messages and output may hold anything."""
        return cast("dict[str, Any]", scrubbed({
            "pickle": str(self.pickle),
            "ok": self.ok,
            "runtime": self.runtime,
            "python": self.python,
            "findings": [asdict(finding) for finding in self.findings],
            "run": asdict(self.run) if self.run else None,
            "environment": self.environment,
            "seconds": round(self.seconds, 3),
        }))


def scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: scrubbed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrubbed(item) for item in value]
    return value


LABELS = {ERROR: "FAIL", WARNING: "warn", OK: "ok"}


def figures_line(run: RunFigures) -> str:
    parts = []
    if run.seconds is not None:
        limit = f" of {run.limit_seconds:g} s" if run.limit_seconds else ""
        own = f" (predict {run.predict_seconds:.2f} s)" if run.predict_seconds is not None else ""
        parts.append(f"time {run.seconds:.2f} s{limit}{own}")
    if run.peak_memory_bytes is not None:
        limit = f" of {run.limit_memory_bytes / MB:,.0f} MB" if run.limit_memory_bytes else ""
        parts.append(f"peak memory {run.peak_memory_bytes / MB:,.0f} MB{limit}")
    parts.append(f"{run.cpus} CPU" if run.cpus else "CPUs not limited")
    parts.append("network allowed" if run.network else "no network")
    return "; ".join(parts)


def render_text(report: Report) -> str:
    lines = [f"check {report.pickle} on {report.runtime}"]
    shown = set()  # a fix shared by several findings is printed once, with the first
    for finding in report.findings:
        lines.append(f"  {LABELS[finding.level]:4}  {finding.check}: {finding.message}")
        if finding.fix and finding.level != OK and finding.fix not in shown:
            shown.add(finding.fix)
            lines.append(f"        fix: {finding.fix}")
        if finding.detail and finding.level == ERROR:
            lines.extend(f"        | {line}" for line in finding.detail.rstrip().splitlines()[-8:])
    if report.run:
        lines.append(f"  run   {figures_line(report.run)}")
    verdict = "passed" if report.ok else f"FAILED ({len(report.errors)} problem(s))"
    lines.append(f"{verdict} in {report.seconds:.1f} s")
    return scrub("\n".join(lines))
