"""A `numerai-deploy challengers --report` file turned into GitHub: promotion pull requests and retire issues.

    python3 -m <package>.github challengers --report challengers.json --base main [--run-url URL]

promote: one pull request per challenger, on the branch `numerai-promote/<challenger>`, that makes the
champion's spec train what the challenger trains (the report carries the file as it reads after the
promotion: modelspec/promotion.py), with the verdict's table in its body. It is opened once and
updated in place by later runs (the file, when it changed, as a new commit on its branch; the body);
it is found again by the hidden marker in its body (`<!-- numerai-promotion:<challenger> -->`).
retire: one issue per challenger (`<!-- numerai-alert:challenger:<slot>:retire -->`, alerts.py)
suggesting to remove or change the challenger spec.
Both are closed (the branch deleted) once the challenger's verdict is something else; a pair whose
verdict is unknown (Numerai could not be asked) changes nothing, and neither does a missing report.
Standard library only: the job holding the write token installs nothing and never sees the Numerai key.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .alerts import close, open_alerts, raise_or_update, stamp
from .api import GitHub, GitHubError

MARKER = re.compile(r"<!-- numerai-promotion:(?P<challenger>\w+) -->")
BRANCH = "numerai-promote/"
PROMOTE, RETIRE, UNKNOWN = "promote", "retire", "unknown"
RETIRE_KEY = "challenger:{slot}:retire"
COLUMNS = ("challenger", "champion", "verdict", "rounds", "range", "challenger mean", "champion mean",
           "mean difference", "95% CI")
MOST = 2000
MAX_BODY = 60000


def read_report(path: str | None) -> dict[str, Any] | None:
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) and isinstance(report.get("challengers"), list) else None


def number(value: Any, sign: str = "") -> str:
    return f"{value:{sign}.4f}" if isinstance(value, (int, float)) else "-"


def verdict_table(pair: dict[str, Any]) -> str:
    """The verdict's table, as `numerai-deploy challengers` prints it, in Markdown."""
    span = f"{pair.get('first_round')}-{pair.get('last_round')}" if pair.get("rounds") else "-"
    interval = (f"[{number(pair.get('ci_low'), '+')}, {number(pair.get('ci_high'), '+')}]"
                if pair.get("ci_low") is not None else "-")
    cells = (pair.get("challenger"), pair.get("champion"), pair.get("verdict"), pair.get("rounds"), span,
             number(pair.get("challenger_mean")), number(pair.get("champion_mean")),
             number(pair.get("mean_difference"), "+"), interval)
    return "\n".join(["| " + " | ".join(COLUMNS) + " |", "|" + " --- |" * len(COLUMNS),
                      "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"])


def missed_lines(pair: dict[str, Any]) -> list[str]:
    return [f"- round {item.get('round')}: missed by `{item.get('slot')}`, counted as lost" for item in
            pair.get("missed") or []]


def promotion_body(pair: dict[str, Any], run_url: str) -> str:
    challenger, champion, promotion = pair["challenger"], pair["champion"], pair["promotion"]
    kept = promotion.get("kept") or []
    parts = [
        f"<!-- numerai-promotion:{challenger} -->",
        f"**Promote `{challenger}` to `{champion}`'s slot.** {pair.get('reason')}",
        "",
        verdict_table(pair),
        "",
        f"Compared on the {pair.get('metric')}, paired by round; unresolved rounds are not counted.",
        *(["", "Rounds one slot missed:", *missed_lines(pair)] if pair.get("missed") else []),
        "",
        f"This pull request makes `{promotion['path']}` (slot `{champion}`) train what "
        f"`{promotion.get('challenger_spec')}` trains: its `model:` and `data:`. The champion's slot, "
        "`deploy:` (webhook) and stake stay as they are. Merging it deploys a fresh upload to "
        f"`{champion}` through the ordinary push; no pickle moves from one slot to another.",
    ]
    if kept:
        parts += ["", "Kept the champion's, although the challenger's differ: "
                  + ", ".join(f"`{key}:`" for key in kept) + ". Copy them too if the challenger's results depend on "
                  "them."]
    parts += ["", f"Once merged, remove `{promotion.get('challenger_spec')}` or give it a new model to try: it "
              "would challenge a champion that trains the same.", "", stamp(run_url),
              "Each health run updates this pull request while the verdict is promote, and closes it when the "
              "verdict changes."]
    return "\n".join(parts)[:MAX_BODY]


def retire_body(key: str, pair: dict[str, Any], run_url: str) -> tuple[str, str]:
    words = str(pair.get("reason"))
    body = "\n".join([
        f"<!-- numerai-alert:{key} -->",
        f"- {words}",
        "",
        verdict_table(pair),
        *(["", "Rounds one slot missed:", *missed_lines(pair)] if pair.get("missed") else []),
        "",
        f"Remove the spec of `{pair.get('challenger')}` (its `challenger:` names `{pair.get('champion')}`), or "
        "change what it trains "
        "and let it start over. `numerai-deploy challengers` shows the comparison.",
        "",
        stamp(run_url),
        "This issue is closed by the first health run whose verdict for this challenger is not retire.",
    ])[:MAX_BODY]
    return body, words


