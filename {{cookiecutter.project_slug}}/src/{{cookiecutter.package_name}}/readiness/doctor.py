"""Is everything in place for a deploy? The key, its scopes, each spec's slot and webhook, and the
runtimes against Numerai's images: each problem with what to fix.

The scopes and where a key is made are numerai.credentials' (SCOPE_USES, KEY_PAGE): the upload scope is
needed, the read scopes advised, and the look-ups below show whether this key can make them.

Exit codes as deploy would meet the same problem: 2 for the key, a missing scope, a slot the account
lacks or a webhook the spec does not let deploy clear; 1 for a runtime Numerai does not run as pinned.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..modelspec import LoadedSpec
from ..numerai.client import NumeraiClient
from ..numerai.credentials import (
    DEPLOY_ENVIRONMENT,
    KEY_PAGE,
    KEYS_HINT,
    MODELS_SCOPE,
    PUBLIC_ID_VARIABLE,
    SCOPE_USES,
    SECRET_KEY_VARIABLE,
    UPLOAD_SCOPE,
    UPLOADS_SCOPE,
    scopes_of,
    secret_lines,
)
from ..numerai.errors import ApiError, AuthenticationFailed
from ..numerai.statuses import validation_of
from ..runtimes import Runtime
from ..runtimes.remote import compare, parse_images

# scope: (needed for a deploy, what it is for)
SCOPES = {scope: (scope == UPLOAD_SCOPE, what) for scope, what in SCOPE_USES.items()}


def missing_keys_message() -> str:
    lines = " and ".join(f"`{line}`" for line in secret_lines())
    return (f"{PUBLIC_ID_VARIABLE} and {SECRET_KEY_VARIABLE} are not set ==> {KEYS_HINT}, then: locally `export "
            f"{PUBLIC_ID_VARIABLE}=... {SECRET_KEY_VARIABLE}=...`; for GitHub Actions {lines} (add `--env "
            f"{DEPLOY_ENVIRONMENT}` when deploys run in the {DEPLOY_ENVIRONMENT} environment), then run "
            "`numerai-deploy doctor` again")


@dataclass
class Finding:
    topic: str
    text: str
    fix: str = ""
    exit_code: int = 0
    level: str = "ok"  # ok, note (worth knowing, nothing to fix now), problem

    def line(self) -> str:
        return f"{self.level:7} {self.topic}: {self.text}" + (f" ==> {self.fix}" if self.fix else "")


def problem(topic: str, text: str, fix: str, exit_code: int) -> Finding:
    return Finding(topic, text, fix, exit_code, "problem")


def note(topic: str, text: str, fix: str = "") -> Finding:
    return Finding(topic, text, fix, 0, "note")


@dataclass
class Diagnosis:
    account: str = ""
    key_name: str = ""
    public_id: str = ""
    scopes: list[str] = field(default_factory=list)
    scopes_known: bool = False  # Numerai answered apiTokenInfo
    slots: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return max((finding.exit_code for finding in self.findings), default=0)

    @property
    def missing_scopes(self) -> list[str]:
        return [scope for scope, (needed, _what) in SCOPES.items()
                if needed and self.scopes_known and scope not in self.scopes]

    def as_json(self) -> dict[str, Any]:
        return {"account": self.account, "key_name": self.key_name, "public_id": self.public_id,
                "scopes": self.scopes, "scopes_known": self.scopes_known,
                "missing_scopes": self.missing_scopes, "slots": self.slots,
                "findings": [asdict(finding) for finding in self.findings], "exit_code": self.exit_code}


def check_key(client: NumeraiClient, found: Diagnosis) -> bool:
    """Whose key, and its scopes; False when the key itself was rejected (nothing else can be asked)."""
    try:
        info = client.token_info()
    except AuthenticationFailed as error:
        found.findings.append(problem("key", str(error), f"put a key that works in both secrets ({KEY_PAGE})", 2))
        return False
    except ApiError as error:
        found.findings.append(problem("key", f"Numerai did not say whose key this is: {error}",
                                      "re-run `numerai-deploy doctor` later", 1))
        return True
    found.account = str(info.get("accountUsername") or "")
    found.key_name = str(info.get("name") or "")
    found.public_id = str(info.get("publicId") or "")
    found.scopes = scopes_of(info)
    found.scopes_known = True
    found.findings.append(Finding("key", f"belongs to account {found.account or '(unnamed)'}"
                                         + (f", key {found.key_name!r}" if found.key_name else "")
                                         + f", scopes: {', '.join(found.scopes) or '(none)'}"))
    for scope, (needed, what) in SCOPES.items():
        if scope in found.scopes:
            continue
        fix = (f"make a key with the {scope} scope at {KEY_PAGE} and put it in "
               f"{PUBLIC_ID_VARIABLE} / {SECRET_KEY_VARIABLE} (the GitHub secrets)")
        if needed:
            found.findings.append(problem("scopes", f"the key lacks the {scope} scope: it cannot {what}", fix, 2))
        else:
            found.findings.append(note("scopes", f"the key lacks the {scope} scope (to {what}); the look-ups "
                                                 "below show whether it is needed", fix))
    return True


def check_slots(client: NumeraiClient, specs: list[LoadedSpec], found: Diagnosis) -> None:
    try:
        account = client.account_models()
    except ApiError as error:
        found.findings.append(problem("slots", f"the account's models could not be listed: {error}",
                                      f"give the key the {MODELS_SCOPE} scope" if error.exit_code == 2
                                      else "re-run `numerai-deploy doctor` later", error.exit_code))
        return
    known = ", ".join(sorted(account)) or "(none)"
    for item in specs:
        slot, spec_file = item.spec.slot, f"models/{item.path.name}"
        entry = {"slot": slot, "spec": spec_file, "model_id": account.get(slot), "found": slot in account}
        found.slots.append(entry)
        if slot not in account:
            found.findings.append(problem(f"slot {slot}", f"this account has no model named {slot!r} "
                                          f"(its models: {known})", f"create the model at numer.ai, or set `slot:` "
                                          f"in {spec_file} to one of the account's models", 2))
            continue
        try:
            model = client.model_state(account[slot])
        except ApiError as error:
            found.findings.append(problem(f"slot {slot}", f"could not be read: {error}",
                                          f"give the key the {UPLOADS_SCOPE} scope" if error.exit_code == 2
                                          else "re-run `numerai-deploy doctor` later", error.exit_code))
            continue
        assigned = model.get("computePickleUpload") or {}
        entry.update(webhook=bool(model.get("submissionWebhook")), assigned=assigned.get("id"),
                     validation=validation_of(assigned) if assigned else None)
        if model.get("submissionWebhook"):
            if item.spec.deploy.webhook == "clear":
                found.findings.append(note(f"slot {slot}", "has a submission webhook; deploy clears it "
                                                           f"(deploy.webhook: clear in {spec_file})"))
            else:
                found.findings.append(problem(f"slot {slot}", "has a submission webhook (Numerai Compute), which "
                                              "excludes model uploads", "remove it at numer.ai, or set `deploy: "
                                              "{webhook: clear}` in " + spec_file + " to let deploy clear it", 2))
                continue
        state = (f"pickle {assigned.get('id')} assigned ({validation_of(assigned)})" if assigned
                 else "found, no pickle assigned yet (a deploy uploads one)")
        found.findings.append(Finding(f"slot {slot}", state))


def check_runtimes(client: NumeraiClient, specs: list[tuple[LoadedSpec, Runtime]], catalogue: list[Runtime],
                   found: Diagnosis) -> None:
    try:
        images = parse_images(client.docker_images())
    except ApiError as error:
        found.findings.append(problem("runtimes", f"Numerai's images could not be listed: {error}",
                                      "re-run `numerai-deploy doctor` later", error.exit_code))
        return
    users: dict[Runtime, list[str]] = {}
    for item, runtime in specs:
        users.setdefault(runtime, []).append(item.spec.slot)
    for runtime, slots in users.items():
        topic = f"runtime {runtime.key}"
        exact = [image for image in images if image.image == runtime.image and image.tag == runtime.tag]
        other_tags = sorted({image.tag for image in images if image.image == runtime.image} - {runtime.tag})
        if exact:
            marks = exact[0].marks
            text = f"Numerai runs {runtime.reference}" + (f" ({', '.join(marks)})" if marks else "")
            if exact[0].deprecated:
                found.findings.append(note(topic, text + f", used by {', '.join(slots)}",
                                           "move these specs' `runtime:` to a current image (numerai-deploy runtimes)"))
            else:
                found.findings.append(Finding(topic, text))
        elif other_tags:
            found.findings.append(problem(
                topic, f"Numerai runs {runtime.image} at tag {', '.join(other_tags)}, the catalogue pins "
                f"{runtime.tag} (slots {', '.join(slots)}): pickles built on these pins may not load there",
                f"python scripts/refresh_runtimes.py --ref {other_tags[0]} --python {runtime.python}, then rebuild "
                "and deploy", 1))
        else:
            offered = ", ".join(sorted({image.name for image in images if not image.deprecated})) or "(none)"
            found.findings.append(problem(
                topic, f"Numerai offers no {runtime.image} (slots {', '.join(slots)}); it offers {offered}",
                "set `runtime:` in those specs to one of them and rebuild", 1))
    drift = compare(catalogue, images)
    if drift.drift:
        found.findings.append(note("runtimes", f"the catalogue differs from Numerai's images in {len(drift.changes)} "
                                               "place(s)", "numerai-deploy runtimes shows them; the "
                                               "health workflow proposes the refresh"))


def diagnose(client: NumeraiClient, specs: list[tuple[LoadedSpec, Runtime]], catalogue: list[Runtime]) -> Diagnosis:
    found = Diagnosis()
    if not check_key(client, found):
        return found
    check_slots(client, [item for item, _runtime in specs], found)
    check_runtimes(client, specs, catalogue, found)
    return found


def text_of(found: Diagnosis) -> str:
    lines = [finding.line() for finding in found.findings]
    problems = [finding for finding in found.findings if finding.level == "problem"]
    lines.append(f"{len(problems)} problem(s) to fix" if problems else "ready to deploy: no problem found")
    return "\n".join(lines)
