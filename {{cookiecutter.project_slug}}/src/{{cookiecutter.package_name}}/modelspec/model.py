"""The model slot spec: one YAML file per Numerai model slot, defined once here.

The JSON Schema next to the specs is generated from these classes (see `spec.schema`), so the
editor, the validator and the pipeline can never disagree about what a spec may contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Matched whole (fullmatch): `$` alone would let a trailing newline through.
SLOT_NAME = re.compile(r"[a-z0-9_]{1,50}")
PYTHON_MINOR = re.compile(r"(?:py)?(3\.\d{1,2})")
DATA_VERSION = re.compile(r"v\d+\.\d+")
IMPORT_PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
ENTRY_POINT = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*")


class Section(BaseModel):
    """Every part of a spec rejects keys it does not know: a typo must not be ignored."""

    model_config = ConfigDict(extra="forbid")


class DataSpec(Section):
    """Which Numerai data to train on."""

    # Both defaults come from datasets/<version>.json when the spec is loaded (modelspec/versions.py).
    version: str | None = Field(
        None, description="Dataset version, for example v5.3; defaults to the version datasets/ marks current."
    )
    feature_set: str = Field(
        "small", description="A feature set of features.json: small, medium, all (and the version's other sets)."
    )
    target: str | None = Field(
        None,
        description="Training target column (features.json `targets`); defaults to the version's payout target. "
        "Name it: the bare `target` column is an alias whose meaning is disputed.",
    )
    era_step: int = Field(1, ge=1, description="Train on every Nth era (4 avoids overlapping targets).")
    max_eras: int | None = Field(None, ge=1, description="Train on at most this many of the latest eras.")
    validation_metrics: bool = Field(
        True, description="Score the model on validation eras with targets and record the metrics."
    )
    include_validation: bool = Field(
        False,
        description="Also train on the validation eras that have targets (Numerai's advice for a final model): "
        "a scheduled retrain then learns from the eras Numerai adds each week. Validation metrics become in-sample.",
    )

    @field_validator("version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        if value is not None and not DATA_VERSION.fullmatch(value):
            raise ValueError(f"a dataset version like v5.3, got {value!r}")
        return value


class Definition(Section):
    """What every model definition tells the spec side, whatever its kind (its behaviour: kinds/)."""

    def stages(self) -> list[list[Member]]:
        """The members trained one stage after another (an ensemble's); none for a single model."""
        return []

    def code_reference(self) -> tuple[str, str] | None:
        """(import path, its key) of the code the definition names, if any."""
        return None


class LightGBMModel(Definition):
    """A LightGBM regressor (`lightgbm.LGBMRegressor` parameters)."""

    type: Literal["lightgbm"]
    params: dict[str, Any] = Field(default_factory=dict, description="LGBMRegressor keyword arguments.")


class SklearnModel(Definition):
    """Any scikit-learn style estimator (has fit and predict), by import path."""

    type: Literal["sklearn"]
    estimator: str = Field(description="Import path of the estimator class: scikit-learn, LightGBM, any library "
                           "the runtime's image locks (xgboost.XGBRegressor, catboost.CatBoostRegressor) or this "
                           "repo's custom package, e.g. sklearn.linear_model.Ridge.")
    params: dict[str, Any] = Field(default_factory=dict, description="Keyword arguments of the class.")
    epochs: int = Field(1, ge=1, description="Passes over the training rows for an estimator with partial_fit "
                        "(fed in chunks, never the whole matrix at once).")

    def code_reference(self) -> tuple[str, str] | None:
        return self.estimator, "estimator"

    @field_validator("estimator")
    @classmethod
    def _estimator(cls, value: str) -> str:
        if not IMPORT_PATH.fullmatch(value):
            raise ValueError(f"an import path like sklearn.linear_model.Ridge, got {value!r}")
        return value


class CustomModel(Definition):
    """Your own training code: `module:function` in this repo's `custom` package (src/<package>/custom/).

    The function is called as `function(train, features, target, params)` and returns a fitted
    object with a `predict(X)` method, or a function `predict(X)`. X is a float32 numpy array whose
    columns follow `features`.
    """

    type: Literal["custom"]
    entry_point: str = Field(description="module:function that trains the model.")
    params: dict[str, Any] = Field(default_factory=dict, description="Passed to the entry point.")

    def code_reference(self) -> tuple[str, str] | None:
        return self.entry_point, "entry_point"

    @field_validator("entry_point")
    @classmethod
    def _entry_point(cls, value: str) -> str:
        if not ENTRY_POINT.fullmatch(value):
            raise ValueError(f"an entry point like package.module:function, got {value!r}")
        return value


class Member(Section):
    """One model of an ensemble layer, trained on its own target, blended with a weight."""

    name: str | None = Field(None, description="A label for metrics and logs.")
    model: Annotated[
        LightGBMModel | SklearnModel | CustomModel | EnsembleModel, Field(discriminator="type")
    ]
    target: str | None = Field(None, description="Target column; defaults to data.target.")
    weight: float = Field(1.0, gt=0, description="Blend weight; weights are normalised.")


class Layer(Section):
    """A further stacking layer: its members take the previous layer's predictions as features."""

    members: list[Member] = Field(min_length=1)


class EnsembleModel(Definition):
    """A weighted blend of members; optional further layers stack on the first layer's predictions."""

    type: Literal["ensemble"]
    members: list[Member] = Field(min_length=1)
    layers: list[Layer] = Field(default_factory=list, description="Layers stacked on `members`.")

    def stages(self) -> list[list[Member]]:
        return [self.members, *(layer.members for layer in self.layers)]


ModelDefinition = Annotated[
    LightGBMModel | SklearnModel | CustomModel | EnsembleModel, Field(discriminator="type")
]
Member.model_rebuild()


class PredictSpec(Section):
    """How the pickle turns model outputs into a submission."""

    rank_per_era: bool = Field(True, description="Rank predictions within each era into (0, 1].")
    benchmark_inputs: list[str] = Field(
        default_factory=list,
        description="Columns of the benchmark models frame used as extra model inputs.",
    )


class DeploySpec(Section):
    """What `deploy` may do to this slot on numer.ai."""

    enabled: bool = Field(True, description="Upload and assign this slot's pickle.")
    webhook: Literal["refuse", "clear"] = Field(
        "refuse", description="A slot with a submission webhook: refuse to deploy, or clear the webhook."
    )
    create: bool = Field(
        False, description="Create the slot on numer.ai when the account has no model of this name yet."
    )


# A bound: a number (an int or a float; not a string, a boolean, inf or nan).
Bound = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class GateBound(Section):
    """What one of Numerai's diagnostics figures must be for the slot's build to deploy."""

    min: Bound | None = Field(None, description="The figure is at least this.")
    max: Bound | None = Field(None, description="The figure is at most this.")
    min_vs_deployed: Bound | None = Field(
        None, description="The figure minus the deployed pickle's is at least this (-0.05: at most 0.05 below it)."
    )

    @model_validator(mode="after")
    def _some_bound(self) -> GateBound:
        if self.min is None and self.max is None and self.min_vs_deployed is None:
            raise ValueError("at least one bound: min, max or min_vs_deployed")
        return self


class BuildSpec(Section):
    """Where and how the pickle is built."""

    runner: str = Field("ubuntu-latest", description="GitHub Actions runner label for this slot's build.")
    seed: int = Field(42, description="Random seed for training.")


class ChallengerSpec(Section):
    """This slot challenges another spec's slot on live rounds (`numerai-deploy challengers`); a win opens a
    pull request that makes the champion train what this spec trains."""

    of: str = Field(description="The champion: the slot of another spec in this repository.")
    min_rounds: int = Field(
        20, ge=4,
        description="Resolved rounds both slots were scored on before any verdict (about four a week resolve).",
    )
    metric: str | None = Field(
        None,
        description="Compare on this score of Numerai's (a submissionScores displayName such as corr60); "
        "default: each round's payout score, from that round's own payout multipliers.",
    )

    @field_validator("of")
    @classmethod
    def _of(cls, value: str) -> str:
        if not SLOT_NAME.fullmatch(value):
            raise ValueError(f"a slot name (1-50 lowercase letters, digits or _), got {value!r}")
        return value


class ModelSpec(Section):
    """One Numerai model slot."""

    slot: str = Field(description="The model's name on numer.ai (lowercase letters, digits, _).")
    runtime: str = Field(
        "default",
        description="numerai_predict image: 'default' (Numerai's default) or a Python minor like '3.12'.",
    )
    data: DataSpec = Field(default_factory=DataSpec)
    model: ModelDefinition
    predict: PredictSpec = Field(default_factory=PredictSpec)
    deploy: DeploySpec = Field(default_factory=DeploySpec)
    build: BuildSpec = Field(default_factory=BuildSpec)
    challenger: ChallengerSpec | None = Field(
        None, description="Make this slot a challenger of another spec's slot (see `numerai-deploy challengers`)."
    )
    gate: dict[str, GateBound] = Field(
        default_factory=dict,
        description="Bounds on Numerai's diagnostics of the build, keyed by Numerai's names (validationCorrSharpe, "
        "validationFeatureCorrMax, ...: datasets/diagnostics.json); deploy refuses a build that fails them. "
        "Not part of the fingerprint: changing a bound needs no rebuild.",
    )

    @field_validator("slot")
    @classmethod
    def _slot(cls, value: str) -> str:
        if not SLOT_NAME.fullmatch(value):
            raise ValueError(f"1-50 lowercase letters, digits or _ (Numerai's model names), got {value!r}")
        return value

    @field_validator("runtime", mode="before")
    @classmethod
    def _runtime(cls, value: Any) -> Any:
        if isinstance(value, float):
            raise ValueError(f"a quoted Python minor like '3.12' (unquoted, {value} reads as a number)")
        if isinstance(value, str) and value != "default":
            match = PYTHON_MINOR.fullmatch(value)
            if not match:
                raise ValueError(f"'default' or a Python minor like '3.12', got {value!r}")
            return match.group(1)
        return value


def stage_keys(depth: int, index: int) -> tuple[str | int, ...]:
    """Keys of a stage's member model in the document: `members` first, then `layers`."""
    if depth == 0:
        return ("members", index, "model")
    return ("layers", depth - 1, "members", index, "model")


def model_keys(model: Definition, keys: tuple[str | int, ...] = ("model",)
               ) -> Iterator[tuple[Definition, tuple[str | int, ...]]]:
    """(definition, its keys in the document) for `model` and every model inside it, depth first."""
    yield model, keys
    for depth, members in enumerate(model.stages()):
        for index, member in enumerate(members):
            yield from model_keys(member.model, (*keys, *stage_keys(depth, index)))


def iter_models(model: Definition) -> Iterator[Definition]:
    """Yield every model definition inside `model`, depth first, itself included."""
    for found, _keys in model_keys(model):
        yield found


def targets_used(spec: ModelSpec) -> list[str]:
    """Every target column the spec trains on, in first-use order."""
    found = [cast(str, spec.data.target)]  # filled in from the dataset version when the spec is loaded

    def visit(model: Definition) -> None:
        for member in (member for members in model.stages() for member in members):
            if member.target and member.target not in found:
                found.append(member.target)
            visit(member.model)

    visit(spec.model)
    return found
