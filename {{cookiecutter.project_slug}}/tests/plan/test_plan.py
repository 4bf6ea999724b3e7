"""plan: which slots to build, compared with a git revision or with Numerai; summary: the metrics table."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from {{ cookiecutter.package_name }}.artifact.manifest import read_manifests
from {{ cookiecutter.package_name }}.artifact.summary import table
from {{ cookiecutter.package_name }}.deploy.record import ROLLED_BACK
from {{ cookiecutter.package_name }}.errors import UsageError
from {{ cookiecutter.package_name }}.github_actions import append_outputs
from {{ cookiecutter.package_name }}.main import main
from {{ cookiecutter.package_name }}.numerai.client import NumeraiClient
from {{ cookiecutter.package_name }}.numerai.credentials import read_credentials
from {{ cookiecutter.package_name }}.plan.matrix import (
    Candidate,
    build_matrix,
    changed_slots,
    github_outputs,
    refuse_beyond_limit,
    split_slots,
)
from {{ cookiecutter.package_name }}.plan.numerai import assigned_fingerprints
from {{ cookiecutter.package_name }}.plan.revision import fingerprints_at
from {{ cookiecutter.package_name }}.repo import Repo
from {{ cookiecutter.package_name }}.runtimes.runners import load_runners
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import CURRENT, CUSTOM_SPEC, LIGHTGBM_SPEC, PACKAGE, REPO_ROOT, write_spec

RIDGE_SPEC = """
    slot: ridge_model
    runtime: "3.12"
    model: {type: sklearn, estimator: sklearn.linear_model.Ridge}
"""


def client_of(settings):
    return NumeraiClient(read_credentials(settings), settings)


def candidate(slot: str, fingerprint: str, deploy: bool = True) -> Candidate:
    return Candidate(slot=slot, fingerprint=fingerprint, python="3.12", image="image:tag", runner="ubuntu-latest",
                     data_version="v5.2", deploy=deploy)


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.fixture
def history(make_repo) -> Path:
    """A git repository with two specs and this package's sources, committed once."""
    root = make_repo({"gbm.yaml": LIGHTGBM_SPEC, "ridge.yaml": RIDGE_SPEC})
    shutil.copytree(REPO_ROOT / "src" / PACKAGE, root / "src" / PACKAGE,
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "two slots")
    return root


@pytest.fixture
def cli(capsys, monkeypatch):
    """numerai-deploy in this process (one import for every run): returncode, stdout, stderr."""

    def run(*args: str, cwd: Path, env: dict | None = None) -> SimpleNamespace:
        with monkeypatch.context() as patch:
            patch.chdir(cwd)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=captured.out, stderr=captured.err)

    return run


def plan(cli, root: Path, *args: str, env: dict | None = None) -> tuple[dict, str]:
    result = cli("plan", *args, cwd=root, env={"NUMERAI_SYNTHETIC_DATA": "", **(env or {})})
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout), result.stderr


# -- the matrix ------------------------------------------------------------------------------------


def test_slots_input_splits_on_commas_and_spaces():
    assert split_slots(" gbm_model, ridge_model  other\n") == ["gbm_model", "ridge_model", "other"]
    assert split_slots("") == [] and split_slots(None) == []


def test_only_changed_slots_are_built_unless_forced():
    now = [candidate("a", "1"), candidate("b", "2"), candidate("c", "3", deploy=False)]
    before = {"a": "1", "b": "old"}
    assert changed_slots({"a": "1", "b": "2"}, None) == {"a", "b"}
    assert [item["slot"] for item in build_matrix(now, before)["include"]] == ["b", "c"]
    assert [item["slot"] for item in build_matrix(now, before, deployable_only=True)["include"]] == ["b"]
    assert [item["slot"] for item in build_matrix(now, before, force=True)["include"]] == ["a", "b", "c"]
    entry = build_matrix(now, None)["include"][0]
    assert entry == {"slot": "a", "fingerprint": "1", "python": "3.12", "image": "image:tag",
                     "runner": "ubuntu-latest", "data_version": "v5.2", "deploy": True, "synthetic": False,
                     "cache_data": True, "artifact": "pickle-a"}


