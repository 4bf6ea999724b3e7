"""A model's fingerprint: a hash of everything that changes its pickle.

The spec (as validated, so comments and key order do not count), the code of this package its build
uses and ships (artifact/code.py: the training step's modules and the spec's own, such as a custom
entry point's module and what it imports), the runtime's locked versions, the data version and whether
the data is synthetic. Same inputs, same
fingerprint: `plan` rebuilds nothing whose fingerprint is unchanged, `deploy` uploads nothing
whose fingerprint is already assigned.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from ..modelspec.model import ModelSpec
from ..runtimes import Runtime
from .code import used_modules

LENGTH = 12
# Numerai may prefix the stored name (a folder, an upload id): match the end of it. The uploaded name
# is `<slot>-<fingerprint>-<data stamp>.pkl`: the recipe, then the data it learned from.
PICKLE_NAME = re.compile(
    r"(?P<slot>[a-z0-9_]{1,50})-(?P<fingerprint>[0-9a-f]{" + str(LENGTH) + r"})(?:-(?P<stamp>[0-9a-f]{8}))?\.pkl$"
)


def code_digest(package_dir: Path, spec_document: object) -> str:
    """Hash of the package's modules a build of this spec uses and ships (artifact/code.py): their
    paths and contents."""
    digest = hashlib.sha256()
    for name, path in sorted(used_modules(package_dir, spec_document).items()):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(file_digest(path).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    state = Path(path).stat()
    return state_digest(Path(path), state.st_mtime_ns, state.st_size)


@lru_cache(maxsize=1024)
def state_digest(path: Path, _mtime_ns: int, _size: int) -> str:
    """A file's hash, read once per process and file state."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(spec: ModelSpec, runtime: Runtime, package_dir: Path, synthetic: bool = False) -> str:
    # Where and whether it deploys, which runner builds it, whom it challenges and the gate on Numerai's
    # diagnostics of it do not change the pickle.
    document = spec.model_dump(mode="json", exclude={"deploy": True, "build": {"runner"}, "challenger": True,
                                                     "gate": True})
    parts = {
        "spec": document,
        "code": code_digest(Path(package_dir), document),
        "runtime": [runtime.python, runtime.image, runtime.tag, file_digest(runtime.lock)],
        "data": [spec.data.version, "synthetic" if synthetic else "numerai"],
    }
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:LENGTH]


def uploaded_name(slot: str, print_id: str, stamp: str | None) -> str:
    """The uploaded file's name: a retrain on new data (same fingerprint, new stamp) is a new pickle."""
    return f"{slot}-{print_id}{f'-{stamp}' if stamp else ''}.pkl"


def parse_uploaded_name(filename: str | None) -> tuple[str, str | None] | None:
    """(fingerprint, data stamp) of an uploaded pickle's file name, or None when it has none."""
    match = PICKLE_NAME.search(filename or "")
    return (match.group("fingerprint"), match.group("stamp")) if match else None


def fingerprint_in(filename: str | None) -> str | None:
    """The fingerprint encoded in an uploaded pickle's file name, if it has one."""
    parsed = parse_uploaded_name(filename)
    return parsed[0] if parsed else None
