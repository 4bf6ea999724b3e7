"""Numerai's validation (numerai-tools, or its port on Python 3.10) and ours, on CSVs written as predict.py does."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.check.report import ERROR, OK
from {{ cookiecutter.package_name }}.check.validation import (
    NUMERAI,
    OURS,
    Validator,
    numerai_findings,
    numerai_validator,
    port_validate,
)

LIVE_INDEX = pd.Index([f"n{number:04d}" for number in range(6)], name="id")
SPREAD = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
PORT = Validator(port_validate, "the port")


def frame(values, index=LIVE_INDEX, column="prediction"):
    return pd.DataFrame({column: values}, index=index)


def package_validator() -> Validator:
    validator = numerai_validator()
    if validator.function is port_validate:
        pytest.skip("numerai-tools is not installed with this Python's pins (3.10): the port stands in")
    return validator


def test_numerai_tools_itself_is_used_where_it_installs():
    import sys

    validator = numerai_validator()
    assert (validator.function is port_validate) == (sys.version_info < (3, 11))
    assert validator.source.startswith("numerai-tools ") or sys.version_info < (3, 11)


@pytest.fixture(params=["numerai-tools", "port"])
def validator(request) -> Validator:
    return package_validator() if request.param == "numerai-tools" else PORT


def findings_for(result: pd.DataFrame, folder, validator: Validator):
    """Write `result` as predict.py does (to_csv with the index), then validate it as `check` does."""
    csv, ids = folder / "live_predictions.csv", folder / "live_ids.txt"
    with open(csv, "w") as handle:
        result.to_csv(handle)
    ids.write_text("\n".join(LIVE_INDEX))
    name = result.index.name
    return numerai_findings(csv, ids, None if name is None else str(name), validator)


def errors(findings):
    return [finding for finding in findings if finding.level == ERROR]


def test_a_good_result_passes_numerais_validation_and_ours(tmp_path, validator):
    findings = findings_for(frame(SPREAD), tmp_path, validator)
    assert [(finding.check, finding.level) for finding in findings] == [(NUMERAI, OK), (OURS, OK)]
    assert validator.source in findings[0].message


def test_a_probability_column_is_accepted_as_numerai_does(tmp_path, validator):
    assert not errors(findings_for(frame(SPREAD, column="probability"), tmp_path, validator))


@pytest.mark.parametrize(("result", "numerais_words", "our_words", "fix_words"), [
    (frame(SPREAD, index=LIVE_INDEX.rename(None)), "headers must be one of ['id']",
     "the result's index has no name, so its column has no `id` header", "index is named `id`"),
    (frame(SPREAD, index=LIVE_INDEX.rename("ID")), "headers must be", "index is named 'ID', not `id`",
     "named `id`"),
    (frame(SPREAD, column="target"), "headers must be", "['id', 'target']", "`prediction` (or `probability`)"),
    (pd.DataFrame({"prediction": SPREAD, "confidence": SPREAD}, index=LIVE_INDEX), "headers must be",
     "['id', 'prediction', 'confidence']", "one column"),
    (frame(SPREAD, index=pd.RangeIndex(6, name="id")), "Not enough stocks submitted",
     "6 of 6 live ids have no prediction", "predict every row"),
    (frame(SPREAD[:3], index=LIVE_INDEX[:3]), "Not enough stocks", "3 of 6 live ids have no prediction, e.g. n0003",
     "predict every row"),
    (frame(SPREAD, index=LIVE_INDEX[[0, 0, 2, 3, 4, 5]]), "Duplicates detected in id for live period",
     "1 live id(s) appear more than once, e.g. n0000", "one row per live id"),
    (frame([0.5] * 6), "non-zero standard deviation", "standard deviation is 0", "nearly) constant"),
    (frame(0.5 + np.array([1e-10, -1e-10, 2e-10, -2e-10, 0, 3e-10])), "non-zero standard deviation",
     "standard deviation is 1.", "(nearly) constant"),
])
def test_numerais_validation_refuses_and_says_what_numerai_would_do(tmp_path, validator, result, numerais_words,
                                                                     our_words, fix_words):
    [problem] = errors(findings_for(result, tmp_path, validator))
    assert problem.check == NUMERAI
    assert numerais_words in problem.message and our_words in problem.message, problem.message
    assert "Numerai would refuse this submission" in problem.message
    assert fix_words in problem.fix


def test_ids_that_are_not_live_ids_are_ours_to_refuse(tmp_path, validator):
    extra = LIVE_INDEX.append(pd.Index(["x1", "x2"], name="id"))
    findings = findings_for(frame(SPREAD + [0.7, 0.8], index=extra), tmp_path, validator)
    assert [(finding.check, finding.level) for finding in findings] == [(NUMERAI, OK), (OURS, ERROR)]
    assert "2 id(s) in the result are not live ids, e.g. x1, x2" in findings[1].message
    assert "Numerai's validation would drop them" in findings[1].message


def test_ids_repeated_outside_the_live_ids_are_ours_to_refuse(tmp_path, validator):
    extra = LIVE_INDEX.append(pd.Index(["x1", "x1"], name="id"))
    [unknown, repeated] = errors(findings_for(frame(SPREAD + [0.7, 0.8], index=extra), tmp_path, validator))
    assert (unknown.check, repeated.check) == (OURS, OURS)
    assert "1 id(s) appear more than once, e.g. x1" in repeated.message


SUBMISSIONS = [
    pd.DataFrame({"id": LIVE_INDEX, "prediction": SPREAD}),
    pd.DataFrame({"id": LIVE_INDEX, "probability": SPREAD}),
    pd.DataFrame({"Unnamed: 0": LIVE_INDEX, "prediction": SPREAD}),
    pd.DataFrame({"id": LIVE_INDEX, "prediction": SPREAD, "other": SPREAD}),
    pd.DataFrame({"id": [*LIVE_INDEX[:5], None], "prediction": SPREAD}),
    pd.DataFrame({"id": [*LIVE_INDEX, "x9"], "prediction": [*SPREAD, 0.9]}),
    pd.DataFrame({"id": LIVE_INDEX[[0, 0, 1, 2, 3, 4]], "prediction": SPREAD}),
    pd.DataFrame({"id": LIVE_INDEX[:5], "prediction": SPREAD[:5]}),
    pd.DataFrame({"id": LIVE_INDEX, "prediction": [np.nan, *SPREAD[1:]]}),
    pd.DataFrame({"id": LIVE_INDEX, "prediction": [1.2, *SPREAD[1:]]}),
    pd.DataFrame({"id": LIVE_INDEX, "prediction": [0.0, 1.0, 0.5, 0.5, 0.5, 0.5]}),
    pd.DataFrame({"id": LIVE_INDEX, "prediction": [0.3] * 6}),
    pd.DataFrame({"id": LIVE_INDEX, "prediction": 0.3 + np.arange(6) * 1e-12}),
]


def outcome(function, submission):
    try:
        id_column, prediction_column, live, invalid = function(pd.Series(LIVE_INDEX, name="id"), submission.copy())
    except AssertionError as error:  # 0.4's messages lack 0.5's "invalid_submission_...: " prefixes
        return ("refused", re.sub(r"^invalid_submission_\w+: ", "", str(error)))
    return ("accepted", id_column, prediction_column, live.reset_index(drop=True).to_dict("list"), sorted(invalid))


@pytest.mark.parametrize("number", range(len(SUBMISSIONS)))
def test_the_port_decides_as_numerai_tools_does(number):
    """The port stands in on Python 3.10: it must accept and refuse exactly as the package does."""
    package = package_validator()
    submission = SUBMISSIONS[number]
    assert outcome(port_validate, submission) == outcome(package.function, submission)
