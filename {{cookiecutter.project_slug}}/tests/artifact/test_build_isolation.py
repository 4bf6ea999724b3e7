"""A custom model is someone's code: its training must not reach the key. Training runs in a child
`build --here` whose environment holds no credential and which, where namespaces work (this machine,
as root), sees no other process, so no other process's environment either."""

from __future__ import annotations

import shutil
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}.custom
from {{ cookiecutter.package_name }}.sandbox import isolation

from conftest import PACKAGE

SECRET = "SUPERSECRET123-never-shown"
PUBLIC_ID = "PUBLICID-0123456789-never-shown"
TOKEN = "ghp_FAKEtokenFAKEtoken0123"
CREDENTIALS = {"NUMERAI_SECRET_KEY": SECRET, "NUMERAI_PUBLIC_ID": PUBLIC_ID, "GITHUB_TOKEN": TOKEN}
NAMESPACES = isolation.detect(Path(sys.executable)).name == isolation.NAMESPACES

# Reads its own environment and every environment /proc shows, and puts all it found in files in its
# working folder (the repository), on stdout and in the model it returns (so in the pickle), then
# trains the example model.
# (placeholders, not an f-string: this file is a template, where doubled braces would be Jinja)
ATTACK = textwrap.dedent("""
    import glob
    import os
    from pathlib import Path

    from PACKAGE_NAME.custom.example import train as ridge


    def train(frame, features, target, params):
        own = "\\n".join(name + "=" + value for name, value in os.environ.items())
        others = []
        for path in glob.glob("/proc/*/environ"):
            try:
                others.append(path + ": " + Path(path).read_bytes().decode("utf-8", "replace"))
            except OSError:
                pass
        here = Path.cwd()
        here.joinpath("own_environment.txt").write_text(own)
        here.joinpath("all_environments.txt").write_text("\\n".join(others))
        print(own, *others, sep="\\n")
        model = ridge(frame, features, target, params)
        model.found = own + "\\n".join(others)
        return model
""").replace("PACKAGE_NAME", PACKAGE)

SPEC = """
    slot: attacker
    runtime: "3.12"
    data: {feature_set: small}
    model:
      type: custom
      entry_point: PACKAGE_NAME.custom.ATTACK_MODULE:train
"""


@pytest.fixture
def attacker(make_repo) -> Iterator[Path]:
    """A repository whose spec trains with ATTACK, a module of the package's custom/ (where a spec's code
    lives) for as long as the test lasts."""
    module = f"attack_{uuid.uuid4().hex[:8]}"
    path = Path({{ cookiecutter.package_name }}.custom.__file__).with_name(f"{module}.py")
    path.write_text(ATTACK)
    try:
        yield make_repo({"attacker.yaml": SPEC.replace("PACKAGE_NAME", PACKAGE).replace("ATTACK_MODULE", module)})
    finally:
        path.unlink()


def everything_written(repo: Path) -> bytes:
    return b"".join(path.read_bytes() for path in (repo / "dist").iterdir())


@pytest.mark.skipif(not NAMESPACES, reason="`unshare` cannot make namespaces here: training runs in a process group")
def test_a_custom_model_reading_every_environment_finds_no_key(cli, attacker):
    result = cli("build", "--synthetic", "attacker", cwd=attacker, env=CREDENTIALS)
    assert result.returncode == 0, result.stdout + result.stderr
    found = (attacker / "all_environments.txt").read_text()
    assert "/proc/self/environ" in found and "PATH=" in found, "the attack ran and read environments"
    outputs = [result.stdout, result.stderr, found, (attacker / "own_environment.txt").read_text()]
    assert "attacker-" in result.stdout and "check" in result.stdout
    for secret in CREDENTIALS.values():
        assert all(secret not in text for text in outputs)
        assert secret.encode() not in everything_written(attacker)


def test_without_namespaces_the_training_environment_still_holds_no_credential(cli, attacker, tmp_path):
    """No `unshare` on PATH forces "process group only": other processes stay visible (the log says so
    once), but the child's own environment has no credential variable."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sh").symlink_to(shutil.which("sh"))
    env = {**CREDENTIALS, "PATH": f"{bin_dir}:{Path(sys.executable).parent}"}
    result = cli("build", "--synthetic", "--no-check", "attacker", cwd=attacker, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(f"training runs in '{isolation.PROCESS_GROUP}' mode") == 1
    own = (attacker / "own_environment.txt").read_text()
    assert "PATH=" in own
    for name, secret in CREDENTIALS.items():
        assert f"{name}=" not in own and secret not in own


def test_a_required_namespace_refuses_the_process_group(cli, attacker):
    env = {"NUMERAI_CHECK_ISOLATION": "namespaces", "PATH": str(Path(sys.executable).parent)}
    result = cli("build", "--synthetic", "attacker", cwd=attacker, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "NUMERAI_CHECK_ISOLATION=namespaces" in result.stderr
    assert "kernel.apparmor_restrict_unprivileged_userns=0" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (attacker / "own_environment.txt").exists(), "nothing was trained"
