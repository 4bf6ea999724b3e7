"""Read `models/*.yaml` into validated specs, or fail naming file, line, key and what was expected.

Errors read like pre-commit's config errors:
    File models/main.yaml, line 7 ==> At key model.params.num_leaves ==> expected an integer, got 'many'
"""

from __future__ import annotations

import difflib
import importlib
import json
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..errors import UsageError
from .model import CustomModel, EnsembleModel, LightGBMModel, ModelSpec, SklearnModel, iter_models, targets_used


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one spec file."""

    file: str
    line: int | None
    key: str
    expected: str

    def __str__(self) -> str:
        where = f"File {self.file}" + (f", line {self.line}" if self.line else "")
        key = f" ==> At key {self.key}" if self.key else ""
        return f"{where}{key} ==> expected {self.expected}"


class SpecError(UsageError):
    """One or more spec files are invalid."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class LoadedSpec:
    """A validated spec and where it came from."""

    path: Path
    spec: ModelSpec
    document: Any  # the ruamel document, kept to find the line of any key later

    def line_of(self, *keys) -> int | None:
        return line_of(self.document, keys)


def yaml_loader() -> YAML:
    loader = YAML(typ="rt")
    loader.allow_duplicate_keys = False
    return loader


def line_of(document: Any, keys: tuple) -> int | None:
    """1-based line of the deepest key of `keys` that exists in the ruamel `document`."""
    node, line = document, None
    for key in keys:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and key in node:
                line = lc.key(key)[0] + 1 if lc else line
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                line = lc.item(key)[0] + 1 if lc else line
            else:
                break
        except (KeyError, TypeError):
            break
        node = node[key]
    if line is None and getattr(document, "lc", None) is not None:
        line = document.lc.line + 1
    return line


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --- Mapping pydantic's errors onto the YAML document ------------------------------------------

def data_path(document: Any, loc: tuple) -> tuple:
    """The keys of `loc` that exist in the data: pydantic adds union tags ('lightgbm') in between."""
    node, kept = document, []
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            kept.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            kept.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and node.get("type") == part:
            continue  # a discriminated union's tag
        else:
            kept.append(part)
            break
    return tuple(kept)


def model_class_at(document: Any, keys: tuple) -> type[BaseModel] | None:
    """The spec class that defines the mapping found at `keys`, for listing its allowed keys."""
    annotation: Any = ModelSpec
    node = document
    for key in keys:
        annotation = unwrap(annotation, node)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(key, str):
            field = annotation.model_fields.get(key)
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) is list and isinstance(key, int):
            annotation = typing.get_args(annotation)[0]
        else:
            return None
        node = node[key] if isinstance(node, (dict, list)) and _has(node, key) else None
    annotation = unwrap(annotation, node)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _has(node, key) -> bool:
    return key in node if isinstance(node, dict) else 0 <= key < len(node)


