"""What Numerai's API says about its images, compared with the vendored catalogue.

`compare` turns Numerai's answer (`computePickleDockerImages(deprecated: true)`: deprecated and
experimental images included) into a list of `Change`s, one per Python minor whose catalogue entry
should move: a new image, a new tag, other flags (default, deprecated, experimental), or an image
Numerai no longer lists. Any change is drift; `scripts/refresh_runtimes.py --report` applies them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from .catalogue import FLAGS, Runtime, python_of_image
from .image import ImageRef


@dataclass(frozen=True)
class RemoteImage(ImageRef):
    """An image as Numerai's API lists it, with its id and flags (its Python minor read from its name)."""

    id: str
    default: bool
    deprecated: bool
    experimental: bool

    @property
    def python(self) -> str | None:
        found = python_of_image(self.image)
        if found:
            return found
        match = re.search(r"\b(3\.\d{1,2})\b", self.name)
        return match.group(1) if match else None

    @property
    def marks(self) -> list[str]:
        return [flag for flag in FLAGS if getattr(self, flag)]


@dataclass(frozen=True)
class Change:
    """How one catalogue entry should move to match Numerai. `kind`: new, retagged, flags or gone."""

    python: str
    kind: str
    name: str
    image: str
    tag: str  # Numerai's tag (for `gone`, the catalogue's)
    default: bool
    deprecated: bool
    experimental: bool
    was: dict[str, Any] = field(default_factory=dict)  # the catalogue's values that differ (empty for `new`)

    def describe(self) -> str:
        marks = [flag for flag in FLAGS if getattr(self, flag)]
        label = f"py{self.python} {self.image}:{self.tag}" + (f" ({', '.join(marks)})" if marks else "")
        if self.kind == "new":
            return f"{label}: new on Numerai, not in the catalogue"
        if self.kind == "gone":
            return f"py{self.python} {self.image}:{self.tag}: Numerai no longer lists it"
        moved = ", ".join(f"{key} {before} -> {getattr(self, key)}" for key, before in self.was.items())
        return f"{label}: {moved}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Comparison:
    images: list[RemoteImage]  # everything Numerai lists, deprecated and experimental included
    default: RemoteImage | None  # Numerai's default image
    catalogue_default_agrees: bool
    missing: list[RemoteImage]  # images Numerai offers that the catalogue lacks
    retagged: list[tuple[Runtime, RemoteImage]]  # same image, another tag on Numerai
    gone: list[Runtime]  # catalogue entries Numerai no longer lists
    changes: list[Change]  # what a refresh would change in the catalogue
    unusable: list[RemoteImage] = field(default_factory=list)  # images whose Python minor cannot be told

    @property
    def drift(self) -> bool:
        return bool(self.changes)


def parse_images(items: list[dict[str, Any]]) -> list[RemoteImage]:
    return [RemoteImage(id=str(item.get("id")), name=item.get("name") or "", image=item.get("image") or "",
                        tag=item.get("tag") or "", default=bool(item.get("default")),
                        deprecated=bool(item.get("deprecated")), experimental=bool(item.get("experimental")))
            for item in items]


def preferred(images: list[RemoteImage]) -> RemoteImage:
    """Of several listings of one image: the default, else a current one, else a non-experimental one."""
    return sorted(images, key=lambda image: (not image.default, image.deprecated, image.experimental))[0]


def compare(catalogue: list[Runtime], images: list[RemoteImage]) -> Comparison:
    by_image = {runtime.image: runtime for runtime in catalogue}
    defaults = [image for image in images if image.default]
    default = defaults[0] if defaults else None
    catalogue_default = next((runtime for runtime in catalogue if runtime.default), None)
    agrees = default is None or (catalogue_default is not None and catalogue_default.image == default.image)
    grouped: dict[str, list[RemoteImage]] = {}
    for image in images:
        grouped.setdefault(image.image, []).append(image)
    chosen = {name: preferred(group) for name, group in grouped.items()}
    missing = [image for name, image in chosen.items() if name not in by_image]
    retagged = [(by_image[name], image) for name, image in chosen.items()
                if name in by_image and by_image[name].tag != image.tag]
    gone = [runtime for runtime in catalogue if runtime.image not in chosen]
    unusable = [image for image in chosen.values() if image.python is None]

    changes = []
    for name, image in chosen.items():
        if image.python is None:
            continue
        runtime = by_image.get(name)
        # Without a default on Numerai's side, the catalogue's default stands.
        default_flag = image.default if default is not None else bool(runtime and runtime.default)
        target: dict[str, Any] = {"tag": image.tag, "default": default_flag, "deprecated": image.deprecated,
                  "experimental": image.experimental}
        if runtime is None:
            if image.deprecated:
                continue  # a deprecated image is shown, never added
            changes.append(Change(python=image.python, kind="new", name=image.name or f"Python {image.python}",
                                  image=name, **target))
            continue
        was = {key: getattr(runtime, key) for key, value in target.items() if getattr(runtime, key) != value}
        if was:
            changes.append(Change(python=runtime.python, kind="retagged" if "tag" in was else "flags",
                                  name=runtime.name, image=name, was=was, **target))
    for runtime in gone:
        changes.append(Change(python=runtime.python, kind="gone", name=runtime.name, image=runtime.image,
                              tag=runtime.tag, default=runtime.default, deprecated=runtime.deprecated,
                              experimental=runtime.experimental))
    changes.sort(key=lambda change: tuple(int(part) for part in change.python.split(".")))
    return Comparison(images, default, agrees, missing, retagged, gone, changes, unusable)
