"""The JSON Schema beside the specs: generated from the definition, and named by every shipped spec."""

from __future__ import annotations

import json

from {{ cookiecutter.package_name }}.modelspec.schema import SCHEMA_FILE, schema_is_current, schema_text

from conftest import FIXTURE_SPECS, REPO_ROOT


def test_every_fixture_spec_points_editors_at_the_schema():
    paths = sorted(FIXTURE_SPECS.glob("*.yaml"))
    assert paths
    for path in paths:
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=") and first.endswith(SCHEMA_FILE), path


def test_the_schema_file_is_generated_from_the_definition():
    assert schema_is_current(REPO_ROOT / "models"), "run `numerai-deploy schema`"
    schema = json.loads(schema_text())
    assert set(schema["required"]) == {"slot", "model"}
    assert schema["additionalProperties"] is False
