"""`python3 -m <package>.github challengers` against the GitHub stand-in, fed with real `challengers --report`
files from the Numerai stand-in: a promote verdict opens one pull request that makes the champion's spec
train what the challenger trains (comments kept, slot and webhook left alone), a second run updates it in
place, a changed verdict closes it and deletes its branch; a retire verdict opens one issue, closed when
the verdict changes."""

from __future__ import annotations

import base64
import json
import textwrap

import pytest
from github_standin import GitHubStandIn
from standin_scores import contest

import github_jobs
from github_jobs import REPOSITORY, TOKEN

CHAMPION = """\
# The staked model: its stake stays on numer.ai.
slot: champ   # staked
data:
  feature_set: small
model:
  type: lightgbm
  params: {n_estimators: 50}
deploy:
  webhook: clear   # a webhook set by hand is cleared
"""
CHALLENGER = """\
slot: chall
data:
  feature_set: small
  era_step: 4   # no overlapping targets
model:
  # a slower forest
  type: lightgbm
  params:
    n_estimators: 80
    learning_rate: 0.05
challenger:
  of: champ
  min_rounds: 20
"""
PROMOTED = """\
# The staked model: its stake stays on numer.ai.
slot: champ   # staked
data:
  feature_set: small
  era_step: 4   # no overlapping targets
model:
  # a slower forest
  type: lightgbm
  params:
    n_estimators: 80
    learning_rate: 0.05
deploy:
  webhook: clear   # a webhook set by hand is cleared
"""
BRANCH = "numerai-promote/chall"


@pytest.fixture
def repo(make_repo):
    return make_repo({"champion.yaml": CHAMPION, "challenger.yaml": CHALLENGER})


@pytest.fixture
def github(repo):
    with GitHubStandIn(repository=REPOSITORY, token=TOKEN, repo_dir=repo) as standin:
        yield standin


def report_of(numerai, numerai_cli, repo, path, edge: float):
    numerai.seed_contest(contest("champ", "chall", 24, edge))
    done = numerai_cli("challengers", "--repo", repo, "--report", path)
    assert done.code == 0, done.err
    return json.loads(path.read_text())


def challengers(github, report) -> object:
    done = github_jobs.run_module(github, "challengers", "--report", report, "--base", "main",
                                  "--run-url", "https://example.com/run/7")
    assert done.returncode == 0, done.stderr
    return done


def file_on(github, branch: str, path: str) -> str:
    return base64.b64decode(github.branches[branch]["files"][path]).decode()


def test_a_promote_verdict_opens_one_pull_request_and_updates_it_in_place(numerai, numerai_cli, numerai_env, repo,
                                                                           github, tmp_path):
    report = tmp_path / "challengers.json"
    assert report_of(numerai, numerai_cli, repo, report, edge=0.02)["challengers"][0]["verdict"] == "promote"

    first = challengers(github, report)

    [pull] = github.pull_requests()
    assert "opened pull request #1" in first.stdout
    assert (pull["title"], pull["head"], pull["base"]) == ("Promote challenger chall to champ", BRANCH, "main")
    assert file_on(github, BRANCH, "models/champion.yaml") == PROMOTED
    assert pull["body"].startswith("<!-- numerai-promotion:chall -->\n**Promote `chall` to `champ`'s slot.** "
                                   "chall beats champ on the payout score over 24 rounds")
    assert "| challenger | champion | verdict | rounds | range |" in pull["body"]
    assert "| chall | champ | promote | 24 | 1001-1024 |" in pull["body"]
    assert "`models/champion.yaml` (slot `champ`) train what `models/challenger.yaml` trains" in pull["body"]
    commits = github.commits

    second = challengers(github, report)

    assert [item["number"] for item in github.pull_requests()] == [1]
    assert "updated pull request #1" in second.stdout and "(new commit)" not in second.stdout
    assert github.commits == commits  # the same file: no new commit

    (repo / "models" / "champion.yaml").write_text(CHAMPION.replace("n_estimators: 50", "n_estimators: 60"))
    numerai_cli("challengers", "--repo", repo, "--report", report)
    github.branches[BRANCH]["files"]["models/champion.yaml"] = base64.b64encode(b"slot: champ\n").decode()
    third = challengers(github, report)
    assert "updated pull request #1" in third.stdout and "(new commit)" in third.stdout
    assert file_on(github, BRANCH, "models/champion.yaml") == PROMOTED


def test_a_changed_verdict_closes_the_pull_request_and_deletes_its_branch(numerai, numerai_cli, numerai_env, repo,
                                                                          github, tmp_path):
    report = tmp_path / "challengers.json"
    report_of(numerai, numerai_cli, repo, report, edge=0.02)
    challengers(github, report)
    content = json.loads(report.read_text())
    content["challengers"][0].update(verdict="hold", reason="no significant difference", promotion=None)
    report.write_text(json.dumps(content))

    done = challengers(github, report)

    assert github.pull_requests() == [] and "closed pull request #1" in done.stdout
    assert BRANCH not in github.branches
    assert github.issues[0]["comments"][-1].startswith("The verdict is now hold: no significant difference")


def test_an_unknown_verdict_or_no_report_changes_nothing(numerai, numerai_cli, numerai_env, repo, github, tmp_path):
    report = tmp_path / "challengers.json"
    report_of(numerai, numerai_cli, repo, report, edge=0.02)
    challengers(github, report)
    content = json.loads(report.read_text())
    content["challengers"][0].update(verdict="unknown", promotion=None)
    report.write_text(json.dumps(content))
    challengers(github, report)
    challengers(github, tmp_path / "missing.json")
    assert len(github.pull_requests()) == 1


def test_a_retire_verdict_opens_one_issue_closed_when_the_verdict_changes(numerai, numerai_cli, numerai_env, repo,
                                                                          github, tmp_path):
    report = tmp_path / "challengers.json"
    assert report_of(numerai, numerai_cli, repo, report, edge=-0.02)["challengers"][0]["verdict"] == "retire"

    challengers(github, report)
    challengers(github, report)

    [issue] = github.open_issues()
    assert issue["title"] == "Numerai: challenger chall is worse than champ" and "pull_request" not in issue
    assert "<!-- numerai-alert:challenger:chall:retire -->" in issue["body"]
    assert github.pull_requests() == []

    content = json.loads(report.read_text())
    content["challengers"][0].update(verdict="hold")
    report.write_text(json.dumps(content))
    challengers(github, report)
    assert github.open_issues() == []
    assert textwrap.dedent(github.issues[0]["comments"][-1]).startswith("The verdict is now hold.")