def test_a_slot_that_differs_from_any_baseline_is_built():
    now = [candidate("a", "1"), candidate("b", "2"), candidate("c", "3")]
    unchanged_in_git = {"a": "1", "b": "2", "c": "3"}
    on_numerai = {"a": "1", "b": "old", "c": "3"}
    assert [item["slot"] for item in build_matrix(now, unchanged_in_git)["include"]] == []
    assert [item["slot"] for item in build_matrix(now, unchanged_in_git, on_numerai)["include"]] == ["b"]
    assert [item["slot"] for item in build_matrix(now, unchanged_in_git, None)["include"]] == ["a", "b", "c"]
    assert [item["slot"] for item in build_matrix(now)["include"]] == ["a", "b", "c"]  # nothing to compare with


def test_a_matrix_beyond_githubs_limit_is_refused_with_the_way_out(tmp_path):
    limit = load_runners(REPO_ROOT / "runtimes").max_matrix_jobs
    assert limit == 256  # GitHub's, from runtimes/runners.json
    many = [candidate(f"slot_{index}", "f") for index in range(limit + 1)]
    refuse_beyond_limit(build_matrix(many[:limit]), limit)
    with pytest.raises(UsageError, match=rf"the plan has {limit + 1} slots to build; GitHub runs at most {limit} jobs"
                                         r" per matrix .* ==> deploy them in parts"):
        refuse_beyond_limit(build_matrix(many), limit)


def test_github_outputs_are_single_lines_appended(tmp_path, monkeypatch):
    output = tmp_path / "github_output"
    output.write_text("earlier=1\n")
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    matrix = build_matrix([candidate("a", "1"), candidate("b", "2")], None)
    assert append_outputs(load_settings(), github_outputs(matrix, synthetic=True)) == output
    lines = output.read_text().splitlines()
    assert lines[0] == "earlier=1"
    values = dict(line.split("=", 1) for line in lines[1:])
    assert json.loads(values["matrix"]) == matrix
    assert values["count"] == "2" and values["slots"] == "a b" and values["synthetic"] == "true"
    assert github_outputs({"include": []}, synthetic=False)["count"] == "0"


# -- against a git revision ------------------------------------------------------------------------


def test_fingerprints_at_head_match_the_work_tree(history, cli):
    matrix, _ = plan(cli, history)
    now = {item["slot"]: item["fingerprint"] for item in matrix["include"]}
    assert fingerprints_at(Repo(history, load_settings()), "HEAD", synthetic=False) == now
    assert fingerprints_at(Repo(history, load_settings()), "HEAD", synthetic=True) != now


def test_changed_since_builds_only_what_a_commit_changed(history, cli, tmp_path):
    write_spec(history / "models", "ridge.yaml", RIDGE_SPEC.replace("Ridge}", "Ridge, params: {alpha: 3.0}}"))
    git(history, "commit", "-q", "-am", "stronger ridge")
    output = tmp_path / "github_output"
    matrix, log = plan(cli, history, "--changed-since", "HEAD~1", env={"GITHUB_OUTPUT": str(output)})
    assert [item["slot"] for item in matrix["include"]] == ["ridge_model"]
    assert "1 of 2 slot(s) up to date" in log
    assert "count=1\n" in output.read_text()

    unchanged, log = plan(cli, history, "--changed-since", "HEAD")
    assert unchanged == {"include": []} and "nothing to build" in log
    forced, _ = plan(cli, history, "--changed-since", "HEAD", "--force", "--slots", "gbm_model")
    assert [item["slot"] for item in forced["include"]] == ["gbm_model"]


