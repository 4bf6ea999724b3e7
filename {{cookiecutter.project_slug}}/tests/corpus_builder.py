"""Write the check tests' pickles, good and broken, each with a manifest like `build` writes.

Run with the interpreter of a check environment (the image's Python minor and pinned versions), so
every pickle is made on the Python it claims:

    python corpus_builder.py OUT_DIR SRC_DIR [CASE ...]

Each case is a predict function defined here, in __main__, so cloudpickle embeds it by value as a
user's notebook or script would. SRC_DIR is this repository's src/, for the one case that pickles a
class of the repository by reference.
"""

import hashlib
import json
import marshal
import os
import platform
import sys
import time
import types
from importlib import metadata
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd

FEATURES = [f"feature_case_{number:02d}" for number in range(8)]


def score(live_features):
    """A stand-in model: a per-row mean of the features, ranked into (0, 1]."""
    return live_features[FEATURES].astype("float64").mean(axis=1).rank(pct=True, method="first")


def good(live_features, live_benchmark_models):
    return pd.DataFrame({"prediction": score(live_features)}, index=live_features.index)


def good_one_argument(live_features):
    return pd.DataFrame({"prediction": score(live_features)}, index=live_features.index)


def zero_arguments():
    return None


def three_arguments(live_features, live_benchmark_models, extra):
    return pd.DataFrame({"prediction": score(live_features)}, index=live_features.index)


def returns_none(live_features):
    score(live_features)
    return None


def returns_series(live_features):
    return score(live_features)


def empty_frame(live_features):
    return pd.DataFrame({"prediction": pd.Series([], dtype="float64")})


def has_nan(live_features):
    values = score(live_features)
    values.iloc[0] = np.nan
    return pd.DataFrame({"prediction": values}, index=live_features.index)


def above_one(live_features):
    return pd.DataFrame({"prediction": score(live_features) * 2}, index=live_features.index)


def wrong_ids(live_features):
    return pd.DataFrame({"prediction": score(live_features).to_numpy()})  # a RangeIndex, not the ids


def duplicate_ids(live_features):
    ids = live_features.index.to_numpy().copy()
    ids[1] = ids[0]
    return pd.DataFrame({"prediction": score(live_features).to_numpy()}, index=pd.Index(ids, name="id"))


def constant(live_features):
    return pd.DataFrame({"prediction": 0.5}, index=live_features.index)


def near_constant(live_features):
    """Tiny noise around 0.5: predict.py passes it, Numerai's standard deviation test does not."""
    return pd.DataFrame({"prediction": 0.5 + (score(live_features) - 0.5) * 1e-9}, index=live_features.index)


def probability(live_features):
    """Numerai's validation accepts a `probability` column as it does `prediction`."""
    return pd.DataFrame({"probability": score(live_features)}, index=live_features.index)


def unnamed_index(live_features):
    """The live ids, but the index lost its name: the CSV gets no `id` header."""
    return pd.DataFrame({"prediction": score(live_features).to_numpy()}, index=live_features.index.rename(None))


def refuses_secrets(live_features):
    """Fails when it can see credentials: the check must hide the caller's."""
    seen = sorted(name for name in ("NUMERAI_SECRET_KEY", "GITHUB_TOKEN") if name in os.environ)
    if seen:
        raise RuntimeError(f"the pickle can see {', '.join(seen)}")
    return pd.DataFrame({"prediction": score(live_features)}, index=live_features.index)


def records_environment(live_features):
    """Fails on purpose, with what the pickle saw (environment names, working and temporary folders) as
    its message: a check's run may write nowhere but its own scratch folder."""
    import tempfile

    raise RuntimeError(json.dumps({"names": sorted(os.environ), "cwd": os.getcwd(), "tmp": tempfile.gettempdir(),
                                   "home": os.path.expanduser("~")}))


class BadMarshal:
    """Loads through marshal data that this Python cannot read, as an old code object would."""

    def __reduce__(self):
        return marshal.loads, (b"\xff not marshal data",)


def bad_marshal():
    return BadMarshal()


def future_protocol():
    """The good function, its PROTO opcode then set to a protocol newer than any Python's (in main())."""
    return good


