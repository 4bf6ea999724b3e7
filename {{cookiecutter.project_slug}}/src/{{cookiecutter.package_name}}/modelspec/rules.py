"""The rules a spec must follow beyond its shape: one slot per name, a runtime of the catalogue,
a feature set and targets of the dataset, estimators and entry points from the allowed places only,
and enough eras for every stacking layer (model parameters: parameters.py)."""

from __future__ import annotations

import difflib
import importlib
import inspect
import json
from pathlib import Path
from typing import Any

from .locked import is_locked_module
from .model import Definition, iter_models, targets_used
from .problems import LoadedSpec, Problem, display_path, line_of

PACKAGE = __name__.split(".")[0]
# The places a spec may name code: scikit-learn's and LightGBM's estimators, this repository's own `custom`
# package, and the other libraries its images lock (modelspec/locked.py). Nothing else is imported while
# validating, so a spec cannot run a module's code.
ESTIMATOR_PLACES = ("sklearn", "lightgbm", f"{PACKAGE}.custom")
LOCKED_PLACE = "a library the runtime images lock (runtimes/py3.*.txt)"
ENTRY_POINT_PLACES = (f"{PACKAGE}.custom",)


def duplicate_slot_problems(loaded: list[LoadedSpec]) -> list[Problem]:
    first: dict[str, LoadedSpec] = {}
    problems = []
    for item in loaded:
        other = first.setdefault(item.spec.slot, item)
        if other is not item:
            problems.append(Problem(
                display_path(item.path), item.line_of("slot"), "slot",
                f"a slot name used by one spec only: {item.spec.slot!r} is also the slot of "
                f"{display_path(other.path)}",
            ))
    return problems


def challenger_problems(loaded: list[LoadedSpec]) -> list[Problem]:
    """A challenger names another spec's slot as its champion, one that is not a challenger itself (so no
    two slots challenge each other, and a promotion never changes a spec that is being promoted)."""
    by_slot = {item.spec.slot: item for item in loaded}
    problems = []
    for item in loaded:
        challenger = item.spec.challenger
        if challenger is None:
            continue
        file, line = display_path(item.path), item.line_of("challenger", "of")
        champion = by_slot.get(challenger.of)
        others = ", ".join(sorted(slot for slot in by_slot if slot != item.spec.slot)) or "(none)"
        if challenger.of == item.spec.slot:
            expected = f"another spec's slot, not this spec's own ({challenger.of!r}); the other slots: {others}"
        elif champion is None:
            expected = f"the slot of another spec in models/ ({others}), got {challenger.of!r}"
        elif champion.spec.challenger is not None and champion.spec.challenger.of == item.spec.slot:
            expected = (f"one of the two to be the champion: {item.spec.slot!r} and {challenger.of!r} challenge each "
                        f"other; remove `challenger:` from one of {file} and {display_path(champion.path)}")
        elif champion.spec.challenger is not None:
            theirs = champion.spec.challenger.of
            expected = (f"a champion that is not a challenger itself: {challenger.of!r} "
                        f"({display_path(champion.path)}) "
                        f"challenges {theirs!r}; challenge {theirs!r} instead")
        else:
            continue
        problems.append(Problem(file, line, "challenger.of", expected))
    return problems


def runtime_problems(item: LoadedSpec, runtimes: list[str]) -> list[Problem]:
    runtime = item.spec.runtime
    if runtime == "default" or runtime in runtimes:
        return []
    return [Problem(display_path(item.path), item.line_of("runtime"), "runtime",
                    f"'default' or one of the catalogue's runtimes {', '.join(runtimes)}, got {runtime!r}")]


