"""A numerai_predict image reference, modelled once: the catalogue's runtimes, Numerai's answer about its
images and a manifest's record of what a pickle was built for each are one (or extend one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageRef:
    """An image as Numerai names it: its name (numerai_predict_py_3_12), repository and tag (the
    numerai-predict commit it was built from)."""

    name: str
    image: str
    tag: str

    @property
    def reference(self) -> str:
        """`image:tag`, as docker and Numerai's upload take it."""
        return f"{self.image}:{self.tag}"


@dataclass(frozen=True)
class BuiltImage(ImageRef):
    """An image whose Python minor is known: what a pickle is built for (a manifest records one)."""

    python: str
