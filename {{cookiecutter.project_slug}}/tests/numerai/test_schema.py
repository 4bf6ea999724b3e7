"""Numerai's schema, enforced: the stand-in rejects what Numerai would reject, and every query this
repository sends (its own and numerapi's) is valid against the vendored schema (numerai_schema.graphql)."""

from __future__ import annotations

import importlib

import graphql
import pytest
import requests

from {{ cookiecutter.package_name }}.numerai.client import NumeraiClient
from {{ cookiecutter.package_name }}.numerai.credentials import Credentials
from {{ cookiecutter.package_name }}.settings import load_settings

from standin import SCHEMA, NumeraiStandIn, schema_errors

# The client scrubs a key from every later message of this process: none that may occur in one.
PUBLIC_ID, SECRET_KEY = "SCHEMA-PUBLIC", "schema-secret-7e3a90"
AUTH = {"Authorization": f"Token {PUBLIC_ID}${SECRET_KEY}"}
# The client's queries, by name; at least these exist.
CLIENT_QUERIES = {"MODEL", "COMPUTE_PICKLES", "DOCKER_IMAGES", "TRIGGER_LOGS", "ASSIGN", "UPLOAD_AUTH", "CREATE_UPLOAD"}
# history, rollback, logs, trigger and doctor
CLIENT_QUERIES |= {"UPLOADS", "TRIGGER_RUN", "API_TOKEN_INFO"}
# status: the round calendar and a slot's submissions
CLIENT_QUERIES |= {"ROUNDS", "SUBMISSIONS"}
# challengers: per-round scores and each round's payout multipliers
CLIENT_QUERIES |= {"SUBMISSION_SCORES", "ROUND_PAYOUT_MULTIPLIERS"}
# diagnostics: Numerai's scoring of validation predictions, and a deployed pickle's bytes
CLIENT_QUERIES |= {"DIAGNOSTICS_UPLOAD_AUTH", "CREATE_DIAGNOSTICS", "DIAGNOSTICS", "ASSIGNED_DIAGNOSTICS",
                   "PICKLE_DOWNLOAD_AUTH"}


def queries_module():
    """Where the client's query texts live."""
    return importlib.import_module("{{ cookiecutter.package_name }}.numerai.queries")


def operations_in(module) -> dict[str, str]:
    """{name: text} of the module's constants that are GraphQL operations (not field-list snippets)."""
    found = {}
    for name, value in vars(module).items():
        if not (name.isupper() and isinstance(value, str)):
            continue
        try:
            document = graphql.parse(value)
        except graphql.GraphQLError:
            continue
        if any(isinstance(item, graphql.OperationDefinitionNode) for item in document.definitions):
            found[name] = value
    return found


CLIENT_OPERATIONS = operations_in(queries_module())


def strict_errors(text: str) -> list[str]:
    """graphql-core's own validation, every rule of the spec as it stands."""
    return [error.message for error in graphql.validate(SCHEMA, graphql.parse(text))]


@pytest.fixture
def standin():
    with NumeraiStandIn(models=["slot_a", "slot_b"], public_id=PUBLIC_ID, secret_key=SECRET_KEY) as running:
        yield running


def post(standin: NumeraiStandIn, query: str, variables: dict | None = None) -> tuple[int, dict]:
    answer = requests.post(standin.url, json={"query": query, "variables": variables}, headers=AUTH, timeout=10)
    return answer.status_code, answer.json()


def assert_rejected(standin: NumeraiStandIn, query: str, variables: dict | None, *words: str) -> str:
    """HTTP 200, `data` null and an error whose message names each of `words`, as Numerai answers."""
    status, body = post(standin, query, variables)
    assert status == 200
    assert body["data"] is None
    assert body["errors"] and all(isinstance(error["message"], str) for error in body["errors"])
    messages = " | ".join(error["message"] for error in body["errors"])
    for word in words:
        assert word in messages
    return messages


# -- the stand-in answers as Numerai would -----------------------------------------------------------


def test_a_field_numerais_schema_lacks_is_a_graphql_error(standin):
    model_id = standin.model_named("slot_a")["id"]

    assert_rejected(
        standin, "query ($modelId: ID) { model(modelId: $modelId) { id nmae } }", {"modelId": model_id}, "nmae"
    )
    assert_rejected(standin, "query { computePickleUploads { id } }", None, "computePickleUploads")
    assert_rejected(standin, "mutation { deployPickle(modelId: \"x\") }", None, "deployPickle")
    assert standin.mutations == [] and standin.pickles == {}


