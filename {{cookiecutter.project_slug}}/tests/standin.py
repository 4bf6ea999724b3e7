"""A stand-in for Numerai's API: a real HTTP server on 127.0.0.1 for the tests and for local runs.

Every GraphQL request is parsed, validated and executed (graphql-core) against Numerai's own schema,
vendored in tests/numerai_schema.graphql, so a misspelt field, an unknown argument, a missing required
argument or a variable of the wrong type gets the answer Numerai gives: HTTP 200 with
`{"errors": [{"message": ...}], "data": null}`; and every answer has the schema's shape and types. The
root fields are resolved by the `op_<field>` methods below, from the stand-in's state. It checks
`Authorization: Token PUBLIC$SECRET`, hands out upload URLs that point back at itself, accepts the
file PUT, keeps state (models, webhooks, pickles, assignments), moves each upload from pending
through validating to validated or invalid over successive polls, serves dataset files, and injects
faults on demand: 5xx bursts, slow answers, answers a byte at a time, dropped connections, a rejected
PUT, GraphQL errors, a validation that fails or never finishes (or is held, then let finish), a change
carried out whose answer is lost (dropped, or sent after the client gave up), an outage of some seconds of wall time
(connections refused, then 5xx answers and dropped connections), and upload URLs to a dead port.
Upload URLs are presigned-style (`?X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Signature=...`):
every signature handed out is kept in `signatures`, so that tests can look for it in any output.
Runs of an uploaded pickle (triggerComputePickleUpload) go pending, running, then succeed or fail with
Numerai-style status descriptions and log lines (`run_outcome`). Classic rounds open and close
(`open_round`, `close_round`; by default round 999 closed a day ago and round 1000 is open for
another day): an upload's validation and a successful run submit for the round open then, a new
round runs every assigned pickle at once, as Numerai does, and a run while no round is open ends with
Numerai's "No currently open rounds!"; `rounds` and `submissions` answer from that calendar, and
`submit` records a submission made another way. apiTokenInfo answers the key's
`scopes` (a constructor argument, or set the attribute); `assign_by_hand` assigns a pickle as a user
would on numer.ai, without an API call.

In a test:

    with NumeraiStandIn(models=["slot_a"], public_id="P", secret_key="S") as numerai:
        env = {"NUMERAI_API_URL": numerai.url, ...}

Standalone (prints its URL, serves until killed, dumps its state as JSON after every change):

    python tests/standin.py --port 8765 --models slot_a,slot_b --public-id P --secret-key S \
        [--state-file state.json] [--data-dir DIR [--refuse-ranges]] [--polls-to-validate 2] \
        [--webhook slot_a=https://...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

import graphql
from graphql.pyutils import Undefined
from standin_diagnostics import DiagnosticsOperations
from standin_scores import ScoresStandIn

from loopback import LoopbackServer, drop, read_body, send_json, send_text

ROOT_FIELD = re.compile(r"^\s*(query|mutation)?\s*\w*\s*(?:\([^)]*\))?\s*\{\s*(\w+)", re.S)
PUBLIC_OPERATIONS = frozenset({"dataset", "listDatasets", "rounds", "submissionScores", "v2RoundModelPerformances"})
DATA_VERSIONS = ("v5.0", "v5.2", "v5.3")
CLASSIC = 8
CATALOGUE = Path(__file__).resolve().parents[1] / "runtimes" / "catalogue.json"
MISSING_KEY = "You must be authenticated to perform this action"
NO_OPEN_ROUND = "No currently open rounds!"  # a run's description when no round is open (Numerai's words)
FIRST_ROUND = 1000  # the round open when a stand-in starts
WRONG_KEY = "Invalid API key: authentication failed"
SCHEMA_FILE = Path(__file__).resolve().with_name("numerai_schema.graphql")
SCHEMA = graphql.build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))


class GraphQLError(Exception):
    """Raised by a resolver: answered with HTTP 200, the message in `errors` and the field null."""


# -- the schema's rules ----------------------------------------------------------------------------


def string_for_id(schema: graphql.GraphQLSchema, type_: graphql.GraphQLType) -> graphql.GraphQLType:
    """The type with ID read as String (wrappers kept)."""
    if graphql.is_non_null_type(type_):
        return graphql.GraphQLNonNull(string_for_id(schema, type_.of_type))
    if graphql.is_list_type(type_):
        return graphql.GraphQLList(string_for_id(schema, type_.of_type))
    return schema.get_type("String") if graphql.get_named_type(type_).name == "ID" else type_


def variable_usage_allowed(schema, variable_type, variable_default, location_type, location_default) -> bool:
    """The spec's "All Variable Usages Are Allowed", with ID and String standing for each other."""
    if graphql.is_non_null_type(location_type) and not graphql.is_non_null_type(variable_type):
        has_default = variable_default is not None and not isinstance(variable_default, graphql.NullValueNode)
        if not has_default and location_default is Undefined:
            return False
        location_type = location_type.of_type
    return graphql.is_type_sub_type_of(
        schema, string_for_id(schema, variable_type), string_for_id(schema, location_type)
    )


class VariablesInAllowedPosition(graphql.ValidationRule):
    """graphql-core's VariablesInAllowedPositionRule, except that a `String` variable may fill an `ID`
    argument and the other way round.

    numerapi 3.1.1, Numerai's own client, declares `$modelId: String` (and String data version and
    image ids) for the `ID` arguments of computePickleUploadAuth and createComputePickleUpload; its
    model_upload is how Numerai's users upload, so Numerai evidently accepts that mix. Any other
    mismatch (an Int for a String, a nullable variable for a required argument) is an error, as the
    spec has it."""

    def __init__(self, context: graphql.ValidationContext) -> None:
        super().__init__(context)
        self.definitions: dict = {}

    def enter_operation_definition(self, operation, *_args) -> None:
        self.definitions = {item.variable.name.value: item for item in operation.variable_definitions or ()}

    def leave_operation_definition(self, operation, *_args) -> None:
        schema = self.context.schema
        for usage in self.context.get_recursive_variable_usages(operation):
            name = usage.node.name.value
            definition = self.definitions.get(name)
            if not definition or not usage.type:
                continue
            variable_type = graphql.type_from_ast(schema, definition.type)
            if variable_type and not variable_usage_allowed(
                schema, variable_type, definition.default_value, usage.type, usage.default_value
            ):
                self.report_error(
                    graphql.GraphQLError(
                        f"Variable '${name}' of type '{variable_type}' used in position expecting type "
                        f"'{usage.type}'.",
                        [definition, usage.node],
                    )
                )


