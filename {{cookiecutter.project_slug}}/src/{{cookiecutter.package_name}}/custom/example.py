"""An example custom model: your training code, called by a spec with `type: custom`.

    model:
      type: custom
      entry_point: {{ cookiecutter.package_name }}.custom.example:train
      params: {alpha: 10.0}

The entry point gets the training frame (float32 inputs, columns in `features` order), the feature
names, the target values and the spec's params (plus `seed`). It returns a fitted object with
`predict(X)` or a function `predict(X)`. Classes defined in this package travel inside the pickle
by value, so they need not exist where Numerai runs it; their code may import only the standard
library, numpy, pandas and libraries every numerai_predict image has.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


class CentredRidge:
    """Ridge regression on centred inputs, solved in closed form with numpy alone."""

    def __init__(self, coefficients: np.ndarray[Any, Any], means: np.ndarray[Any, Any], intercept: float):
        self.coefficients = coefficients
        self.means = means
        self.intercept = intercept

    def predict(self, inputs: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        predictions: np.ndarray[Any, Any] = (np.asarray(inputs, dtype=np.float64) - self.means) @ self.coefficients
        return predictions + self.intercept


def train(frame: pd.DataFrame, features: list[str], target: np.ndarray[Any, Any],
          params: dict[str, Any]) -> CentredRidge:
    inputs = frame[features].to_numpy(dtype=np.float64)
    means = inputs.mean(axis=0)
    centred = inputs - means
    alpha = float(params.get("alpha", 1.0))
    gram = centred.T @ centred + alpha * np.eye(centred.shape[1])
    coefficients = np.linalg.solve(gram, centred.T @ (target - target.mean()))
    return CentredRidge(coefficients, means, float(target.mean()))
