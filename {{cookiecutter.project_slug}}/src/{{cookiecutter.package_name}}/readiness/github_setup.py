"""From a baked repository to a running pipeline on GitHub, through the GitHub CLI (`gh`).

The steps, each skipped when already done: create the private repository and its `origin` remote
(`gh repo create --source .`), create the environment `numerai` when the deploy job runs in one, put
the API key into the Actions secrets (`gh secret set`, the values on stdin, never in an argument or an
output), let workflows open pull requests (the health workflow's runtimes refresh), push `main`, and
start the deploy workflow when the push itself does not (the branch was there already). The key comes
from NUMERAI_PUBLIC_ID / NUMERAI_SECRET_KEY or is asked for without echo, and Numerai is asked first
whether it works (the preflight), so a wrong key is never stored.

The repository is created under the owner the bake named (pyproject.toml, [tool.numerai-deploy]
github-owner), else under gh's own account. Later, gh works out the repository from the `origin`
remote: no step names it, and `gh api` fills in its `{owner}/{repo}`.

What would stop it is found before anything is done, a dry run included: no `gh`, gh not logged in,
no git repository on main with a commit, specs (or custom code) not committed, which a push would
leave behind.
"""

from __future__ import annotations

import getpass
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..errors import UsageError, WorkFailed
from ..logs import get_logger, remember_secrets, scrub
from ..numerai.credentials import (
    KEYS_HINT,
    PUBLIC_ID_VARIABLE,
    SECRET_KEY_VARIABLE,
    Credentials,
    read_credentials,
    secret_command,
)
from ..settings import Settings
from .preflight import check_key

log = get_logger(__name__)

BRANCH = "main"  # the branch the workflows deploy from
OWNER_PLACEHOLDER = "your-github-user"  # the template's default answer: no owner was named
# What a push must carry for the pipeline to build it: the specs and the user's own code.
USER_FILES = ("models", "src/*/custom")
DEPLOY_WORKFLOW = "deploy.yml"
MASK = "****"
# Settings → Actions → General → Workflow permissions: the token reads by default, and workflows may open
# and approve pull requests (GitHub's one switch for both; the health workflow opens the runtimes refresh).
WORKFLOW_PERMISSIONS = ["gh", "api", "--method", "PUT", "repos/{owner}/{repo}/actions/permissions/workflow",
                        "-f", "default_workflow_permissions=read", "-F", "can_approve_pull_request_reviews=true"]


@dataclass(frozen=True)
class Step:
    """One command; `secret` names the credential sent on its stdin (shown masked, never in argv)."""

    why: str
    argv: list[str]
    secret: str | None = None

    def shown(self) -> str:
        return shlex.join(self.argv) + (f"   # value on stdin: {MASK}" if self.secret else "")


def run(argv: list[str], root: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=root, input=stdin, capture_output=True, text=True)


def deploy_environment(root: Path) -> str | None:
    """The environment the deploy job runs in (`environment:` in .github/workflows/deploy.yml), if any."""
    path = root / ".github" / "workflows" / DEPLOY_WORKFLOW
    try:
        workflow = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        environment = workflow["jobs"]["deploy"].get("environment")
    except (OSError, YAMLError, KeyError, TypeError, AttributeError):
        raise UsageError(f"{path} is missing or has no `deploy` job ==> run github-setup in the baked repository "
                         "(or pass --repo DIR)") from None
    return environment.get("name") if isinstance(environment, dict) else environment


def owner_of(root: Path) -> str | None:
    """The owner pyproject.toml names ([tool.numerai-deploy] github-owner), unless it is the placeholder."""
    if sys.version_info < (3, 11):  # no TOML reader in Python 3.10's standard library: gh's own account
        return None
    import tomllib  # type: ignore[import-not-found, unused-ignore]  # 3.11 on (mypy checks as 3.10)

    try:
        document = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    owner = str(document.get("tool", {}).get("numerai-deploy", {}).get("github-owner", "")).strip()
    return owner if owner and owner != OWNER_PLACEHOLDER else None


def git_problems(root: Path) -> list[str]:
    branch = run(["git", "rev-parse", "--abbrev-ref", "HEAD"], root)
    if branch.returncode != 0 or run(["git", "rev-parse", "--verify", "-q", "HEAD"], root).returncode != 0:
        return [f"{root.resolve()} is not a git repository with a commit ==> `git init -b {BRANCH}`, "
                "`git add -A`, `git commit -m 'First commit'`, then github-setup again"]
    problems = []
    if branch.stdout.strip() != BRANCH:
        problems.append(f"the branch is {branch.stdout.strip()!r}, but the workflows deploy from {BRANCH!r} ==> "
                        f"`git branch -m {branch.stdout.strip()} {BRANCH}`, then github-setup again")
    status = run(["git", "status", "--porcelain", "--untracked-files=all", "--", *USER_FILES], root)
    changed = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        problems.append(f"not committed, so a push would leave them behind: {shown} ==> `git add models src` and "
                        "`git commit`, then github-setup again")
    return problems


def problems_of(root: Path) -> list[str]:
    """What would stop the setup or leave the pipeline without the user's work, each with its fix."""
    problems = []
    if shutil.which("gh") is None:
        problems.append("the GitHub CLI `gh` is not installed ==> install it (https://cli.github.com), run "
                        "`gh auth login`, then run github-setup again")
    elif run(["gh", "auth", "status"], root).returncode != 0:
        problems.append("gh is not logged in to GitHub ==> run `gh auth login`, then github-setup again")
    return problems + git_problems(root)


