"""Checks made without running the pickle: the modules it imports and the versions it was built with.

Modules come from the pickle's opcodes (bundle/references.py); nothing in the pickle is executed.
Versions come from the manifest `build` writes beside every pickle.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field

from ..artifact.manifest import Manifest
from ..artifact.references import scan
from ..runtimes import Runtime, normalise
from ..runtimes.libraries import LAYOUT_BOUND_LIBRARIES
from ..runtimes.modules import distributions_for
from .report import ERROR, OK, WARNING, Finding

# Standard library modules a newer Python no longer has (the checking Python may be older).
REMOVED_FROM_STDLIB = {
    "distutils": "3.12", "imp": "3.12", "asynchat": "3.12", "asyncore": "3.12", "smtpd": "3.12",
    "aifc": "3.13", "audioop": "3.13", "cgi": "3.13", "cgitb": "3.13", "chunk": "3.13", "crypt": "3.13",
    "imghdr": "3.13", "mailcap": "3.13", "msilib": "3.13", "nis": "3.13", "nntplib": "3.13",
    "ossaudiodev": "3.13", "pipes": "3.13", "sndhdr": "3.13", "spwd": "3.13", "sunau": "3.13",
    "telnetlib": "3.13", "uu": "3.13", "xdrlib": "3.13", "lib2to3": "3.13",
}
ADDED_TO_STDLIB = {"tomllib": "3.11"}


@dataclass
class StaticResult:
    findings: list[Finding] = field(default_factory=list)
    distributions: set[str] = field(default_factory=set)  # image packages the pickle needs
    modules: set[str] = field(default_factory=set)  # top-level modules it imports


def minor_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2])


def in_stdlib(module: str, python: str) -> bool:
    """Whether `module` is in the standard library of Python `python` (a minor, e.g. "3.12")."""
    if module in REMOVED_FROM_STDLIB:
        return minor_tuple(python) < minor_tuple(REMOVED_FROM_STDLIB[module])
    if module in ADDED_TO_STDLIB:
        return minor_tuple(python) >= minor_tuple(ADDED_TO_STDLIB[module])
    return module in sys.stdlib_module_names or module == "__builtin__"


def module_finding(module: str, example: str, runtime: Runtime, own: set[str]) -> Finding | None:
    """An error for a module the image cannot import; None when it can."""
    if module == "__main__":
        return Finding("modules", ERROR, f"the pickle refers to {example}, a name of the script that made it, "
                       "by reference; the image's __main__ is predict.py, which has no such name",
                       "pickle with cloudpickle (it embeds __main__'s code by value) or move the code into "
                       "this repository's package")
    if in_stdlib(module, runtime.python):
        return None
    if module in REMOVED_FROM_STDLIB:
        return Finding("modules", ERROR, f"the pickle imports '{module}', which Python "
                       f"{REMOVED_FROM_STDLIB[module]} removed from the standard library",
                       "drop the dependency from the code inside the pickle")
    if module in own:
        return Finding("modules", ERROR, f"the pickle refers to '{example}', this repository's own code, by "
                       f"reference: the {runtime.name} image does not have module '{module}', so loading fails "
                       "with ModuleNotFoundError",
                       f"embed it by value: cloudpickle.register_pickle_by_value({module}) before pickling "
                       "(`numerai-deploy build` does this for its own package)")
    if distributions_for(module, runtime):
        return None
    return Finding("modules", ERROR, f"the pickle imports module '{module}' (e.g. {example}), which is neither in "
                   f"Python {runtime.python}'s standard library nor among the {runtime.name} image's packages",
                   "drop the dependency from the code inside the pickle, or, if it is your own code, embed it "
                   f"by value with cloudpickle.register_pickle_by_value({module})")


def module_findings(pickle_bytes: bytes, runtime: Runtime, own: set[str], result: StaticResult) -> None:
    try:
        found, imported = scan(pickle_bytes)
    except Exception as error:  # pickletools raises ValueError and friends on anything that is not a pickle
        result.findings.append(Finding("modules", ERROR, f"the file is not a readable pickle ({error})",
                                       "rebuild it; a pickle is written whole by `numerai-deploy build`"))
        return
    examples: dict[str, str] = {}
    for module in sorted(imported):
        examples.setdefault(module.split(".")[0], module)
    for item in sorted(found):
        examples.setdefault(item.module.split(".")[0], f"{item.module}.{item.name}")
    result.modules = set(examples)
    problems = [module_finding(module, example, runtime, own) for module, example in sorted(examples.items())]
    result.findings.extend(problem for problem in problems if problem)
    for module in examples:
        result.distributions.update(distributions_for(module, runtime))
    if "numpy" in examples and any(name.startswith("numpy._core") for name in examples.values()) \
            and minor_tuple(runtime.version_of("numpy") or "2.0") < (2, 0):
        result.findings.append(Finding("modules", ERROR, "the pickle refers to numpy._core, which only numpy 2 has; "
                                       f"the {runtime.name} image has numpy {runtime.version_of('numpy')}",
                                       f"rebuild with the image's pins (-c {runtime.pins_path})"))
    if not any(finding.check == "modules" for finding in result.findings):
        listed = ", ".join(sorted(examples)) or "none"
        result.findings.append(Finding("modules", OK, f"every module the pickle imports is in the image ({listed})"))


def rebuild_hint(runtime: Runtime) -> str:
    return (f"rebuild with `numerai-deploy build`: whatever Python runs it, it trains in Python {runtime.python} "
            f"with the image's pins ({runtime.pins_path}), in an environment it makes once")


def version_findings(manifest: Manifest, runtime: Runtime) -> list[Finding]:
    """The manifest's Python minor and library versions against the image's pins."""
    findings = []
    python = manifest.python
    if python and python.minor != runtime.python:
        findings.append(Finding(
            "versions", ERROR, f"built with Python {python.version}; the {runtime.name} "
            f"image runs Python {runtime.python}, where a pickle of another minor fails to load or crashes "
            "(segmentation fault, 'unsupported pickle protocol', 'code expected at most ...')", rebuild_hint(runtime)))
    agreeing = []
    for name, version in sorted(manifest.libraries.items()):
        pinned = runtime.version_of(name)
        if pinned is None:
            continue  # not in the image at all: the module check reports it
        if pinned == version:
            agreeing.append(f"{name} {version}")
            continue
        level = ERROR if normalise(name) in LAYOUT_BOUND_LIBRARIES else WARNING
        findings.append(Finding("versions", level, f"built with {name} {version}; the {runtime.name} image has "
                                f"{name} {pinned}", rebuild_hint(runtime)))
    if not findings:
        findings.append(Finding("versions", OK, f"Python {runtime.python} and {', '.join(agreeing) or 'no libraries'} "
                                "match the image"))
    return findings


def manifest_findings(manifest: Manifest | None, pickle_bytes: bytes, runtime: Runtime) -> list[Finding]:
    if manifest is None:
        return [Finding("versions", WARNING, "no manifest beside the pickle, so its Python and library versions "
                        "were not compared with the image's",
                        "build with `numerai-deploy build`, which writes <pickle>.json")]
    recorded = manifest.pickle.sha256 if manifest.pickle else None
    if recorded and recorded != hashlib.sha256(pickle_bytes).hexdigest():
        return [Finding("manifest", ERROR, "the manifest beside the pickle describes another pickle (its sha256 "
                        "differs)", "rebuild, so that the pickle and its manifest match")]
    return version_findings(manifest, runtime)


def static_check(pickle_bytes: bytes, manifest: Manifest | None, runtime: Runtime, own: set[str]) -> StaticResult:
    result = StaticResult()
    module_findings(pickle_bytes, runtime, own, result)
    result.findings.extend(manifest_findings(manifest, pickle_bytes, runtime))
    return result
