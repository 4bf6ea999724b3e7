"""Remove what an answer turned off; make sure the free-text project name left pyproject.toml valid;
make the folder a git repository on `main` with a first commit (`init_git: yes`), ready to push.

The template writes the name into pyproject.toml with `tojson`, whose escapes are TOML's, so any name
the pre-generation hook lets through parses; the check here says so plainly if a template edit breaks it.

The workflows run on pushes to `main`, while `git init` makes `master` on many machines: the repository
is made on `main` whatever git's default. The commit uses the user's git identity; only where git has
none (a fresh machine, a CI runner) does it name the GitHub owner, with GitHub's no-reply address. A
git that is missing or refuses to commit leaves a note, never a failed bake. cruft renders the template
itself (no `_output_dir` in the context), also into scratch folders it diffs to update a repository:
there a .git would be a diff of binary files, so it gets none (the README says to `git init` after
`cruft create`).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10 has no TOML reader: the check below is skipped there
    tomllib = None

# Rendered with `tojson`, which also escapes every single quote, so the raw string cannot be closed early.
RENDERED_ANSWERS = r'''{
    "project_name": {{ cookiecutter.project_name | tojson }},
    "include_examples": {{ cookiecutter.include_examples | tojson }},
    "init_git": {{ cookiecutter.init_git | tojson }},
    "github_owner": {{ cookiecutter.github_owner | tojson }},
    "output_dir": {{ cookiecutter._output_dir | default("") | tojson }}
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


BRANCH = "main"  # the branch the workflows deploy from (`on: push: branches: [main]`)
# Variables that would point git at another repository than the one being made.
GIT_LOCATION_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


def git(root, *args):
    environment = {key: value for key, value in os.environ.items() if key not in GIT_LOCATION_VARIABLES}
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=environment)


def identity_options(root, owner):
    """`-c user.name=... -c user.email=...` for what git has no value of (nothing when it has both)."""
    fallback = {"user.name": owner, "user.email": f"{owner}@users.noreply.github.com"}
    options = []
    for key, value in fallback.items():
        if not git(root, "config", "--get", key).stdout.strip():
            options += ["-c", f"{key}={value}"]
    return options


def last_line(result):
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit code {result.returncode}"


def make_repository(root, answers):
    """git init on `main`, add everything, commit; a note (never a failure) when that cannot be done."""
    if shutil.which("git") is None:
        print("note: git is not installed: run `git init -b main && git add -A && git commit` yourself")
        return
    if (root / ".git").exists():
        print("note: the folder is a git repository already: left as it is")
        return
    for args in (("init", "-q"), ("symbolic-ref", "HEAD", f"refs/heads/{BRANCH}"), ("add", "-A")):
        result = git(root, *args)
        if result.returncode != 0:
            print(f"note: git {args[0]} failed ({last_line(result)}): the folder is not a git repository yet")
            return
    options = identity_options(root, answers["github_owner"])
    message = f"Bake {answers['project_name']} from the numerai-gitops template"
    result = git(root, *options, "commit", "-q", "--no-verify", "-m", message)
    if result.returncode != 0:
        print(f"note: git commit failed ({last_line(result)}): the files are staged on {BRANCH}; commit them yourself")
        return
    if options:
        print(f"note: git has no identity here: the first commit names {answers['github_owner']}; after setting "
              "yours (git config --global user.name/user.email), `git commit --amend --reset-author` takes it over")


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
    if answers["init_git"] == "yes" and answers["output_dir"]:
        make_repository(root, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
