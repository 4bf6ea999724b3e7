"""A loopback stand-in for the part of GitHub's REST API that the package's github/ layer uses:
issues and their comments, pull-request comments, deployments and their statuses; branches, file
contents and pull requests in github_standin_pulls.py.

    GET    /repos/OWNER/NAME/issues?state=open&per_page=N&page=P   (pull requests included, as GitHub does)
    POST   /repos/OWNER/NAME/issues                   {title, body, labels}
    PATCH  /repos/OWNER/NAME/issues/NUMBER            {title, body, state, state_reason}
    GET    /repos/OWNER/NAME/issues/NUMBER/comments   (issues and pull requests)
    POST   /repos/OWNER/NAME/issues/NUMBER/comments   {body}
    PATCH  /repos/OWNER/NAME/issues/comments/ID       {body}
    GET    /repos/OWNER/NAME/deployments?environment=E&per_page=N&page=P   (newest first)
    POST   /repos/OWNER/NAME/deployments              {ref, environment, payload, description, task, ...}
    GET    /repos/OWNER/NAME/deployments/ID/statuses  (newest first)
    POST   /repos/OWNER/NAME/deployments/ID/statuses  {state, description, log_url, environment_url, auto_inactive}

Requests must carry `Authorization: Bearer <token>` (401 otherwise) and name the one repository it
serves (404 otherwise); GitHub's validations that matter here answer 422 (a deployment without ref or
environment, an unknown status state, a description over 140 characters). `add_pull_request()` opens a
pull request to comment on. An issue's `comments` are its comments' bodies (edits included). State is
kept in memory and, with --state-file, written as JSON after each change. Standalone: `python
tests/github_standin.py --repository o/n --token T --state-file F [--pull-request TITLE]` prints its
URL on the first line, then serves until terminated.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from github_standin_pulls import PullsStandIn

from loopback import LoopbackServer, read_body, send_bytes, send_json

REPOSITORY = re.compile(r"^/repos/(?P<repository>[^/]+/[^/]+)(?P<rest>/.*)$")
ISSUES = re.compile(r"^/issues(?:/(?P<number>\d+)(?P<comments>/comments)?)?$")
COMMENT = re.compile(r"^/issues/comments/(?P<id>\d+)$")
DEPLOYMENTS = re.compile(r"^/deployments(?:/(?P<id>\d+)/statuses)?$")
STATES = {"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}
MAX_DESCRIPTION = 140


def page_of(items: list, query: dict) -> list:
    per_page, page = int(query.get("per_page", 30)), int(query.get("page", 1))
    return items[(page - 1) * per_page: page * per_page]


class GitHubStandIn(PullsStandIn, LoopbackServer):  # branches, contents, pull requests: github_standin_pulls.py
    name = "github-standin"

    def __init__(self, *, repository: str = "owner/repo", token: str = "github-token",
                 state_file: Path | None = None, port: int = 0, repo_dir: Path | None = None):
        self.repository, self.token = repository, token
        self.state_file = Path(state_file) if state_file else None
        self.lock = threading.RLock()
        self.issues: list[dict] = []
        self.comments: list[dict] = []  # {id, issue, body}
        self.deployments: list[dict] = []  # each with its `statuses`, oldest first
        self.requests: list[str] = []
        self.clock = 0  # created_at of each new object: a second later than the one before
        saved = None
        if self.state_file and self.state_file.exists():  # a restarted stand-in keeps its state
            saved = json.loads(self.state_file.read_text(encoding="utf-8"))
            self.issues = saved["issues"]
            self.comments, self.deployments = saved.get("comments", []), saved.get("deployments", [])
            self.clock = saved.get("clock", 0)
        self.init_pulls(repo_dir, saved)
        LoopbackServer.__init__(self, port)

    def answer(self, method: str, request: BaseHTTPRequestHandler) -> None:
        raw = read_body(request)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            status, payload = 401, {"message": "Bad credentials"}
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                status, payload = 400, {"message": "Problems parsing JSON"}
            else:
                status, payload = self.respond(method, request.path, body)
        if payload is None:  # 204: no body
            send_bytes(request, status, b"", "application/json")
        else:
            send_json(request, status, payload)

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        self.answer("GET", request)

    def handle_post(self, request: BaseHTTPRequestHandler) -> None:
        self.answer("POST", request)

    def handle_patch(self, request: BaseHTTPRequestHandler) -> None:
        self.answer("PATCH", request)

    def handle_put(self, request: BaseHTTPRequestHandler) -> None:
        self.answer("PUT", request)

    def handle_delete(self, request: BaseHTTPRequestHandler) -> None:
        self.answer("DELETE", request)

    def open_issues(self) -> list[dict]:
        with self.lock:
            return [issue for issue in self.issues if issue["state"] == "open"]

    def dump(self) -> None:
        if self.state_file:
            temporary = self.state_file.with_name(self.state_file.name + ".tmp")
            state = {"issues": self.issues, "comments": self.comments, "deployments": self.deployments,
                     "clock": self.clock, "requests": self.requests, **self.pulls_state()}
            temporary.write_text(json.dumps(state, indent=2), encoding="utf-8")
            os.replace(temporary, self.state_file)

    def add_pull_request(self, title: str = "A pull request") -> int:
        """Open a pull request (an issue with `pull_request`, as GitHub lists it); its number."""
        with self.lock:
            number = len(self.issues) + 1
            self.issues.append({"number": number, "title": title, "body": "", "state": "open", "state_reason": None,
                                "labels": [], "comments": [], "pull_request": {"number": number}})
            self.dump()
            return number

    def comments_on(self, number: int) -> list[dict]:
        with self.lock:
            return [comment for comment in self.comments if comment["issue"] == number]

    def deployments_to(self, environment: str) -> list[dict]:
        with self.lock:
            return [item for item in self.deployments if item["environment"] == environment]

    def now(self) -> str:
        self.clock += 1
        return f"2026-01-01T{self.clock // 3600:02d}:{self.clock // 60 % 60:02d}:{self.clock % 60:02d}Z"

    def respond(self, method: str, path: str, body: dict | None) -> tuple[int, object]:
        url = urlsplit(path)
        match = REPOSITORY.match(url.path)
        if not match or match.group("repository") != self.repository:
            return 404, {"message": "Not Found"}
        rest, query = match.group("rest"), {key: values[0] for key, values in parse_qs(url.query).items()}
        with self.lock:
            self.requests.append(f"{method} {url.path}")
            for pattern, route in ((COMMENT, self.comment_route), (ISSUES, self.issue_route),
                                   (DEPLOYMENTS, self.deployment_route), *self.pull_routes()):
                found = pattern.match(rest)
                if found:
                    status, payload = route(method, found, query, body or {})
                    if method != "GET" and status < 300:
                        self.dump()
                    return status, payload
            return 404, {"message": "Not Found"}

    def issue_route(self, method: str, match: re.Match, query: dict, body: dict) -> tuple[int, object]:
        number = match.group("number")
        if number is None and method == "GET":
            state = query.get("state", "open")
            found = [issue for issue in self.issues if state == "all" or issue["state"] == state]
            if query.get("labels"):
                wanted = set(query["labels"].split(","))
                found = [issue for issue in found if wanted <= {label["name"] for label in issue["labels"]}]
            return 200, page_of(sorted(found, key=lambda issue: -issue["number"]), query)
        if number is None and method == "POST":
            if not body.get("title"):
                return 422, {"message": "Validation Failed: title"}
            issue = {"number": len(self.issues) + 1, "title": body["title"], "body": body.get("body") or "",
                     "state": "open", "state_reason": None,
                     "labels": [{"name": name} for name in body.get("labels") or []], "comments": []}
            self.issues.append(issue)
            return 201, issue
        issue = next((item for item in self.issues if str(item["number"]) == number), None)
        if issue is None:
            return 404, {"message": "Not Found"}
        if match.group("comments") and method == "GET":
            return 200, page_of(self.comments_on(issue["number"]), query)
        if match.group("comments") and method == "POST":
            comment = {"id": 1000 + len(self.comments), "issue": issue["number"], "body": body.get("body") or "",
                       "created_at": self.now()}
            self.comments.append(comment)
            issue["comments"].append(comment["body"])
            return 201, comment
        if not match.group("comments") and method == "PATCH":
            for key in ("title", "body", "state", "state_reason"):
                if key in body:
                    issue[key] = body[key]
            return 200, issue
        return 405, {"message": "Method Not Allowed"}

    def comment_route(self, method: str, match: re.Match, _query: dict, body: dict) -> tuple[int, object]:
        comment = next((item for item in self.comments if str(item["id"]) == match.group("id")), None)
        if comment is None:
            return 404, {"message": "Not Found"}
        if method != "PATCH":
            return 405, {"message": "Method Not Allowed"}
        issue = next(item for item in self.issues if item["number"] == comment["issue"])
        position = self.comments_on(comment["issue"]).index(comment)
        comment["body"] = body.get("body", "")
        issue["comments"][position] = comment["body"]
        return 200, comment

    def deployment_route(self, method: str, match: re.Match, query: dict, body: dict) -> tuple[int, object]:
        if match.group("id") is None:
            if method == "GET":
                found = [item for item in reversed(self.deployments)
                         if "environment" not in query or item["environment"] == query["environment"]]
                return 200, page_of([{key: value for key, value in item.items() if key != "statuses"}
                                     for item in found], query)
            if method != "POST":
                return 405, {"message": "Method Not Allowed"}
            if not body.get("ref") or not body.get("environment"):
                return 422, {"message": "Validation Failed: ref and environment"}
            if len(body.get("description") or "") > MAX_DESCRIPTION:
                return 422, {"message": "Validation Failed: description is too long (maximum is 140 characters)"}
            deployment = {"id": len(self.deployments) + 1, "sha": body["ref"], "ref": body["ref"],
                          "environment": body["environment"], "task": body.get("task", "deploy"),
                          "payload": body.get("payload") or {}, "description": body.get("description"),
                          "production_environment": bool(body.get("production_environment", False)),
                          "transient_environment": bool(body.get("transient_environment", False)),
                          "created_at": self.now(), "statuses": []}
            self.deployments.append(deployment)
            return 201, {key: value for key, value in deployment.items() if key != "statuses"}
        deployment = next((item for item in self.deployments if str(item["id"]) == match.group("id")), None)
        if deployment is None:
            return 404, {"message": "Not Found"}
        if method == "GET":
            return 200, page_of(list(reversed(deployment["statuses"])), query)
        if body.get("state") not in STATES or len(body.get("description") or "") > MAX_DESCRIPTION:
            return 422, {"message": "Validation Failed: state or description"}
        status = {"id": sum(len(item["statuses"]) for item in self.deployments) + 1, "created_at": self.now(),
                  **{key: body.get(key) for key in ("state", "description", "log_url", "environment_url")}}
        deployment["statuses"].append(status)
        if status["state"] == "success" and body.get("auto_inactive", True):
            self.mark_inactive(deployment)
        return 201, status

    def mark_inactive(self, latest: dict) -> None:
        """GitHub's auto_inactive: earlier successful deployments to the environment become inactive, those
        of production or transient environments excepted."""
        for item in self.deployments:
            if (item is latest or item["environment"] != latest["environment"] or item["production_environment"]
                    or item["transient_environment"] or not item["statuses"]
                    or item["statuses"][-1]["state"] != "success"):
                continue
            item["statuses"].append({"id": -item["id"], "state": "inactive", "created_at": self.now(),
                                     "description": None, "log_url": None, "environment_url": None})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a stand-in for GitHub's issues API on 127.0.0.1.")
    parser.add_argument("--repository", default="owner/repo")
    parser.add_argument("--token", default="github-token")
    parser.add_argument("--state-file", type=Path, default=None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--pull-request", action="append", default=[], metavar="TITLE",
                        help="open a pull request of this title at start (add_pull_request)")
    parser.add_argument("--repo-dir", type=Path, default=None, help="the default branch's files (a checkout)")
    args = parser.parse_args(argv)
    standin = GitHubStandIn(repository=args.repository, token=args.token, state_file=args.state_file,
                            port=args.port, repo_dir=args.repo_dir)
    for title in args.pull_request:
        standin.add_pull_request(title)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    standin.start()
    print(standin.url, flush=True)
    try:
        threading.Event().wait()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
