"""List the numerai_predict runtimes (Python minor, image, tag) and mark the default.

With NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY set, asks Numerai which images it offers
(computePickleDockerImages, deprecated and experimental ones included) and compares them with the
vendored catalogue: a new image, another tag, another default or flags, an image no longer listed.
Any of these is drift: `--json` says `"drift": true` and lists the `changes`; `--report FILE` writes
that JSON to a file too; `scripts/refresh_runtimes.py --report FILE` applies it (the scheduled
health workflow does both and proposes the result as a pull request). Without keys, or with
`--offline`, it shows the vendored catalogue and `"drift"` is null (unknown).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..files import write_atomic
from ..numerai.client import NumeraiClient
from ..numerai.credentials import read_credentials
from ..numerai.errors import ApiError
from ..runtimes import load_catalogue
from ..runtimes.remote import Comparison, compare, parse_images
from ..settings import load_settings
from .common import repo_from

KEY_PINS = ("numpy", "pandas", "lightgbm", "scikit-learn", "cloudpickle")


def add_arguments(parser) -> None:
    parser.add_argument("--offline", action="store_true", help="use only the vendored catalogue, even with credentials")
    parser.add_argument("--json", action="store_true",
                        help="print the catalogue, Numerai's images and the drift between them as JSON")
    parser.add_argument("--report", type=Path, default=None, metavar="FILE",
                        help="also write that JSON to FILE (for scripts/refresh_runtimes.py --report FILE)")


def marked(label: str, marks: list[str]) -> str:
    return f"{label} ({', '.join(marks)})" if marks else label


def catalogue_lines(catalogue) -> list[str]:
    lines = []
    for runtime in catalogue:
        pins = ", ".join(f"{name} {runtime.version_of(name) or '-'}" for name in KEY_PINS)
        lines.append(f"{runtime.key:8} {marked(runtime.reference, runtime.marks)}  pins: {runtime.pins_path}")
        lines.append(f"         {pins}")
    return lines


def comparison_lines(comparison: Comparison) -> list[str]:
    lines = ["Numerai lists:"]
    for image in comparison.images:
        lines.append(f"  {marked(f'{image.name} ({image.reference})', image.marks)}")
    if comparison.default:
        agreement = "agrees with" if comparison.catalogue_default_agrees else "differs from"
        lines.append(f"Numerai's default: {comparison.default.name} ({comparison.default.reference}); "
                     f"{agreement} the catalogue's default")
        if not comparison.catalogue_default_agrees:
            lines.append("  `runtime: default` in a spec uses the catalogue's: set \"default\": true on "
                         f"{comparison.default.name} in runtimes/catalogue.json (or name the runtime in each spec)")
    for image in comparison.missing:
        if image.deprecated:
            lines.append(f"not in the catalogue: {image.name} ({image.reference}, deprecated): left out")
        else:
            flags = ", ".join(image.marks)
            lines.append(f"not in the catalogue: {image.name} ({image.reference}{', ' + flags if flags else ''})"
                         f" ==> python scripts/refresh_runtimes.py --ref {image.tag} --python {image.python}")
    for runtime, image in comparison.retagged:
        lines.append(f"{runtime.key}: Numerai runs tag {image.tag}, the catalogue has {runtime.tag} ==> "
                     f"python scripts/refresh_runtimes.py --ref {image.tag} --python {runtime.python}")
    for runtime in comparison.gone:
        lines.append(f"{runtime.key}: Numerai no longer lists {runtime.image}")
    for image in comparison.unusable:
        lines.append(f"{image.name} ({image.reference}): no Python minor in its name; left out")
    if comparison.drift:
        lines.append(f"drift: {len(comparison.changes)} change(s) ==> python scripts/refresh_runtimes.py "
                     "--report FILE, with FILE from `numerai-deploy runtimes --report FILE`")
        lines.extend(f"  {change.describe()}" for change in comparison.changes)
    else:
        lines.append("no drift: every image Numerai offers is in the catalogue, at the same tag and flags")
    return lines


def ask_numerai(credentials, settings):
    """Numerai's images, or None and why not (the vendored catalogue is used then). A rejected key is
    an error (exit 2), not a reason to fall back."""
    try:
        return parse_images(NumeraiClient(credentials, settings).docker_images()), None
    except ApiError as error:
        if error.exit_code == 2:
            raise
        return None, f"no answer from {settings.api_url}"


def document(source: str, catalogue, comparison: Comparison | None) -> dict:
    return {
        "source": source,
        "drift": None if comparison is None else comparison.drift,
        "changes": None if comparison is None else [change.as_json() for change in comparison.changes],
        "runtimes": [{"key": runtime.key, "name": runtime.name, "python": runtime.python, "image": runtime.image,
                      "tag": runtime.tag, "default": runtime.default, "deprecated": runtime.deprecated,
                      "experimental": runtime.experimental, "lock": runtime.pins_path,
                      "pins": {name: runtime.version_of(name) for name in KEY_PINS}} for runtime in catalogue],
        "numerai": None if comparison is None else {
            "images": [{"id": image.id, "name": image.name, "image": image.image, "tag": image.tag,
                        "python": image.python, "default": image.default, "deprecated": image.deprecated,
                        "experimental": image.experimental} for image in comparison.images],
            "default": comparison.default.reference if comparison.default else None,
            "catalogue_default_agrees": comparison.catalogue_default_agrees,
            "missing": [image.reference for image in comparison.missing],
            "retagged": {runtime.key: image.tag for runtime, image in comparison.retagged},
            "gone": [runtime.reference for runtime in comparison.gone],
        },
    }


def run(args) -> int:
    repo = repo_from(args)
    catalogue = load_catalogue(repo.runtimes)
    settings = load_settings()
    credentials = None if args.offline else read_credentials(settings)
    images, problem = ask_numerai(credentials, settings) if credentials else (None, None)
    if images is None:
        why = ("--offline" if args.offline else f"Numerai could not be asked ({problem})" if problem
               else "no NUMERAI_PUBLIC_ID/NUMERAI_SECRET_KEY")
        source = f"vendored catalogue (runtimes/catalogue.json): {why}"
    else:
        source = "vendored catalogue, compared with Numerai's computePickleDockerImages"
    comparison = compare(catalogue, images) if images is not None else None
    result = document(source, catalogue, comparison)
    if args.report is not None:
        write_atomic(args.report, json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"source: {source}")
    print("\n".join(catalogue_lines(catalogue)))
    if comparison is not None:
        print("\n".join(comparison_lines(comparison)))
    return 0