def test_a_wrong_argument_name_is_a_graphql_error(standin):
    model_id = standin.model_named("slot_a")["id"]

    assert_rejected(standin, "query ($id: ID) { model(id: $id) { id } }", {"id": model_id}, "argument", "'id'")
    assert_rejected(
        standin,
        "mutation ($modelId: String, $id: ID) { assignPickleToModel(modelId: $modelId, computePickleId: $id) }",
        {"modelId": model_id, "id": "x"},
        "computePickleId",
    )


def test_a_missing_required_argument_is_a_graphql_error(standin):
    assert_rejected(standin, "query { triggerLogs { timestamp message } }", None, "triggerId")
    assert_rejected(standin, 'mutation { addModel(name: "new_slot") { id } }', None, "tournament")
    assert_rejected(
        standin, "mutation { createComputePickleUpload(tournament: 8) { id } }", None, "filename"
    )
    assert [model["name"] for model in standin.models.values()] == ["slot_a", "slot_b"]


def test_a_variable_of_the_wrong_type_or_value_is_a_graphql_error(standin):
    # Declared type: a String where Numerai wants Int!, a nullable variable for a required argument.
    assert_rejected(
        standin,
        "mutation ($name: String!, $tournament: String!) { addModel(name: $name, tournament: $tournament) { id } }",
        {"name": "new_slot", "tournament": "8"},
        "$tournament",
    )
    assert_rejected(
        standin, "query ($triggerId: ID) { triggerLogs(triggerId: $triggerId) { message } }", {"triggerId": "t"},
        "$triggerId",
    )
    # Value: not what the variable's declared type takes, or missing though required.
    assert_rejected(
        standin,
        "mutation ($name: String!, $tournament: Int!) { addModel(name: $name, tournament: $tournament) { id } }",
        {"name": "new_slot", "tournament": "eight"},
        "$tournament",
    )
    assert_rejected(
        standin, "query ($triggerId: ID!) { triggerLogs(triggerId: $triggerId) { message } }", {}, "$triggerId"
    )
    assert standin.mutations == []


def test_answers_have_the_schemas_shape_and_types(standin):
    slot_a = standin.model_named("slot_a")["id"]
    pickle_id = standin.seed_pickle("slot_a", "slot_a-0123456789ab.pkl", assign=False)
    pickles = "query ($modelId: ID) { computePickles(modelId: $modelId) { id modelId assignedModelSlots version } }"

    status, body = post(
        standin,
        "mutation ($modelId: String, $pickleId: ID) { assignPickleToModel(modelId: $modelId, pickleId: $pickleId) }",
        {"modelId": slot_a, "pickleId": pickle_id},
    )
    assert status == 200 and body == {"data": {"assignPickleToModel": "true"}}

    _status, body = post(standin, pickles, {"modelId": slot_a})
    assert body["data"]["computePickles"] == [
        {"id": pickle_id, "modelId": slot_a, "assignedModelSlots": [slot_a], "version": None}
    ]

    _status, body = post(standin, "query { account { models { id name tournament } } }")
    models = body["data"]["account"]["models"]
    assert all(isinstance(model["id"], str) and model["tournament"] == 8 for model in models)

    _status, body = post(
        standin,
        "mutation ($modelId: ID, $pickleId: ID) { triggerComputePickleUpload(modelId: $modelId, pickleId: $pickleId)"
        " { id triggers { id computePickleUploadId status } } }",
        {"modelId": slot_a, "pickleId": pickle_id},
    )
    triggers = body["data"]["triggerComputePickleUpload"]["triggers"]
    assert len(triggers) == 2 and {trigger["computePickleUploadId"] for trigger in triggers} == {pickle_id}
    _status, body = post(
        standin, "query ($id: ID!) { triggerLogs(triggerId: $id) { timestamp message } }", {"id": triggers[0]["id"]}
    )
    assert all(isinstance(line["timestamp"], int) for line in body["data"]["triggerLogs"])

    add_model = 'mutation { addModel(name: "slot_c", tournament: 8) { id name computePickleUpload { id } } }'
    _status, body = post(standin, add_model)
    added = body["data"]["addModel"]
    assert added["name"] == "slot_c" and added["id"] == standin.model_named("slot_c")["id"]
    assert added["computePickleUpload"] is None and "addModel" in standin.mutations
    _status, body = post(standin, "query { apiTokenInfo { publicId scopes } }")
    assert body["data"]["apiTokenInfo"]["publicId"] == PUBLIC_ID


