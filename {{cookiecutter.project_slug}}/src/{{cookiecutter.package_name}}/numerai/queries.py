"""The GraphQL operations this package sends itself (field and argument names: Numerai's schema, as
vendored in tests/numerai_schema.graphql, against which tests validate every one of them).

Upload auth and create are numerapi's own model_upload queries, sent here step by step so that the
file PUT between them can be checked; the webhook mutation is numerapi's set_submission_webhook, sent
here so that a lost answer is looked up before the change is sent again; the dataset query is
numerapi's download_dataset's, whose URL datasets.py reads with ranges and its own checks.
"""

# Numerai's id of the Classic tournament (the `tournament` argument and field).
CLASSIC_TOURNAMENT = 8

TRIGGER_FIELDS = "triggers { id status statuses { status description insertedAt } }"
PICKLE_FIELDS = (
    "id filename modelId assignedModelSlots validationStatus triggerStatus dataVersionId "
    "dockerImageId dockerImageName insertedAt " + TRIGGER_FIELDS
)

# A placeholder rather than an f-string keeps GraphQL's braces as they are sent.
MODEL = """
query ($modelId: ID) {
  model(modelId: $modelId) {
    id name submissionWebhook computeEnabled
    computePickleUpload { PICKLE_FIELDS }
  }
}
""".replace("PICKLE_FIELDS", PICKLE_FIELDS)

COMPUTE_PICKLES = """
query ($id: ID, $modelId: ID) {
  computePickles(id: $id, modelId: $modelId) { PICKLE_FIELDS }
}
""".replace("PICKLE_FIELDS", PICKLE_FIELDS)

# Deprecated images too (the argument defaults to false): `runtimes` shows them marked, and a deploy
# onto one still finds its id.
DOCKER_IMAGES = """
query {
  computePickleDockerImages(deprecated: true) { id name image tag default deprecated experimental }
}
"""

# Deprecated data versions too (the argument defaults to false): the health check says when one a
# spec trains on is marked deprecated, or a newer one is offered.
DATA_VERSIONS = """
query {
  computePickleDataVersions(deprecated: true) { id name default deprecated experimental }
}
"""

TRIGGER_LOGS = """
query ($triggerId: ID!) {
  triggerLogs(triggerId: $triggerId) { timestamp message }
}
"""

ASSIGN = """
mutation ($modelId: String, $pickleId: ID) {
  assignPickleToModel(modelId: $modelId, pickleId: $pickleId)
}
"""

UPLOAD_AUTH = """
query ($filename: String! $modelId: ID) {
  computePickleUploadAuth(filename: $filename modelId: $modelId) { filename url }
}
"""

CREATE_UPLOAD = """
mutation ($filename: String! $tournament: Int! $modelId: ID
          $dataVersionId: ID $dockerImageId: ID) {
  createComputePickleUpload(filename: $filename tournament: $tournament modelId: $modelId
                            dataVersionId: $dataVersionId dockerImageId: $dockerImageId) { id }
}
"""

SET_WEBHOOK = """
mutation ($modelId: String! $newSubmissionWebhook: String) {
  setSubmissionWebhook(modelId: $modelId newSubmissionWebhook: $newSubmissionWebhook)
}
"""

# A dataset file's presigned URL now.
DATASET = """
query ($filename: String!, $round: Int, $tournament: Int) {
  dataset(filename: $filename, round: $round, tournament: $tournament)
}
"""

# -- history, rollback, logs, trigger and doctor ----------------------------------------------------

# A run (trigger) in full: its round, its kind, and every status Numerai gave it with its description.
RUN_FIELDS = (
    "triggers { id type roundId status insertedAt updatedAt "
    "statuses { status description insertedAt } }"
)
UPLOAD_FIELDS = (
    "id filename modelId assignedModelSlots validationStatus triggerStatus dataVersion dataVersionId "
    "dockerImageId dockerImageName label insertedAt " + RUN_FIELDS
)

# A slot's uploads (or one of them, by id), each with its runs.
UPLOADS = """
query ($id: ID, $modelId: ID) {
  computePickles(id: $id, modelId: $modelId) { UPLOAD_FIELDS }
}
""".replace("UPLOAD_FIELDS", UPLOAD_FIELDS)

# Starts a run of an uploaded pickle (a validation run with triggerValidation); answers the pickle.
TRIGGER_RUN = """
mutation ($modelId: ID, $pickleId: ID, $triggerValidation: Boolean) {
  triggerComputePickleUpload(modelId: $modelId, pickleId: $pickleId, triggerValidation: $triggerValidation) {
    UPLOAD_FIELDS
  }
}
""".replace("UPLOAD_FIELDS", UPLOAD_FIELDS)