VALIDATION_RULES = tuple(
    VariablesInAllowedPosition if rule is graphql.VariablesInAllowedPositionRule else rule
    for rule in graphql.specified_rules
)


def schema_errors(query: str, schema: graphql.GraphQLSchema = SCHEMA) -> list[graphql.GraphQLError]:
    """What Numerai says of this query text before running it: syntax and validation errors, or []."""
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError as error:
        return [error]
    return list(graphql.validate(schema, document, VALIDATION_RULES))


def root_fields(document: graphql.DocumentNode, operation_name: str | None) -> tuple[str, list[str]]:
    """The operation's kind ("query", "mutation") and the names of its root fields."""
    operation = graphql.get_operation_ast(document, operation_name)
    if operation is None:
        return "query", []
    fields = [item.name.value for item in operation.selection_set.selections if isinstance(item, graphql.FieldNode)]
    return operation.operation.value, fields


class Resolvers:
    """The root value for graphql.execute: root field `x` is answered by the stand-in's `op_x(**arguments)`."""

    def __init__(self, standin: NumeraiStandIn):
        self.standin = standin

    def __getattr__(self, field: str):
        method = getattr(self.standin, f"op_{field}", None)
        if method is None:
            raise AttributeError(field)
        return lambda _info, **arguments: method(**arguments)


@dataclass
class Fault:
    kind: str  # "status", "slow", "drop", "graphql", "reject_put", "lost", "trickle"
    operation: str | None  # a root field, "upload" for the file PUT, None for any GraphQL call
    remaining: int
    status: int = 503
    seconds: float = 0.0
    message: str = ""

    def matches(self, operation: str) -> bool:
        if self.remaining <= 0:
            return False
        if self.operation is None:
            return operation != "upload"
        return self.operation == operation


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def now() -> str:
    """A `Time` as Numerai writes it: ISO 8601 in UTC, with a Z."""
    return time_of(datetime.now(timezone.utc))