def two_columns(live_features):
    values = score(live_features)
    return pd.DataFrame({"prediction": values, "confidence": values}, index=live_features.index)


def raises(live_features):
    raise ValueError("no model for this era")


def sleeps(live_features):
    time.sleep(120)
    return pd.DataFrame({"prediction": score(live_features)}, index=live_features.index)


def allocates(live_features):
    ballast = np.ones(3 * 2**30 // 8)  # 3 GB of float64
    return pd.DataFrame({"prediction": score(live_features) + ballast[0] - 1}, index=live_features.index)


def uses_network(live_features):
    import urllib.request

    try:  # swallowed on purpose: the check must still see the attempt
        urllib.request.urlopen("http://numer.ai/", timeout=5)
    except OSError:
        pass
    return pd.DataFrame({"prediction": score(live_features)}, index=live_features.index)


def missing_package():
    """Imports a module that no image has, as a function using a pip-installed helper would."""
    folder = Path(sys.argv[1]) / "site"
    folder.mkdir(exist_ok=True)
    (folder / "featurelab.py").write_text("def normalise(values):\n    return values.rank(pct=True)\n")
    sys.path.insert(0, str(folder))
    import featurelab

    def predict(live_features):
        return pd.DataFrame({"prediction": featurelab.normalise(score(live_features))}, index=live_features.index)

    return predict


def repository_module():
    """A class of this repository pickled by reference, as pickling without register_pickle_by_value does."""
    sys.path.insert(0, sys.argv[2])
    package = next(path.name for path in Path(sys.argv[2]).iterdir() if (path / "custom" / "example.py").exists())
    example = __import__(f"{package}.custom.example", fromlist=["CentredRidge"])
    model = example.CentredRidge(np.full(len(FEATURES), 0.1), np.full(len(FEATURES), 2.0), 0.5)

    def predict(live_features):
        values = model.predict(live_features[FEATURES].to_numpy())
        return pd.DataFrame({"prediction": pd.Series(values).rank(pct=True).to_numpy()}, index=live_features.index)

    return predict


def bare_estimator():
    import lightgbm

    rng = np.random.default_rng(0)
    inputs = rng.integers(0, 5, size=(500, len(FEATURES))).astype(np.float32)
    data = lightgbm.Dataset(inputs, label=inputs[:, 0] / 4 + rng.normal(0, 0.1, 500))
    return lightgbm.train({"objective": "regression", "verbose": -1, "num_threads": 1}, data, num_boost_round=5)


# Every function above but the helper is a case (defined before manifest() and main() on purpose).
CASES = {name: value for name, value in globals().items() if isinstance(value, types.FunctionType)
         and name != "score"}
# called to make the object
FACTORIES = {"missing_package", "repository_module", "bare_estimator", "bad_marshal", "future_protocol"}
FUTURE_PROTOCOL = 6  # no Python reads it yet


def manifest(data: bytes, libraries: list[str]) -> dict:
    minor = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return {
        "slot": "corpus",
        "fingerprint": "0" * 12,
        "python": {"version": platform.python_version(), "minor": minor},
        "runtime": {"name": f"Python {minor}", "python": minor, "tag": "corpus",
                    "image": f"ghcr.io/numerai/numerai_predict_py_{minor.replace('.', '_')}"},
        "libraries": {name: metadata.version(name) for name in libraries},
        "data": {"version": "v5.2", "synthetic": False},
        "features": FEATURES,
        "benchmark_inputs": [],
        "pickle": {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)},
    }


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name in sys.argv[3:] or CASES:
        obj = CASES[name]() if name in FACTORIES else CASES[name]
        data = cloudpickle.dumps(obj)
        if name == "future_protocol":
            assert data[0] == 0x80, "cloudpickle writes a PROTO opcode first"
            data = data[:1] + bytes([FUTURE_PROTOCOL]) + data[2:]
        libraries = ["numpy", "pandas", "cloudpickle"] + (["lightgbm"] if name == "bare_estimator" else [])
        (out / f"{name}.pkl").write_bytes(data)
        (out / f"{name}.json").write_text(json.dumps(manifest(data, libraries), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