def require_tools(root: Path) -> None:
    problems = problems_of(root)
    if problems:
        raise UsageError("; ".join(problems))


def ask(variable: str) -> str:
    """A value typed at the terminal, not echoed."""
    if not sys.stdin.isatty():
        raise UsageError(f"{variable} is not set and there is no terminal to ask for it ==> export "
                         f"{PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE}; {KEYS_HINT}")
    value = getpass.getpass(f"{variable} (not shown): ").strip()
    if not value:
        raise UsageError(f"no {variable} given ==> {KEYS_HINT}")
    return value


def credentials_of(settings: Settings, *, prompt: bool) -> Credentials | None:
    """The key from the environment, else typed at the terminal (`prompt`); remembered for scrubbing."""
    found = read_credentials(settings)
    if found is None and prompt:
        found = Credentials(ask(PUBLIC_ID_VARIABLE), ask(SECRET_KEY_VARIABLE))
    if found is not None:
        remember_secrets([found.secret_key, f"{found.public_id}${found.secret_key}"])
    return found


def verify(settings: Settings, credentials: Credentials) -> None:
    """Numerai's word on the key before it is stored; Numerai not answering only leaves a note."""
    keyed = settings.model_copy(update={"public_id": credentials.public_id,
                                        "secret_key": SecretStr(credentials.secret_key)})
    verdict = check_key(keyed)
    if verdict.failed:
        raise UsageError(f"{verdict.message}: not stored ==> {KEYS_HINT}, then github-setup again")
    log.info(f"{'note' if verdict.warning else 'ok'}: {verdict.message}")


def plan(root: Path, *, visibility: str, environment: str | None) -> list[Step]:
    """The steps still to do, in order."""
    steps = []
    has_origin = run(["git", "remote", "get-url", "origin"], root).returncode == 0
    if not has_origin:
        owner = owner_of(root)
        name = f"{owner}/{root.resolve().name}" if owner else root.resolve().name
        steps.append(Step(f"create the repository {name} on GitHub, with `origin` pointing at it",
                          ["gh", "repo", "create", name, f"--{visibility}", "--source", ".", "--remote", "origin"]))
    if environment:
        steps.append(Step(f"create the environment {environment!r} the deploy job runs in",
                          ["gh", "api", "--method", "PUT", "repos/{owner}/{repo}/environments/" + environment]))
    for variable in (PUBLIC_ID_VARIABLE, SECRET_KEY_VARIABLE):
        steps.append(Step(f"store {variable} for the workflows", secret_command(variable, None, environment),
                          secret=variable))
    steps.append(Step("let workflows open and approve pull requests (GitHub's one switch for both: the health "
                      "workflow opens the runtimes refresh); the token stays read-only by default",
                      WORKFLOW_PERMISSIONS))
    # Pushed before (here, or by a clone): git keeps origin's branch as a remote-tracking ref.
    first_push = run(["git", "rev-parse", "--verify", "-q", f"refs/remotes/origin/{BRANCH}"], root).returncode != 0
    steps.append(Step(f"push {BRANCH}" + (": the push starts the deploy workflow" if first_push else ""),
                      ["git", "push", "-u", "origin", BRANCH]))
    if not first_push:
        steps.append(Step("start the deploy workflow with the new secrets (unchanged slots are left alone)",
                          ["gh", "workflow", "run", DEPLOY_WORKFLOW, "--ref", BRANCH]))
    return steps


def carry_out(root: Path, steps: list[Step], credentials: Credentials) -> None:
    values = {PUBLIC_ID_VARIABLE: credentials.public_id, SECRET_KEY_VARIABLE: credentials.secret_key}
    for step in steps:
        log.info(f"{step.why}:\n  $ {step.shown()}")
        done = run(step.argv, root, values[step.secret] if step.secret else None)
        said = scrub((done.stdout + done.stderr).strip())
        if done.returncode != 0:
            raise WorkFailed(f"`{step.shown()}` failed ({said.splitlines()[-1] if said else done.returncode}) ==> "
                             "fix what it says and run github-setup again: the steps already done are skipped "
                             "or repeated harmlessly")
        if said:
            log.info("  " + said.replace("\n", "\n  "))


def github_setup(root: Path, settings: Settings, *, dry_run: bool = False, visibility: str = "private",
                 check: bool = True) -> list[Step]:
    """Carry out (or, dry, only list) the steps; the steps."""
    environment = deploy_environment(root)
    if dry_run:
        steps = plan(root, visibility=visibility, environment=environment)
        for step in steps:
            log.info(f"would {step.why}:\n  $ {step.shown()}")
        problems = problems_of(root)
        if problems:
            raise UsageError("github-setup would stop here: " + "; ".join(problems))
        return steps
    require_tools(root)
    credentials = credentials_of(settings, prompt=True)
    assert credentials is not None  # asked for at the terminal when the environment has none
    if check:
        verify(settings, credentials)
    steps = plan(root, visibility=visibility, environment=environment)
    carry_out(root, steps, credentials)
    log.info("done: follow the run with `gh run watch` (or the repository's Actions tab); `numerai-deploy "
             "history SLOT --github` shows the deployments it records")
    return steps
