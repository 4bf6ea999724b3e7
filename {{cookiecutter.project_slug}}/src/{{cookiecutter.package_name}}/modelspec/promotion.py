"""A promotion as a change of text: the champion's spec made to train what its challenger trains.

The champion's `model:` and `data:` become the challenger's (a `data:` the challenger leaves out is
left out, so the champion takes the same defaults); everything else of the champion's spec stays:
its slot, `deploy:` (webhook), runtime, `predict:` and `build:`. Its stake lives on Numerai and is
not touched. The YAML is edited round-trip (ruamel), so the champion's comments and layout outside
the two sections survive, and the challenger's comments inside them come along. Merging the pull
request that carries the text deploys a fresh upload to the champion's slot through the ordinary
push: no pickle moves from one slot to another.
"""

from __future__ import annotations

import copy
import io
from typing import Any

from ruamel.yaml import YAML

from .problems import LoadedSpec
from .reading import spec_text

MOVED = ("data", "model")  # what the challenger trains
# Sections that also shape the pickle but stay the champion's: a promotion names them when they differ.
KEPT = ("runtime", "predict", "build")


def round_trip() -> YAML:
    """ruamel keeping what a person wrote: quotes, comments, long lines."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def promoted_text(champion: LoadedSpec, challenger: LoadedSpec) -> str:
    """The champion's spec file as it reads after the promotion (both files read again, through the
    same guards as any spec: reading.spec_text)."""
    yaml = round_trip()
    document: Any = yaml.load(spec_text(champion.path, champion.path.parent))
    theirs: Any = yaml.load(spec_text(challenger.path, challenger.path.parent))
    for key in MOVED:
        if key in theirs:
            if key in document:
                document[key] = copy.deepcopy(theirs[key])
            else:  # after `slot:`, where a reader looks for it
                document.insert(list(document).index("slot") + 1 if "slot" in document else 0, key,
                                copy.deepcopy(theirs[key]))
        elif key in document:
            del document[key]
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def kept_differences(champion: LoadedSpec, challenger: LoadedSpec) -> list[str]:
    """The sections that differ but stay the champion's (the pull request says so)."""
    ours, theirs = champion.spec.model_dump(mode="json"), challenger.spec.model_dump(mode="json")
    return [key for key in KEPT if ours.get(key) != theirs.get(key)]


def trains_the_same(champion: LoadedSpec, challenger: LoadedSpec) -> bool:
    """Whether the champion already trains what the challenger trains (a promotion merged, or a copy)."""
    ours, theirs = champion.spec.model_dump(mode="json"), challenger.spec.model_dump(mode="json")
    return all(ours.get(key) == theirs.get(key) for key in MOVED)
