"""Your own tests: `scripts/check_repo.py` (the test workflow) runs every test in this folder on every
push and pull request. Test your training code here; delete this file with custom/example.py."""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.custom.example import train


def test_the_example_learns_a_linear_signal():
    generator = np.random.default_rng(0)
    features = ["feature_a", "feature_b"]
    frame = pd.DataFrame(generator.integers(0, 5, size=(500, 2)).astype("float32"), columns=features)
    target = (0.3 * frame["feature_a"] + generator.normal(0, 0.1, 500)).to_numpy()
    model = train(frame, features, target, {"alpha": 1.0, "seed": 0})
    predictions = model.predict(frame[features].to_numpy())
    assert np.corrcoef(predictions, target)[0, 1] > 0.9
