"""The hooks take any answer as data: bad answers get a one-line reason and nothing is baked."""

from __future__ import annotations

import importlib.util

import pytest
from cookiecutter.exceptions import CookiecutterException, FailedHookException

from baking import TEMPLATE, bake

GOOD = {
    "project_name": "Numerai Models", "project_slug": "numerai-models", "package_name": "numerai_models",
    "github_owner": "someone",
    "model_slot": "my_model", "data_version": "v5.2", "feature_set": "small", "retrain_cron": "23 2 * * 1",
    "use_deploy_environment": "yes", "include_examples": "yes", "init_git": "yes",
}


def load_hook(name="pre_gen_project"):
    spec = importlib.util.spec_from_file_location(name, TEMPLATE / "hooks" / f"{name}.py")
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
        ("init_git", "sure", "must be 'yes' or 'no'"),
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


# Answers with a single quote, a double quote and a backslash, in free text and in checked answers.
QUOTE = "Bob's models"
DOUBLE_QUOTE = 'The "models"'
BACKSLASH = "models \\ x"
AWKWARD = [QUOTE, DOUBLE_QUOTE, BACKSLASH, 'Bob\'s "models" \\ x', "ends with \\", "'''", '"""']


def toml(path):
    """The parsed TOML file (tomllib is Python 3.11+)."""
    return pytest.importorskip("tomllib").loads(path.read_text(encoding="utf-8"))


def bake_or_reasons(tmp_path, capfd, **answers):
    """Bake; returns (repo, None) or, when the hooks refuse, (None, their ERROR lines)."""
    try:
        repo = bake(tmp_path, **answers)
    except FailedHookException:
        err = capfd.readouterr().err
        assert "Traceback" not in err and "SyntaxError" not in err, err
        assert list(tmp_path.iterdir()) == []
        lines = [line for line in err.splitlines() if line.startswith("ERROR: ")]
        assert lines, err
        return None, lines
    err = capfd.readouterr().err
    assert "Traceback" not in err and "SyntaxError" not in err, err
    return repo, None


@pytest.mark.parametrize("name", AWKWARD)
def test_a_project_name_with_quotes_or_backslashes_bakes(tmp_path, capfd, name):
    repo, reasons = bake_or_reasons(tmp_path, capfd, project_name=name, project_slug="models")
    assert reasons is None, reasons
    assert (repo / "README.md").read_text(encoding="utf-8").splitlines()[0] == f"# {name}"
    description = toml(repo / "pyproject.toml")["project"]["description"]
    assert description.startswith(f"{name}: ")


@pytest.mark.parametrize("name", AWKWARD)
def test_slug_and_package_derived_from_an_awkward_name_get_one_line_each(tmp_path, capfd, name):
    repo, reasons = bake_or_reasons(tmp_path, capfd, project_name=name)
    assert repo is None
    assert {line.split()[1] for line in reasons} <= {"project_slug", "package_name"}
    assert any(line.startswith("ERROR: project_slug ") and "set project_slug" in line for line in reasons)


@pytest.mark.parametrize("key", ["github_owner", "model_slot", "retrain_cron", "project_slug", "package_name"])
@pytest.mark.parametrize("value", AWKWARD, ids=["quote", "double-quote", "backslash", "all", "trailing-backslash",
                                                "triple-single", "triple-double"])
def test_a_checked_answer_with_quotes_or_backslashes_gets_its_one_line(tmp_path, capfd, key, value):
    # package_name is derived from project_slug, so it is given to test the slug alone.
    repo, reasons = bake_or_reasons(tmp_path, capfd, **{"package_name": "models", key: value})
    assert repo is None
    assert len(reasons) == 1, reasons
    assert reasons[0].startswith(f"ERROR: {key} {value!r} ")


@pytest.mark.parametrize("name", ["", "   ", "two\nlines", "tab\there", "nul\x00"])
def test_a_project_name_that_is_empty_or_breaks_lines_is_refused(name):
    found = list(load_hook().problems({**GOOD, "project_name": name}))
    assert len(found) == 1 and found[0].startswith("project_name ") and "\n" not in found[0]


def test_rendered_answers_come_back_exactly(tmp_path):
    from cookiecutter.environment import StrictEnvironment

    hook = load_hook()
    awkward = {key: f"{key} {' '.join(AWKWARD)} \\u0027 \\n \U0001f600 </>&" for key in GOOD}
    rendered = StrictEnvironment().from_string(hook.RENDERED_ANSWERS).render(cookiecutter=awkward)
    assert hook.load_answers(rendered) == awkward


@pytest.mark.parametrize(
    "cron",
    ["0 6 * * sat", "0 6 * * SAT", "0 6 1 jan,jul *", "0 6 1 JAN,Jul *", "0 6 * * MON-FRI", "0 6 * * mon-fri",
     "0 6 * * sun,3,fri", "0 6 1 jan-dec/3 *", "0 6 * * MON-FRI/2", "15 4 * DEC SUN"],
)
def test_month_and_weekday_names_are_accepted(cron):
    assert load_hook().cron_problem(cron) is None


@pytest.mark.parametrize(
    ("cron", "reason"),
    [
        ("0 6 * * FOO", "day of week field has unknown name 'FOO': use 0-6 or SUN-SAT"),
        ("0 6 * foo *", "month field has unknown name 'foo': use 1-12 or JAN-DEC"),
        ("0 6 * * monday", "unknown name 'monday'"),
        ("0 6 * jan-foo *", "unknown name 'foo'"),
        ("0 6 * sat *", "unknown name 'sat'"),
        ("0 6 * * jan", "unknown name 'jan'"),
        ("mon 6 * * *", "minute field 'mon' is not a number, range, list or step"),
        ("0 6 mon * *", "day of month field 'mon' is not a number"),
        ("0 6 * * fri-mon", "outside 0-6"),
        ("0 6 * * mon-fri/0", "zero step"),
        ("0 6 * * mon-", "is not a number, name, range, list or step"),
        ("0 6 * * */mon", "is not a number, name, range, list or step"),
        ("0 6 * * 7", "outside 0-6"),
        ("0 6 * 13 *", "outside 1-12"),
        ("0 6 * * mon fri", "needs 5 fields"),
    ],
)
def test_bad_cron_names_are_refused_with_a_reason(cron, reason):
    found = list(load_hook().problems({**GOOD, "retrain_cron": cron}))
    assert len(found) == 1, found
    assert found[0].startswith(f"retrain_cron {cron!r} is not a valid cron expression: ") and reason in found[0]


@pytest.mark.parametrize("cron", ["0 6 * * sat", "0 6 1 jan,jul *", "0 6 * * MON-FRI"])
def test_a_bake_with_named_cron_fields_succeeds(tmp_path, capfd, cron):
    repo, reasons = bake_or_reasons(tmp_path, capfd, retrain_cron=cron)
    assert reasons is None, reasons
    assert any(cron in path.read_text(encoding="utf-8") for path in (repo / ".github").rglob("*.yml"))


def test_a_bake_with_an_unknown_cron_name_fails_with_its_line(tmp_path, capfd):
    repo, reasons = bake_or_reasons(tmp_path, capfd, retrain_cron="0 6 * * FOO")
    assert repo is None
    assert reasons == ["ERROR: retrain_cron '0 6 * * FOO' is not a valid cron expression: "
                       "day of week field has unknown name 'FOO': use 0-6 or SUN-SAT"]
