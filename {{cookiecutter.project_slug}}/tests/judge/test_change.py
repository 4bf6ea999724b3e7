"""What changed in the predictions: the same predictions read unchanged, a small change minor, another model new."""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.judge.change import MINOR, NEW_MODEL, UNCHANGED, compare

IDS = [f"n{number:05d}" for number in range(2000)]
BASE = pd.Series(np.random.default_rng(0).random(len(IDS)), index=IDS)


def test_the_same_predictions_read_unchanged_whatever_their_order():
    change = compare(BASE.sample(frac=1.0, random_state=1), BASE)
    assert change.label == UNCHANGED and change.rows == len(IDS)
    assert change.pearson == 1.0 and change.rank_correlation == 1.0 and change.moved_share == 0.0


def test_a_small_change_is_minor_and_counts_the_ids_that_moved():
    nudged = BASE + np.random.default_rng(2).normal(0, 0.03, len(IDS))
    change = compare(nudged, BASE)
    assert change.label == MINOR and change.rank_correlation >= 0.99 and 0 < change.moved_share < 0.3


def test_another_model_is_new():
    other = pd.Series(np.random.default_rng(3).random(len(IDS)), index=IDS)
    change = compare(other, BASE)
    assert change.label == NEW_MODEL and abs(change.rank_correlation) < 0.2 and change.moved_share > 0.5
    assert "new model (Pearson" in str(change)


def test_only_the_ids_both_predicted_count():
    assert compare(BASE.iloc[:1500], BASE.iloc[500:]).rows == 1000