def test_a_change_to_the_training_code_rebuilds_every_slot_and_one_elsewhere_none(history):
    trained = history / "src" / PACKAGE / "train" / "ensemble.py"
    trained.write_text(trained.read_text() + "\n# changed\n")
    git(history, "commit", "-q", "-am", "training change")
    before = fingerprints_at(Repo(history, load_settings()), "HEAD~1", synthetic=False)
    after = fingerprints_at(Repo(history, load_settings()), "HEAD", synthetic=False)
    assert set(before) == set(after) == {"gbm_model", "ridge_model"}
    assert all(before[slot] != after[slot] for slot in before)

    planned = history / "src" / PACKAGE / "plan" / "matrix.py"
    planned.write_text(planned.read_text() + "\n# changed\n")
    git(history, "commit", "-q", "-am", "a change the pickles do not carry")
    repo = Repo(history, load_settings())
    assert fingerprints_at(repo, "HEAD~1", synthetic=False) == fingerprints_at(repo, "HEAD", synthetic=False)


def test_an_edit_to_a_custom_module_rebuilds_only_its_slot(history, cli):
    custom = history / "src" / PACKAGE / "custom"
    (custom / "helpers.py").write_text("SCALE = 1.0\n")
    example = custom / "example.py"
    example.write_text(example.read_text() + "\nfrom .helpers import SCALE  # noqa: E402\n")
    write_spec(history / "models", "custom.yaml", CUSTOM_SPEC)
    git(history, "add", "-A")
    git(history, "commit", "-q", "-m", "a custom slot")
    # What the entry point's module imports counts for its slot; another module of custom/ for none.
    (custom / "helpers.py").write_text("SCALE = 2.0\n")
    (custom / "other.py").write_text("x = 1\n")
    git(history, "add", "-A")
    git(history, "commit", "-q", "-m", "custom change")
    matrix, _ = plan(cli, history, "--changed-since", "HEAD~1")
    assert [item["slot"] for item in matrix["include"]] == ["custom_model"]


@pytest.mark.parametrize("ref", ["0" * 40, "", "no-such-branch"])
def test_nothing_to_compare_with_means_every_slot(history, cli, ref):
    matrix, log = plan(cli, history, "--changed-since", ref)
    assert sorted(item["slot"] for item in matrix["include"]) == ["gbm_model", "ridge_model"]
    assert "every slot counts as changed" in log


def test_a_revision_without_specs_means_every_slot(history):
    (history / "notes.txt").write_text("x")
    git(history, "checkout", "-q", "--orphan", "bare")
    git(history, "rm", "-rq", "--cached", ".")
    git(history, "add", "notes.txt")
    git(history, "commit", "-q", "-m", "no specs here")
    assert fingerprints_at(Repo(history, load_settings()), "bare", synthetic=False) is None


def test_synthetic_variable_marks_the_whole_plan(history, cli, tmp_path):
    output = tmp_path / "github_output"
    matrix, _ = plan(cli, history, env={"NUMERAI_SYNTHETIC_DATA": "true", "GITHUB_OUTPUT": str(output)})
    real, _ = plan(cli, history)
    assert all(item["synthetic"] for item in matrix["include"])
    assert [item["fingerprint"] for item in matrix["include"]] != [item["fingerprint"] for item in real["include"]]
    assert "synthetic=true\n" in output.read_text()


def test_deployed_record_leaves_out_what_was_deployed(history, cli, tmp_path):
    matrix, _ = plan(cli, history)
    record = tmp_path / "deployed"
    record.mkdir()
    gbm = next(item for item in matrix["include"] if item["slot"] == "gbm_model")
    runtime = {"name": "Python 3.12", "python": "3.12", "image": gbm["image"].split(":")[0], "tag": "a78dedd"}
    recorded = {"slot": "gbm_model", "fingerprint": gbm["fingerprint"], "runtime": runtime, "data": {"version": "v5.2"}}
    (record / "gbm_model.json").write_text(json.dumps(recorded))
    left, _ = plan(cli, history, "--deployed", str(record))
    assert [item["slot"] for item in left["include"]] == ["ridge_model"]
    nothing_recorded, _ = plan(cli, history, "--deployed", str(tmp_path / "missing"))
    assert len(nothing_recorded["include"]) == 2
    forced, _ = plan(cli, history, "--deployed", str(record), "--force")
    assert len(forced["include"]) == 2


# -- against Numerai -------------------------------------------------------------------------------


