"""The pre-generation hook rejects bad answers with a one-line reason; nothing is baked."""

from __future__ import annotations

import importlib.util

import pytest
from cookiecutter.exceptions import CookiecutterException, FailedHookException

from baking import TEMPLATE, bake

GOOD = {
    "project_slug": "numerai-models", "package_name": "numerai_models", "github_owner": "someone",
    "model_slot": "my_model", "data_version": "v5.2", "feature_set": "small", "retrain_cron": "0 6 * * 6",
    "use_deploy_environment": "yes", "include_examples": "yes",
}


def load_hook():
    spec = importlib.util.spec_from_file_location("pre_gen_project", TEMPLATE / "hooks" / "pre_gen_project.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_good_answers_pass():
    assert list(load_hook().problems(GOOD)) == []


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("project_slug", "My Models", "not a valid repository name"),
        ("package_name", "1models", "not a valid Python package name"),
        ("package_name", "class", "not a valid Python package name"),
        ("package_name", "numerai-models", "not a valid Python package name"),
        ("github_owner", "-owner-", "not a GitHub user"),
        ("model_slot", "My-Model", "not a name Numerai accepts"),
        ("model_slot", "", "not a name Numerai accepts"),
        ("data_version", "5.2", "not a dataset version"),
        ("feature_set", "huge", "unknown"),
        ("retrain_cron", "0 6 * *", "needs 5 fields"),
        ("retrain_cron", "61 6 * * *", "minute field '61' is outside 0-59"),
        ("retrain_cron", "0 6 * * foo", "unknown name"),
        ("retrain_cron", "*/0 6 * * *", "zero step"),
        ("retrain_cron", "0 9-3 * * *", "outside 0-23"),
        ("use_deploy_environment", "maybe", "must be 'yes' or 'no'"),
    ],
)
def test_each_bad_answer_gets_one_line_naming_it(key, value, reason):
    found = list(load_hook().problems({**GOOD, key: value}))
    assert len(found) == 1, found
    assert found[0].startswith(key) and reason in found[0] and "\n" not in found[0]


@pytest.mark.parametrize("cron", ["0 6 * * 6", "*/15 * * * *", "0 0 1,15 * 1-5", "30 2 * 1-12/2 0"])
def test_valid_crons_pass(cron):
    assert load_hook().cron_problem(cron) is None


@pytest.mark.parametrize(
    "answers",
    [
        {"package_name": "not-a-package"},
        {"model_slot": "Bad Slot"},
        {"retrain_cron": "every day"},
        {"project_slug": "Bad Slug"},
    ],
    ids=["package", "slot", "cron", "slug"],
)
def test_a_bake_with_a_bad_answer_fails_and_leaves_nothing(tmp_path, answers, capfd):
    with pytest.raises(FailedHookException):
        bake(tmp_path, **answers)
    assert list(tmp_path.iterdir()) == []
    assert "ERROR: " in capfd.readouterr().err


def test_a_choice_outside_its_list_is_refused(tmp_path):
    with pytest.raises((CookiecutterException, ValueError)):
        bake(tmp_path, feature_set="huge")
    assert list(tmp_path.iterdir()) == []
