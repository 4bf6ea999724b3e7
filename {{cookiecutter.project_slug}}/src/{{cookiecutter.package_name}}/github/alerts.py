"""A `numerai-deploy status --report` file turned into GitHub issues: one open issue per slot and problem.

    python3 -m <package>.github alert health --report status.json [--run-url URL]
    python3 -m <package>.github alert deploy --outcome failure|success [--report status.json] [--run-url URL]
    python3 -m <package>.github alert datasets --report datasets.json [--run-url URL]

health: for every enabled slot that is drifted (a pickle assigned by hand or by another tool, a
webhook switched back on, the slot archived or missing), failing (its latest run failed; a run that
found no round open is not), or that missed a round (a round closed without its submission), it
opens an issue, or updates the open one; it closes the open issues of slots that are healthy again.
A slot that has not submitted for a round closing within hours gets the missed-round issue early,
as a warning; the issue is closed once the slot submits again. A
missing or unreadable report (status could not run: a rejected key, Numerai down) opens one issue
"the health check could not run", closed by the next run that has a report.
deploy: a failed deploy opens (or updates) one issue with the slots' status; a successful one closes it.
Either way, each enabled slot that is still out of date (or not deployed) after the deploy run opens an
issue of its own: a run that failed, or was replaced while it waited, left it behind (the next run's
plan builds it). It is closed by the first report, of a deploy or of the health check, that finds the
slot in sync.
datasets: for each dataset version a spec trains on and kind of drift in a `numerai-deploy datasets
--report` file (Numerai publishes a newer version; uploads mark it deprecated or no longer take it),
one issue, closed once a report no longer finds it (a report that could not ask Numerai changes nothing).

Each issue carries a hidden marker in its body (`<!-- numerai-alert:<key> -->`); that, not the
title or a label, is how an open issue is found again, so editing its title changes nothing.
The job that holds the `issues: write` token runs this with a bare python3 and installs nothing, and
never sees the Numerai key (it only reads the report the status step wrote).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .api import GitHub

MODES = ("health", "deploy", "datasets")
LABEL = "numerai-alert"
# Problem kind (monitor/status.py, monitor/rounds.py) -> how the title says it.
ALERT_KINDS = {"drifted": "drifted", "failing": "is failing", "missed round": "missed a round",
               "not submitted": "has not submitted for a round that closes soon"}
# The issue a kind goes into, when not its own: the warning before a round closes and the miss after
# it are one issue, whose title says the worse (the earlier in ALERT_KINDS).
ISSUE_OF = {"not submitted": "missed round"}
ROUND_ISSUE = "missed round"
MARKER = re.compile(r"<!-- numerai-alert:(?P<key>[\w:*.-]+) -->")
HEALTH_FAILED = "health:*:status"
DEPLOY_FAILED = "deploy"
DATASETS_PREFIX = "datasets:"  # datasets:<version>:<kind>, one issue per version and kind of drift
STALE_PREFIX = "stale:"  # stale:<slot>, one issue per slot left out of date by a deploy run
# monitor/status.py's states of a slot whose assigned pickle is not the build git asks for.
STALE_STATES = ("out of date", "not deployed", "missing (deploy creates it)")
IN_SYNC = "in sync"
MAX_BODY = 60000  # GitHub refuses bodies over 65536 characters
MOST_ISSUES = 2000  # open issues looked through for markers


def open_alerts(github: GitHub) -> dict[str, dict[str, Any]]:
    """{key: issue} of the open issues that carry a marker (pull requests left out)."""
    found: dict[str, dict[str, Any]] = {}
    for issue in github.open_issues(MOST_ISSUES):
        match = MARKER.search(issue.get("body") or "")
        if match and "pull_request" not in issue:
            found.setdefault(match.group("key"), issue)
    return found


def fenced(lines: list[str]) -> str:
    """Lines as a code block that nothing in them can close early."""
    text = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"~+", text)), default=0)
    fence = "~" * max(4, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def stamp(run_url: str) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"Seen {when}" + (f" by [this run]({run_url})" if run_url else "") + "."


def slot_table(slots: list[dict[str, Any]]) -> str:
    rows = ["| slot | state | pickle | validation | last run | round |", "|---|---|---|---|---|---|"]
    for slot in slots:
        rows.append("| " + " | ".join(str(value or "-").replace("|", "\\|") for value in (
            slot.get("slot"), slot.get("state"), slot.get("filename", "").rsplit("/", 1)[-1] or slot.get("pickle_id"),
            slot.get("validation"), slot.get("last_run"), slot.get("round"))) + " |")
    return "\n".join(rows)


def rounds_line(slot: dict[str, Any]) -> str:
    """The slot's rounds in words: the one open now and the last closed one, submitted or not."""
    rounds = slot.get("rounds") or {}
    if not rounds.get("known", True):
        return f"Rounds: not known ({rounds.get('problem')})."
    current, last = rounds.get("current"), rounds.get("last")
    parts = [f"round {current['number']} (closes {current['closes']}): "
             f"{'submitted' if current['submitted'] else 'not submitted yet'}" if current else "no round open"]
    if last:
        parts.append(f"last closed round {last['number']}: {'submitted' if last['submitted'] else 'no submission'}")
    return "Rounds: " + "; ".join(parts) + "."


