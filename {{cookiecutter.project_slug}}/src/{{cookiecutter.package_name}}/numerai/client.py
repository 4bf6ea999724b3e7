"""The Numerai API operations every command uses: look-ups, changes, uploads, history, runs, the key.

Every request goes through the transport (transport.py): NUMERAI_API_URL, timeouts, bounded retries,
honest errors, and a change that is looked up before it is sent again. numerapi supplies the
ecosystem's own methods for what it does well (the account's models, data versions, dataset
listings), used through its public methods only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numerapi

from ..settings import Settings
from . import queries
from .credentials import Credentials
from .errors import GraphQLFailed, UploadRejected
from .queries import CLASSIC_TOURNAMENT
from .signed_urls import hide_signed_url
from .transport import Transport

# The longest a look-up waits that only decides whether to go on (preflight, a build's reachability probe):
# a slow answer and a retry or two within seconds, not the minutes a deploy spends riding out an outage.
QUICK = {"request_timeout": 10.0, "retry_attempts": 3, "retry_budget": 15.0}


def quick_settings(settings: Settings) -> Settings:
    """The settings with at most QUICK's timeout and retries (smaller values are kept)."""
    return settings.model_copy(update={name: min(getattr(settings, name), limit) for name, limit in QUICK.items()})


class NumeraiClient:
    """Numerai's API as the commands use it; `credentials` None: only calls that need no key."""

    def __init__(self, credentials: Credentials | None, settings: Settings):
        self.settings = settings
        self.transport = Transport(self.settings, credentials)
        public_id, secret_key = (credentials.public_id, credentials.secret_key) if credentials else (None, None)
        # (numerapi calls logging.basicConfig here: logs.configure has already given the root a handler.)
        self.numerapi = numerapi.NumerAPI(public_id, secret_key, verbosity="warning", show_progress_bars=False)  # type: ignore[no-untyped-call]
        # numerapi's methods reach the API only through its documented raw_query, which posts to a module
        # constant without a timeout and hides HTTP errors; routing that one method to the transport gives
        # them NUMERAI_API_URL, timeouts, bounded retries and honest errors, and writes no numerapi global.
        self.numerapi.raw_query = self.transport.raw_query  # type: ignore[method-assign,assignment]

    def query_field(self, query: str, variables: dict[str, Any] | None = None, shape: type | None = None) -> Any:
        """The answer's root field, of the expected `shape` (see Transport.query_field)."""
        return self.transport.query_field(query, variables, shape)

    # -- lookups -----------------------------------------------------------------------------------

    def account_models(self) -> dict[str, str]:
        """{model name: model id} of the account's Classic models (numerapi's get_models)."""
        return cast("dict[str, str]",
                    self.through_numerapi("account", lambda: self.numerapi.get_models(CLASSIC_TOURNAMENT)))

    def model_state(self, model_id: str) -> dict[str, Any]:
        """The slot: webhook, compute flag and the assigned pickle with its triggers."""
        model: dict[str, Any] = self.query_field(queries.MODEL, {"modelId": model_id}, dict)
        if not model:
            raise GraphQLFailed(f"model: Numerai knows no model with id {model_id}")
        return model

    def pickles(self, model_id: str, pickle_id: str | None = None) -> list[dict[str, Any]]:
        variables = {"modelId": model_id, "id": pickle_id}
        return self.query_field(queries.COMPUTE_PICKLES, variables, list) or []

    def pickle(self, model_id: str, pickle_id: str) -> dict[str, Any]:
        found = [item for item in self.pickles(model_id, pickle_id) if item.get("id") == pickle_id]
        if not found:
            raise GraphQLFailed(f"computePickles: Numerai lists no pickle {pickle_id} for this model")
        return found[0]

    def docker_images(self) -> list[dict[str, Any]]:
        return self.query_field(queries.DOCKER_IMAGES, None, list) or []

    def data_versions(self) -> dict[str, str]:
        return cast("dict[str, str]",
                    self.through_numerapi("computePickleDataVersions", self.numerapi.model_upload_data_versions))

    def data_version_flags(self) -> list[dict[str, Any]]:
        """Every data version uploads may name, deprecated ones included: name, default, deprecated."""
        return self.query_field(queries.DATA_VERSIONS, None, list) or []

    @staticmethod
    def through_numerapi(operation: str, call: Callable[..., Any]) -> Any:
        """A numerapi method's result; an answer of an unexpected shape is an ApiError, not a KeyError."""
        try:
            return call()
        except (KeyError, TypeError, AttributeError) as error:
            raise GraphQLFailed(f"{operation}: Numerai's answer lacks {error}") from None

    def trigger_logs(self, trigger_id: str) -> list[dict[str, Any]]:
        return self.query_field(queries.TRIGGER_LOGS, {"triggerId": trigger_id}, list) or []

    def rounds(self, status: str) -> list[dict[str, Any]]:
        """The Classic rounds Numerai lists in `status` (a RoundStatus: OPEN, RESOLVING, UPCOMING, RESOLVED)."""
        variables = {"tournament": CLASSIC_TOURNAMENT, "status": status}
        return self.query_field(queries.ROUNDS, variables, list) or []

    def submissions(self, model_id: str) -> list[dict[str, Any]]:
        """The slot's submissions, each with its round's id and number."""
        return self.query_field(queries.SUBMISSIONS, {"modelId": model_id}, list) or []

    def submission_scores(self, model_id: str, display_name: str | None = None) -> list[dict[str, Any]]:
        """Every resolved score of the slot (each round, score name, day and version): submissionScores."""
        variables = {"modelId": model_id, "displayName": display_name, "resolved": True,
                     "tournament": CLASSIC_TOURNAMENT}
        return self.query_field(queries.SUBMISSION_SCORES, variables, list) or []

    def round_payout_multipliers(self, model_id: str) -> list[dict[str, Any]]:
        """The rounds the slot took part in, each with its payout multipliers (v2RoundModelPerformances)."""
        variables = {"modelId": model_id, "tournament": CLASSIC_TOURNAMENT}
        return self.query_field(queries.ROUND_PAYOUT_MULTIPLIERS, variables, list) or []

    # -- changes: each looked up before it is sent again -------------------------------------------

    def clear_webhook(self, model_id: str) -> None:
        def cleared() -> str | None:
            model = self.transport.ask(queries.MODEL, {"modelId": model_id})
            return None if isinstance(model, dict) and model.get("submissionWebhook") else "true"

        variables = {"modelId": model_id, "newSubmissionWebhook": None}
        answer = self.transport.mutate(queries.SET_WEBHOOK, variables, cleared)
        if str(answer).lower() != "true":
            raise GraphQLFailed("setSubmissionWebhook: Numerai did not confirm clearing the webhook")

    def assign(self, model_id: str, pickle_id: str) -> None:
        def assigned() -> str | None:
            model = self.transport.ask(queries.MODEL, {"modelId": model_id}) or {}
            return "true" if (model.get("computePickleUpload") or {}).get("id") == pickle_id else None

        answer = self.transport.mutate(queries.ASSIGN, {"modelId": model_id, "pickleId": pickle_id}, assigned)
        if str(answer).lower() != "true":
            raise GraphQLFailed(f"assignPickleToModel: Numerai answered {answer!r}, not true")

    def upload(
        self, content: bytes, *, filename: str, model_id: str, data_version_id: str, docker_image_id: str
    ) -> str:
        """numerapi's model_upload steps, checking the file PUT it ignores; returns the pickle id.

        `content` is the pickle's bytes as the caller verified them: the file is never read again here,
        so a file replaced after that check is not what gets uploaded.

        After a lost answer to createComputePickleUpload, the upload is looked up by the file name
        Numerai gave it (computePickles of the model) before it is created again.
        """
        auth = self.query_field(queries.UPLOAD_AUTH, {"filename": filename, "modelId": model_id}, dict) or {}
        if not isinstance(auth.get("url"), str):
            raise GraphQLFailed("computePickleUploadAuth: Numerai's answer has no upload URL")
        self.put_file(auth["url"], content, filename)
        stored_as = auth.get("filename") or filename

        def created() -> dict[str, Any] | None:
            found = [
                item
                for item in self.transport.ask(queries.COMPUTE_PICKLES, {"modelId": model_id, "id": None}) or []
                if isinstance(item, dict) and item.get("filename") == stored_as
            ]
            return found[-1] if found else None

        variables = {
            "filename": stored_as,
            "tournament": CLASSIC_TOURNAMENT,
            "modelId": model_id,
            "dataVersionId": data_version_id,
            "dockerImageId": docker_image_id,
        }
        answer = self.transport.mutate(queries.CREATE_UPLOAD, variables, created)
        if not isinstance(answer, dict) or not answer.get("id"):
            raise GraphQLFailed("createComputePickleUpload: Numerai's answer has no pickle id")
        return str(answer["id"])

    def add_model(self, name: str) -> str:
        """Create a Classic model slot named `name`; returns its id. After a lost answer, the account's
        models are looked up by name before the creation is sent again."""

        def created() -> dict[str, Any] | None:
            account = self.transport.ask(queries.ACCOUNT_MODELS) or {}
            found = [
                model
                for model in account.get("models") or []
                if isinstance(model, dict) and model.get("name") == name
                and model.get("tournament") in (None, CLASSIC_TOURNAMENT)
            ]
            return found[0] if found else None

        variables = {"name": name, "tournament": CLASSIC_TOURNAMENT}
        answer = self.transport.mutate(queries.ADD_MODEL, variables, created)
        if not isinstance(answer, dict) or not answer.get("id"):
            raise GraphQLFailed(f"addModel: Numerai's answer has no model id for {name!r}")
        return str(answer["id"])

    def put_file(self, url: str, content: bytes, name: str) -> None:
        """PUT the bytes to a presigned storage URL (it carries its own authorisation, so the API token
        is not sent). Its query string is a credential: from here on no output shows it."""
        hide_signed_url(url)
        response = self.transport.put(url, content, "file upload")
        if not 200 <= response.status_code < 300:
            raise UploadRejected(
                f"file upload: the storage refused {name} with HTTP "
                f"{response.status_code}: {response.text[:300].strip()} ==> "
                f"nothing was created; re-run deploy"
            )

    # -- history, runs and the key (history, rollback, logs, trigger, doctor) ----------------------

    def token_info(self) -> dict[str, Any]:
        """apiTokenInfo: the account the key belongs to, the key's name, public id and scopes."""
        info: dict[str, Any] = self.query_field(queries.API_TOKEN_INFO, None, dict)
        if not info:
            raise GraphQLFailed("apiTokenInfo: Numerai's answer says nothing about this key")
        return info

    def uploads(self, model_id: str | None, pickle_id: str | None = None) -> list[dict[str, Any]]:
        """computePickles with every run in full: a model's uploads, or one upload by id (any model of the
        account when `model_id` is None)."""
        variables = {"modelId": model_id, "id": pickle_id}
        return self.query_field(queries.UPLOADS, variables, list) or []

    def start_run(self, model_id: str, pickle_id: str, *, validation: bool = False) -> tuple[dict[str, Any], set[str]]:
        """triggerComputePickleUpload: start a run of the pickle. Returns the pickle as Numerai answered
        it and the ids of the runs it had before, so that the new run can be told apart.

        After a lost answer, the pickle's runs are read: a run that was not there before means the
        trigger happened, and it is not sent again."""
        before = {
            str(trigger.get("id"))
            for item in self.uploads(model_id, pickle_id)
            if item.get("id") == pickle_id
            for trigger in item.get("triggers") or []
            if isinstance(trigger, dict)
        }

        def started() -> dict[str, Any] | None:
            for item in self.transport.ask(queries.UPLOADS, {"modelId": model_id, "id": pickle_id}) or []:
                if isinstance(item, dict) and item.get("id") == pickle_id:
                    triggers = [trigger for trigger in item.get("triggers") or [] if isinstance(trigger, dict)]
                    ids = {str(trigger.get("id")) for trigger in triggers}
                    if ids - before:
                        return item
            return None

        variables = {"modelId": model_id, "pickleId": pickle_id, "triggerValidation": validation}
        answer = self.transport.mutate(queries.TRIGGER_RUN, variables, started)
        if not isinstance(answer, dict):
            raise GraphQLFailed("triggerComputePickleUpload: Numerai's answer has no pickle")
        return answer, before

    # -- diagnostics: Numerai's scoring of validation predictions ------------------------------------

    def upload_diagnostics(self, content: bytes, *, filename: str, model_id: str) -> str:
        """numerapi's upload_diagnostics steps, checking the file PUT; returns the diagnostics id.

        After a lost answer to createDiagnostics, the model's diagnostics are looked up by the file
        name Numerai gave the upload before it is created again."""
        variables = {"filename": filename, "tournament": CLASSIC_TOURNAMENT, "modelId": model_id}
        auth = self.query_field(queries.DIAGNOSTICS_UPLOAD_AUTH, variables, dict) or {}
        if not isinstance(auth.get("url"), str):
            raise GraphQLFailed("diagnosticsUploadAuth: Numerai's answer has no upload URL")
        self.put_file(auth["url"], content, filename)
        stored_as = auth.get("filename") or filename
        lookup = queries.DIAGNOSTICS

        def created() -> dict[str, Any] | None:
            found = [item for item in self.transport.ask(lookup, {"modelId": model_id, "id": None}) or []
                     if isinstance(item, dict) and item.get("filename") == stored_as]
            return found[0] if found else None

        answer = self.transport.mutate(queries.CREATE_DIAGNOSTICS, {**variables, "filename": stored_as}, created)
        if not isinstance(answer, dict) or not answer.get("id"):
            raise GraphQLFailed("createDiagnostics: Numerai's answer has no diagnostics id")
        return str(answer["id"])

    def diagnostics(self, model_id: str, diagnostics_id: str, figures: list[str],
                    per_era: list[str]) -> dict[str, Any] | None:
        """One diagnostics run with the `figures` and `per_era` figures asked for; None when Numerai
        lists no run of that id."""
        query = queries.diagnostics_query(figures, per_era)
        runs = self.query_field(query, {"modelId": model_id, "id": diagnostics_id}, list) or []
        return next((run for run in runs if run.get("id") == diagnostics_id), None)

    def assigned_diagnostics(self, model_id: str) -> dict[str, Any] | None:
        """The pickle assigned to the slot (id, filename, diagnosticsId, diagnosticsStatus...), or None."""
        model = self.query_field(queries.ASSIGNED_DIAGNOSTICS, {"modelId": model_id}, dict) or {}
        return model.get("computePickleUpload") or None

    def download_pickle(self, model_id: str, pickle_id: str) -> bytes:
        """An uploaded pickle's bytes (computePickleDownloadAuth's presigned URL)."""
        auth = self.query_field(queries.PICKLE_DOWNLOAD_AUTH, {"modelId": model_id, "pickleId": pickle_id}, dict) or {}
        if not isinstance(auth.get("url"), str):
            raise GraphQLFailed("computePickleDownloadAuth: Numerai's answer has no download URL")
        hide_signed_url(auth["url"])
        response = self.transport.get(auth["url"], "pickle download")
        with response:
            if response.status_code != 200:
                raise GraphQLFailed(f"pickle download: the storage answered HTTP {response.status_code}")
            content: bytes = response.content
            return content