def test_against_numerai_leaves_out_assigned_fingerprints(history, numerai, numerai_env, numerai_cli, monkeypatch):
    monkeypatch.chdir(history)
    first = numerai_cli("plan", "--against-numerai", "--repo", str(history))
    assert first.code == 0, first.err
    fingerprint = {item["slot"]: item["fingerprint"] for item in json.loads(first.out)["include"]}["gbm_model"]
    numerai.seed_pickle("gbm_model", f"gbm_model-{fingerprint}.pkl")
    assert assigned_fingerprints(["gbm_model", "ridge_model"], client_of(load_settings())) == {"gbm_model": fingerprint}
    second = numerai_cli("plan", "--against-numerai", "--repo", str(history))
    assert [item["slot"] for item in json.loads(second.out)["include"]] == ["ridge_model"]


def test_a_plan_beyond_the_matrix_limit_exits_2(history, cli):
    runners = history / "runtimes" / "runners.json"
    data = json.loads(runners.read_text())
    data["matrix"]["max_jobs"] = 1
    runners.write_text(json.dumps(data))
    result = cli("plan", cwd=history, env={"NUMERAI_SYNTHETIC_DATA": ""})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "the plan has 2 slots to build; GitHub runs at most 1 jobs per matrix" in result.stderr
    assert result.stdout == ""  # no matrix for the jobs to run


def test_a_skipped_deploy_is_healed_by_the_next_push_against_numerai(history, numerai, numerai_env, numerai_cli,
                                                                     monkeypatch):
    """A push's run was cancelled (or failed) before its deploy: Numerai still runs an earlier build of
    gbm_model. The next push changes nothing, yet its plan builds gbm_model again."""
    monkeypatch.chdir(history)
    now = json.loads(numerai_cli("plan", "--repo", str(history), "gbm_model").out)["include"][0]["fingerprint"]
    numerai.seed_pickle("gbm_model", f"gbm_model-{'0' * len(now)}.pkl")  # the earlier build
    since_push = numerai_cli("plan", "--changed-since", "HEAD", "--repo", str(history), "gbm_model")
    assert json.loads(since_push.out)["include"] == []  # what a plan of the changes alone misses
    healed = numerai_cli("plan", "--changed-since", "HEAD", "--against-numerai", "--repo", str(history), "gbm_model")
    assert healed.code == 0, healed.err
    assert [item["slot"] for item in json.loads(healed.out)["include"]] == ["gbm_model"]
    numerai.seed_pickle("gbm_model", f"gbm_model-{now}.pkl")  # the next run deployed it
    done = numerai_cli("plan", "--changed-since", "HEAD", "--against-numerai", "--repo", str(history), "gbm_model")
    assert json.loads(done.out)["include"] == []


def recorded(folder: Path, slot: str, fingerprint: str, image: str, action: str = "deploy") -> None:
    """A slot's manifest as the deployments baseline writes it (github/deployments.py)."""
    runtime = {"name": "Python 3.12", "python": "3.12", "image": image.split(":")[0], "tag": "a78dedd"}
    folder.mkdir(exist_ok=True)
    (folder / f"{slot}.json").write_text(json.dumps({"slot": slot, "fingerprint": fingerprint, "runtime": runtime,
                                                     "data": {"version": "v5.2"}, "deployed_by": action}))


def test_a_skipped_deploy_is_healed_by_the_next_push_against_the_deployment_record(history, cli, tmp_path):
    """The deploy workflow's push: --changed-since the previous push and --deployed GitHub's record, in
    which a cancelled run left gbm_model at an earlier build."""
    matrix, _ = plan(cli, history)
    now = {item["slot"]: item for item in matrix["include"]}
    record = tmp_path / "deployed"
    recorded(record, "gbm_model", "0" * len(now["gbm_model"]["fingerprint"]), now["gbm_model"]["image"])
    recorded(record, "ridge_model", now["ridge_model"]["fingerprint"], now["ridge_model"]["image"])
    healed, _ = plan(cli, history, "--changed-since", "HEAD", "--deployed", str(record))
    assert [item["slot"] for item in healed["include"]] == ["gbm_model"]
    # A rollback holds until the spec changes: its record is not out of date.
    recorded(record, "gbm_model", "0" * len(now["gbm_model"]["fingerprint"]), now["gbm_model"]["image"], ROLLED_BACK)
    rolled_back, _ = plan(cli, history, "--changed-since", "HEAD", "--deployed", str(record))
    assert rolled_back["include"] == []


