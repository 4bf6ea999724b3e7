"""The GitHub stand-in's branches, file contents and pull requests (github/promotions.py uses them):

    GET    /repos/OWNER/NAME/git/ref/heads/BRANCH        {ref, object: {sha}}   (404: no such branch)
    POST   /repos/OWNER/NAME/git/refs                    {ref: refs/heads/BRANCH, sha}   (422: it exists)
    DELETE /repos/OWNER/NAME/git/refs/heads/BRANCH
    GET    /repos/OWNER/NAME/contents/PATH?ref=BRANCH    {path, sha, content (base64), encoding}
    PUT    /repos/OWNER/NAME/contents/PATH               {message, content, branch, sha}   (409: a stale sha;
                                                          422: updating a file without its sha)
    GET    /repos/OWNER/NAME/pulls?state=open&head=OWNER:BRANCH
    POST   /repos/OWNER/NAME/pulls                       {title, head, base, body}   (422: one is open for head)
    PATCH  /repos/OWNER/NAME/pulls/NUMBER                {title, body, state}

The default branch (`main`) holds the files of `repo_dir` (the checkout a workflow runs in), read as
they are asked for; a branch made from it keeps its own changes. A commit is an id counted up; a
blob's sha is git's. Pull requests share the issues' numbers and are listed among them, as GitHub does.
GitHubStandIn inherits this class.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

REF = re.compile(r"^/git/refs?(?:/heads/(?P<branch>.+))?$")
CONTENTS = re.compile(r"^/contents/(?P<path>.+)$")
PULLS = re.compile(r"^/pulls(?:/(?P<number>\d+))?$")
DEFAULT_BRANCH = "main"


def blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()  # noqa: S324 (git's own hash)


class PullsStandIn:
    """Branches (each a commit id and its changed files over `repo_dir`), contents and pull requests."""

    repository: str
    issues: list[dict]

    def init_pulls(self, repo_dir: Path | None, saved: dict | None = None) -> None:
        self.repo_dir = Path(repo_dir) if repo_dir else None
        saved = saved or {}
        self.branches: dict[str, dict] = saved.get("branches") or {DEFAULT_BRANCH: {"sha": "c0", "files": {}}}
        self.commits = saved.get("commits", 0)

    def pull_routes(self) -> tuple:
        return ((REF, self.ref_route), (CONTENTS, self.contents_route), (PULLS, self.pull_route))

    def pulls_state(self) -> dict:
        return {"branches": self.branches, "commits": self.commits}

    def pull_requests(self, state: str = "open") -> list[dict]:
        return [issue for issue in self.issues if "pull_request" in issue and issue["state"] == state]

    # -- branches and files ------------------------------------------------------------------------

    def read(self, branch: str, path: str) -> bytes | None:
        files = self.branches[branch]["files"]
        if path in files:
            return None if files[path] is None else base64.b64decode(files[path])
        base = (self.repo_dir / path) if self.repo_dir else None
        if base is None or not base.resolve().is_relative_to(self.repo_dir.resolve()) or not base.is_file():
            return None
        return base.read_bytes()

    def ref_route(self, method: str, match: re.Match, _query: dict, body: dict) -> tuple[int, object]:
        branch = match.group("branch")
        if branch is None:
            if method != "POST":
                return 405, {"message": "Method Not Allowed"}
            name = str(body.get("ref") or "").removeprefix("refs/heads/")
            if not name or not body.get("sha"):
                return 422, {"message": "Validation Failed: ref and sha"}
            if name in self.branches:
                return 422, {"message": "Reference already exists"}
            source = next((item for item in self.branches.values() if item["sha"] == body["sha"]), None)
            if source is None:
                return 422, {"message": "Object does not exist"}
            self.branches[name] = {"sha": body["sha"], "files": dict(source["files"])}
            return 201, {"ref": f"refs/heads/{name}", "object": {"sha": body["sha"]}}
        if branch not in self.branches:
            return 404, {"message": "Not Found"}
        if method == "GET":
            return 200, {"ref": f"refs/heads/{branch}", "object": {"sha": self.branches[branch]["sha"]}}
        if method == "DELETE":
            del self.branches[branch]
            return 204, None
        return 405, {"message": "Method Not Allowed"}

    def contents_route(self, method: str, match: re.Match, query: dict, body: dict) -> tuple[int, object]:
        path = match.group("path")
        branch = (query.get("ref") if method == "GET" else body.get("branch")) or DEFAULT_BRANCH
        if branch not in self.branches:
            return 404, {"message": f"No commit found for the ref {branch}"}
        current = self.read(branch, path)
        if method == "GET":
            if current is None:
                return 404, {"message": "Not Found"}
            return 200, {"path": path, "sha": blob_sha(current), "encoding": "base64",
                         "content": base64.encodebytes(current).decode("ascii")}
        if method != "PUT":
            return 405, {"message": "Method Not Allowed"}
        if not body.get("message") or "content" not in body:
            return 422, {"message": "Validation Failed: message and content"}
        if current is not None and not body.get("sha"):
            return 422, {"message": "Invalid request. \"sha\" wasn't supplied."}
        if current is not None and body["sha"] != blob_sha(current):
            return 409, {"message": f"{path} does not match {body['sha']}"}
        self.commits += 1
        self.branches[branch]["files"][path] = body["content"]
        self.branches[branch]["sha"] = f"c{self.commits}"
        new = base64.b64decode(body["content"])
        return (200 if current is not None else 201), {"content": {"path": path, "sha": blob_sha(new)},
                                                       "commit": {"sha": f"c{self.commits}",
                                                                  "message": body["message"]}}

    # -- pull requests -----------------------------------------------------------------------------

    def pull_route(self, method: str, match: re.Match, query: dict, body: dict) -> tuple[int, object]:
        number = match.group("number")
        if number is None and method == "GET":
            state, head = query.get("state", "open"), query.get("head")
            found = [issue for issue in self.issues if "pull_request" in issue
                     and (state == "all" or issue["state"] == state)
                     and (head is None or f"{self.repository.split('/')[0]}:{issue.get('head')}" == head)]
            return 200, found
        if number is None and method == "POST":
            head, base = body.get("head"), body.get("base")
            if not body.get("title") or head not in self.branches or base not in self.branches:
                return 422, {"message": "Validation Failed: title, head and base (existing branches)"}
            if any(issue.get("head") == head for issue in self.pull_requests()):
                return 422, {"message": f"A pull request already exists for {self.repository.split('/')[0]}:{head}."}
            number = len(self.issues) + 1
            pull = {"number": number, "title": body["title"], "body": body.get("body") or "", "state": "open",
                    "state_reason": None, "labels": [], "comments": [], "head": head, "base": base,
                    "pull_request": {"number": number}}
            self.issues.append(pull)
            return 201, pull
        pull = next((item for item in self.issues if str(item["number"]) == number and "pull_request" in item), None)
        if pull is None:
            return 404, {"message": "Not Found"}
        if method == "PATCH":
            for key in ("title", "body", "state"):
                if key in body:
                    pull[key] = body[key]
            return 200, pull
        if method == "GET":
            return 200, pull
        return 405, {"message": "Method Not Allowed"}
