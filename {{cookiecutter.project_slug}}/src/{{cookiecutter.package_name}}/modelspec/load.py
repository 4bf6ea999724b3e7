"""Read `models/*.yaml` into validated specs, or fail naming file, line, key and what was expected
(see problems.py for the wording). The rules beyond a spec's shape are in rules.py."""

from __future__ import annotations

import difflib
import json
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..diagnostic_names import FILE, load_names
from ..errors import UsageError
from ..repo import Repo
from .model import ModelSpec
from .problems import LoadedSpec, Problem, SpecError, display_path, line_of
from .reading import read_document
from .rules import (
    challenger_problems,
    duplicate_slot_problems,
    gate_problems,
    reference_problems,
    runtime_problems,
    stacking_problems,
)
from .versions import versions_for, with_dataset_defaults

# --- Mapping pydantic's errors onto the YAML document ------------------------------------------

def data_path(document: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
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


def model_class_at(document: Any, keys: tuple[Any, ...]) -> type[BaseModel] | None:
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
        elif typing.get_origin(annotation) is dict:  # a mapping of names to sections (gate)
            annotation = typing.get_args(annotation)[1]
        else:
            return None
        node = node[key] if isinstance(node, (dict, list)) and _has(node, key) else None
    annotation = unwrap(annotation, node)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _has(node: Any, key: Any) -> bool:
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


def expected_text(error: Mapping[str, Any], document: Any, keys: tuple[Any, ...]) -> str:
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
        return str(error["msg"]).replace("Input should be ", "a value ") + f", got {given!r}"
    if kind == "too_short":
        return f"at least {context.get('min_length')} item(s)"
    if kind in TYPE_WORDS:
        return f"{TYPE_WORDS[kind]}, got {given!r}"
    return str(error["msg"]).replace("Input should be ", "")


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

def load_spec(path: Path, versions: dict[str, Any] | None = None, folder: Path | None = None) -> LoadedSpec:
    """Validate one spec file (in `folder`, by default its own); raise SpecError listing every problem in it.
    `versions`: the dataset versions its defaults come from (default: those of its repository,
    modelspec/versions.py)."""
    document, problems = read_document(path, folder or path.parent)
    if document is None:
        raise SpecError(problems)
    plain = to_plain(document)
    if not encodable(plain):
        raise SpecError([Problem(display_path(path), None, "", "text whose characters are valid Unicode "
                                 "(an escape like \\ud800 stands for half a character)")])
    problems += diagnostics_gate_problems(path, document, plain)
    try:
        spec = ModelSpec.model_validate(plain)
    except ValidationError as error:
        reported = {problem.key for problem in problems}  # a date where a number goes is one problem, not two
        raise SpecError(problems + [problem for problem in problems_from(error, display_path(path), document)
                                    if problem.key not in reported]) from None
    loaded = with_dataset_defaults(LoadedSpec(path=path, spec=spec, document=document),
                                   versions if versions is not None else versions_for(path.parent))
    problems += reference_problems(loaded) + stacking_problems(loaded)
    if problems:
        raise SpecError(problems)
    return loaded


def diagnostics_gate_problems(path: Path, document: Any, plain: Any) -> list[Problem]:
    """The gate's keys against Numerai's diagnostics names (datasets/diagnostics.json of the spec's
    repository), read from the document itself: reported beside the bounds' own problems."""
    gate = plain.get("gate") if isinstance(plain, dict) else None
    if not isinstance(gate, dict) or not gate:
        return []
    names = load_names(Repo.datasets_of(path.parent.parent))
    return gate_problems(path, document, list(gate), names.figures, f"datasets/{FILE}, checked {names.checked}")


def encodable(plain: Any) -> bool:
    """Whether every string in `plain` can be written as UTF-8 (lone surrogates cannot)."""
    try:
        json.dumps(plain, ensure_ascii=False, default=str).encode("utf-8")
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


def read_specs(models_dir: Path, *, runtimes: list[str] | None = None) -> tuple[list[LoadedSpec], list[Problem]]:
    """Every spec in `models_dir` that is valid, and every problem of every file (runtimes checked against
    `runtimes`, the catalogue's, when given)."""
    files = spec_files(models_dir)
    if not files:
        return [], [Problem(display_path(models_dir), None, "", "at least one models/*.yaml spec")]
    loaded, problems, versions = [], [], versions_for(models_dir)
    for path in files:
        try:
            loaded.append(load_spec(path, versions, models_dir))
        except SpecError as error:
            problems.extend(error.problems)
    problems.extend(duplicate_slot_problems(loaded))
    problems.extend(challenger_problems(loaded))
    if runtimes is not None:
        problems.extend(problem for item in loaded for problem in runtime_problems(item, runtimes))
    return loaded, problems


def load_specs(models_dir: Path, *, runtimes: list[str] | None = None) -> list[LoadedSpec]:
    """Validate every spec in `models_dir` (and its runtime against `runtimes`, the catalogue's);
    raise one SpecError listing every problem found. Data rules need the dataset: validate and build
    apply them (data/published.py, artifact/builder.py)."""
    loaded, problems = read_specs(models_dir, runtimes=runtimes)
    if problems:
        raise SpecError(problems)
    return loaded


def select_specs(specs: list[LoadedSpec], slots: list[str]) -> list[LoadedSpec]:
    """The specs of `slots` (all when empty); an unknown slot name is an error naming the known ones."""
    if not slots:
        return specs
    by_slot = {item.spec.slot: item for item in specs}
    unknown = [slot for slot in slots if slot not in by_slot]
    if unknown:
        raise UsageError(f"no spec for slot(s) {', '.join(unknown)} ==> expected one of {', '.join(sorted(by_slot))}")
    return [by_slot[slot] for slot in slots]
