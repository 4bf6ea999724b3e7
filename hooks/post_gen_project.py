"""Remove what an answer turned off; make sure the free-text project name left pyproject.toml valid.

The template writes the name into pyproject.toml with `tojson`, whose escapes are TOML's, so any name
the pre-generation hook lets through parses; the check here says so plainly if a template edit breaks it.
"""

import json
import shutil
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10 has no TOML reader: the check below is skipped there
    tomllib = None

# Rendered with `tojson`, which also escapes every single quote, so the raw string cannot be closed early.
RENDERED_ANSWERS = r'''{
    "project_name": {{ cookiecutter.project_name | tojson }},
    "include_examples": {{ cookiecutter.include_examples | tojson }}
}'''

# Paths (relative to the baked repo) that exist only when an answer is "yes".
OPTIONAL = {
    "include_examples": ["examples"],
}


def remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def pyproject_problem(pyproject):
    """Why the baked pyproject.toml does not parse, or None."""
    if tomllib is None or not pyproject.exists():
        return None
    try:
        tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        return str(error)
    return None


def main():
    answers = json.loads(RENDERED_ANSWERS)
    root = Path.cwd()
    for answer, paths in OPTIONAL.items():
        if answers[answer] != "yes":
            for relative in paths:
                remove(root / relative)
    pyproject = root / "pyproject.toml"
    reason = pyproject_problem(pyproject)
    if reason:
        print(f"ERROR: project_name {answers['project_name']!r} leaves pyproject.toml invalid ({reason}): "
              "leave out the characters it names", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
