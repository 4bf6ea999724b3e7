"""deploy --dry-run applies every rule deploy applies: a synthetic, stale, unchecked or tampered build
gets the same verdict, message and exit code from both, and neither changes anything on Numerai."""

from __future__ import annotations

import json

import pytest

import leak_scan
from conftest import LIGHTGBM_SPEC, write_spec

numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks


def gbm_manifest(repo):
    [path] = (repo / "dist").glob("gbm_model-*.json")
    return path


def make_stale(repo) -> None:
    write_spec(repo / "models", "gbm.yaml", LIGHTGBM_SPEC.replace("n_estimators: 40", "n_estimators: 30"))


def make_unchecked(repo) -> None:
    path = gbm_manifest(repo)
    manifest = json.loads(path.read_text())
    manifest.pop("check")
    path.write_text(json.dumps(manifest))


def make_tampered(repo) -> None:
    with open(gbm_manifest(repo).with_suffix(".pkl"), "ab") as stream:
        stream.write(b"\0")


# case: (how the build is spoiled, deploy's extra arguments, exit code, words of the verdict)
CASES = {
    "synthetic": (None, [], 2, "trained on synthetic data ==> build on Numerai's data"),
    "stale": (make_stale, ["--allow-synthetic"], 1, "are stale"),
    "unchecked": (make_unchecked, ["--allow-synthetic"], 1, "it was never checked"),
    "tampered": (make_tampered, ["--allow-synthetic"], 1, "its sha256 differs from its manifest's"),
}


def verdict_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("error:", "failed:"))]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_dry_run_refuses_what_a_deploy_refuses_in_the_same_words(numerai, numerai_cli, numerai_env, deploy_repo,
                                                                    case):
    spoil, extra, code, words = CASES[case]
    if spoil:
        spoil(deploy_repo)

    dry = numerai_cli("deploy", "--repo", deploy_repo, "gbm_model", "--dry-run", *extra)
    real = numerai_cli("deploy", "--repo", deploy_repo, "gbm_model", *extra)

    assert dry.code == real.code == code, dry.out + dry.err
    assert verdict_lines(dry.err) == verdict_lines(real.err) != []
    assert words in verdict_lines(dry.err)[0]
    assert "would deploy" not in dry.out
    assert numerai.mutations == []


def test_a_sound_build_is_a_would_deploy_in_a_dry_run(numerai, numerai_cli, numerai_env, deploy_repo):
    result = numerai_cli("deploy", "--repo", deploy_repo, "gbm_model", "--dry-run", "--allow-synthetic")
    assert result.code == 0, result.out + result.err
    assert "would deploy" in result.out and verdict_lines(result.err) == []
    assert numerai.mutations == []
