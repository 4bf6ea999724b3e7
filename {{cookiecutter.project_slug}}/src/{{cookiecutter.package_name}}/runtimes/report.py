"""What `numerai-deploy runtimes` reports: the vendored catalogue, and, when Numerai can be asked, its
images and the drift between the two, as text and as the JSON that scripts/refresh_runtimes.py applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..numerai.client import NumeraiClient
from ..numerai.credentials import Credentials, read_credentials
from ..numerai.errors import ApiError
from ..settings import Settings
from .catalogue import Runtime, load_catalogue
from .libraries import IMAGE_PINNED_LIBRARIES
from .remote import Comparison, RemoteImage, compare, parse_images


@dataclass(frozen=True)
class RuntimesReport:
    source: str  # where the runtimes came from, and why Numerai was not asked when it was not
    catalogue: list[Runtime]
    comparison: Comparison | None  # None: Numerai was not asked, so drift is unknown

    def as_json(self) -> dict[str, Any]:
        return report_json(self)

    def text(self) -> str:
        lines = [f"source: {self.source}", *catalogue_lines(self.catalogue)]
        if self.comparison is not None:
            lines += comparison_lines(self.comparison)
        return "\n".join(lines)


def ask_numerai(credentials: Credentials, settings: Settings) -> tuple[list[RemoteImage] | None, str | None]:
    """Numerai's images, or None and why not (the vendored catalogue is used then). A rejected key is
    an error (exit 2), not a reason to fall back."""
    try:
        return parse_images(NumeraiClient(credentials, settings).docker_images()), None
    except ApiError as error:
        if error.exit_code == 2:
            raise
        return None, f"no answer from {settings.api_url}"


def runtimes_report(runtimes_dir: Path, settings: Settings, *, offline: bool) -> RuntimesReport:
    """The catalogue in `runtimes_dir`, compared with Numerai's images when there are keys and not `offline`."""
    catalogue = load_catalogue(runtimes_dir)
    credentials = None if offline else read_credentials(settings)
    images, problem = ask_numerai(credentials, settings) if credentials else (None, None)
    if images is None:
        why = ("--offline" if offline else f"Numerai could not be asked ({problem})" if problem
               else "no NUMERAI_PUBLIC_ID/NUMERAI_SECRET_KEY")
        return RuntimesReport(f"vendored catalogue (runtimes/catalogue.json): {why}", catalogue, None)
    return RuntimesReport("vendored catalogue, compared with Numerai's computePickleDockerImages", catalogue,
                          compare(catalogue, images))


def marked(label: str, marks: list[str]) -> str:
    return f"{label} ({', '.join(marks)})" if marks else label


def catalogue_lines(catalogue: list[Runtime]) -> list[str]:
    lines = []
    for runtime in catalogue:
        pins = ", ".join(f"{name} {runtime.version_of(name) or '-'}" for name in IMAGE_PINNED_LIBRARIES)
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


def numerai_json(comparison: Comparison) -> dict[str, Any]:
    return {
        "images": [{"id": image.id, "name": image.name, "image": image.image, "tag": image.tag,
                    "python": image.python, "default": image.default, "deprecated": image.deprecated,
                    "experimental": image.experimental} for image in comparison.images],
        "default": comparison.default.reference if comparison.default else None,
        "catalogue_default_agrees": comparison.catalogue_default_agrees,
        "missing": [image.reference for image in comparison.missing],
        "retagged": {runtime.key: image.tag for runtime, image in comparison.retagged},
        "gone": [runtime.reference for runtime in comparison.gone],
    }


def report_json(report: RuntimesReport) -> dict[str, Any]:
    """`runtimes --json` / `--report FILE`: `drift` and `changes` are null when Numerai was not asked."""
    comparison = report.comparison
    return {
        "source": report.source,
        "drift": None if comparison is None else comparison.drift,
        "changes": None if comparison is None else [change.as_json() for change in comparison.changes],
        "runtimes": [{"key": runtime.key, "name": runtime.name, "python": runtime.python, "image": runtime.image,
                      "tag": runtime.tag, "default": runtime.default, "deprecated": runtime.deprecated,
                      "experimental": runtime.experimental, "lock": runtime.pins_path,
                      "pins": {name: runtime.version_of(name) for name in IMAGE_PINNED_LIBRARIES}}
                     for runtime in report.catalogue],
        "numerai": None if comparison is None else numerai_json(comparison),
    }