def test_a_resolver_error_names_the_field_and_leaves_it_null(standin):
    status, body = post(standin, "query ($modelId: ID) { model(modelId: $modelId) { id } }", {"modelId": "nope"})

    assert status == 200
    assert body["data"] == {"model": None}
    assert body["errors"][0]["path"] == ["model"] and "not found" in body["errors"][0]["message"]


# -- every query this repository sends is valid ----------------------------------------------------


def test_the_client_queries_are_all_found():
    assert set(CLIENT_OPERATIONS) >= CLIENT_QUERIES


@pytest.mark.parametrize("name", sorted(CLIENT_OPERATIONS))
def test_each_client_query_validates_against_numerais_schema(name):
    assert strict_errors(CLIENT_OPERATIONS[name]) == []
    assert schema_errors(CLIENT_OPERATIONS[name]) == []


@pytest.fixture
def numerapi_texts(standin, monkeypatch, tmp_path) -> dict[str, str]:
    """{numerapi method: query text} of the numerapi methods the client calls (and model_upload, whose
    steps the client sends itself), captured as they reach the stand-in."""
    monkeypatch.setenv("NUMERAI_API_URL", standin.url)
    api = NumeraiClient(Credentials(PUBLIC_ID, SECRET_KEY), load_settings()).numerapi
    pickle = tmp_path / "slot_a-0123456789ab.pkl"
    pickle.write_bytes(b"not really a pickle")
    calls = {
        "get_models": lambda: api.get_models(),
        "model_upload_data_versions": api.model_upload_data_versions,
        "model_upload_docker_images": api.model_upload_docker_images,
        "set_submission_webhook": lambda: api.set_submission_webhook(standin.model_named("slot_b")["id"], None),
        "list_datasets": api.list_datasets,
        "model_upload": lambda: api.model_upload(str(pickle), model_id=standin.model_named("slot_a")["id"]),
    }
    texts = {}
    for method, call in calls.items():
        seen = len(standin.requests)
        call()
        sent = [entry["query"] for entry in standin.requests[seen:] if entry["method"] == "POST"]
        for index, text in enumerate(sent):
            texts[method if len(sent) == 1 else f"{method}[{index}]"] = text
    return texts


def test_numerapis_queries_validate_against_numerais_schema(numerapi_texts):
    assert set(numerapi_texts) == {
        "get_models",
        "model_upload_data_versions",
        "model_upload_docker_images",
        "set_submission_webhook",
        "list_datasets",
        "model_upload[0]",
        "model_upload[1]",
    }
    for method, text in numerapi_texts.items():
        assert schema_errors(text) == [], method
        if not method.startswith("model_upload"):
            assert strict_errors(text) == [], method


def test_numerapis_upload_steps_differ_from_the_schema_only_in_declaring_ids_as_strings(numerapi_texts):
    """numerapi 3.1.1 declares `$modelId: String` (and the data version and image ids) for arguments
    Numerai types `ID`: the spec's rule rejects that, Numerai evidently does not (numerapi's
    model_upload is how its users upload), and the stand-in follows Numerai. The client's own upload
    queries declare `ID`, valid under either reading."""
    for method in ("model_upload[0]", "model_upload[1]"):
        errors = strict_errors(numerapi_texts[method])
        assert errors, method
        assert all("of type 'String' used in position expecting type 'ID'" in error for error in errors), errors


def test_the_diagnostics_query_asks_for_every_name_of_datasets_diagnostics_json():
    """Every figure a gate may name is a field of V2Diagnostics (each per-era one of V2DiagnosticsEras)."""
    from {{ cookiecutter.package_name }}.diagnostic_names import load_names

    names = load_names()
    query = queries_module().diagnostics_query(list(names.figures), list(names.per_era))
    assert strict_errors(query) == [] and schema_errors(query) == []
    assert all(name in query for name in names.figures)