def test_against_numerai_needs_the_api_key(history, cli):
    result = cli("plan", "--against-numerai", cwd=history,
                 env={"NUMERAI_PUBLIC_ID": "", "NUMERAI_SECRET_KEY": ""})
    assert result.returncode == 2
    assert "NUMERAI_PUBLIC_ID" in result.stderr


# -- summary ---------------------------------------------------------------------------------------


def manifest(slot: str, fingerprint: str, corr: float | None) -> dict:
    metrics = {"validation": {"eras": 40, "corr_mean": corr, "corr_sharpe": 1.5, "max_drawdown": 0.01}}
    runtime = {"name": "Python 3.12", "python": "3.12", "image": "ghcr.io/numerai/img", "tag": "abc"}
    return {"slot": slot, "fingerprint": fingerprint, "runtime": runtime,
            "data": {"version": "v5.2", "synthetic": False}, "metrics": metrics if corr is not None else None}


def test_summary_sets_metrics_beside_the_deployed_version(tmp_path, cli, history):
    built, deployed = tmp_path / "dist" / "pickle-gbm_model", tmp_path / "deployed"
    built.mkdir(parents=True)
    (built / "gbm_model-aaa.json").write_text(json.dumps(manifest("gbm_model", "aaa", 0.0250)))
    (built.parent / "ridge_model-bbb.json").write_text(json.dumps(manifest("ridge_model", "bbb", None)))
    (built.parent / "notes.json").write_text("[1, 2]")  # not a manifest: skipped
    deployed.mkdir()
    (deployed / "gbm_model.json").write_text(json.dumps(manifest("gbm_model", "old", 0.0200)))

    text = table(read_manifests(built.parent), read_manifests(deployed), "Metrics")
    gbm = next(line for line in text.splitlines() if line.startswith("| gbm_model"))
    assert "0.0250 (0.0200, +0.0050)" in gbm and "`old`" in gbm
    ridge = next(line for line in text.splitlines() if line.startswith("| ridge_model"))
    assert ridge.count("–") >= 4  # no metrics and nothing deployed
    assert "Nothing was built" in table({}, {}, "Metrics")

    summary_file = tmp_path / "summary.md"
    record = tmp_path / "record"
    result = cli("summary", "--artifacts", str(built.parent), "--baseline", str(deployed), "--record", str(record),
                 cwd=history, env={"GITHUB_STEP_SUMMARY": str(summary_file)})
    assert result.returncode == 0, result.stderr
    assert summary_file.read_text() == result.stdout
    assert sorted(path.name for path in record.iterdir()) == ["gbm_model.json", "ridge_model.json"]
    assert json.loads((record / "gbm_model.json").read_text())["fingerprint"] == "aaa"


def test_summary_shows_the_current_specs_build_not_the_last_name_in_dist(cli, history):
    matrix, _ = plan(cli, history)
    current = next(item["fingerprint"] for item in matrix["include"] if item["slot"] == "gbm_model")
    dist = history / "dist"
    dist.mkdir()
    (dist / f"gbm_model-{current}.json").write_text(json.dumps(manifest("gbm_model", current, 0.0250)))
    # An older recipe's build whose name sorts last and whose file is newer.
    (dist / "gbm_model-ffffffffffff.json").write_text(json.dumps(manifest("gbm_model", "ffffffffffff", 0.0999)))
    result = cli("summary", cwd=history)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("| gbm_model"))
    assert "0.0250" in row and "0.0999" not in row