def slot_body(key: str, slot: dict[str, Any], kinds: set[str], run_url: str) -> tuple[str, str]:
    """(body, the problem's own words: a change in them earns a comment)."""
    messages = [problem["message"] for problem in slot.get("problems", []) if problem.get("kind") in kinds]
    parts = [
        f"<!-- numerai-alert:{key} -->",
        f"**Slot `{slot['slot']}`** ({slot.get('spec') or 'models/'}): **{slot.get('state')}**, "
        f"latest run **{slot.get('last_run') or '-'}** (round {slot.get('round') or '-'}, "
        f"{slot.get('last_run_at') or '-'}).",
        "",
        *[f"- {message}" for message in messages],
        "",
        slot_table([slot]),
        *([f"\n{rounds_line(slot)}"] if slot.get("rounds") else []),
        f"\nAssigned: pickle `{slot.get('pickle_id') or '-'}`, `{slot.get('filename') or '-'}`; "
        f"the spec builds `{slot.get('local') or '-'}`.",
    ]
    if slot.get("description"):
        parts += ["", f"Numerai's description: {slot['description']}"]
    if slot.get("logs"):
        parts += ["", "<details><summary>Log lines of the latest run</summary>", "", fenced(slot["logs"]), "",
                  "</details>"]
    parts += ["", stamp(run_url), "This issue is closed by the first health run that finds the slot healthy."]
    return "\n".join(parts)[:MAX_BODY], "\n".join(messages)


def last_words(issue: dict[str, Any]) -> str:
    body = issue.get("body") or ""
    return "\n".join(line[2:] for line in body.splitlines() if line.startswith("- "))


def raise_or_update(github: GitHub, open_issues: dict[str, Any], key: str, title: str, body: str, words: str, *,
                    retitle: bool = False) -> None:
    """Open the issue, or update the open one (and its title, with `retitle`, when the problem's
    kind changed it)."""
    issue = open_issues.get(key)
    if issue is None:
        created = github.create_issue(title, body, [LABEL])
        print(f"opened #{created['number']}: {title}")
        return
    changed = words != last_words(issue)
    retitled = {"title": title} if retitle and issue.get("title") != title else {}
    github.update_issue(issue["number"], body=body, **retitled)
    if changed:
        github.comment(issue["number"], "The problem changed:\n\n" + "\n".join(f"- {line}" for line in
                                                                                words.splitlines()))
    print(f"updated #{issue['number']}: {title}" + (" (the problem changed)" if changed else ""))


def close(github: GitHub, issue: dict[str, Any], why: str, run_url: str) -> None:
    github.comment(issue["number"], f"{why} {stamp(run_url)} Closing.")
    github.update_issue(issue["number"], state="closed", state_reason="completed")
    print(f"closed #{issue['number']}: {issue.get('title')}")


def read_report(path: str | None) -> dict[str, Any] | None:
    if not path:
        return None
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) and isinstance(report.get("slots"), list) else None