def time_of(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_round(number: int, opens: datetime, closes: datetime) -> dict:
    return {"id": stable_id("round", str(number)), "number": number, "opens": opens, "closes": closes}


def round_view(item: dict) -> dict:
    """A `Round`; its deadline (closeStakingTime) is its close, as for Numerai's daily rounds."""
    return {"id": item["id"], "number": item["number"], "tournament": CLASSIC, "openTime": time_of(item["opens"]),
            "closeTime": time_of(item["closes"]), "closeStakingTime": time_of(item["closes"])}


def round_state(item: dict) -> str:
    """The round's RoundStatus now: UPCOMING, OPEN, then RESOLVING while it is scored (a month), RESOLVED."""
    moment = datetime.now(timezone.utc)
    if moment < item["opens"]:
        return "UPCOMING"
    if moment < item["closes"]:
        return "OPEN"
    return "RESOLVING" if moment - item["closes"] < timedelta(days=30) else "RESOLVED"


def log_line(message: str) -> dict:
    """An `InvocationLog`, whose timestamp is an Int: seconds since the epoch here. (Numerai's Int holds
    53 bits, graphql-core's 32: milliseconds would not fit.)"""
    return {"timestamp": int(time.time()), "message": message}


def docker_images_from_catalogue(path: Path = CATALOGUE) -> list[dict]:
    """Numerai's image list, as the repository's runtime catalogue describes it."""
    entries = json.loads(path.read_text(encoding="utf-8"))["runtimes"]
    return [
        {
            "id": stable_id("image", entry["name"]),
            "name": entry["name"],
            "image": entry["image"],
            "tag": entry["tag"],
            "default": bool(entry.get("default")),
            "deprecated": bool(entry.get("deprecated")),
            "experimental": False,
        }
        for entry in entries
    ]


class NumeraiStandIn(DiagnosticsOperations, ScoresStandIn, LoopbackServer):  # diagnostics, per-round scores
    name = "numerai-standin"

    def __init__(
        self,
        *,
        models=(),
        public_id: str = "standin-public-id",
        secret_key: str = "standin-secret-key",
        data_dir: Path | None = None,
        polls_to_validate: int = 2,
        state_file: Path | None = None,
        port: int = 0,
        username: str = "standin",
        scopes=("upload_submission", "read_submission_info", "read_user_info"),
        refuse_ranges: bool = False,
    ):
        self.lock = threading.RLock()
        self.public_id, self.secret_key = public_id, secret_key
        self.username, self.scopes = username, tuple(scopes)
        self.data_dir = Path(data_dir) if data_dir else None
        self.polls_to_validate = polls_to_validate
        self.state_file = Path(state_file) if state_file else None
        self.models: dict[str, dict] = {}
        self.pickles: dict[str, dict] = {}
        self.stored: dict[str, dict] = {}  # storage key -> {filename, modelId, bytes, sha256}
        self.upload_urls: dict[str, dict] = {}  # token -> {key, modelId}
        self.assignments: dict[str, str] = {}  # model id -> pickle id
        self.logs: dict[str, list[dict]] = {}  # trigger id -> log lines
        self.plans: dict[str, dict] = {}  # slot -> how its next validations end
        self.run_plans: dict[str, dict] = {}  # slot -> how its next triggered runs end
        self.runs: dict[str, dict] = {}  # trigger id -> the plan of a triggered run still going
        started = datetime.now(timezone.utc)
        self.rounds = [new_round(FIRST_ROUND - 1, started - timedelta(hours=25), started - timedelta(hours=24)),
                       new_round(FIRST_ROUND, started - timedelta(hours=1), started + timedelta(hours=23))]
        self.submissions: list[dict] = []  # {id, modelId, roundNumber, triggerId, filename, insertedAt}
        self.faults: list[Fault] = []
        self.outage_until = 0.0  # time.monotonic() until which every request fails
        self.outage_answers = 0
        self.outage_status = 503
        self.reopen_timer: threading.Timer | None = None
        self.dead_upload_port: int | None = None
        self.signatures: list[str] = []  # every upload URL signature handed out
        self.mutations: list[str] = []
        self.requests: list[dict] = []
        self.file_gets: list[str] = []  # dataset files sent whole (200), as <version>/<file>
        self.file_requests: list[dict] = []  # every dataset file GET: file, range, status, bytes
        self.bytes_sent = 0
        self.refuse_ranges = refuse_ranges
        self.docker_images = docker_images_from_catalogue()
        self.data_versions = {name: stable_id("data", name) for name in DATA_VERSIONS}
        self.deprecated_data_versions: set[str] = set()  # left out unless asked for with deprecated: true
        for name in models:
            self.add_model(name)
        self.stopped = threading.Event()
        super().__init__(port)

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> NumeraiStandIn:
        self.serve()
        self.dump_state()
        return self

    def stop(self) -> None:
        self.stopped.set()
        if self.reopen_timer:
            self.reopen_timer.cancel()
        super().stop()

    # -- seeding -----------------------------------------------------------------------------------

    def add_model(
        self, name: str, *, webhook: str | None = None, model_id: str | None = None, tournament: int = CLASSIC
    ) -> str:
        with self.lock:
            model_id = model_id or stable_id("model", name)
            self.models[model_id] = {
                "id": model_id,
                "name": name,
                "tournament": tournament,
                "submissionWebhook": webhook,
                "computeEnabled": False,
                "archived": False,
                "insertedAt": now(),
                "username": name,
            }
            return model_id

    def set_webhook(self, slot: str, url: str | None) -> None:
        with self.lock:
            self.model_named(slot)["submissionWebhook"] = url

    def validation_fails(self, slot: str, description: str, logs: list[str]) -> None:
        """The slot's next uploads end `invalid` with this description and these run logs."""
        with self.lock:
            self.plans[slot] = {"outcome": "invalid", "description": description, "logs": list(logs)}

    def validation_never_ends(self, slot: str) -> None:
        """The slot's uploads stay in validation (pending, then validating) until `let_validation_finish`."""
        with self.lock:
            self.plans[slot] = {"outcome": "never"}

    def let_validation_finish(self, slot: str) -> None:
        """Let the slot's held validations (and its next uploads') end `validated` at the next poll."""
        with self.lock:
            self.plans.pop(slot, None)
            for pickle in self.pickles.values():
                if pickle["slot"] == slot and pickle["plan"].get("outcome") == "never":
                    pickle["plan"] = {"outcome": "validated"}

    def seed_pickle(
        self, slot: str, filename: str, *, validation: str = "validated", assign: bool = True
    ) -> str:
        """A pickle uploaded earlier (by anyone), optionally assigned to the slot."""
        with self.lock:
            model = self.model_named(slot)
            pickle = self.new_pickle(model, filename, self.data_versions["v5.2"], self.docker_images[0]["id"])
            pickle["polls"] = self.polls_to_validate + 1
            self.finish_validation(pickle, "validated" if validation == "validated" else "invalid", "seeded")
            if assign:
                self.assignments[model["id"]] = pickle["id"]
            self.dump_state()
            return pickle["id"]

    def seed_run(
        self, slot: str, status: str, description: str = "", logs: list[str] = (), round_id: str | None = None
    ) -> str:
        """A further run (trigger) of the slot's assigned pickle that ended with `status`."""
        with self.lock:
            pickle = self.pickles[self.assignments[self.model_named(slot)["id"]]]
            trigger = self.add_trigger(pickle, "pending")
            trigger["roundId"] = round_id
            self.set_trigger_status(pickle, trigger, status, description)
            self.logs[trigger["id"]] = [log_line(line) for line in logs]
            return trigger["id"]

    def run_outcome(
        self, slot: str, status: str = "failed", description: str = "", logs=(), *, polls: int = 2
    ) -> None:
        """The slot's next triggered runs (triggerComputePickleUpload) go pending, then running, and end
        with `status` ("success", "failed", "error") at the `polls`-th poll, with Numerai's description
        and these log lines. Without a plan a run succeeds ("Predictions submitted")."""
        with self.lock:
            self.run_plans[slot] = {"status": status, "description": description, "logs": list(logs), "polls": polls}

    def assign_by_hand(self, slot: str, pickle_id: str) -> None:
        """Assign one of the slot's pickles as a user would on numer.ai (no API call: not in `mutations`)."""
        with self.lock:
            model = self.model_named(slot)
            if self.pickles[pickle_id]["modelId"] != model["id"]:
                raise ValueError(f"pickle {pickle_id} is not an upload of {slot}")
            self.assignments[model["id"]] = pickle_id
            self.dump_state()

    def advance_runs(self, pickle: dict) -> None:
        """One poll's worth of progress of the pickle's triggered runs: running, then their planned end."""
        for trigger in pickle["triggers"]:
            plan = self.runs.get(trigger["id"])
            if plan is None:
                continue
            plan["seen"] += 1
            if plan["seen"] == 1:
                self.set_trigger_status(pickle, trigger, "running", "Running your model on live data")
            if plan["seen"] >= plan["polls"]:
                self.end_run(pickle, trigger, plan)
                del self.runs[trigger["id"]]
                self.dump_state()

    def end_run(self, pickle: dict, trigger: dict, plan: dict) -> None:
        """A run ends as planned; a successful one submits for its round, or, when no round was open,
        ends with Numerai's "No currently open rounds!" instead."""
        status, description = plan["status"], plan["description"] or plan["status"]
        if status == "success" and trigger.get("type") == "submission":
            found = next((item for item in self.rounds if item["id"] == trigger.get("roundId")), None)
            if found is None:
                self.set_trigger_status(pickle, trigger, "failed", NO_OPEN_ROUND, settles=False)
                return
            self.record_submission(pickle, found, trigger)
        self.set_trigger_status(pickle, trigger, status, description)
        self.logs.setdefault(trigger["id"], []).extend(log_line(line) for line in plan["logs"])

    # -- rounds and submissions ----------------------------------------------------------------------

    def current_round(self) -> dict | None:
        moment = datetime.now(timezone.utc)
        open_now = [item for item in self.rounds if item["opens"] <= moment < item["closes"]]
        return max(open_now, key=lambda item: item["number"], default=None)

    @property
    def round_id(self) -> str | None:
        """The id of the round open now (None between rounds)."""
        with self.lock:
            current = self.current_round()
            return current["id"] if current else None

    def open_round(self, *, closes_in: float = 3600.0, run: bool = True) -> int:
        """Close the open round (if any) and open the next, which closes in `closes_in` seconds; as
        Numerai does, every assigned pickle runs for it at once (per the slot's `run_outcome`)."""
        with self.lock:
            moment = datetime.now(timezone.utc)
            self.close_round()
            number = max(item["number"] for item in self.rounds) + 1
            opened = new_round(number, moment, moment + timedelta(seconds=closes_in))
            self.rounds.append(opened)
            for pickle_id in list(self.assignments.values()) if run else []:
                pickle = self.pickles[pickle_id]
                trigger = self.add_trigger(pickle, "pending")
                trigger["type"], trigger["roundId"] = "submission", opened["id"]
                self.logs[trigger["id"]] = [log_line("Pulling image")]
                plan = self.run_plans.get(pickle["slot"], {"status": "success", "description": "Predictions submitted",
                                                           "logs": ["Predictions submitted"]})
                self.set_trigger_status(pickle, trigger, "running", "Running your model on live data")
                self.end_run(pickle, trigger, plan)
            self.dump_state()
            return number

    def close_round(self) -> None:
        """The open round closes now; none opens (as between Saturday's round and Tuesday's)."""
        with self.lock:
            current = self.current_round()
            if current is not None:
                current["closes"] = datetime.now(timezone.utc) - timedelta(microseconds=1)
            self.dump_state()

    def submit(self, slot: str, number: int | None = None) -> str:
        """A submission of the slot for round `number` (default: the open one), made another way (a
        webhook, an upload of predictions) than a run of its pickle."""
        with self.lock:
            found = self.current_round() if number is None else next(
                item for item in self.rounds if item["number"] == number)
            return self.record_submission({"modelId": self.model_named(slot)["id"], "slot": slot}, found, None)

    def record_submission(self, pickle: dict, found: dict, trigger: dict | None) -> str:
        submission = {"id": str(uuid.uuid4()), "modelId": pickle["modelId"], "roundNumber": found["number"],
                      "triggerId": trigger["id"] if trigger else None, "insertedAt": now(),
                      "filename": f"{pickle['slot']}-{found['number']}.csv"}
        self.submissions.append(submission)
        if trigger is not None:
            trigger["roundId"], trigger["submissionId"] = found["id"], submission["id"]
        return submission["id"]

    def submission_view(self, submission: dict) -> dict:
        """A `V2Submission` with its round."""
        found = next(item for item in self.rounds if item["number"] == submission["roundNumber"])
        return {**{key: value for key, value in submission.items() if key != "roundNumber"},
                "selected": True, "status": "submitted", "round": round_view(found)}

    # -- faults ------------------------------------------------------------------------------------

    def fail_next(self, count: int, *, status: int = 503, operation: str | None = None) -> None:
        self.add_fault(Fault("status", operation, count, status=status))

    def slow_next(self, count: int, seconds: float, *, operation: str | None = None) -> None:
        self.add_fault(Fault("slow", operation, count, seconds=seconds))

    def trickle_next(self, count: int, seconds: float, *, operation: str | None = None) -> None:
        """The next `count` answers are sent one byte every `seconds`, status line and headers included:
        each read of the client's gets a byte in time, the whole answer comes late."""
        self.add_fault(Fault("trickle", operation, count, seconds=seconds))

    def drop_next(self, count: int, *, operation: str | None = None) -> None:
        self.add_fault(Fault("drop", operation, count))

    def reject_put(self, count: int = 1, *, status: int = 403) -> None:
        self.add_fault(Fault("reject_put", "upload", count, status=status))

    def lose_answer(self, count: int, *, operation: str, seconds: float | None = None) -> None:
        """The next `count` calls of `operation` are carried out (a mutation commits), but the answer
        is lost: the connection dropped (seconds None), or the answer sent after `seconds` (set it
        beyond the client's NUMERAI_REQUEST_TIMEOUT)."""
        self.add_fault(Fault("lost", operation, count, seconds=seconds or 0.0))

    def outage(self, seconds: float, *, refuse_for: float = 0.0, status: int = 503) -> None:
        """From now on, for `seconds` of wall time, nothing works: for the first `refuse_for` seconds
        nothing listens on the port (connections refused), then every request (GraphQL and file PUT)
        gets HTTP `status` or a dropped connection, in turn."""
        with self.lock:
            self.outage_until = time.monotonic() + seconds
            self.outage_status = status
        if refuse_for > 0:
            self.server.shutdown()
            self.server.server_close()
            self.reopen_timer = threading.Timer(refuse_for, self.reopen)
            self.reopen_timer.daemon = True
            self.reopen_timer.start()

    def reopen(self) -> None:
        """Listen again on the same port after a refusing outage."""
        self.server = self.new_server(self.port)
        self.serve()

    def upload_urls_to_dead_port(self) -> int:
        """computePickleUploadAuth hands out URLs to a port where nothing listens (refused)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.dead_upload_port = port
        return port

    def in_outage(self, request: BaseHTTPRequestHandler, entry: dict) -> bool:
        """Answer (or drop) a request that arrives during an outage; True when it did."""
        with self.lock:
            if time.monotonic() >= self.outage_until:
                return False
            self.outage_answers += 1
            turn = self.outage_answers
        entry["fault"] = "outage"
        if turn % 2:
            send_json(request, self.outage_status, {"message": "stand-in: outage"})
        else:
            drop(request)
        return True

    def graphql_error(self, operation: str, message: str, *, count: int = 1) -> None:
        """The next `count` calls of `operation` answer a GraphQL error; `{authorization}` in the
        message is replaced by the request's Authorization header (servers do echo input)."""
        self.add_fault(Fault("graphql", operation, count, message=message))

    def add_fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, operation: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(operation):
                    fault.remaining -= 1
                    return fault
        return None

    # -- reading state -----------------------------------------------------------------------------

    def model_named(self, name: str) -> dict:
        for model in self.models.values():
            if model["name"] == name:
                return model
        raise KeyError(name)

    def assigned(self, slot: str) -> dict | None:
        with self.lock:
            pickle_id = self.assignments.get(self.model_named(slot)["id"])
            return self.pickle_view(self.pickles[pickle_id]) if pickle_id else None

    def uploads(self, slot: str | None = None) -> list[dict]:
        """Pickles created through createComputePickleUpload (seeded ones excluded)."""
        with self.lock:
            return [
                self.pickle_view(pickle)
                for pickle in self.pickles.values()
                if pickle["uploaded"] and (slot is None or pickle["slot"] == slot)
            ]

    def operations(self, kind: str | None = None) -> list[str]:
        """Root fields of every GraphQL request received, faulted ones included, in order."""
        with self.lock:
            return [
                entry["operation"]
                for entry in self.requests
                if entry["method"] == "POST" and (kind is None or entry["kind"] == kind)
            ]

    def state(self) -> dict:
        """Everything a test may assert on, as JSON-ready data (no key in it)."""
        with self.lock:
            names = {model_id: model["name"] for model_id, model in self.models.items()}
            return {
                "url": self.url,
                "models": [
                    {key: model[key] for key in ("id", "name", "submissionWebhook")}
                    for model in self.models.values()
                ],
                "pickles": [self.pickle_view(pickle) for pickle in self.pickles.values()],
                "assignments": {
                    names[model_id]: {"pickleId": pickle_id, "filename": self.pickles[pickle_id]["filename"]}
                    for model_id, pickle_id in self.assignments.items()
                },
                "stored": [
                    {"key": key, **{k: v for k, v in item.items() if k != "content"}}
                    for key, item in self.stored.items()
                ],
                "rounds": [{**round_view(item), "status": round_state(item)} for item in self.rounds],
                "submissions": [self.submission_view(item) for item in self.submissions],
                "mutations": list(self.mutations),
                "operations": [entry["operation"] for entry in self.requests],
                "file_gets": list(self.file_gets),
                "file_requests": list(self.file_requests),
            }

    def dump_state(self) -> None:
        if not self.state_file:
            return
        temporary = self.state_file.with_name(self.state_file.name + ".tmp")
        temporary.write_text(json.dumps(self.state(), indent=2), encoding="utf-8")
        os.replace(temporary, self.state_file)

    # -- HTTP --------------------------------------------------------------------------------------

    def handle_post(self, request: BaseHTTPRequestHandler) -> None:
        body = read_body(request)
        try:
            payload = json.loads(body or b"{}")
            query, variables = payload.get("query") or "", payload.get("variables") or {}
            operation_name = payload.get("operationName")
        except (ValueError, AttributeError):
            return send_json(request, 400, {"errors": [{"message": "Body is not JSON"}]})
        try:
            document, syntax_error = graphql.parse(query), None
            kind, fields = root_fields(document, operation_name)
        except graphql.GraphQLError as error:
            document, syntax_error = None, error
            match = ROOT_FIELD.match(query)
            kind, fields = ((match.group(1) or "query"), [match.group(2)]) if match else ("query", [])
        operation = fields[0] if fields else "?"
        header = request.headers.get("Authorization")
        entry = {
            "method": "POST",
            "operation": operation,
            "kind": kind,
            "query": query,
            "variables": variables,
            "authorized": header is not None,
            "fault": None,
        }
        with self.lock:
            self.requests.append(entry)
        if self.in_outage(request, entry):
            return
        fault = self.take_fault(operation)
        if fault:
            entry["fault"] = fault.kind
            if self.apply_transport_fault(request, fault):
                return
            if fault.kind == "graphql":
                message = fault.message.replace("{authorization}", header or "")
                return send_json(
                    request, 200, {"data": None, "errors": [{"message": message, "path": [operation]}]}
                )
        errors = [syntax_error] if syntax_error else graphql.validate(SCHEMA, document, VALIDATION_RULES)
        if errors:
            return send_json(request, 200, {"errors": [error.formatted for error in errors], "data": None})
        try:
            if not set(fields) <= PUBLIC_OPERATIONS:
                self.authenticate(header)
        except GraphQLError as error:
            return send_json(
                request, 200, {"data": None, "errors": [{"message": str(error), "path": [operation]}]}
            )
        with self.lock:
            result = graphql.execute(
                SCHEMA,
                document,
                root_value=Resolvers(self),
                variable_values=variables if isinstance(variables, dict) else None,
                operation_name=operation_name,
            )
            if kind == "mutation" and not result.errors:
                self.mutations.extend(fields)
                self.dump_state()
        answer = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        if fault and fault.kind == "lost":
            if not fault.seconds:
                return drop(request)
            time.sleep(fault.seconds)  # the client has given up by now
        if fault and fault.kind == "trickle":
            return self.trickle(request, answer, fault.seconds)
        send_json(request, 200, answer)

    def trickle(self, request: BaseHTTPRequestHandler, answer: dict, seconds: float) -> None:
        """Write the whole HTTP answer a byte at a time, until it is sent, the client hangs up or the
        stand-in stops."""
        content = json.dumps(answer).encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(content)}\r\n\r\n"
        request.close_connection = True
        for index, byte in enumerate(head.encode() + content):
            if self.stopped.wait(seconds if index else 0):
                return
            try:
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
            except OSError:
                return

    def apply_transport_fault(self, request: BaseHTTPRequestHandler, fault: Fault) -> bool:
        """Apply a 5xx, a drop or a delay; True when the request was answered (or dropped) here."""
        if fault.kind == "slow":
            time.sleep(fault.seconds)
            return False
        if fault.kind == "drop":
            drop(request)
            return True
        if fault.kind == "status":
            send_json(request, fault.status, {"message": "stand-in: injected server error"})
            return True
        return False

    def handle_put(self, request: BaseHTTPRequestHandler) -> None:
        content = read_body(request)
        parts = urlparse(request.path).path.strip("/").split("/")
        entry = {
            "method": "PUT",
            "operation": "upload",
            "kind": "upload",
            "variables": {},
            "fault": None,
            "authorized": request.headers.get("Authorization") is not None,
        }
        with self.lock:
            self.requests.append(entry)
        if self.in_outage(request, entry):
            return
        fault = self.take_fault("upload")
        if fault:
            entry["fault"] = fault.kind
            if fault.kind == "reject_put":
                # As S3 does, the error echoes the signature it was given.
                signature = dict(parse_qsl(urlparse(request.path).query)).get("X-Amz-Signature", "")
                return send_text(
                    request,
                    fault.status,
                    "<Error><Code>AccessDenied</Code><Message>Request has expired</Message>"
                    f"<SignatureProvided>{signature}</SignatureProvided></Error>",
                )
            if self.apply_transport_fault(request, fault):
                return
        with self.lock:
            target = self.upload_urls.get(parts[1]) if len(parts) >= 2 and parts[0] == "uploads" else None
            if target is None:
                return send_text(request, 403, "<Error><Code>AccessDenied</Code></Error>")
            if dict(parse_qsl(urlparse(request.path).query)).get("X-Amz-Signature") != target["signature"]:
                return send_text(request, 403, "<Error><Code>SignatureDoesNotMatch</Code></Error>")
            self.stored[target["key"]] = {
                "modelId": target["modelId"],
                "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
                "content": content,  # served again (computePickleDownloadAuth), scored (diagnostics)
            }
            self.dump_state()
        send_text(request, 200, "")

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        path = unquote(urlparse(request.path).path)
        if path.startswith("/downloads/"):
            return self.serve_download(request, request.path)
        with self.lock:
            self.requests.append(
                {
                    "method": "GET",
                    "operation": "file",
                    "kind": "file",
                    "variables": {},
                    "authorized": False,
                    "fault": None,
                }
            )
        if not path.startswith("/files/") or not self.data_dir:
            return send_text(request, 404, "not found")
        relative = path.removeprefix("/files/")
        file = (self.data_dir / relative).resolve()
        if self.data_dir.resolve() not in file.parents or not file.is_file():
            return send_text(request, 404, "not found")
        self.serve_file(request, relative, file)

    # -- dataset files -----------------------------------------------------------------------------
    # Served as a storage bucket serves them: Content-Length, an ETag and Last-Modified that change
    # with the file, `Accept-Ranges: bytes` and `Range:` answered with 206 Partial Content (a single
    # range; 416 when it lies beyond the file), unless `refuse_ranges` is set: then every GET gets the
    # whole file with 200 and no Accept-Ranges, as a server without range support answers.
    # `file_gets` lists the whole-file answers (downloads), `file_requests` every file GET with the
    # range asked for, the status and the bytes sent.

    def serve_file(self, request: BaseHTTPRequestHandler, relative: str, file: Path) -> None:
        stat = file.stat()
        size = stat.st_size
        asked = request.headers.get("Range")
        span = None if self.refuse_ranges or not asked else parse_range(asked, size)
        if span == "unsatisfiable":
            self.record_file_get(relative, asked, 416, 0)
            request.send_response(416)
            request.send_header("Content-Range", f"bytes */{size}")
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        start, stop = span if span else (0, size)
        status = 206 if span else 200
        self.record_file_get(relative, asked, status, stop - start)
        request.send_response(status)
        request.send_header("Content-Type", "application/octet-stream")
        request.send_header("Content-Length", str(stop - start))
        request.send_header("ETag", f'"{stat.st_mtime_ns:x}-{size:x}"')
        request.send_header("Last-Modified", formatdate(stat.st_mtime, usegmt=True))
        if not self.refuse_ranges:
            request.send_header("Accept-Ranges", "bytes")
        if span:
            request.send_header("Content-Range", f"bytes {start}-{stop - 1}/{size}")
        request.end_headers()
        with file.open("rb") as stream:
            stream.seek(start)
            left = stop - start
            while left > 0:
                chunk = stream.read(min(left, 1 << 20))
                if not chunk:
                    break
                request.wfile.write(chunk)
                left -= len(chunk)

    def record_file_get(self, relative: str, asked: str | None, status: int, sent: int) -> None:
        with self.lock:
            if status == 200:
                self.file_gets.append(relative)
            self.file_requests.append({"file": relative, "range": asked, "status": status, "bytes": sent})
            self.bytes_sent += sent
        self.dump_state()

    def file_bytes(self, name: str | None = None) -> int:
        """Bytes of dataset files sent (of the file `name`, or of all)."""
        with self.lock:
            return sum(entry["bytes"] for entry in self.file_requests if name in (None, entry["file"]))

    def authenticate(self, header: str | None) -> None:
        if not header:
            raise GraphQLError(MISSING_KEY)
        if header != f"Token {self.public_id}${self.secret_key}":
            raise GraphQLError(WRONG_KEY)

    # -- GraphQL operations ------------------------------------------------------------------------

    # Each `op_<field>` answers root field <field> with the arguments graphql-core coerced (defaults
    # filled in), as plain data that graphql-core then shapes and types per the schema.

    def op_account(self):
        return {
            "id": stable_id("account", self.public_id),
            "username": self.username,
            "models": [self.model_view(model) for model in self.models.values()],
        }

    def op_apiTokenInfo(self):
        return {
            "accountUsername": self.username,
            "name": "stand-in token",
            "publicId": self.public_id,
            "scopes": list(self.scopes),
        }

    def op_model(self, modelId=None, **_):
        model = self.models.get(modelId)
        if model is None:
            raise GraphQLError("Model not found")
        return self.model_view(model)

    def op_addModel(self, name, tournament):
        if any(model["name"] == name and model["tournament"] == tournament for model in self.models.values()):
            raise GraphQLError(f"Model name {name} is already taken")
        return self.model_view(self.models[self.add_model(name, tournament=tournament)])

    def op_computePickleDockerImages(self, **_):
        return list(self.docker_images)

    def op_computePickleDataVersions(self, deprecated=False, **_):
        newest = max(self.data_versions, key=lambda name: tuple(map(int, name[1:].split("."))))
        return [{"name": name, "id": version_id, "default": name == newest, "experimental": False,
                 "deprecated": name in self.deprecated_data_versions}
                for name, version_id in self.data_versions.items()
                if deprecated or name not in self.deprecated_data_versions]

    def op_computePickleUploadAuth(self, filename=None, modelId=None, **_):
        self.own_model(modelId)
        if not filename or not filename.endswith(".pkl"):
            raise GraphQLError("filename must end with .pkl")
        token = uuid.uuid4().hex
        key = f"{token}/{filename}"  # like a storage key: the name Numerai keeps carries a prefix
        signature = hashlib.sha256(f"{token}{self.secret_key}".encode()).hexdigest()
        self.upload_urls[token] = {"key": key, "modelId": modelId, "signature": signature}
        self.signatures.append(signature)
        base = f"http://127.0.0.1:{self.dead_upload_port}" if self.dead_upload_port else self.url
        query = (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Credential=STANDINACCESSKEY%2F{datetime.now(timezone.utc):%Y%m%d}%2Fus-east-1%2Fs3%2Faws4_request"
            f"&X-Amz-Date={datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}&X-Amz-Expires=3600"
            f"&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
        )
        return {
            "filename": key,
            "url": f"{base}/uploads/{token}/{filename}?{query}",
            "accelerated": False,
            "countryCode": None,
        }

    def op_createComputePickleUpload(
        self, filename=None, tournament=None, modelId=None, dataVersionId=None, dockerImageId=None, **_
    ):
        model = self.own_model(modelId)
        if tournament != CLASSIC:
            raise GraphQLError(f"Model uploads are only available for tournament {CLASSIC}")
        if filename not in self.stored:
            raise GraphQLError(
                f"No uploaded file {filename}: upload it to the URL from computePickleUploadAuth"
            )
        if dataVersionId is not None and dataVersionId not in self.data_versions.values():
            raise GraphQLError(f"Unknown data version {dataVersionId}")
        if dockerImageId is not None and dockerImageId not in {image["id"] for image in self.docker_images}:
            raise GraphQLError(f"Unknown docker image {dockerImageId}")
        pickle = self.new_pickle(model, filename, dataVersionId, dockerImageId)
        pickle["uploaded"] = True
        return self.pickle_view(pickle)

    def op_computePickles(self, id=None, modelId=None, unassigned=False, **_):  # noqa: A002 (GraphQL's name)
        if modelId is not None:
            self.own_model(modelId)
        found = [
            pickle
            for pickle in self.pickles.values()
            if (id is None or pickle["id"] == id)
            and (modelId is None or pickle["modelId"] == modelId)
            and not (unassigned and pickle["id"] in self.assignments.values())
        ]
        for pickle in found:
            self.advance(pickle)
            self.advance_runs(pickle)
        return [self.pickle_view(pickle) for pickle in found]

    def op_assignPickleToModel(self, modelId=None, pickleId=None, **_):
        model = self.own_model(modelId)
        pickle = self.pickles.get(pickleId)
        if pickle is None or pickle["modelId"] != model["id"]:
            raise GraphQLError("Pickle not found for this model")
        if pickle["validationStatus"] != "validated":
            raise GraphQLError("Only a validated pickle can be assigned")
        self.assignments[model["id"]] = pickle["id"]
        return "true"

    def op_setSubmissionWebhook(self, modelId=None, newSubmissionWebhook=None, **_):
        self.own_model(modelId)["submissionWebhook"] = newSubmissionWebhook
        return "true"

    def op_triggerComputePickleUpload(self, modelId=None, pickleId=None, triggerValidation=None, **_):
        self.own_model(modelId)
        pickle = self.pickles.get(pickleId) or self.pickles.get(self.assignments.get(modelId, ""))
        if pickle is None:
            raise GraphQLError("Pickle not found")
        if pickle["modelId"] != modelId:
            raise GraphQLError("Pickle not found for this model")
        trigger = self.add_trigger(pickle, "pending")
        trigger["type"] = "validation" if triggerValidation else "submission"
        trigger["roundId"] = None if triggerValidation else self.round_id
        self.logs[trigger["id"]] = [log_line("Pulling image")]
        plan = {"status": "success", "description": "Predictions submitted", "logs": ["Predictions submitted"],
                "polls": 2}
        self.runs[trigger["id"]] = {**self.run_plans.get(pickle["slot"], plan), "seen": 0}
        return self.pickle_view(pickle)

    def op_rounds(self, tournament=None, number=None, status=None, limit=None, **_):
        """Newest first. Number 0 is the round open now, which numerapi's get_current_round asks for;
        Numerai answers an error between rounds."""
        found = [item for item in self.rounds if tournament in (None, CLASSIC)]
        if number == 0:
            current = self.current_round()
            if current is None:
                raise GraphQLError("Current round not open for submissions")
            found = [current]
        elif number is not None:
            found = [item for item in found if item["number"] == number]
        found = sorted((item for item in found if status in (None, round_state(item))),
                       key=lambda item: -item["number"])
        return [round_view(item) for item in (found[:limit] if limit else found)]

    def op_submissions(self, id=None, modelId=None, **_):  # noqa: A002 (GraphQL's name)
        if modelId is not None:
            self.own_model(modelId)
        return [self.submission_view(item) for item in self.submissions
                if (id is None or item["id"] == id) and (modelId is None or item["modelId"] == modelId)]

    def op_triggerLogs(self, triggerId=None, **_):
        return list(self.logs.get(triggerId, []))

    def op_dataset(self, filename=None, **_):
        if not self.data_dir or not (self.data_dir / (filename or "")).is_file():
            raise GraphQLError(f"Dataset {filename} not found")
        return f"{self.url}/files/{filename}"

    def op_listDatasets(self, **_):
        if not self.data_dir:
            return []
        return sorted(
            path.relative_to(self.data_dir).as_posix() for path in self.data_dir.rglob("*") if path.is_file()
        )

    # -- pickles and their validation --------------------------------------------------------------

    def own_model(self, model_id: str | None) -> dict:
        model = self.models.get(model_id or "")
        if model is None:
            raise GraphQLError("Model not found or not owned by this account")
        return model

    def new_pickle(self, model: dict, filename: str, data_version_id, docker_image_id) -> dict:
        image = {item["id"]: item["name"] for item in self.docker_images}.get(docker_image_id)
        data_version = {version_id: name for name, version_id in self.data_versions.items()}.get(data_version_id)
        pickle = {
            "id": str(uuid.uuid4()),
            "filename": filename,
            "modelId": model["id"],
            "slot": model["name"],
            "validationStatus": "pending",
            "triggerStatus": None,
            "diagnosticsStatus": None,
            "dataVersionId": data_version_id,
            "dataVersion": data_version,
            "dockerImageId": docker_image_id,
            "dockerImageName": image,
            "label": None,
            "insertedAt": now(),
            "triggers": [],
            "polls": 0,
            "uploaded": False,
            "plan": dict(self.plans.get(model["name"], {"outcome": "validated"})),
        }
        self.pickles[pickle["id"]] = pickle
        trigger = self.add_trigger(pickle, "pending")
        self.logs[trigger["id"]] = [log_line("Pulling image")]
        return pickle

    def add_trigger(self, pickle: dict, status: str) -> dict:
        trigger = {
            "id": str(uuid.uuid4()),
            "computePickleUploadId": pickle["id"],
            "status": status,
            "statuses": [],
            "insertedAt": now(),
        }
        pickle["triggers"].append(trigger)
        self.set_trigger_status(pickle, trigger, status, None)
        return trigger

    @staticmethod
    def set_trigger_status(pickle: dict, trigger: dict, status: str, description: str | None, *,
                           settles: bool = True) -> None:
        trigger["status"], trigger["updatedAt"] = status, now()
        trigger["statuses"].append(
            {
                "id": str(uuid.uuid4()),
                "computePickleTriggerId": trigger["id"],
                "status": status,
                "description": description,
                "insertedAt": trigger["updatedAt"],
            }
        )
        if settles and status in ("success", "failed", "error"):
            pickle["triggerStatus"] = "submission_succeeded" if status == "success" else "model_failed"

    def advance(self, pickle: dict) -> None:
        """One poll's worth of progress: pending, then validating, then the planned outcome."""
        if pickle["validationStatus"] not in ("pending", "validating"):
            return
        pickle["polls"] += 1
        trigger = pickle["triggers"][0]
        if pickle["polls"] >= 2 and pickle["validationStatus"] == "pending":
            pickle["validationStatus"] = "validating"
            self.set_trigger_status(pickle, trigger, "validating", "Running your model on live data")
        outcome = pickle["plan"]["outcome"]
        if pickle["polls"] > self.polls_to_validate and outcome != "never":
            self.finish_validation(pickle, outcome, pickle["plan"].get("description"))
            self.logs.setdefault(trigger["id"], []).extend(
                log_line(line) for line in pickle["plan"].get("logs", ["Predictions ok"])
            )
            self.dump_state()

    def finish_validation(self, pickle: dict, outcome: str, description: str | None) -> None:
        """The upload's first run ends; a validated pickle submits for the round open now, or, between
        rounds, reports that no round is open (it runs at the next)."""
        pickle["validationStatus"] = outcome
        status = "success" if outcome == "validated" else "failed"
        trigger = pickle["triggers"][0]
        self.set_trigger_status(pickle, trigger, status, description or status)
        if outcome == "validated":
            current = self.current_round()
            if current is None:
                self.set_trigger_status(pickle, trigger, "failed", NO_OPEN_ROUND, settles=False)
            else:
                self.record_submission(pickle, current, trigger)

    def pickle_view(self, pickle: dict) -> dict:
        """A `ComputePickleUpload`: `assignedModelSlots` holds the ids of the models it is assigned to."""
        hidden = ("polls", "uploaded", "plan", "slot")
        return {
            **{key: value for key, value in pickle.items() if key not in hidden},
            "assignedModelSlots": sorted(
                model_id for model_id, pickle_id in self.assignments.items() if pickle_id == pickle["id"]
            ),
            "triggers": json.loads(json.dumps(pickle["triggers"])),
        }

    def model_view(self, model: dict) -> dict:
        """A `Model`, with the pickle assigned to it."""
        pickle_id = self.assignments.get(model["id"])
        return {**model, "computePickleUpload": self.pickle_view(self.pickles[pickle_id]) if pickle_id else None}