def scored_manifest(slot: str, fingerprint: str, corr: float, curve: list | None, **extra) -> dict:
    document = manifest(slot, fingerprint, corr)
    document["metrics"]["validation"] = {
        "eras": 40, "corr_eras": 40, "corr_mean": corr, "corr_std": 0.02, "corr_sharpe": corr / 0.02,
        "corr_max_drawdown": 0.03, "bmc_eras": 40, "bmc_mean": 0.004, "bmc_std": 0.01, "bmc_sharpe": 0.4,
        "bmc_max_drawdown": 0.02, "bmc_benchmark": CURRENT.benchmark_columns[0],
        "not_scored": {"mmc": "no meta_model.parquet (column numerai_meta_model) in this data version"},
        **({"corr_curve": curve} if curve is not None else {}), **extra,
    }
    return document


def test_summary_shows_each_metric_and_charts_cumulative_corr_beside_the_deployed_version(tmp_path):
    eras = [f"{era:04d}" for era in range(100, 140)]
    new_curve = [[era, round(0.02 * (step + 1), 4)] for step, era in enumerate(eras)]
    old_curve = [[era, round(0.01 * (step + 1), 4)] for step, era in enumerate(eras[::4])]
    built = {"gbm_model": scored_manifest("gbm_model", "aaa", 0.02, new_curve,
                                          mmc_eras=20, mmc_mean=0.006, mmc_std=0.01, mmc_sharpe=0.6,
                                          mmc_max_drawdown=0.01, not_scored={})}
    deployed = {"gbm_model": scored_manifest("gbm_model", "old", 0.01, old_curve)}
    for folder, documents in (("dist", built), ("deployed", deployed)):
        (tmp_path / folder).mkdir()
        for slot, document in documents.items():
            (tmp_path / folder / f"{slot}-{document['fingerprint']}.json").write_text(json.dumps(document))

    text = table(read_manifests(tmp_path / "dist"), read_manifests(tmp_path / "deployed"), "Metrics")

    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert "0.0200 (0.0100, +0.0100)" in rows["CORR"] and "0.0300 (0.0300, +0.0000)" in rows["CORR"]
    assert "0.0060 | 0.0100 | 0.6000 | 0.0100" in rows["MMC"], "no deployed MMC: the build's value alone"
    assert "0.0040 (0.0040, +0.0000)" in rows[f"BMC (against {CURRENT.benchmark_columns[0]})"]
    chart = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert "xychart-beta" in chart and 'title "gbm_model: cumulative validation CORR"' in chart
    lines = [line.strip() for line in chart.splitlines() if line.strip().startswith("line [")]
    assert len(lines) == 2, "this build and the deployed version"
    axis = next(line for line in chart.splitlines() if "x-axis" in line)
    assert axis.count('"') // 2 == 40
    built_values = [float(value) for value in lines[0][len("line ["):-1].split(",")]
    deployed_values = [float(value) for value in lines[1][len("line ["):-1].split(",")]
    assert built_values[-1] == 0.8 and deployed_values[0] == 0.01 and deployed_values[-1] == 0.1
    assert "grey: the deployed version" in text

    alone = table(read_manifests(tmp_path / "deployed"), {}, "Metrics")
    assert "| MMC | – | not scored: no meta_model.parquet" in alone
    assert alone.count("line [") == 1


def test_summary_without_curves_or_metrics_draws_no_chart(tmp_path):
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "a-aaa.json").write_text(json.dumps(manifest("a", "aaa", 0.02)))
    (tmp_path / "dist" / "b-bbb.json").write_text(json.dumps(manifest("b", "bbb", None)))
    text = table(read_manifests(tmp_path / "dist"), {}, "Metrics")
    assert "xychart-beta" not in text
    assert "No validation metrics" in text


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_summary_of_a_missing_or_empty_folder_is_bad_input(tmp_path, cli, history, state):
    folder = tmp_path / "artifacts"
    if state == "empty":
        folder.mkdir()
        (folder / "notes.json").write_text("{}")  # JSON, but no manifest
    result = cli("summary", "--artifacts", str(folder), cwd=history)
    assert result.returncode == 2
    assert f"--artifacts {folder}" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