def open_promotions(github: GitHub) -> dict[str, dict[str, Any]]:
    """{challenger: pull request (as the issues listing has it)} of the open promotion pull requests."""
    found: dict[str, dict[str, Any]] = {}
    for issue in github.open_issues(MOST):
        match = MARKER.search(issue.get("body") or "")
        if match and "pull_request" in issue:
            found.setdefault(match.group("challenger"), issue)
    return found


def branch_sha(github: GitHub, branch: str) -> str | None:
    try:
        ref = github.call("GET", f"/git/ref/heads/{quote(branch)}")
    except GitHubError as error:
        if error.status == 404:
            return None
        raise
    return str(ref["object"]["sha"])


def file_on(github: GitHub, path: str, branch: str) -> tuple[str | None, str | None]:
    """(text, blob sha) of the file on the branch; (None, None) when it has none."""
    try:
        found = github.call("GET", f"/contents/{quote(path)}", ref=branch)
    except GitHubError as error:
        if error.status == 404:
            return None, None
        raise
    return base64.b64decode(found.get("content") or "").decode("utf-8"), found.get("sha")


def propose(github: GitHub, pair: dict[str, Any], base: str, pull: dict[str, Any] | None, run_url: str) -> None:
    """Open the promotion pull request, or bring the open one up to date."""
    challenger, promotion = pair["challenger"], pair["promotion"]
    branch, path, wanted = BRANCH + challenger, promotion["path"], promotion["content"]
    if branch_sha(github, branch) is None:
        base_sha = branch_sha(github, base)
        if base_sha is None:
            raise GitHubError(f"GET /git/ref/heads/{base}: no branch {base!r} ==> pass the default branch as --base")
        github.call("POST", "/git/refs", {"ref": f"refs/heads/{branch}", "sha": base_sha})
    text, sha = file_on(github, path, branch)
    if text != wanted:
        github.call("PUT", f"/contents/{quote(path)}", {
            "message": f"Promote {challenger} to {pair['champion']}: train what {challenger} trains",
            "content": base64.b64encode(wanted.encode("utf-8")).decode("ascii"), "branch": branch,
            **({"sha": sha} if sha else {})})
    title = f"Promote challenger {challenger} to {pair['champion']}"
    body = promotion_body(pair, run_url)
    if pull is None:
        created = github.call("POST", "/pulls", {"title": title, "head": branch, "base": base, "body": body})
        print(f"opened pull request #{created['number']}: {title}")
    else:
        github.call("PATCH", f"/pulls/{pull['number']}", {"title": title, "body": body})
        print(f"updated pull request #{pull['number']}: {title}" + (" (new commit)" if text != wanted else ""))


def withdraw(github: GitHub, challenger: str, pull: dict[str, Any], why: str, run_url: str) -> None:
    github.comment(pull["number"], f"{why} {stamp(run_url)} Closing.")
    github.call("PATCH", f"/pulls/{pull['number']}", {"state": "closed"})
    try:
        github.call("DELETE", f"/git/refs/heads/{quote(BRANCH + challenger)}")
    except GitHubError as error:
        print(f"note: branch {BRANCH + challenger} not deleted: {error}")
    print(f"closed pull request #{pull['number']}: {pull.get('title')}")


def run(github: GitHub, report_path: str | None, base: str, run_url: str) -> None:
    report = read_report(report_path)
    if report is None:
        print("challengers: no report; promotion pull requests and retire issues left as they are")
        return
    pairs = {pair["challenger"]: pair for pair in report["challengers"] if isinstance(pair, dict)
             and isinstance(pair.get("challenger"), str)}
    pulls, issues = open_promotions(github), open_alerts(github)
    for name, pair in pairs.items():
        key = RETIRE_KEY.format(slot=name)
        if pair.get("verdict") == PROMOTE and isinstance(pair.get("promotion"), dict):
            propose(github, pair, base, pulls.get(name), run_url)
        elif pair.get("verdict") == RETIRE:
            body, words = retire_body(key, pair, run_url)
            raise_or_update(github, issues, key, f"Numerai: challenger {name} is worse than {pair.get('champion')}",
                            body, words)
        if pair.get("verdict") not in (PROMOTE, UNKNOWN) and name in pulls:
            withdraw(github, name, pulls[name], f"The verdict is now {pair.get('verdict')}: {pair.get('reason')}",
                     run_url)
        if pair.get("verdict") not in (RETIRE, UNKNOWN) and key in issues:
            close(github, issues[key], f"The verdict is now {pair.get('verdict')}.", run_url)
    if report.get("all", True):  # a challenger whose spec is gone: nothing to promote or retire any more
        for name, pull in pulls.items():
            if name not in pairs:
                withdraw(github, name, pull, f"`{name}` is no challenger in models/ any more.", run_url)
        for key, issue in issues.items():
            parts = key.split(":")
            if parts[0] == "challenger" and parts[1] not in pairs:
                close(github, issue, f"`{parts[1]}` is no challenger in models/ any more.", run_url)
