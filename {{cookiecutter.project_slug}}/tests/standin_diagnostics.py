"""The stand-in's diagnostics: Numerai's own verdict on validation predictions (a mixin of NumeraiStandIn).

Operations, with the real schema's names and types (tests/numerai_schema.graphql):
`diagnosticsUploadAuth(filename, tournament, modelId) { filename url }` hands out a presigned-style URL
for the CSV, `createDiagnostics(filename, tournament, modelId) { id }` registers it, and
`diagnostics(id, modelId)` lists the runs: `pending` for `polls_to_validate` polls, then `done` with
figures under Numerai's names, or `failed` with a `message`. The uploaded CSV (`id`, `prediction`) is
scored against the validation targets the stand-in serves (data_dir/<version>/validation.parquet, the
version whose ids it covers): per era, the rank-gaussianised predictions' Pearson correlation with the
target (validationCorr), their contribution against the meta model (validationMmc, when
meta_model.parquet is served) and against the first benchmark model (validationBmc), summarised by mean,
std, sharpe and max drawdown; validationFeatureCorrMax is the largest |corr| with a feature. These are
the stand-in's own figures: simpler than Numerai's, and not the numbers `build` computes.

A pickle's own diagnostics (`computePickleUpload { diagnosticsId diagnosticsStatus }`) are seeded with
`seed_pickle_diagnostics(pickle_id, predictions)`: the stand-in never unpickles a model. Its bytes are
served again through `computePickleDownloadAuth(modelId, pickleId) { filename url }` (GET /downloads/...).

Faults: `diagnostics_fail(slot, message)` (the slot's next runs end `failed` with Numerai's message),
`diagnostics_never_end(slot)` (they stay `pending`), `trained_on_val(slot)` (they report `trainedOnVal`).
"""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd

CLASSIC = 8
DONE, PENDING, FAILED = "done", "pending", "failed"
MISSING_IDS = "Your predictions are missing {count} of the validation ids"  # a failed run's message
DUPLICATE_IDS = "Your predictions contain duplicate ids"


class DiagnosticsError(Exception):
    """A resolver's refusal (the stand-in answers it in `errors`)."""


def gaussian_ranks(values: pd.Series) -> np.ndarray:
    """Ranks mapped into (0, 1), then through the normal quantile (Numerai's first step of CORR)."""
    from statistics import NormalDist

    ranks = (values.rank(method="average").to_numpy() - 0.5) / len(values)
    inverse = np.vectorize(NormalDist().inv_cdf)
    return inverse(ranks)


def pearson(left: np.ndarray, right: np.ndarray) -> float:
    if len(left) < 2 or np.std(left) == 0 or np.std(right) == 0:
        return float("nan")
    return float(np.corrcoef(left, right)[0, 1])


def contribution(predictions: np.ndarray, reference: pd.Series, target: np.ndarray) -> float:
    """The predictions' covariance with the target once the reference model is regressed out."""
    other = gaussian_ranks(reference)
    residual = predictions - other * (np.dot(predictions, other) / max(np.dot(other, other), 1e-12))
    return float(np.dot(residual, target - target.mean()) / len(target))


def summary(scores: pd.Series) -> dict:
    scores = scores.dropna()
    if scores.empty:
        return {"mean": None, "std": None, "sharpe": None, "drawdown": None}
    mean, std = float(scores.mean()), float(scores.std(ddof=0))
    cumulative = scores.cumsum()
    return {"mean": mean, "std": std, "sharpe": mean / std if std > 0 else None,
            "drawdown": float((cumulative.cummax() - cumulative).max())}


