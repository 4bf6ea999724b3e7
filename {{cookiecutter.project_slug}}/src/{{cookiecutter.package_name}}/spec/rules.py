"""The rules a spec must follow beyond its shape: one slot per name, a runtime of the catalogue,
a feature set and targets of the dataset, importable estimators and entry points, enough eras for
every stacking layer, and model parameters the libraries know."""

from __future__ import annotations

import difflib
import importlib
import json
from pathlib import Path
from typing import Any

from .model import CustomModel, EnsembleModel, LightGBMModel, SklearnModel, iter_models, targets_used
from .problems import LoadedSpec, Problem, SpecError, display_path, line_of


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


def runtime_problems(item: LoadedSpec, runtimes: list[str]) -> list[Problem]:
    runtime = item.spec.runtime
    if runtime == "default" or runtime in runtimes:
        return []
    return [Problem(display_path(item.path), item.line_of("runtime"), "runtime",
                    f"'default' or one of the catalogue's runtimes {', '.join(runtimes)}, got {runtime!r}")]


def data_problems(item: LoadedSpec, features_json: Path | dict) -> list[Problem]:
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


def path_to(node: Any, value: str, keys: tuple = ()) -> tuple | None:
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


def reference_problems(item: LoadedSpec) -> list[Problem]:
    """Import paths and entry points must resolve before any training starts."""
    problems = []
    for model in iter_models(item.spec.model):
        if isinstance(model, SklearnModel):
            target, key = model.estimator, "estimator"
            module_name, _, attribute = model.estimator.rpartition(".")
        elif isinstance(model, CustomModel):
            target, key = model.entry_point, "entry_point"
            module_name, _, attribute = model.entry_point.partition(":")
        else:
            continue
        reason = import_problem(module_name, attribute)
        if reason:
            problems.append(problem_at_value(item, target, key, f"an importable {key}: {target!r} {reason}"))
    return problems


def eras_needed(model) -> int:
    """Fewest training eras `model` can learn from: each stacking stage trains on its own chunk of eras."""
    if not isinstance(model, EnsembleModel):
        return 1
    stages = [model.members, *(layer.members for layer in model.layers)]
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


# --- Model parameters, against the libraries' own lists (validate and build; plan stays fast) ------

def lightgbm_parameters() -> set[str] | None:
    """Every name LightGBM accepts: its parameters and their aliases, and LGBMRegressor's arguments."""
    try:
        import lightgbm
        from lightgbm.basic import _ConfigAliases

        names = set(lightgbm.LGBMRegressor().get_params())
        for name, aliases in _ConfigAliases._get_all_param_aliases().items():
            names.update([name, *aliases])
        return names
    except (ImportError, AttributeError):  # a LightGBM without its parameter list: nothing to compare with
        return None


def estimator_parameters(path: str) -> set[str] | None:
    module_name, _, name = path.rpartition(".")
    try:
        estimator_class = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError):
        return None  # reference_problems reports it
    try:
        return set(estimator_class().get_params())
    except Exception:  # noqa: BLE001 - an estimator that needs arguments: read its signature instead
        import inspect

        try:
            parameters = inspect.signature(estimator_class).parameters.values()
        except (TypeError, ValueError):
            return None
        if any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters):
            return None
        return {parameter.name for parameter in parameters if parameter.name != "self"}


def unknown_parameter(item: LoadedSpec, keys: tuple, name: str, known: set[str], library: str) -> Problem:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; see {library}'s documentation"
    return Problem(display_path(item.path), line_of(item.document, (*keys, name)), ".".join(map(str, (*keys, name))),
                   f"a parameter {library} knows, got {name!r}{hint}")


def model_keys(model, keys: tuple = ("model",)):
    """(definition, keys of it in the document) for `model` and every model inside it."""
    yield model, keys
    if isinstance(model, EnsembleModel):
        for index, member in enumerate(model.members):
            yield from model_keys(member.model, (*keys, "members", index, "model"))
        for depth, layer in enumerate(model.layers):
            for index, member in enumerate(layer.members):
                yield from model_keys(member.model, (*keys, "layers", depth, "members", index, "model"))


def parameter_problems(item: LoadedSpec) -> list[Problem]:
    """Model parameters the library does not know: a typo would otherwise be ignored or crash the build."""
    problems, lightgbm_names = [], None
    for model, keys in model_keys(item.spec.model):
        if isinstance(model, LightGBMModel) and model.params:
            lightgbm_names = lightgbm_names if lightgbm_names is not None else (lightgbm_parameters() or set())
            known, library = lightgbm_names, "LightGBM"
        elif isinstance(model, SklearnModel) and model.params:
            known, library = estimator_parameters(model.estimator) or set(), model.estimator
        else:
            continue
        if not known:
            continue
        problems += [unknown_parameter(item, (*keys, "params"), name, known, library)
                     for name in model.params if name not in known]
    return problems


def check_parameters(specs: list[LoadedSpec]) -> None:
    """Raise one SpecError for every unknown model parameter in `specs`."""
    problems = [problem for item in specs for problem in parameter_problems(item)]
    if problems:
        raise SpecError(problems)


def import_problem(module_name: str, attribute: str) -> str | None:
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        return f"cannot be imported ({error}); install the package or fix the path"
    if not hasattr(module, attribute):
        return f"has no {attribute!r} in module {module_name}"
    return None

