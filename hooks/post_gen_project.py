"""Remove what an answer turned off; make sure the free-text project name left pyproject.toml valid."""

import json
import re
import shutil
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: JSON's string escapes cover the ones the template writes.
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

# A one-line `key = "text"` TOML entry.
TOML_STRING_ENTRY = re.compile(r'^(\s*[A-Za-z0-9_.-]+\s*=\s*)"(.*)"(\s*)$')


def remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def toml_string(text):
    """`text` as a TOML basic string (JSON's escapes are TOML's; the pre-generation hook refused control characters)."""
    return json.dumps(text, ensure_ascii=False)


def decode_toml_string(quoted):
    """The text a TOML basic string stands for, or None when it is not one."""
    try:
        if tomllib is not None:
            return tomllib.loads(f"value = {quoted}")["value"]
        return json.loads(quoted)
    except ValueError:
        return None


def requote_project_name(pyproject, project_name):
    """Re-quote entries the template filled with the project name verbatim, which a quote or backslash breaks.

    An entry already quoted right (its text holds the name) is left alone.
    """
    if not pyproject.exists() or not any(character in project_name for character in '"\\'):
        return
    lines = pyproject.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines):
        body = line.rstrip("\r\n")
        match = TOML_STRING_ENTRY.match(body)
        if not match or project_name not in match.group(2):
            continue
        decoded = decode_toml_string(f'"{match.group(2)}"')
        if decoded is not None and project_name in decoded:
            continue
        prefix, text, trailing = match.groups()
        lines[number] = f"{prefix}{toml_string(text)}{trailing}{line[len(body):]}"
    pyproject.write_text("".join(lines), encoding="utf-8")


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
    requote_project_name(pyproject, str(answers["project_name"]))
    reason = pyproject_problem(pyproject)
    if reason:
        print(f"ERROR: project_name {answers['project_name']!r} leaves pyproject.toml invalid ({reason}): "
              "leave out the characters it names", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
