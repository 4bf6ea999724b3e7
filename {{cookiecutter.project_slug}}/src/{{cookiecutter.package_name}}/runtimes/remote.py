"""What Numerai's API says about its images, compared with the vendored catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import Runtime


@dataclass(frozen=True)
class RemoteImage:
    id: str
    name: str
    image: str
    tag: str
    default: bool
    deprecated: bool
    experimental: bool

    @property
    def reference(self) -> str:
        return f"{self.image}:{self.tag}"


@dataclass(frozen=True)
class Comparison:
    default: RemoteImage | None  # Numerai's default image
    catalogue_default_agrees: bool
    missing: list[RemoteImage]  # images Numerai offers that the catalogue lacks
    retagged: list[tuple[Runtime, RemoteImage]]  # same image, another tag on Numerai
    gone: list[Runtime]  # catalogue entries Numerai no longer lists


def parse_images(items: list[dict]) -> list[RemoteImage]:
    return [RemoteImage(id=str(item.get("id")), name=item.get("name") or "", image=item.get("image") or "",
                        tag=item.get("tag") or "", default=bool(item.get("default")),
                        deprecated=bool(item.get("deprecated")), experimental=bool(item.get("experimental")))
            for item in items]


def compare(catalogue: list[Runtime], images: list[RemoteImage]) -> Comparison:
    by_image = {runtime.image: runtime for runtime in catalogue}
    defaults = [image for image in images if image.default]
    default = defaults[0] if defaults else None
    catalogue_default = next((runtime for runtime in catalogue if runtime.default), None)
    agrees = default is None or (catalogue_default is not None and catalogue_default.image == default.image)
    missing = [image for image in images if image.image not in by_image]
    retagged = [(by_image[image.image], image) for image in images
                if image.image in by_image and by_image[image.image].tag != image.tag]
    listed = {image.image for image in images}
    gone = [runtime for runtime in catalogue if runtime.image not in listed]
    return Comparison(default, agrees, missing, retagged, gone)
