"""Copy numerai_predict's lock lists (../shared/numerai-predict/<tag>/py3.XX.txt) into the template.

Every entry of the template's runtimes/catalogue.json names its image tag and its lock file
(`py3.XX-<tag>.txt`): the versions locked at the numerai-predict commit the image was built from
(an image's tag is that commit). This copies `<source>/<tag>/py3.XX.txt` to that lock file.

Packages the CLI needs at another version than the image (numerapi: the deploy client needs
>=3.1, the pickle never imports it) are kept as comments, so every lock list is also a valid
pip/uv constraints file while still recording the image's version.
"""

import json
import re
import sys
from pathlib import Path

CLI_ONLY = {"numerapi"}
CLI_ONLY_NOTE = "  (not a constraint: the deploy client needs a newer version; pickles never use it)"
TEMPLATE_RUNTIMES = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}" / "runtimes"


def vendor(source: Path, target: Path) -> None:
    lines = []
    for line in source.read_text().splitlines():
        name = re.split(r"[=<>!~ ]", line, maxsplit=1)[0].strip().lower()
        if name in CLI_ONLY:
            line = f"# {line}{CLI_ONLY_NOTE}"
        lines.append(line)
    target.write_text("\n".join(lines) + "\n")


def main(source_dir: str) -> int:
    catalogue = json.loads((TEMPLATE_RUNTIMES / "catalogue.json").read_text())["runtimes"]
    missing = [entry for entry in catalogue
               if not (Path(source_dir) / entry["tag"] / f"py{entry['python']}.txt").is_file()]
    if missing:
        names = ", ".join(f"{entry['tag']}/py{entry['python']}.txt" for entry in missing)
        print(f"{source_dir} lacks {names}: numerai-predict built no such image, or the list is not vendored",
              file=sys.stderr)
        return 2
    for entry in catalogue:
        expected = f"py{entry['python']}-{entry['tag']}.txt"
        if entry["lock"] != expected:
            print(f"catalogue.json: Python {entry['python']} ==> \"lock\" should be {expected!r}", file=sys.stderr)
            return 2
        vendor(Path(source_dir) / entry["tag"] / f"py{entry['python']}.txt", TEMPLATE_RUNTIMES / entry["lock"])
        print(f"vendored {entry['tag']}/py{entry['python']}.txt as {entry['lock']}")
    wanted = {entry["lock"] for entry in catalogue}
    for stale in sorted(TEMPLATE_RUNTIMES.glob("py3.*.txt")):
        if stale.name not in wanted:
            stale.unlink()
            print(f"removed {stale.name}: no catalogue entry names it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "../shared/numerai-predict"))