def health(github: GitHub, report: dict[str, Any] | None, run_url: str) -> None:
    open_issues = open_alerts(github)
    if report is None:
        body = (f"<!-- numerai-alert:{HEALTH_FAILED} -->\n`numerai-deploy status` wrote no report: the API key "
                f"was rejected, or Numerai could not be reached. See the status job's log.\n\n{stamp(run_url)}")
        raise_or_update(github, open_issues, HEALTH_FAILED, "Numerai: the health check could not run", body,
                        "no report")
        return
    if HEALTH_FAILED in open_issues:
        close(github, open_issues[HEALTH_FAILED], "The health check runs again.", run_url)
    stale_alerts(github, open_issues, report, run_url, raise_new=False)
    slots = {slot["slot"]: slot for slot in report["slots"] if isinstance(slot, dict) and slot.get("slot")}
    current = set()
    slot: dict[str, Any] | None
    for name, slot in slots.items():
        kinds = {problem.get("kind") for problem in slot.get("problems", [])} & set(ALERT_KINDS)
        for issue_kind in sorted({ISSUE_OF.get(kind, kind) for kind in kinds}):
            mine = [kind for kind in ALERT_KINDS if kind in kinds and ISSUE_OF.get(kind, kind) == issue_kind]
            key = f"health:{name}:{issue_kind.replace(' ', '-')}"  # a marker's key has no spaces
            current.add(key)
            body, words = slot_body(key, slot, set(mine), run_url)
            raise_or_update(github, open_issues, key, f"Numerai: {name} {ALERT_KINDS[mine[0]]}", body, words,
                            retitle=issue_kind == ROUND_ISSUE)
    for key, issue in open_issues.items():
        parts = key.split(":")
        if parts[0] != "health" or key == HEALTH_FAILED or key in current:
            continue
        slot, kind = slots.get(parts[1]), parts[2].replace("-", " ")
        if slot is None and report.get("all_slots"):
            close(github, issue, f"Slot `{parts[1]}` has no spec in models/ any more.", run_url)
        elif slot is not None and slot.get("checked", True) and (
                kind != ROUND_ISSUE or (slot.get("rounds") or {}).get("known", True)):
            close(github, issue, healthy_again(parts[1], kind, slot), run_url)


def healthy_again(name: str, kind: str, slot: dict[str, Any]) -> str:
    """Why an open issue of the slot is closed now."""
    rounds = slot.get("rounds") or {}
    done = [item["number"] for item in (rounds.get("current"), rounds.get("last")) if item and item.get("submitted")]
    if kind == ROUND_ISSUE and done:
        return f"Slot `{name}` submitted for round {max(done)}."
    return f"Slot `{name}` is {slot.get('state')}, latest run {slot.get('last_run') or '-'}: no longer {kind}."


def stale_body(key: str, slot: dict[str, Any], run_url: str) -> str:
    return "\n".join([
        f"<!-- numerai-alert:{key} -->",
        f"- slot {slot['slot']}: {slot.get('state')} after a deploy run: Numerai runs "
        f"`{slot.get('fingerprint') or slot.get('filename') or 'nothing'}`, git builds `{slot.get('local') or '-'}`",
        "",
        "A deploy run ended without deploying this slot: its build or check failed, or the run was replaced while "
        "it waited. The next push, or a manual run of the deploy workflow, builds and deploys it (the plan compares "
        "with GitHub's deployments). A rollback shows here too: it holds until the spec changes.",
        "",
        slot_table([slot]),
        "",
        stamp(run_url),
        "This issue is closed by the first deploy or health report that finds the slot in sync.",
    ])[:MAX_BODY]


