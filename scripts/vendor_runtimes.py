"""Copy numerai_predict's lock lists (../shared/numerai-predict/<tag>/py3.XX.txt) into the template.

Every entry of the template's runtimes/catalogue.json names its image tag and its lock file
(`py3.XX-<tag>.txt`): the versions locked at the numerai-predict commit the image was built from
(an image's tag is that commit). This writes `<source>/<tag>/py3.XX.txt` as that lock file, keeping
the source's header (where its versions come from) and writing the pins the way the baked
`scripts/refresh_runtimes.py` does: both use the baked `scripts/lock_lists.py`, the format's home.
"""

import importlib.util
import json
import sys
from pathlib import Path

BAKED = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}"
TEMPLATE_RUNTIMES = BAKED / "runtimes"


def load_lock_lists():
    """The baked scripts/lock_lists.py (standard library only, no template variables)."""
    spec = importlib.util.spec_from_file_location("lock_lists", BAKED / "scripts" / "lock_lists.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def vendor(source: Path, target: Path, lock_lists) -> None:
    lines = source.read_text().splitlines()
    header = [line for line in lines if line.startswith("#")]
    versions = dict(line.split("==", 1) for line in lines if line.strip() and not line.startswith("#"))
    target.write_text(lock_lists.render_lock(header, versions))


def main(source_dir: str) -> int:
    catalogue = json.loads((TEMPLATE_RUNTIMES / "catalogue.json").read_text())["runtimes"]
    missing = [entry for entry in catalogue
               if not (Path(source_dir) / entry["tag"] / f"py{entry['python']}.txt").is_file()]
    if missing:
        names = ", ".join(f"{entry['tag']}/py{entry['python']}.txt" for entry in missing)
        print(f"{source_dir} lacks {names}: numerai-predict built no such image, or the list is not vendored",
              file=sys.stderr)
        return 2
    lock_lists = load_lock_lists()
    for entry in catalogue:
        expected = f"py{entry['python']}-{entry['tag']}.txt"
        if entry["lock"] != expected:
            print(f"catalogue.json: Python {entry['python']} ==> \"lock\" should be {expected!r}", file=sys.stderr)
            return 2
        vendor(Path(source_dir) / entry["tag"] / f"py{entry['python']}.txt", TEMPLATE_RUNTIMES / entry["lock"],
               lock_lists)
        print(f"vendored {entry['tag']}/py{entry['python']}.txt as {entry['lock']}")
    wanted = {entry["lock"] for entry in catalogue}
    for stale in sorted(TEMPLATE_RUNTIMES.glob("py3.*.txt")):
        if stale.name not in wanted:
            stale.unlink()
            print(f"removed {stale.name}: no catalogue entry names it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "../shared/numerai-predict"))
