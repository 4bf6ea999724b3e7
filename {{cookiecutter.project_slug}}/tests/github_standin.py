"""A loopback stand-in for the part of GitHub's REST API that scripts/alerts.py uses: issues.

    GET    /repos/OWNER/NAME/issues?state=open&per_page=N&page=P   (pull requests included, as GitHub does)
    POST   /repos/OWNER/NAME/issues                   {title, body, labels}
    PATCH  /repos/OWNER/NAME/issues/NUMBER            {title, body, state, state_reason}
    POST   /repos/OWNER/NAME/issues/NUMBER/comments   {body}

Requests must carry `Authorization: Bearer <token>` (401 otherwise) and name the one repository it
serves (404 otherwise). State is kept in memory and, with --state-file, written as JSON after each
change. Standalone: `python tests/github_standin.py --repository o/n --token T --state-file F` prints
its URL on the first line, then serves until terminated.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ISSUES = re.compile(r"^/repos/(?P<repository>[^/]+/[^/]+)/issues(?:/(?P<number>\d+)(?P<comments>/comments)?)?$")


class GitHubStandIn:
    def __init__(self, *, repository: str = "owner/repo", token: str = "github-token",
                 state_file: Path | None = None, port: int = 0):
        self.repository, self.token = repository, token
        self.state_file = Path(state_file) if state_file else None
        self.lock = threading.RLock()
        self.issues: list[dict] = []
        self.requests: list[str] = []
        if self.state_file and self.state_file.exists():  # a restarted stand-in keeps its issues
            self.issues = json.loads(self.state_file.read_text(encoding="utf-8"))["issues"]
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(self))
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> GitHubStandIn:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> GitHubStandIn:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def open_issues(self) -> list[dict]:
        with self.lock:
            return [issue for issue in self.issues if issue["state"] == "open"]

    def dump(self) -> None:
        if self.state_file:
            temporary = self.state_file.with_name(self.state_file.name + ".tmp")
            temporary.write_text(json.dumps({"issues": self.issues, "requests": self.requests}, indent=2),
                                 encoding="utf-8")
            os.replace(temporary, self.state_file)

    def handle(self, method: str, path: str, body: dict | None) -> tuple[int, object]:
        url = urlsplit(path)
        match = ISSUES.match(url.path)
        if not match or match.group("repository") != self.repository:
            return 404, {"message": "Not Found"}
        with self.lock:
            self.requests.append(f"{method} {url.path}")
            number = match.group("number")
            if number is None and method == "GET":
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                per_page, page = int(query.get("per_page", 30)), int(query.get("page", 1))
                state = query.get("state", "open")
                found = [issue for issue in self.issues if state == "all" or issue["state"] == state]
                if query.get("labels"):
                    wanted = set(query["labels"].split(","))
                    found = [issue for issue in found if wanted <= {label["name"] for label in issue["labels"]}]
                found.sort(key=lambda issue: -issue["number"])
                return 200, found[(page - 1) * per_page: page * per_page]
            if number is None and method == "POST":
                if not (body or {}).get("title"):
                    return 422, {"message": "Validation Failed: title"}
                issue = {"number": len(self.issues) + 1, "title": body["title"], "body": body.get("body") or "",
                         "state": "open", "state_reason": None,
                         "labels": [{"name": name} for name in body.get("labels") or []], "comments": []}
                self.issues.append(issue)
                self.dump()
                return 201, issue
            issue = next((item for item in self.issues if str(item["number"]) == number), None)
            if issue is None:
                return 404, {"message": "Not Found"}
            if match.group("comments") and method == "POST":
                issue["comments"].append((body or {}).get("body") or "")
                self.dump()
                return 201, {"body": issue["comments"][-1]}
            if not match.group("comments") and method == "PATCH":
                for key in ("title", "body", "state", "state_reason"):
                    if key in (body or {}):
                        issue[key] = body[key]
                self.dump()
                return 200, issue
            return 405, {"message": "Method Not Allowed"}


def handler_for(standin: GitHubStandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args) -> None:
            pass

        def answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.headers.get("Authorization") != f"Bearer {standin.token}":
                status, payload = 401, {"message": "Bad credentials"}
            else:
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    status, payload = 400, {"message": "Problems parsing JSON"}
                else:
                    status, payload = standin.handle(method, self.path, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.answer("GET")

        def do_POST(self) -> None:  # noqa: N802
            self.answer("POST")

        def do_PATCH(self) -> None:  # noqa: N802
            self.answer("PATCH")

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a stand-in for GitHub's issues API on 127.0.0.1.")
    parser.add_argument("--repository", default="owner/repo")
    parser.add_argument("--token", default="github-token")
    parser.add_argument("--state-file", type=Path, default=None)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    standin = GitHubStandIn(repository=args.repository, token=args.token, state_file=args.state_file,
                            port=args.port)
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
