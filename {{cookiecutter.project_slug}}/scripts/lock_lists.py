"""The text of a runtime's lock list, `runtimes/py3.XX-<tag>.txt`: a header, then one pin a line.

The one home of that format. Standard library only and free of template variables, so the
template's own `scripts/vendor_runtimes.py` loads this file by path as well.
Each lock list doubles as a pip/uv constraints file, so a package the CLI needs at another version
than the image (numerapi: the deploy client needs >=3.1, pickles never import it) is kept as a
comment that still records the image's version.
"""

from __future__ import annotations

REPOSITORY = "numerai/numerai-predict"
CLI_ONLY = {"numerapi"}
CLI_ONLY_NOTE = "  (not a constraint: the deploy client needs a newer version; pickles never use it)"


def lock_header(python: str, tag: str, origin: str) -> list[str]:
    """Where the versions come from: the image, and its tag's poetry.lock (`origin`: how and when it was read)."""
    return [f"# Package versions locked in the numerai_predict_py_{python.replace('.', '_')}:{tag} image",
            f"# ({REPOSITORY}, py{python}/poetry.lock at commit {tag}, {origin}: "
            "an image's tag is the commit it was built from).",
            "# All platforms are listed; the linux/amd64 image installs the ones that apply."]


def render_lock(header_lines: list[str], versions: dict[str, str]) -> str:
    """The lock list: `header_lines`, then `name==version` by name, CLI-only packages as comments."""
    lines = list(header_lines)
    for name in sorted(versions):
        pin = f"{name}=={versions[name]}"
        lines.append(f"# {pin}{CLI_ONLY_NOTE}" if name in CLI_ONLY else pin)
    return "\n".join(lines) + "\n"