# -- HTTP plumbing ---------------------------------------------------------------------------------


def parse_range(header: str, size: int):
    """(start, stop) of a single `bytes=` range within a file of `size` bytes; "unsatisfiable" when it
    lies beyond the file; None (the whole file) for anything else, as servers ignore what they cannot
    parse."""
    match = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header)
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        start, stop = max(0, size - int(last)), size
    else:
        start, stop = int(first), min(size, int(last) + 1) if last else size
    if start >= size or stop <= start:
        return "unsatisfiable"
    return start, stop


# -- standalone ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a stand-in for Numerai's API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--models", default="", help="comma-separated model names of the account")
    parser.add_argument("--public-id", default=os.environ.get("NUMERAI_PUBLIC_ID", "standin-public-id"))
    parser.add_argument("--secret-key", default=os.environ.get("NUMERAI_SECRET_KEY", "standin-secret-key"))
    parser.add_argument(
        "--state-file", type=Path, default=None, help="JSON state, rewritten after each change"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="dataset files served as <version>/<file>"
    )
    parser.add_argument("--polls-to-validate", type=int, default=2)
    parser.add_argument("--scopes", default="upload_submission,read_submission_info,read_user_info",
                        help="comma-separated scopes of the key, as apiTokenInfo answers them")
    parser.add_argument(
        "--refuse-ranges", action="store_true", help="answer dataset GETs whole, ignoring Range:"
    )
    parser.add_argument(
        "--webhook",
        action="append",
        default=[],
        metavar="SLOT=URL",
        help="a submission webhook already set on a slot",
    )
    parser.add_argument(
        "--assigned",
        action="append",
        default=[],
        metavar="SLOT=FILENAME",
        help="a validated pickle of this file name, uploaded earlier (by anyone) and assigned to the slot",
    )
    parser.add_argument(
        "--run",
        action="append",
        default=[],
        metavar="SLOT=STATUS:DESCRIPTION",
        help="a further run of the slot's assigned pickle that ended with STATUS (after --assigned)",
    )
    parser.add_argument("--run-log", action="append", default=[], metavar="LINE", help="a log line of each --run")
    parser.add_argument("--scores", type=Path, default=None, help="per-round scores as JSON (standin_scores.py)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    models = [name for name in args.models.split(",") if name]
    standin = NumeraiStandIn(
        models=models,
        public_id=args.public_id,
        secret_key=args.secret_key,
        data_dir=args.data_dir,
        polls_to_validate=args.polls_to_validate,
        scopes=[scope for scope in args.scopes.split(",") if scope],
        state_file=args.state_file,
        port=args.port,
        refuse_ranges=args.refuse_ranges,
    )
    for item in args.webhook:
        slot, _, url = item.partition("=")
        standin.set_webhook(slot, url)
    for item in args.assigned:
        slot, _, filename = item.partition("=")
        standin.seed_pickle(slot, filename)
    for item in args.run:
        slot, _, outcome = item.partition("=")
        status, _, description = outcome.partition(":")
        standin.seed_run(slot, status, description, args.run_log, round_id="round-1")
    if args.scores:
        standin.seed_scores_file(args.scores)
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