def unwrap(annotation: Any, node: Any) -> Any:
    """Strip Optional/Annotated and pick a union's member by the node's `type` tag."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            tag = node.get("type") if isinstance(node, dict) else None
            tagged = [
                arg for arg in options
                if isinstance(arg, type) and issubclass(arg, BaseModel)
                and "type" in arg.model_fields and typing.get_args(arg.model_fields["type"].annotation) == (tag,)
            ]
            annotation = tagged[0] if tagged else options[0]
        else:
            return annotation


TYPE_WORDS = {
    "int_parsing": "an integer", "int_type": "an integer", "int_from_float": "a whole number",
    "float_parsing": "a number", "float_type": "a number", "bool_parsing": "true or false",
    "bool_type": "true or false", "string_type": "a string", "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values", "model_attributes_type": "a mapping of keys to values",
    "list_type": "a list",
}


def expected_text(error: dict, document: Any, keys: tuple) -> str:
    """Turn one pydantic error into 'expected ...' wording that says the fix."""
    kind, context, given = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return "this key to be set (it is required)"
    if kind == "extra_forbidden":
        parent = model_class_at(document, keys[:-1])
        allowed = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(keys[-1]), allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"no key {keys[-1]!r} here: allowed keys are {', '.join(allowed)}{hint}"
    if kind == "union_tag_not_found":
        return "a `type` key: one of lightgbm, sklearn, ensemble, custom"
    if kind == "union_tag_invalid":
        return f"one of {context.get('expected_tags')}, got {context.get('tag')!r}"
    if kind == "literal_error":
        return f"one of {context.get('expected')}, got {given!r}"
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return error["msg"].replace("Input should be ", "a value ") + f", got {given!r}"
    if kind == "too_short":
        return f"at least {context.get('min_length')} item(s)"
    if kind in TYPE_WORDS:
        return f"{TYPE_WORDS[kind]}, got {given!r}"
    return error["msg"].replace("Input should be ", "")


def problems_from(error: ValidationError, file: str, document: Any) -> list[Problem]:
    found = []
    for item in error.errors(include_url=False):
        keys = data_path(document, tuple(item["loc"]))
        if item["type"] == "union_tag_invalid":
            keys += ("type",)  # point at the offending `type:` line, not the mapping holding it
        found.append(Problem(
            file=file,
            line=line_of(document, keys),
            key=".".join(str(key) for key in keys),
            expected=expected_text(item, document, keys),
        ))
    return found


# --- Loading ----------------------------------------------------------------------------------

def read_document(path: Path) -> tuple[Any, list[Problem]]:
    file = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(file, None, "", f"a readable UTF-8 file ({error})")]
    try:
        document = yaml_loader().load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = " ".join(str(part) for part in (error.context, error.problem) if part)
        return None, [Problem(file, mark.line + 1 if mark else None, "", f"valid YAML ({reason})")]
    except YAMLError as error:  # the reader's own errors (a control character, say) carry no mark
        return None, [Problem(file, None, "", f"valid YAML ({str(error).splitlines()[0]})")]
    if not isinstance(document, dict):
        return None, [Problem(file, 1, "", "a mapping with at least `slot` and `model` keys")]
    return document, []


def load_spec(path: Path) -> LoadedSpec:
    """Validate one spec file; raise SpecError listing every problem in it."""
    document, problems = read_document(path)
    if problems:
        raise SpecError(problems)
    plain = to_plain(document)
    if not encodable(plain):
        raise SpecError([Problem(display_path(path), None, "", "text whose characters are valid Unicode "
                                 "(an escape like \\ud800 stands for half a character)")])
    try:
        spec = ModelSpec.model_validate(plain)
    except ValidationError as error:
        raise SpecError(problems_from(error, display_path(path), document)) from None
    loaded = LoadedSpec(path=path, spec=spec, document=document)
    problems = reference_problems(loaded) + stacking_problems(loaded)
    if problems:
        raise SpecError(problems)
    return loaded


def encodable(plain: Any) -> bool:
    """Whether every string in `plain` can be written as UTF-8 (lone surrogates cannot)."""
    try:
        json.dumps(plain, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_plain(node: Any) -> Any:
    """Plain Python values for ruamel's containers and scalars.

    ruamel's ScalarFloat and friends would otherwise travel into model parameters and so into
    the pickle, which would then need ruamel.yaml where Numerai runs it.
    """
    if isinstance(node, dict):
        return {str(key): to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_plain(value) for value in node]
    for plain in (bool, int, float, str):
        if isinstance(node, plain):
            return plain(node)
    return node


def spec_files(models_dir: Path) -> list[Path]:
    return sorted(path for path in models_dir.glob("*.y*ml") if path.suffix in (".yaml", ".yml"))


def load_specs(models_dir: Path, *, features_json: Path | None = None,
               runtimes: list[str] | None = None) -> list[LoadedSpec]:
    """Validate every spec in `models_dir`; raise one SpecError listing every problem found."""
    files = spec_files(models_dir)
    if not files:
        raise SpecError([Problem(display_path(models_dir), None, "", "at least one models/*.yaml spec")])
    loaded, problems = [], []
    for path in files:
        try:
            loaded.append(load_spec(path))
        except SpecError as error:
            problems.extend(error.problems)
    problems.extend(duplicate_slot_problems(loaded))
    for item in loaded:
        if runtimes is not None:
            problems.extend(runtime_problems(item, runtimes))
        if features_json is not None:
            problems.extend(data_problems(item, features_json))
    if problems:
        raise SpecError(problems)
    return loaded


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


def data_problems(item: LoadedSpec, features_json: Path) -> list[Problem]:
    """Feature set and targets checked against the dataset's features.json."""
    metadata = json.loads(features_json.read_text())
    file, spec = display_path(item.path), item.spec
    problems = []
    sets = sorted(metadata.get("feature_sets", {}))
    if spec.data.feature_set not in sets:
        problems.append(Problem(file, item.line_of("data", "feature_set"), "data.feature_set",
                                f"a feature set of {spec.data.version}: {', '.join(sets)}; "
                                f"got {spec.data.feature_set!r}"))
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


def select_specs(specs: list[LoadedSpec], slots: list[str]) -> list[LoadedSpec]:
    """The specs of `slots` (all when empty); an unknown slot name is an error naming the known ones."""
    if not slots:
        return specs
    by_slot = {item.spec.slot: item for item in specs}
    unknown = [slot for slot in slots if slot not in by_slot]
    if unknown:
        raise UsageError(f"no spec for slot(s) {', '.join(unknown)} ==> expected one of {', '.join(sorted(by_slot))}")
    return [by_slot[slot] for slot in slots]
