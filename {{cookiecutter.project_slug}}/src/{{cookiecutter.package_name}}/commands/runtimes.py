"""List the numerai_predict runtimes (Python minor, image, tag) and mark the default.

With NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY set, asks Numerai (computePickleDockerImages) which
image is the default and reports any image the vendored catalogue lacks or has at another tag;
without them, says it used the vendored catalogue. `scripts/refresh_runtimes.py` refreshes the
locked versions from numerai-predict's poetry.lock files.
"""

from __future__ import annotations

import json

from ..numerai.client import NumeraiClient
from ..numerai.credentials import apply_api_url, read_credentials
from ..numerai.errors import ApiError
from ..runtimes import load_catalogue
from ..runtimes.remote import Comparison, compare, parse_images
from ..settings import load_settings
from .common import repo_from

KEY_PINS = ("numpy", "pandas", "lightgbm", "scikit-learn", "cloudpickle")


def add_arguments(parser) -> None:
    parser.add_argument("--offline", action="store_true", help="use only the vendored catalogue, even with credentials")
    parser.add_argument("--json", action="store_true", help="print the catalogue (and Numerai's answer) as JSON")


def catalogue_lines(catalogue) -> list[str]:
    lines = []
    for runtime in catalogue:
        marks = [mark for mark, on in (("default", runtime.default), ("deprecated", runtime.deprecated)) if on]
        pins = ", ".join(f"{name} {runtime.version_of(name) or '-'}" for name in KEY_PINS)
        lines.append(f"{runtime.key:8} {runtime.reference}{' (' + ', '.join(marks) + ')' if marks else ''}")
        lines.append(f"         {pins}")
    return lines


def comparison_lines(comparison: Comparison) -> list[str]:
    lines = []
    if comparison.default:
        agreement = ("agrees with" if comparison.catalogue_default_agrees else
                     "differs from")
        lines.append(f"Numerai's default: {comparison.default.name} ({comparison.default.reference}); "
                     f"{agreement} the catalogue's default")
        if not comparison.catalogue_default_agrees:
            lines.append("  `runtime: default` in a spec uses the catalogue's: set \"default\": true on "
                         f"{comparison.default.name} in runtimes/catalogue.json (or name the runtime in each spec)")
    for image in comparison.missing:
        flags = ", ".join(flag for flag, on in (("experimental", image.experimental),
                                                ("deprecated", image.deprecated)) if on)
        lines.append(f"not in the catalogue: {image.name} ({image.reference}{', ' + flags if flags else ''})"
                     " ==> add it to runtimes/catalogue.json with its lock file (scripts/refresh_runtimes.py)")
    for runtime, image in comparison.retagged:
        lines.append(f"{runtime.key}: Numerai runs tag {image.tag}, the catalogue has {runtime.tag} ==> "
                     "refresh the pins with scripts/refresh_runtimes.py")
    for runtime in comparison.gone:
        lines.append(f"{runtime.key}: Numerai no longer lists {runtime.image}")
    if len(lines) == 1 and comparison.catalogue_default_agrees:
        lines.append("every image Numerai lists is in the catalogue, at the same tag")
    return lines


def ask_numerai(credentials, settings):
    """Numerai's images, or None and why not (the vendored catalogue is used then). A rejected key is
    an error (exit 2), not a reason to fall back."""
    try:
        return parse_images(NumeraiClient(credentials, settings).docker_images()), None
    except ApiError as error:
        if error.exit_code == 2:
            raise
        return None, f"no answer from {apply_api_url(settings)}"


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
    if args.json:
        print(json.dumps({
            "source": source,
            "runtimes": [{"key": runtime.key, "name": runtime.name, "python": runtime.python, "image": runtime.image,
                          "tag": runtime.tag, "default": runtime.default, "deprecated": runtime.deprecated,
                          "pins": {name: runtime.version_of(name) for name in KEY_PINS}} for runtime in catalogue],
            "numerai": None if comparison is None else {
                "default": comparison.default.reference if comparison.default else None,
                "catalogue_default_agrees": comparison.catalogue_default_agrees,
                "missing": [image.reference for image in comparison.missing],
                "retagged": {runtime.key: image.tag for runtime, image in comparison.retagged},
            },
        }, indent=2))
        return 0
    print(f"source: {source}")
    print("\n".join(catalogue_lines(catalogue)))
    if comparison is not None:
        print("\n".join(comparison_lines(comparison)))
    return 0