def stale_alerts(github: GitHub, open_issues: dict[str, Any], report: dict[str, Any] | None, run_url: str, *,
                 raise_new: bool) -> None:
    """Open (with `raise_new`) or update an issue per enabled slot out of date; close those in sync again."""
    slots = {slot["slot"]: slot for slot in (report or {}).get("slots") or []
             if isinstance(slot, dict) and slot.get("slot") and slot.get("checked", True)}
    for name, slot in slots.items():
        key = f"{STALE_PREFIX}{name}"
        if slot.get("enabled", True) and slot.get("state") in STALE_STATES and (raise_new or key in open_issues):
            body = stale_body(key, slot, run_url)
            raise_or_update(github, open_issues, key, f"Numerai: {name} is {slot.get('state')} after a deploy",
                            body, last_words({"body": body}))
        elif key in open_issues and slot.get("state") == IN_SYNC:
            close(github, open_issues[key], f"Slot `{name}` is in sync.", run_url)
    if report and report.get("all_slots"):
        for key, issue in open_issues.items():
            if key.startswith(STALE_PREFIX) and key.removeprefix(STALE_PREFIX) not in slots:
                close(github, issue, f"Slot `{key.removeprefix(STALE_PREFIX)}` has no spec in models/ any more.",
                      run_url)


def deploy(github: GitHub, outcome: str, report: dict[str, Any] | None, run_url: str) -> None:
    open_issues = open_alerts(github)
    stale_alerts(github, open_issues, report, run_url, raise_new=True)
    if outcome == "success":
        if DEPLOY_FAILED in open_issues:
            close(github, open_issues[DEPLOY_FAILED], "A deploy succeeded.", run_url)
        return
    slots = (report or {}).get("slots") or []
    problems = [problem["message"] for slot in slots for problem in slot.get("problems", [])]
    body = "\n".join([
        f"<!-- numerai-alert:{DEPLOY_FAILED} -->",
        "A deploy failed: the deploy job's log says which slot and why (`failed:` lines).",
        "",
        "What Numerai runs now, after it:" if slots else "The slots' status could not be read after it.",
        "",
        *([slot_table(slots), ""] if slots else []),
        *[f"- {message}" for message in problems],
        "",
        stamp(run_url),
        "This issue is closed by the next deploy that succeeds.",
    ])[:MAX_BODY]
    raise_or_update(github, open_issues, DEPLOY_FAILED, "Numerai: deploy failed", body, "\n".join(problems))


def read_dataset_report(path: str | None) -> dict[str, Any] | None:
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) and isinstance(report.get("findings"), list) else None


def dataset_title(finding: dict[str, Any], newest: str | None) -> str:
    if finding.get("kind") == "newer":
        return f"Numerai: dataset {newest or 'a newer version'} is out; specs train on {finding['version']}"
    return f"Numerai: dataset {finding['version']}, which specs train on, is {finding.get('kind')}"


def datasets(github: GitHub, report: dict[str, Any] | None, run_url: str) -> None:
    if report is None or not report.get("checked"):
        print("datasets: no report of what Numerai offers; dataset issues left as they are")
        return
    open_issues = open_alerts(github)
    current = set()
    for finding in report["findings"]:
        key = f"{DATASETS_PREFIX}{finding.get('version')}:{finding.get('kind')}"
        current.add(key)
        body = "\n".join([
            f"<!-- numerai-alert:{key} -->",
            f"- {finding.get('message')}",
            "",
            f"Specs on {finding.get('version')}: {', '.join(finding.get('specs') or []) or '-'}. The facts of each "
            "version are in `datasets/<version>.json`; `numerai-deploy datasets` shows this report.",
            "",
            stamp(run_url),
            "This issue is closed by the first health run that no longer finds it.",
        ])[:MAX_BODY]
        raise_or_update(github, open_issues, key, dataset_title(finding, report.get("newest")), body,
                        str(finding.get("message")))
    for key, issue in open_issues.items():
        if key.startswith(DATASETS_PREFIX) and key not in current:
            close(github, issue, "The specs' dataset versions no longer show this drift.", run_url)


def run(github: GitHub, mode: str, report_path: str | None, outcome: str, run_url: str) -> None:
    """Raise, update or close the issues of `mode` from the report at `report_path`."""
    if mode == "health":
        health(github, read_report(report_path), run_url)
    elif mode == "datasets":
        datasets(github, read_dataset_report(report_path), run_url)
    else:
        deploy(github, outcome, read_report(report_path), run_url)