# Whose key this is and what it may do.
API_TOKEN_INFO = """
query {
  apiTokenInfo { accountUsername name publicId scopes }
}
"""

# Creating a model slot (deploy.create: true), and the look-up that tells whether a lost answer's
# creation happened.
ADD_MODEL = """
mutation ($name: String! $tournament: Int!) {
  addModel(name: $name tournament: $tournament) { id name tournament }
}
"""

ACCOUNT_MODELS = """
query {
  account { models { id name tournament } }
}
"""

# What `status` reads of a slot: MODEL plus whether it is archived and the round of each run.
MODEL_STATUS = MODEL.replace("submissionWebhook computeEnabled", "archived submissionWebhook computeEnabled").replace(
    "triggers { id status", "triggers { id roundId status"
)

# -- the round calendar and a slot's submissions (status) --------------------------------------------

# The Classic rounds in one state (RoundStatus: OPEN, RESOLVING, ...): their numbers and times.
# closeStakingTime is the deadline numerapi's check_round_open reads.
ROUNDS = """
query ($tournament: Int, $status: RoundStatus) {
  rounds(tournament: $tournament, status: $status) { id number openTime closeTime closeStakingTime }
}
"""

# A slot's submissions, each with its round (numerapi's submission_ids and get_submission_filenames).
SUBMISSIONS = """
query ($modelId: ID) {
  submissions(modelId: $modelId) { id filename insertedAt selected status triggerId round { id number } }
}
"""

# -- per-round scores (challengers) -------------------------------------------------------------------

# A slot's scores per round: numerapi 3.1.1's submission_scores (every score, day and version; public).
SUBMISSION_SCORES = """
query ($modelId: ID!, $displayName: String, $resolved: Boolean, $tournament: Int) {
  submissionScores(modelId: $modelId, displayName: $displayName, resolved: $resolved, tournament: $tournament) {
    roundNumber displayName value day version date resolved
  }
}
"""

# Each round's payout multipliers: numerapi 3.1.1's round_model_performances_v2 (deprecated, but the one
# place Numerai lists them). numerapi declares $modelId as String!; the schema's argument is ID!.
ROUND_PAYOUT_MULTIPLIERS = """
query ($modelId: ID!, $tournament: Int) {
  v2RoundModelPerformances(modelId: $modelId, tournament: $tournament) {
    roundNumber roundResolved payoutMultipliers { displayName multiplier }
  }
}
"""


# -- diagnostics: Numerai's own scoring of validation predictions (numerai-deploy diagnostics) ---------
# numerapi 3.1.1's upload_diagnostics and diagnostics send these operations; the argument types here are
# the schema's (numerapi declares String for the ID arguments, which Numerai accepts).

DIAGNOSTICS_UPLOAD_AUTH = """
query ($filename: String!, $tournament: Int!, $modelId: ID) {
  diagnosticsUploadAuth(filename: $filename, tournament: $tournament, modelId: $modelId) { filename url }
}
"""

CREATE_DIAGNOSTICS = """
mutation ($filename: String!, $tournament: Int!, $modelId: ID) {
  createDiagnostics(filename: $filename, tournament: $tournament, modelId: $modelId) { id }
}
"""

# A model's diagnostics runs (or one, by id). The comment `# FIGURES` is replaced by the figures asked for
# (their names: datasets/diagnostics.json), `# PER_ERA` by the per-era figures; as it stands, a valid query.
FIGURES, PER_ERA = "# FIGURES", "# PER_ERA"
DIAGNOSTICS = """
query ($id: ID, $modelId: ID) {
  diagnostics(id: $id, modelId: $modelId) {
    id filename status message trainedOnVal updatedAt computePickleUploadId
    # FIGURES
    perEraDiagnostics {
      era
      # PER_ERA
    }
  }
}
"""


def diagnostics_query(figures: list[str], per_era: list[str]) -> str:
    """DIAGNOSTICS asking for these figures and per-era figures."""
    return DIAGNOSTICS.replace(FIGURES, " ".join(figures)).replace(PER_ERA, " ".join(per_era))

# The pickle assigned to a slot now, with the diagnostics Numerai made of it when it was uploaded.
ASSIGNED_DIAGNOSTICS = """
query ($modelId: ID) {
  model(modelId: $modelId) {
    id name
    computePickleUpload { id filename diagnosticsId diagnosticsStatus diagnosticsStatusDescription }
  }
}
"""

# A presigned URL of an uploaded pickle's bytes.
PICKLE_DOWNLOAD_AUTH = """
query ($modelId: ID!, $pickleId: ID) {
  computePickleDownloadAuth(modelId: $modelId, pickleId: $pickleId) { filename url }
}
"""
