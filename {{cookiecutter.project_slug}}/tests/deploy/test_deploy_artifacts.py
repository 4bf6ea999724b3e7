"""deploy uploads only the checked build of the current spec: stale, tampered, unchecked or failed
builds are refused (exit 1, nothing uploaded), the current spec's build is chosen among several,
and --force uploads again."""

from __future__ import annotations

import json

from conftest import LIGHTGBM_SPEC, manifest_dict, write_spec

OTHER = LIGHTGBM_SPEC.replace("n_estimators: 40", "n_estimators: 30")


def gbm_build(repo):
    [path] = [path for path in (repo / "dist").glob("gbm_model-*.pkl")]
    return path


def uploads(numerai) -> int:
    return numerai.mutations.count("createComputePickleUpload")


def deploy_gbm(numerai_cli, repo, *more):
    return numerai_cli("deploy", "--repo", repo, "--allow-synthetic", "gbm_model", *more)


def test_a_stale_build_is_refused(numerai, numerai_cli, numerai_env, deploy_repo):
    write_spec(deploy_repo / "models", "gbm.yaml", OTHER)  # edited, not rebuilt

    result = deploy_gbm(numerai_cli, deploy_repo)

    assert result.code == 1
    assert "are stale" in result.err and "numerai-deploy build gbm_model" in result.err
    assert uploads(numerai) == 0


def test_a_tampered_pickle_is_refused(numerai, numerai_cli, numerai_env, deploy_repo):
    with open(gbm_build(deploy_repo), "ab") as stream:
        stream.write(b"\0")

    result = deploy_gbm(numerai_cli, deploy_repo)

    assert result.code == 1 and "its sha256 differs from its manifest's" in result.err
    assert uploads(numerai) == 0


def test_a_build_whose_check_failed_or_never_ran_is_refused(numerai, numerai_cli, numerai_env, deploy_repo):
    manifest_file = gbm_build(deploy_repo).with_suffix(".json")
    manifest = json.loads(manifest_file.read_text())
    assert manifest["check"]["passed"] is True  # as `build` recorded it

    manifest["check"]["passed"], manifest["check"]["errors"] = False, 2
    manifest_file.write_text(json.dumps(manifest))
    failed = deploy_gbm(numerai_cli, deploy_repo)

    manifest.pop("check")
    manifest_file.write_text(json.dumps(manifest))
    unchecked = deploy_gbm(numerai_cli, deploy_repo)

    assert failed.code == 1 and "its check failed (2 error(s))" in failed.err
    assert unchecked.code == 1 and "it was never checked" in unchecked.err
    assert uploads(numerai) == 0


def test_a_build_with_other_libraries_is_refused(numerai, numerai_cli, numerai_env, deploy_repo):
    manifest_file = gbm_build(deploy_repo).with_suffix(".json")
    manifest = json.loads(manifest_file.read_text())
    manifest["python"] = {"version": "3.11.7", "minor": "3.11"}
    manifest["libraries"]["numpy"] = "1.26.4"
    manifest_file.write_text(json.dumps(manifest))

    result = deploy_gbm(numerai_cli, deploy_repo)

    assert result.code == 1
    assert "built with Python 3.11.7" in result.err and "built with numpy 1.26.4" in result.err
    assert uploads(numerai) == 0


def test_the_current_specs_build_is_chosen_among_several(numerai, numerai_cli, numerai_env, deploy_repo):
    current = manifest_dict(gbm_build(deploy_repo))["fingerprint"]
    write_spec(deploy_repo / "models", "gbm.yaml", OTHER)
    assert numerai_cli("build", "--repo", deploy_repo, "--synthetic", "gbm_model").code == 0  # newer file
    write_spec(deploy_repo / "models", "gbm.yaml", LIGHTGBM_SPEC)  # back to the first spec
    assert len(list((deploy_repo / "dist").glob("gbm_model-*.pkl"))) == 2

    result = deploy_gbm(numerai_cli, deploy_repo)

    assert result.code == 0, result.out + result.err
    assert f"gbm_model-{current}-" in numerai.assigned("gbm_model")["filename"]


def test_force_uploads_the_same_build_again(numerai, numerai_cli, numerai_env, deploy_repo):
    assert deploy_gbm(numerai_cli, deploy_repo).code == 0
    first = numerai.assigned("gbm_model")["id"]

    again = deploy_gbm(numerai_cli, deploy_repo)
    forced = deploy_gbm(numerai_cli, deploy_repo, "--force")

    assert "gbm_model: unchanged" in again.out and uploads(numerai) == 2
    assert forced.code == 0, forced.out + forced.err
    assert numerai.assigned("gbm_model")["id"] != first
