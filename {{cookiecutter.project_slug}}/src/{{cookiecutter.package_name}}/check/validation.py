"""Numerai's validation of the CSV predict.py writes, then this project's stricter checks ("ours").

predict.py writes the pickle's DataFrame with `to_csv()`, index included: the index's name becomes
the id column's header. Numerai then validates that file with numerai-tools'
`numerai_tools.submissions.validate_submission_numerai(live_ids, submission)`: an `id` column and one
`prediction` or `probability` column, every live id exactly once (ids that are not live ids are
dropped and reported), values in [0, 1], a standard deviation that does not `np.isclose` zero. Its
first failed assertion refuses the submission.

numerai-tools is used itself where it installs with the image's pins, Python 3.11 and later: the
images pin 0.4.3, which has the three steps (`validate_headers_numerai`, `validate_ids_numerai`,
`validate_values`) but not yet the function that chains them (0.5.0, Python >= 3.11), so they are
chained here as 0.5.0 does; with 0.5 or later installed its own function is called. On Python 3.10
the image's 0.3.3 pulls in torch and every later release needs numpy 2, so `port_validate` below
stands in: a line-by-line port of 0.5.0's function, which a test holds to the package's decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from .report import ERROR, OK, Finding

NUMERAI = "Numerai's validation"
OURS = "ours"
ID_COLUMNS = ["id"]
PREDICTION_COLUMNS = ["prediction", "probability"]
REFUSED = ("Numerai would refuse this submission at its validation step, so the model would have no "
           "submission for the round")
EXPLAINED = [  # words of numerai-tools' assertion -> the fix
    ("headers must be", "return one column named `prediction` (or `probability`) indexed by the live ids: "
                        "pd.DataFrame({'prediction': values}, index=live_features.index), whose index is named `id`"),
    ("NaNs in the", "keep live_features.index as the result's index"),
    ("Duplicates detected", "return one row per live id: keep live_features.index as the result's index"),
    ("Not enough stocks", "predict every row of live_features and keep live_features.index as the result's index"),
    ("must not contain NaNs", "fill or avoid missing values"),
    ("between 0 and 1", "rank the values (rank(pct=True)) or clip them into [0, 1]"),
    ("standard deviation", "the predictions are (nearly) constant: check that the model receives the features it "
                           "was trained on (names, dtypes), and rank the values (rank(pct=True))"),
]


@dataclass(frozen=True)
class Validator:
    function: Callable[[Any, Any], tuple[Any, Any, Any, Any]]  # validate_submission_numerai(universe, submission)
    source: str  # "numerai-tools 0.4.3" or the port's note


def sample(values: Iterable[Any], count: int = 3) -> str:
    return ", ".join(str(value) for value in list(values)[:count])


def port_validate(universe: Any, submission: Any) -> tuple[Any, Any, Any, Any]:
    """numerai-tools 0.5.0 `validate_submission_numerai`, ported for Python 3.10 (see the module's note).

    The same assertions, in the same order, with the same messages; returns (id column, prediction
    column, the submission filtered to the live ids, the ids that are not live ids).
    """
    import numpy as np

    columns = submission.columns
    expected = [[id_column, prediction] for id_column in ID_COLUMNS for prediction in PREDICTION_COLUMNS]
    assert list(columns) in expected, (
        f"invalid_submission_headers: headers must be one of {ID_COLUMNS} and one of {PREDICTION_COLUMNS}")
    id_column, prediction_column = columns[0], columns[1]

    assert not submission[id_column].isna().any(), (
        f"invalid_submission_ids: Submission must not contain NaNs in the {id_column} column.")
    indexed = submission.copy()
    indexed[id_column] = indexed[id_column].astype(str)
    live_ids = universe.astype(str)
    live = indexed[indexed[id_column].isin(live_ids)].sort_values(id_column)
    assert not live[id_column].duplicated().any(), (
        f"invalid_submission_ids: Duplicates detected in {id_column} for live period.")
    assert len(live) >= len(universe), (
        "invalid_submission_ids: Not enough stocks submitted. Are you using the latest live ids or live universe?")
    invalid = list(set(indexed[id_column]).difference(set(live[id_column])))

    predictions = live[prediction_column]
    assert predictions.isna().sum() == 0, "invalid_submission_values: submission must not contain NaNs"
    assert (
        predictions.between(0, 1).all()
        or (np.isclose(predictions.min(), 0).all() and predictions.le(1).all())
        or (predictions.ge(0).all() and np.isclose(predictions.max(), 1).all())
        or (np.isclose(predictions.min(), 0).all() and np.isclose(predictions.max(), 1).all())
    ), "invalid_submission_values: values must be between 0 and 1 exclusive"
    assert not np.isclose(0, predictions.std()), (
        "invalid_submission_values: submission must have non-zero standard deviation")
    return id_column, prediction_column, live, invalid


def numerai_validator() -> Validator:
    """numerai-tools' own function, else its own steps chained as that function does, else the port."""
    try:
        from numerai_tools import submissions
    except ImportError:
        return Validator(port_validate, "a port of numerai-tools 0.5.0's validate_submission_numerai "
                                        "(numerai-tools does not install with this Python's pins)")
    version = metadata.version("numerai-tools")
    if hasattr(submissions, "validate_submission_numerai"):
        return Validator(submissions.validate_submission_numerai, f"numerai-tools {version}")

    # numerai-tools 0.5.0's validate_submission_numerai, verbatim
    def chained(universe: Any, submission: Any) -> tuple[Any, Any, Any, Any]:
        id_column, prediction_column = submissions.validate_headers_numerai(submission)
        live, invalid = submissions.validate_ids_numerai(universe, submission, id_column)
        submissions.validate_values(live, prediction_column)
        return id_column, prediction_column, live, invalid

    return Validator(chained, f"numerai-tools {version}: its header, id and value checks, chained as "
                              "0.5's validate_submission_numerai does")


def read_submission(csv: Path) -> Any:
    """The CSV as Numerai reads it back: ids as text, headers as written."""
    import pandas as pd

    return pd.read_csv(csv)


def read_live_ids(path: Path) -> Any:
    import pandas as pd

    return pd.Series(path.read_text(encoding="utf-8").splitlines(), dtype=object, name="id")


def header_detail(submission: Any, live_ids: Any, index_name: str | None) -> str:
    header = list(submission.columns)
    ids = submission[header[0]].astype(str) if len(header) else None
    if index_name is None and ids is not None and not ids.isin(live_ids).any():
        return (f"the CSV's header is {header}: the result's index has no name and its values are not live ids "
                f"(e.g. {sample(ids)})")
    if index_name is None:
        return f"the CSV's header is {header}: the result's index has no name, so its column has no `id` header"
    if index_name not in ID_COLUMNS:
        return f"the CSV's header is {header}: the result's index is named {index_name!r}, not `id`"
    return f"the CSV's header is {header}: Numerai accepts `id` and one of {PREDICTION_COLUMNS}"


def failure_detail(text: str, submission: Any, live_ids: Any, index_name: str | None) -> str:
    """Figures that make numerai-tools' terse assertion concrete."""
    if "headers must be" in text:
        return header_detail(submission, live_ids, index_name)
    ids = submission[submission.columns[0]].astype(str)
    if "Duplicates detected" in text:
        repeated = ids[ids.isin(live_ids) & ids.duplicated()].unique()
        return f"{len(repeated)} live id(s) appear more than once, e.g. {sample(repeated)}"
    if "Not enough stocks" in text:
        missing = live_ids[~live_ids.isin(ids)]
        return f"{len(missing)} of {len(live_ids)} live ids have no prediction, e.g. {sample(missing)}"
    if "standard deviation" in text:
        values = submission[submission.columns[1]]
        return f"the predictions' standard deviation is {values.std():.3g} (between {values.min()} and {values.max()})"
    return ""


def numerai_findings(csv: Path, live_ids_path: Path, index_name: str | None,
                     validator: Validator | None = None) -> list[Finding]:
    """Numerai's validation of the CSV, then ours; each failure says what Numerai would do and the fix."""
    validator = validator or numerai_validator()
    submission = read_submission(csv)
    live_ids = read_live_ids(live_ids_path)
    try:
        _, _, _, invalid = validator.function(live_ids, submission.copy())
    except AssertionError as error:
        text = str(error).strip()
        detail = failure_detail(text, submission, live_ids, index_name)
        fix = next((fix for words, fix in EXPLAINED if words in text), "see numerai-tools' message")
        message = f'"{text}"' + (f": {detail}" if detail else "") + f". {REFUSED}"
        return [Finding(NUMERAI, ERROR, message, fix, detail=f"by {validator.source}")]
    except Exception as error:  # numerai-tools itself broke on this file: Numerai would not accept it either
        return [Finding(NUMERAI, ERROR, f"validating the CSV raised {type(error).__name__}: {error}. {REFUSED}",
                        "return one numeric column `prediction` indexed by live_features.index",
                        detail=f"by {validator.source}")]
    findings = [Finding(NUMERAI, OK, f"passed ({validator.source}): an `id` and a `{submission.columns[1]}` "
                                     f"column, every one of the {len(live_ids):,} live ids once, values in "
                                     "[0, 1], not constant")]
    return findings + our_findings(submission, live_ids, invalid)


def our_findings(submission: Any, live_ids: Any, invalid: list[str]) -> list[Finding]:
    """Stricter than Numerai: a result that Numerai accepts only after dropping rows is still a bug."""
    ids = submission[submission.columns[0]].astype(str)
    problems = []
    if invalid:
        problems.append(Finding(OURS, ERROR, f"{len(invalid)} id(s) in the result are not live ids, e.g. "
                                f"{sample(sorted(invalid))}; Numerai's validation would drop them and accept "
                                "the rest, but a model predicting rows it was not given has a bug",
                                "keep live_features.index as the result's index"))
    repeated = ids[ids.duplicated()].unique()
    if len(repeated):
        problems.append(Finding(OURS, ERROR, f"{len(repeated)} id(s) appear more than once, e.g. "
                                f"{sample(repeated)}; Numerai's validation would drop them with the other "
                                "ids that are not live ids", "return one row per live id"))
    return problems or [Finding(OURS, OK, "no ids beyond the live ids, none twice")]
