"""Remove what an answer turned off."""

import shutil
from pathlib import Path

ANSWERS = {
    "include_examples": "{{ cookiecutter.include_examples }}",
}

# Paths (relative to the baked repo) that exist only when an answer is "yes".
OPTIONAL = {
    "include_examples": ["examples"],
}


def remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def main():
    root = Path.cwd()
    for answer, paths in OPTIONAL.items():
        if ANSWERS[answer] != "yes":
            for relative in paths:
                remove(root / relative)


if __name__ == "__main__":
    main()
