"""A build on Numerai's data that cannot reach Numerai says so within seconds and names --synthetic;
with the data cached it goes on from the cache."""

from __future__ import annotations

import time

import pytest

from {{ cookiecutter.package_name }}.artifact.online import require_numerai_or_cache
from {{ cookiecutter.package_name }}.errors import WorkFailed
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import LIGHTGBM_SPEC

# A closed loopback port (connection refused) and a name no resolver knows (a DNS failure).
UNREACHABLE = {"refused": "http://127.0.0.1:9/graphql", "dns": "https://numerai-api.invalid/graphql"}


@pytest.mark.parametrize("where", sorted(UNREACHABLE))
def test_a_build_without_numerai_or_cached_data_stops_in_seconds_naming_synthetic(make_repo, cli, tmp_path, where):
    root = make_repo({"gbm.yaml": LIGHTGBM_SPEC})
    started = time.monotonic()
    environment = {"NUMERAI_API_URL": UNREACHABLE[where], "NUMERAI_DATA_DIR": str(tmp_path / "empty"),
                   "NUMERAI_RETRY_BUDGET": "180"}
    result = cli("build", cwd=root, env=environment)
    assert result.returncode == 1, result.stdout + result.stderr
    assert time.monotonic() - started < 40  # the probe's seconds, not the 180 s retry budget
    assert "Numerai cannot be reached" in result.stderr
    assert "numerai-deploy build --synthetic" in result.stderr
    assert not (root / "dist").exists()


def test_with_the_data_cached_an_unreachable_numerai_is_a_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NUMERAI_API_URL", UNREACHABLE["refused"])
    (tmp_path / "v5.2").mkdir()
    (tmp_path / "v5.2" / "features.json").write_text("{}")
    with caplog.at_level("WARNING"):
        require_numerai_or_cache(tmp_path, ["v5.2"], load_settings())
    assert "Numerai cannot be reached" in caplog.text and "building from the data cache" in caplog.text
    with pytest.raises(WorkFailed, match="has no v5.3 ==>"):
        require_numerai_or_cache(tmp_path, ["v5.2", "v5.3"], load_settings())
