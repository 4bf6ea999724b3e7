"""Every check of a pickle against the numerai_predict image it will run in, before it is uploaded.

Static checks first (modules from the opcodes, versions from the manifest), then a run in a cached
environment with the image's Python and pins, under the container's limits, on live-shaped data,
validated as predict.py and Numerai's later validation do.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone
from pathlib import Path

from ..artifact.manifest import (
    CheckInfo,
    Manifest,
    ManifestError,
    manifest_path,
    read_manifest,
    with_check,
    write_manifest,
)
from ..errors import UsageError, WorkFailed
from ..logs import get_logger
from ..repo import Repo
from ..runtimes import Runtime, default_runtime, resolve_runtime
from ..sandbox.limits import Limits
from .environment import ensure_environment
from .live import live_data
from .report import ERROR, OK, Finding, Report, render_text
from .runner import run_pickle
from .static import static_check

PACKAGE = __name__.split(".")[0]
log = get_logger(__name__)


def own_modules(repo: Repo) -> set[str]:
    """Top-level modules of this repository: the image never has them unless embedded by value."""
    names = {PACKAGE}
    source = repo.root / "src"
    if source.is_dir():
        names.update(path.stem for path in source.iterdir() if path.suffix == ".py" or (path / "__init__.py").exists())
    return names


def read_manifest_beside(pickle_path: Path) -> tuple[Manifest | None, list[Finding]]:
    """The pickle's manifest; none is a warning (static checks say so), a malformed one an error."""
    if not manifest_path(pickle_path).exists():
        return None, []
    try:
        return read_manifest(pickle_path), []
    except ManifestError as error:
        return None, [Finding("manifest", ERROR, str(error), "rebuild the pickle")]


def runtime_for(pickle_path: Path, choice: str | None, catalogue: list[Runtime]) -> Runtime:
    """--runtime, else the runtime the manifest says the pickle was built for, else the default."""
    if choice:
        return resolve_runtime(choice, catalogue)
    manifest, _ = read_manifest_beside(pickle_path)
    built_for = manifest.runtime.python if manifest else None
    return resolve_runtime(built_for, catalogue) if built_for else default_runtime(catalogue)


def existing_pickles(paths: list[str]) -> list[Path]:
    """`paths` as paths, each a file; else the first missing one is named."""
    missing = [path for path in paths if not Path(path).is_file()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file ==> pass the path of a pickle, e.g. dist/<slot>-<hash>.pkl")
    return [Path(path) for path in paths]


def check_pickle(repo: Repo, pickle_path: Path, runtime: Runtime, *, limits: Limits | None = None,
                 dataset: str | None = None, benchmarks: str | None = None,
                 keep_predictions: Path | None = None) -> Report:
    """Every check of one pickle against `runtime`; a Report whose `ok` says whether it may be uploaded."""
    started = time.monotonic()
    limits = limits or Limits()
    pickle_path = Path(pickle_path)
    if not pickle_path.is_file():
        raise UsageError(f"{pickle_path}: no such file ==> pass the path of a pickle, e.g. dist/<slot>-<hash>.pkl")
    pickle_bytes = pickle_path.read_bytes()
    manifest, findings = read_manifest_beside(pickle_path)
    static = static_check(pickle_bytes, manifest, runtime, own_modules(repo))
    report = Report(pickle_path, f"{runtime.name} ({runtime.reference})", runtime.python,
                    findings=findings + static.findings)
    live = live_data(repo.data_cache, manifest, dataset, benchmarks)
    environment = ensure_environment(runtime, static.distributions, repo.settings)
    state = "created" if environment.created else "cached"
    report.environment = str(environment.folder)
    pins = ", ".join(environment.requirements)
    report.findings.append(Finding("environment", OK, f"Python {runtime.python} with {pins} "
                                   f"({state} in {environment.seconds:.1f} s)"))
    # The run gets these very bytes, whose sha256 the manifest records below: never the path again.
    run_findings, figures = run_pickle(environment.python, runtime.python, pickle_bytes, str(pickle_path), live,
                                       limits, repo.settings, keep_predictions)
    report.findings.append(Finding("run", OK, f"{live.source}" + (f", {figures.rows:,} rows" if figures.rows else "")
                                   + (f", called with {figures.arguments} argument(s)" if figures.arguments else "")))
    report.findings.extend(run_findings)
    report.run = figures
    report.seconds = time.monotonic() - started
    if manifest is not None and limits == Limits() and keep_predictions is None:
        if manifest.runtime.reference == runtime.reference:
            record_outcome(pickle_path, manifest, pickle_bytes, runtime, report)
        else:  # a trial on another runtime: the build's verdict for its own image stays what it was
            log.info(f"check: {pickle_path.name} was built for {manifest.runtime.reference}: this check against "
                     f"{runtime.reference} is not recorded in its manifest")
    return report


def record_outcome(pickle_path: Path, manifest: Manifest, pickle_bytes: bytes, runtime: Runtime,
                   report: Report) -> None:
    """Write the verdict into the manifest beside the pickle: deploy uploads only a pickle whose own
    check (same sha256, same image, Numerai's limits) passed."""
    errors = sum(1 for finding in report.findings if finding.level == ERROR)
    outcome = CheckInfo(passed=report.ok, image=runtime.reference, sha256=hashlib.sha256(pickle_bytes).hexdigest(),
                        errors=errors, at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    write_manifest(with_check(manifest, outcome), pickle_path)


def check_built(repo: Repo, built: list[tuple[Path, Runtime]]) -> list[Report]:
    """`build` runs this on what it built (unless --no-check): every pickle, then one verdict."""
    reports = []
    for pickle_path, runtime in built:
        report = check_pickle(repo, pickle_path, runtime)
        log.info(render_text(report))
        reports.append(report)
    failed = [report.pickle.name for report in reports if not report.ok]
    if failed:
        raise WorkFailed(f"check failed for {', '.join(failed)} ==> see the problems above; "
                         "`numerai-deploy check PICKLE` repeats the check")
    return reports