def data_problems(item: LoadedSpec, features_json: Path | dict[str, Any]) -> list[Problem]:
    """Feature set and targets checked against the dataset's features.json (its path, or its content)."""
    metadata = json.loads(features_json.read_text()) if isinstance(features_json, Path) else features_json
    file, spec = display_path(item.path), item.spec
    problems = []
    sets = sorted(metadata.get("feature_sets", {}))
    if spec.data.feature_set not in sets:
        close = difflib.get_close_matches(spec.data.feature_set, sets, n=1)
        problems.append(Problem(file, item.line_of("data", "feature_set"), "data.feature_set",
                                f"a feature set of {spec.data.version}: {', '.join(sets)}; "
                                f"got {spec.data.feature_set!r}" + (f" (did you mean {close[0]!r}?)" if close else "")))
    known = set(metadata.get("targets", []))
    for target in targets_used(spec):
        if target not in known:
            close = difflib.get_close_matches(target, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(problem_at_value(
                item, target, "data.target", f"a target of {spec.data.version} features.json, got {target!r}{hint}"))
    return problems


def path_to(node: Any, value: str, keys: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    """Keys leading to the first scalar equal to `value` (for errors found after parsing)."""
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        if child == value and not isinstance(child, (dict, list)):
            return (*keys, key)
        found = path_to(child, value, (*keys, key))
        if found:
            return found
    return None


def problem_at_value(item: LoadedSpec, value: str, fallback_key: str, expected: str) -> Problem:
    keys = path_to(item.document, value) or (fallback_key,)
    return Problem(display_path(item.path), line_of(item.document, keys), ".".join(map(str, keys)), expected)


def split_reference(target: str, key: str) -> tuple[str, str]:
    """(module, attribute) of an estimator path `a.b.Class` or an entry point `a.b:function`."""
    module_name, _, attribute = target.partition(":") if key == "entry_point" else target.rpartition(".")
    return module_name, attribute


def in_places(module_name: str, places: tuple[str, ...]) -> bool:
    return any(module_name == place or module_name.startswith(place + ".") for place in places)


def reference_problem(target: str, key: str, runtimes_dir: Path | None = None) -> str | None:
    """Why `target` cannot be the spec's `key` (estimator or entry_point); None when it can. An
    estimator may also come from a library the locks in `runtimes_dir` pin."""
    places = ESTIMATOR_PLACES if key == "estimator" else ENTRY_POINT_PLACES
    module_name, attribute = split_reference(target, key)
    locked = key == "estimator" and is_locked_module(module_name, runtimes_dir)
    if not (in_places(module_name, places) or locked):
        named = [*places, LOCKED_PLACE] if key == "estimator" and runtimes_dir is not None else list(places)
        where = ", ".join(named[:-1]) + (" or " if len(named) > 1 else "") + named[-1]
        return (f"an {key} from {where} (a spec names code only there), got {target!r}; put your own code in "
                f"src/{PACKAGE}/custom/")
    reason = import_problem(module_name, attribute)
    if reason:
        return f"an importable {key}: {target!r} {reason}"
    found = getattr(importlib.import_module(module_name), attribute)
    if key == "entry_point" and not (inspect.isfunction(found) or inspect.isclass(found)):
        return f"a function or class to call as entry_point: {target!r} is a {type(found).__name__}"
    if key == "estimator" and not is_estimator_class(found, module_name):
        return f"an estimator class with fit and predict: {target!r} is not one"
    return None


def is_estimator_class(found: Any, module_name: str) -> bool:
    """A class with fit and predict (scikit-learn's, or in its style: xgboost's, catboost's, your own)."""
    return (inspect.isclass(found) and callable(getattr(found, "fit", None))
            and callable(getattr(found, "predict", None)))


def imported_reference(target: str, key: str) -> Any:
    """The class or function `target` names, imported only when it is one a spec may name; else None."""
    if reference_problem(target, key):
        return None
    module_name, attribute = split_reference(target, key)
    return getattr(importlib.import_module(module_name), attribute)


def runtimes_of(item: LoadedSpec) -> Path:
    """The repository's runtimes/ folder, beside the spec's models/ folder."""
    return item.path.resolve().parent.parent / "runtimes"


def reference_problems(item: LoadedSpec) -> list[Problem]:
    """Estimators and entry points must be allowed, resolve and be what they claim before any training."""
    problems = []
    for model in iter_models(item.spec.model):
        reference = model.code_reference()
        if reference is None:
            continue
        target, key = reference
        reason = reference_problem(target, key, runtimes_of(item))
        if reason:
            problems.append(problem_at_value(item, target, key, reason))
    return problems


def eras_needed(model: Definition) -> int:
    """Fewest training eras `model` can learn from: each stacking stage trains on its own chunk of eras."""
    stages = model.stages()
    if not stages:
        return 1
    inner = max(eras_needed(member.model) for members in stages for member in members)
    return len(stages) * inner if len(stages) > 1 else inner


def stacking_problems(item: LoadedSpec) -> list[Problem]:
    """A stacked ensemble needs at least one era per stage: `max_eras` must leave that many."""
    needed, max_eras = eras_needed(item.spec.model), item.spec.data.max_eras
    if max_eras is None or max_eras >= needed:
        return []
    return [Problem(display_path(item.path), item.line_of("data", "max_eras"), "data.max_eras",
                    f"at least {needed} eras: the model's stacking layers each train on their own consecutive "
                    f"eras, got {max_eras}; raise max_eras or remove layers")]


def import_problem(module_name: str, attribute: str) -> str | None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and error.name.split(".")[0] != PACKAGE:
            return (f"cannot be imported ({error}); add '{error.name.split('.')[0]}' (its distribution's name) "
                    "to `[project] dependencies` in pyproject.toml, then reinstall (`uv pip install -e .`); "
                    "the runtime image's lock pins its version")
        return f"cannot be imported ({error}); fix the path"
    except ImportError as error:
        return f"cannot be imported ({error}); fix the path"
    except Exception as error:  # noqa: BLE001 - the repository's own custom code failing as it loads
        return f"cannot be imported: it raised {type(error).__name__}: {error}"
    if not hasattr(module, attribute):
        return f"has no {attribute!r} in module {module_name}"
    return None


def gate_problems(path: Path, document: Any, keys: list[str], names: tuple[str, ...], source: str) -> list[Problem]:
    """Gate keys that are not one of Numerai's diagnostics figures (`names`, from `source`)."""
    problems = []
    for name in keys:
        if name in names:
            continue
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(Problem(display_path(path), line_of(document, ("gate", name)), f"gate.{name}",
                                f"one of Numerai's diagnostics figures ({source}), got {name!r}{hint}"))
    return problems