class DiagnosticsOperations:
    """Mixed into NumeraiStandIn: uses its lock, models, data_dir, upload plumbing and URL."""

    def diagnostics_state(self) -> dict:
        if not hasattr(self, "_diagnostics"):
            self._diagnostics = {"runs": {}, "plans": {}, "trained_on_val": set(), "downloads": {}}
        return self._diagnostics

    # -- what tests set up --------------------------------------------------------------------------

    def diagnostics_fail(self, slot: str, message: str) -> None:
        """The slot's next diagnostics end `failed` with this message."""
        with self.lock:
            self.diagnostics_state()["plans"][slot] = {"outcome": FAILED, "message": message}

    def diagnostics_never_end(self, slot: str) -> None:
        """The slot's next diagnostics stay `pending`."""
        with self.lock:
            self.diagnostics_state()["plans"][slot] = {"outcome": PENDING}

    def trained_on_val(self, slot: str) -> None:
        """The slot's next diagnostics report `trainedOnVal`: Numerai saw the model trained on these eras."""
        with self.lock:
            self.diagnostics_state()["trained_on_val"].add(slot)

    def seed_pickle_diagnostics(self, pickle_id: str, predictions: pd.DataFrame) -> str:
        """Diagnostics of an uploaded pickle, from its validation predictions (index id, column prediction)."""
        with self.lock:
            pickle = self.pickles[pickle_id]
            run = self.new_diagnostics(self.models[pickle["modelId"]], f"{pickle['filename']}.csv",
                                       predictions["prediction"], pickle_id=pickle_id)
            run["polls"] = self.polls_to_validate + 1
            self.advance_diagnostics(run)
            pickle["diagnosticsId"], pickle["diagnosticsStatus"] = run["id"], run["status"]
            pickle["diagnosticsStatusDescription"] = run["message"]
            return run["id"]

    def diagnostics_uploads(self, slot: str | None = None) -> list[dict]:
        """The diagnostics runs asked for with createDiagnostics (of `slot`): id, status, the ids uploaded."""
        with self.lock:
            names = {model_id: model["name"] for model_id, model in self.models.items()}
            return [{"id": run["id"], "slot": names[run["modelId"]], "status": run["status"],
                     "ids": list(run["predictions"].index)}
                    for run in self.diagnostics_state()["runs"].values()
                    if run["pickleId"] is None and slot in (None, names[run["modelId"]])]

    # -- GraphQL operations ---------------------------------------------------------------------------

    def op_diagnosticsUploadAuth(self, filename=None, tournament=None, modelId=None, **_):
        self.own_model(modelId)
        if tournament != CLASSIC:
            raise self.diagnostics_error(f"Diagnostics are only available here for tournament {CLASSIC}")
        if not filename or not filename.endswith((".csv", ".parquet")):
            raise self.diagnostics_error("filename must end with .csv or .parquet")
        return self.signed_upload(filename, modelId)

    def op_createDiagnostics(self, filename=None, tournament=None, modelId=None, **_):
        model = self.own_model(modelId)
        stored = self.stored.get(filename)
        if stored is None or "content" not in stored:
            raise self.diagnostics_error(f"No uploaded file {filename}: upload it to diagnosticsUploadAuth's URL")
        content = stored["content"]
        try:
            frame = (pd.read_parquet(io.BytesIO(content)) if filename.endswith(".parquet")
                     else pd.read_csv(io.BytesIO(content)))
            predictions = frame.set_index("id")["prediction"].astype(float)
        except (KeyError, ValueError) as error:
            raise self.diagnostics_error(f"Could not read {filename}: columns id and prediction expected ({error})") \
                from None
        return self.diagnostics_view(self.new_diagnostics(model, filename, predictions))

    def op_diagnostics(self, id=None, modelId=None, **_):  # noqa: A002 (GraphQL's name)
        if modelId is not None:
            self.own_model(modelId)
        found = [run for run in self.diagnostics_state()["runs"].values()
                 if (id is None or run["id"] == id) and (modelId is None or run["modelId"] == modelId)
                 and run["modelId"] in self.models]
        for run in found:
            self.advance_diagnostics(run)
        return [self.diagnostics_view(run) for run in sorted(found, key=lambda run: run["insertedAt"], reverse=True)]

    def op_computePickleDownloadAuth(self, modelId=None, pickleId=None, **_):
        self.own_model(modelId)
        pickle = self.pickles.get(pickleId or "")
        if pickle is None or pickle["modelId"] != modelId:
            raise self.diagnostics_error("Pickle not found for this model")
        stored = self.stored.get(pickle["filename"], {})
        if "content" not in stored:
            raise self.diagnostics_error("The pickle's file is not available for download")
        token = uuid.uuid4().hex
        self.diagnostics_state()["downloads"][token] = pickle["filename"]
        name = Path(pickle["filename"]).name
        return {"filename": name, "url": f"{self.url}/downloads/{token}/{name}?X-Amz-Signature={token}",
                "accelerated": False, "countryCode": None}

    def serve_download(self, request, path: str) -> None:
        """GET /downloads/<token>/<name>: a pickle's bytes, as presigned storage serves them."""
        token = unquote(urlparse(path).path).removeprefix("/downloads/").split("/")[0]
        with self.lock:
            key = self.diagnostics_state()["downloads"].get(token)
            content = self.stored.get(key, {}).get("content") if key else None
        if content is None:
            content, status = b"<Error><Code>AccessDenied</Code></Error>", 403
        else:
            status = 200
        request.send_response(status)
        request.send_header("Content-Type", "application/octet-stream")
        request.send_header("Content-Length", str(len(content)))
        request.end_headers()
        request.wfile.write(content)

    # -- runs ---------------------------------------------------------------------------------------

    @staticmethod
    def diagnostics_error(message: str) -> Exception:
        """Any exception a resolver raises is answered in `errors` with its message (graphql-core)."""
        return DiagnosticsError(message)

    def signed_upload(self, filename: str, model_id: str) -> dict:
        """A presigned-style upload URL pointing back at the stand-in (as computePickleUploadAuth's)."""
        token = uuid.uuid4().hex
        key = f"{token}/{filename}"
        signature = hashlib.sha256(f"{token}{self.secret_key}".encode()).hexdigest()
        self.upload_urls[token] = {"key": key, "modelId": model_id, "signature": signature}
        self.signatures.append(signature)
        query = ("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=STANDINACCESSKEY%2F"
                 f"{datetime.now(timezone.utc):%Y%m%d}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Expires=3600"
                 f"&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}")
        return {"filename": key, "url": f"{self.url}/uploads/{token}/{filename}?{query}",
                "accelerated": False, "countryCode": None}

    def new_diagnostics(self, model: dict, filename: str, predictions: pd.Series, *,
                        pickle_id: str | None = None) -> dict:
        state = self.diagnostics_state()
        run = {"id": str(uuid.uuid4()), "modelId": model["id"], "filename": filename, "pickleId": pickle_id,
               "status": PENDING, "message": None, "polls": 0, "figures": {}, "perEra": [],
               "insertedAt": f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%S.%f}Z", "predictions": predictions,
               "plan": dict(state["plans"].get(model["name"], {"outcome": DONE})),
               "trainedOnVal": model["name"] in state["trained_on_val"]}
        state["runs"][run["id"]] = run
        return run

    def advance_diagnostics(self, run: dict) -> None:
        if run["status"] != PENDING:
            return
        run["polls"] += 1
        if run["polls"] <= self.polls_to_validate or run["plan"]["outcome"] == PENDING:
            return
        if run["plan"]["outcome"] == FAILED:
            run["status"], run["message"] = FAILED, run["plan"]["message"]
            return
        try:
            run["figures"], run["perEra"] = self.score(run["predictions"])
            run["status"], run["message"] = DONE, None
        except DiagnosticsError as error:
            run["status"], run["message"] = FAILED, str(error)

    def validation_frame(self, ids: pd.Index) -> tuple[pd.DataFrame, Path]:
        """The served validation.parquet whose ids the upload covers best, and its folder."""
        if not self.data_dir:
            raise DiagnosticsError("No validation data to score against")
        best = None
        for path in sorted(Path(self.data_dir).glob("*/validation.parquet")):
            frame = pd.read_parquet(path)
            overlap = len(frame.index.intersection(ids))
            if best is None or overlap > best[0]:
                best = (overlap, frame, path.parent)
        if best is None or best[0] == 0:
            raise DiagnosticsError("None of the uploaded ids is a validation id")
        return best[1], best[2]

    def score(self, predictions: pd.Series) -> tuple[dict, list[dict]]:
        if predictions.index.has_duplicates:
            raise DiagnosticsError(DUPLICATE_IDS)
        validation, folder = self.validation_frame(predictions.index)
        missing = len(validation.index.difference(predictions.index))
        if missing:
            raise DiagnosticsError(MISSING_IDS.format(count=missing))
        target = "target" if "target" in validation else next(c for c in validation if c.startswith("target"))
        features = [column for column in validation.columns if column.startswith("feature")]
        frame = validation[["era", target, *features]].join(predictions.rename("prediction")).dropna(subset=[target])
        references = {}
        if (folder / "meta_model.parquet").exists():
            references["mmc"] = pd.read_parquet(folder / "meta_model.parquet")["numerai_meta_model"]
        if (folder / "validation_benchmark_models.parquet").exists():
            benchmarks = pd.read_parquet(folder / "validation_benchmark_models.parquet")
            columns = [column for column in benchmarks.columns if column not in ("era", "data_type")]
            if columns:
                references["bmc"] = benchmarks[columns[0]]
        rows = []
        for era, group in frame.groupby("era", sort=True):
            ranked, truth = gaussian_ranks(group["prediction"]), group[target].to_numpy()
            row = {"era": str(era), "validationCorr": pearson(ranked, truth)}
            for name, reference in references.items():
                values = reference.reindex(group.index)
                usable = values.notna().to_numpy()
                row[f"validation{name.capitalize()}"] = (
                    contribution(gaussian_ranks(group["prediction"][usable]), values[usable], truth[usable])
                    if usable.sum() > 1 else None)
            row["validationFeatureCorrMax"] = max(
                (abs(pearson(ranked, group[feature].to_numpy(dtype=float))) for feature in features), default=None)
            rows.append(row)
        per_era = pd.DataFrame(rows).set_index("era")
        corr = summary(per_era["validationCorr"])
        figures = {"validationCorrMean": corr["mean"], "validationCorrStd": corr["std"],
                   "validationCorrSharpe": corr["sharpe"], "validationMaxDrawdown": corr["drawdown"],
                   "validationCorrMaxDrawdown": corr["drawdown"], "erasAcceptedCount": len(per_era),
                   "validationAutocorr": float(per_era["validationCorr"].autocorr())
                   if len(per_era) > 2 else None}
        if "validationFeatureCorrMax" in per_era and per_era["validationFeatureCorrMax"].notna().any():
            figures["validationFeatureCorrMax"] = float(per_era["validationFeatureCorrMax"].max())
        if "validationMmc" in per_era:
            mmc = summary(per_era["validationMmc"].astype(float))
            figures.update({"validationMmcMean": mmc["mean"], "validationMmcStd": mmc["std"],
                            "validationMmcSharpe": mmc["sharpe"]})
            both = summary(per_era["validationCorr"] + per_era["validationMmc"].astype(float))
            figures.update({"validationCorrPlusMmcMean": both["mean"], "validationCorrPlusMmcStd": both["std"],
                            "validationCorrPlusMmcSharpe": both["sharpe"]})
        if "validationBmc" in per_era:
            figures["validationBmcMean"] = summary(per_era["validationBmc"].astype(float))["mean"]
        clean = [{key: (None if isinstance(value, float) and not np.isfinite(value) else value)
                  for key, value in {"era": era, **row}.items()}
                 for era, row in per_era.to_dict(orient="index").items()]
        figures = {key: (None if isinstance(value, float) and not np.isfinite(value) else value)
                   for key, value in figures.items()}
        return figures, clean

    def diagnostics_view(self, run: dict) -> dict:
        """A `V2Diagnostics`."""
        return {"id": run["id"], "status": run["status"], "message": run["message"], "filename": run["filename"],
                "computePickleUploadId": run["pickleId"], "tournament": CLASSIC,
                "trainedOnVal": run["trainedOnVal"] if run["status"] == DONE else None,
                "insertedAt": run["insertedAt"], "updatedAt": run["insertedAt"],
                **run["figures"], "perEraDiagnostics": run["perEra"] if run["status"] == DONE else None}
