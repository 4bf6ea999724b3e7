"""hypothesis strategies for the property tests: broken specs, manifests, arguments, Numerai's answers.

Most examples are a valid input with a few random edits (a value replaced, a key dropped or added),
so that they get past the first check and reach the deeper ones; the rest are arbitrary text.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

SPEC = {
    "slot": "gbm_model",
    "runtime": "3.12",
    "data": {"version": "v5.2", "feature_set": "small", "target": "target", "era_step": 2, "max_eras": 20},
    "model": {"type": "ensemble",
              "members": [{"model": {"type": "lightgbm", "params": {"n_estimators": 5}}, "weight": 1},
                          {"model": {"type": "sklearn", "estimator": "sklearn.linear_model.Ridge",
                                     "params": {"alpha": 1.0}}}],
              "layers": [{"members": [{"model": {"type": "lightgbm"}}]}]},
    "predict": {"rank_per_era": True, "benchmark_inputs": []},
    "deploy": {"enabled": True, "webhook": "refuse"},
    "build": {"runner": "ubuntu-latest", "seed": 1},
}

MANIFEST = {
    "slot": "gbm_model", "fingerprint": "0123456789ab",
    "runtime": {"name": "Python 3.12", "python": "3.12", "image": "ghcr.io/numerai/numerai_predict_py_3_12",
                "tag": "a78dedd"},
    "data": {"version": "v5.2", "synthetic": False, "stamp": "0badda7a"},
    "python": {"version": "3.12.1", "minor": "3.12"},
    "libraries": {"numpy": "2.1.3"}, "modules": ["numpy"], "features": ["feature_a"], "benchmark_inputs": [],
    "targets": ["target"], "training": {"rows": 10}, "metrics": {"validation": {"corr_mean": 0.01, "eras": 3}},
    "pickle": {"sha256": "0" * 64, "bytes": 19},
}

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["default", "3.12", "v5.2", "lightgbm", "ensemble",
                                                           "sklearn.linear_model.Ridge", "medium", "x:y"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def paths(node, prefix=()):
    """Every key path into a nested dict/list."""
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from paths(child, (*prefix, index))


def edited(document: dict, path: tuple, action: str, value, key: str) -> dict:
    document = json.loads(json.dumps(document))
    if not path:
        return document if action != "replace" else {"value": value}
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "drop" and isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent[last], dict):
        parent[last][key] = value
    return document


@st.composite
def edits_of(draw, base: dict):
    document = base
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(paths(document))))
        document = edited(document, path, draw(st.sampled_from(["replace", "drop", "add"])), draw(values),
                          draw(st.text(min_size=1, max_size=8)))
    return document


def spec_documents():
    """YAML text of a spec (JSON is YAML): edited valid specs, arbitrary structures and arbitrary text."""
    return st.one_of(edits_of(SPEC).map(json.dumps), values.map(json.dumps), st.text(max_size=80))


def manifests():
    return st.one_of(edits_of(MANIFEST).map(json.dumps), values.map(json.dumps), st.text(max_size=40))


COMMANDS = ["validate", "schema", "runtimes", "plan", "summary", "deploy", "status", "check"]
FLAGS = ["--json", "--check", "--offline", "--force", "--dry-run", "--synthetic", "--changed-since", "--deployed",
         "--artifacts", "--baseline", "--record", "--slots", "--runtime", "--timeout", "--memory", "--cpus",
         "--poll-interval", "--wait-timeout", "--print-container-command", "--bogus", "-x", "--debug"]
WORDS = ["gbm_model", "nobody", "0", "-1", "nan", "3.12", "py3.9", "4g", "lots", "dist", "no/such/dir",
         "missing.pkl", "HEAD", "", "a b,c"]


def arguments():
    """argv lists: a command (or not), then flags and words in any order."""
    return st.tuples(st.sampled_from([*COMMANDS, "--help-me", "nonsense"]),
                     st.lists(st.sampled_from(FLAGS + WORDS), max_size=5)).map(lambda pair: [pair[0], *pair[1]])


def api_answers():
    """(HTTP status, body bytes) of an answer Numerai's API might give on a bad day."""
    graphql = st.one_of(
        st.fixed_dictionaries({"data": values}),
        st.fixed_dictionaries({"errors": st.lists(st.one_of(values, st.fixed_dictionaries({"message": values})),
                                                   max_size=2)}),
        st.fixed_dictionaries({"data": st.dictionaries(st.sampled_from(
            ["account", "model", "computePickleDockerImages", "computePickleDataVersions"]), values, max_size=2)}),
        values)
    bodies = st.one_of(graphql.map(lambda document: json.dumps(document).encode()), st.binary(max_size=40))
    return st.tuples(st.sampled_from([200, 200, 200, 400, 401, 403, 404, 500, 502, 503]), bodies)
