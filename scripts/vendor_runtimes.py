"""Copy the numerai_predict lock lists (../shared/numerai-predict/py3.XX.txt) into the template.

Packages the CLI needs at another version than the image (numerapi: the deploy client needs
>=3.1, the pickle never imports it) are kept as comments, so every lock list is also a valid
pip/uv constraints file while still recording the image's version.
"""

import re
import sys
from pathlib import Path

CLI_ONLY = {"numerapi"}
TEMPLATE_RUNTIMES = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}" / "runtimes"


def vendor(source: Path, target: Path) -> None:
    lines = []
    for line in source.read_text().splitlines():
        name = re.split(r"[=<>!~ ]", line, maxsplit=1)[0].strip().lower()
        if name in CLI_ONLY:
            line = f"# {line}  (not a constraint: the deploy client needs a newer version; pickles never use it)"
        lines.append(line)
    target.write_text("\n".join(lines) + "\n")


def main(source_dir: str) -> int:
    sources = sorted(Path(source_dir).glob("py3.*.txt"))
    if not sources:
        print(f"no py3.XX.txt files in {source_dir}", file=sys.stderr)
        return 2
    for source in sources:
        vendor(source, TEMPLATE_RUNTIMES / source.name)
        print(f"vendored {source.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "../shared/numerai-predict"))
