"""Reading a spec file is safe whatever sits in models/: only regular files inside it, of bounded size,
plain YAML (no anchors, aliases or tags) and plain values (no dates, no NaN or infinity). Each refusal
is a problem naming the file (and the line), and never shows what an unreadable file holds."""

from __future__ import annotations

import os
import time

import pytest

from {{ cookiecutter.package_name }}.modelspec import SpecError, load_specs
from {{ cookiecutter.package_name }}.modelspec.load import load_spec
from {{ cookiecutter.package_name }}.modelspec.reading import MAX_DEPTH, MAX_SPEC_BYTES

from conftest import write_spec

GOOD = "slot: good\nmodel: {type: lightgbm}\n"
# What a linked file outside models/ holds must never reach an error message.
SECRET_LINE = "root:$6$hidden-hash-4b1f:19000:0:99999:7:::"


def problems(models) -> str:
    with pytest.raises(SpecError) as caught:
        load_specs(models)
    return str(caught.value)


def test_a_spec_linked_to_a_file_outside_models_is_refused_unread(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    outside = tmp_path / "shadow"
    outside.write_text(f"{SECRET_LINE}\nbin:*:19000:0:99999:7:::\n")
    (models / "leak.yaml").symlink_to(outside)
    message = problems(models)
    assert "leak.yaml" in message and "symbolic link" in message and "inside models" in message
    assert "hidden-hash" not in message and "root:" not in message


def test_a_link_to_a_spec_inside_models_is_followed(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    write_spec(models, "real.yml.txt", GOOD)
    (models / "alias.yaml").symlink_to(models / "real.yml.txt")
    assert [item.spec.slot for item in load_specs(models)] == ["good"]


def test_a_device_is_refused_at_once(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "zero.yaml").symlink_to("/dev/zero")
    started = time.monotonic()
    message = problems(models)
    assert "zero.yaml" in message and time.monotonic() - started < 5


def test_a_fifo_is_refused_without_waiting_for_a_writer(make_repo, cli):
    root = make_repo({})
    os.mkfifo(root / "models" / "pipe.yaml")
    result = cli("validate", cwd=root, timeout=60)  # a hang raises TimeoutExpired
    assert result.returncode == 2, result.stderr
    assert "models/pipe.yaml" in result.stderr and "regular file" in result.stderr


def test_a_folder_named_like_a_spec_is_refused(tmp_path):
    models = tmp_path / "models"
    (models / "folder.yaml").mkdir(parents=True)
    assert "folder.yaml" in problems(models) and "regular file" in problems(models)


def test_a_spec_over_the_size_limit_is_refused_naming_the_limit(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    padding = "# " + "x" * 78 + "\n"
    write_spec(models, "huge.yaml", GOOD + padding * (MAX_SPEC_BYTES // len(padding) + 1))
    message = problems(models)
    assert "huge.yaml" in message and f"at most {MAX_SPEC_BYTES // 1024} KiB" in message
    write_spec(models, "huge.yaml", GOOD + padding * ((MAX_SPEC_BYTES - len(GOOD)) // len(padding)))
    assert load_specs(models)


def laughs(levels: int, width: int) -> str:
    """A 'billion laughs' document: each level an alias list of the level below."""
    lines = ["slot: a", "model: {type: lightgbm}", 'l0: &l0 "ha"']
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_yaml_anchors_and_aliases_are_refused_before_they_expand(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    write_spec(models, "laughs.yaml", laughs(4, 6))
    message = problems(models)
    assert "laughs.yaml, line 3 ==> expected no YAML anchors/aliases" in message, message


def test_an_alias_used_as_a_merge_key_is_refused(tmp_path):
    text = "slot: a\nbase: &base {type: lightgbm}\nmodel:\n  <<: *base\n"
    path = write_spec(tmp_path, "merge.yaml", text)
    with pytest.raises(SpecError, match=r"line 2 ==> expected no YAML anchors/aliases"):
        load_spec(path)


@pytest.mark.parametrize(("text", "fragments"), [
    pytest.param("slot: a\nmodel: {type: lightgbm}\nbuild: {seed: 2024-01-01}\n",
                 ["line 3", "At key build.seed", "not a date", "quote it"], id="a date"),
    pytest.param("slot: a\nmodel: {type: lightgbm, params: {learning_rate: !fast 0.1}}\n",
                 ["line 2", "no YAML tags", "!fast"], id="a custom tag"),
    pytest.param("slot: a\nmodel: !!python/object:os.system {type: lightgbm}\n",
                 ["line 2", "no YAML tags"], id="a python tag"),
    pytest.param("slot: a\nmodel: {type: lightgbm, params: {learning_rate: .nan}}\n",
                 ["line 2", "At key model.params.learning_rate", "a finite number", "nan"], id="NaN"),
    pytest.param("slot: a\nmodel: {type: lightgbm, params: {min_gain_to_split: -.inf}}\n",
                 ["At key model.params.min_gain_to_split", "a finite number"], id="infinity"),
    pytest.param("slot: a\nmodel: {type: lightgbm, params: {1: 2}}\n",
                 ["At key model.params.1", "a text key"], id="a number as key"),
])
def test_values_a_spec_cannot_mean_are_refused_with_their_line(tmp_path, text, fragments):
    path = write_spec(tmp_path, "odd.yaml", text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert fragments, "each case names what the message must say"
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    path = write_spec(tmp_path, "many.yaml", "slot: Bad-Name\nmodel: {type: lightgbm, params: {eta: .inf}}\n"
                                             "build: {seed: 2024-01-01}\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    keys = sorted(problem.key for problem in caught.value.problems)
    assert keys == ["build.seed", "model.params.eta", "slot"], caught.value


@pytest.mark.parametrize(("line", "key"), [
    ('slot: "good\\n"', "slot"),
    ('slot: good\ndata: {version: "v5.2\\n"}', "data.version"),
    ('slot: good\nruntime: "3.12\\n"', "runtime"),
])
def test_names_match_as_whole_strings(tmp_path, line, key):
    path = write_spec(tmp_path, "names.yaml", line + "\nmodel: {type: lightgbm}\n")
    with pytest.raises(SpecError, match=f"At key {key} ==>"):
        load_spec(path)


# Each nested `depth` deep under the key x of line 3; the first two are the 2 KB and 32 KB of the report.
NESTED = {
    "flow lists, 2 KB": lambda depth: "[" * depth + "]" * depth,
    "flow lists, 32 KB": lambda depth: "[" * (depth * 16) + "]" * (depth * 16),
    "flow mappings": lambda depth: "{a: " * depth + "1" + "}" * depth,
    "block lists on one line": lambda depth: "\n  " + "- " * depth + "1",
    "closing brackets hidden in quotes": lambda depth: '[ "]" ' * depth + "]" * depth,
}


@pytest.mark.parametrize("shape", sorted(NESTED))
def test_deeply_nested_yaml_is_refused_with_its_line_in_milliseconds(tmp_path, shape):
    text = "slot: a\nmodel: {type: lightgbm}\nx: " + NESTED[shape](1000) + "\n"
    path = write_spec(tmp_path, "deep.yaml", text)
    started = time.monotonic()
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert time.monotonic() - started < 1.0
    [problem] = caught.value.problems
    assert problem.file.endswith("deep.yaml") and problem.line in (3, 4), problem
    assert f"at most {MAX_DEPTH} levels" in problem.expected


def test_nested_yaml_exits_2_naming_the_file_and_line(make_repo, cli):
    root = make_repo({"deep.yaml": "slot: a\nmodel: {type: lightgbm}\nx: " + "[" * 16000 + "]" * 16000 + "\n"})
    result = cli("validate", cwd=root, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "models/deep.yaml, line 3 ==> expected at most" in result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


def test_brackets_in_quotes_and_comments_do_not_count_as_nesting(tmp_path):
    brackets = "[" * (MAX_DEPTH + 10)
    text = (f"slot: a  # {brackets}\n" + "model: {type: lightgbm}\n" +
            f"description: \"{brackets}\"\nnote: '{brackets} it''s'\n" + "plain: it's {[x]}\n")
    path = write_spec(tmp_path, "quoted.yaml", text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert "levels of mappings" not in str(caught.value)  # refused for its unknown keys, not for depth
    assert "description" in str(caught.value)


def test_nesting_up_to_the_limit_is_read(tmp_path):
    text = "slot: a\nmodel: {type: lightgbm}\nx: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    path = write_spec(tmp_path, "deep.yaml", text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert "levels of mappings" not in str(caught.value) and "At key x" in str(caught.value)
