"""A promotion as text: the champion's spec takes the challenger's `model:` and `data:` (comments and
quotes kept), keeps its slot, deploy, runtime, predict and build, and says which of those differ."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.modelspec import load_specs
from {{ cookiecutter.package_name }}.modelspec.promotion import kept_differences, promoted_text, trains_the_same

from conftest import write_spec

CHAMPION = """\
slot: champ  # staked
runtime: "3.12"
model:
  type: lightgbm
deploy:
  webhook: clear
"""
CHALLENGER = """\
slot: chall
data:
  era_step: 4   # no overlap
model:
  type: sklearn
  estimator: sklearn.linear_model.Ridge   # simpler
challenger:
  of: champ
"""


def specs(tmp_path) -> dict:
    return {item.spec.slot: item for item in load_specs(tmp_path)}


def test_the_champion_takes_the_challengers_model_and_data_and_keeps_the_rest(tmp_path):
    write_spec(tmp_path, "champ.yaml", CHAMPION)
    write_spec(tmp_path, "chall.yaml", CHALLENGER)
    found = specs(tmp_path)

    text = promoted_text(found["champ"], found["chall"])

    assert text == ('slot: champ  # staked\ndata:\n  era_step: 4   # no overlap\nruntime: "3.12"\nmodel:\n'
                    '  type: sklearn\n  estimator: sklearn.linear_model.Ridge   # simpler\ndeploy:\n  webhook: clear\n')
    assert kept_differences(found["champ"], found["chall"]) == ["runtime"]
    assert not trains_the_same(found["champ"], found["chall"])

    write_spec(tmp_path, "champ.yaml", text)  # merged: the champion trains what the challenger trains
    merged = specs(tmp_path)
    assert trains_the_same(merged["champ"], merged["chall"])


def test_a_data_section_the_challenger_leaves_out_is_left_out(tmp_path):
    write_spec(tmp_path, "champ.yaml", "slot: champ\ndata:\n  feature_set: medium\nmodel:\n  type: lightgbm\n")
    write_spec(tmp_path, "chall.yaml", "slot: chall\nmodel:\n  type: lightgbm\nchallenger:\n  of: champ\n")
    found = specs(tmp_path)
    assert promoted_text(found["champ"], found["chall"]) == "slot: champ\nmodel:\n  type: lightgbm\n"
