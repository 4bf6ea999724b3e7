"""The JSON Schema of a spec, generated from `spec.model` and written next to the specs."""

from __future__ import annotations

import json
from pathlib import Path

from ..files import write_atomic
from .model import ModelSpec

SCHEMA_FILE = "spec.schema.json"
SCHEMA_URL_COMMENT = f"# yaml-language-server: $schema={SCHEMA_FILE}"


def schema_text() -> str:
    schema = ModelSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Numerai model slot spec"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schema(models_dir: Path) -> Path:
    path = models_dir / SCHEMA_FILE
    write_atomic(path, schema_text())
    return path


def schema_is_current(models_dir: Path) -> bool:
    path = models_dir / SCHEMA_FILE
    return path.exists() and path.read_text(encoding="utf-8") == schema_text()
