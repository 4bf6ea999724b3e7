"""A custom model is someone's code: its training must not reach the key, change what the parent runs,
replace another slot's checked pickle or outlive `build`. Training runs in a child `build --here` with an
allow-listed environment, and where bubblewrap works (this machine, as root) in the sandbox a check's
pickle runs in: no other process visible, everything read-only but its private output folder."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}.custom
from {{ cookiecutter.package_name }}.sandbox import isolation

from conftest import LIGHTGBM_SPEC, PACKAGE

SECRET = "SUPERSECRET123-never-shown"
PUBLIC_ID = "PUBLICID-0123456789-never-shown"
TOKEN = "ghp_FAKEtokenFAKEtoken0123"
DATABASE_URL = "postgres://user:dbpassword-never-shown@db.example/x"
CREDENTIALS = {"NUMERAI_SECRET_KEY": SECRET, "NUMERAI_PUBLIC_ID": PUBLIC_ID, "GITHUB_TOKEN": TOKEN,
               "DATABASE_URL": DATABASE_URL}
NAMESPACES = isolation.detect(Path(sys.executable), required=False).name == isolation.NAMESPACES

# Reads its own environment and every environment /proc shows, and puts all it found in files in its
# working folder and in the repository, on stdout and in the model it returns (so in the pickle), then
# trains the example model.
# (placeholders, not an f-string: this file is a template, where doubled braces would be Jinja)
ATTACK = textwrap.dedent("""
    import glob
    import os
    import sys
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
        repo = Path(sys.argv[sys.argv.index("--repo") + 1])
        for here in (Path.cwd(), repo):
            try:
                here.joinpath("own_environment.txt").write_text(own)
                here.joinpath("all_environments.txt").write_text("\\n".join(others))
            except OSError:
                pass
        print("OWN-ENVIRONMENT", own, "OTHERS", *others, sep="\\n")
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
def attack_module() -> Iterator:
    """attack_module(code) -> its name: a module of the package's custom/ (where a spec's code lives) for
    as long as the test lasts."""
    made = []

    def make(code: str) -> str:
        module = f"attack_{uuid.uuid4().hex[:8]}"
        path = Path({{ cookiecutter.package_name }}.custom.__file__).with_name(f"{module}.py")
        path.write_text(code.replace("PACKAGE_NAME", PACKAGE))
        made.append(path)
        return module

    yield make
    for path in made:
        path.unlink()


def spec_of(module: str, slot: str = "attacker") -> str:
    return SPEC.replace("PACKAGE_NAME", PACKAGE).replace("ATTACK_MODULE", module).replace("attacker", slot)


@pytest.fixture
def attacker(make_repo, attack_module) -> Path:
    """A repository whose spec trains with ATTACK."""
    return make_repo({"attacker.yaml": spec_of(attack_module(ATTACK))})


def everything_written(repo: Path) -> bytes:
    return b"".join(path.read_bytes() for path in (repo / "dist").iterdir())


@pytest.mark.skipif(not NAMESPACES, reason="`bubblewrap cannot make a sandbox here: training runs in a process group")
def test_a_custom_model_reading_every_environment_finds_no_key(cli, attacker):
    result = cli("build", "--synthetic", "attacker", cwd=attacker, env=CREDENTIALS)
    assert result.returncode == 0, result.stdout + result.stderr
    found = result.stdout.partition("OWN-ENVIRONMENT")[2]
    assert "/proc/self/environ" in found and "PATH=" in found, "the attack ran and read environments"
    assert not (attacker / "own_environment.txt").exists(), "the repository is read-only to training"
    outputs = [result.stdout, result.stderr]
    assert "attacker-" in result.stdout and "check" in result.stdout
    for secret in CREDENTIALS.values():
        assert all(secret not in text for text in outputs)
        assert secret.encode() not in everything_written(attacker)


def test_without_namespaces_the_training_environment_still_holds_no_credential(cli, attacker, tmp_path):
    """No `bwrap` on PATH forces "process group only": other processes stay visible (the log says so
    once), but the child's own environment has no credential variable."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sh").symlink_to(shutil.which("sh"))
    env = {**CREDENTIALS, "PATH": f"{bin_dir}:{Path(sys.executable).parent}"}
    result = cli("build", "--synthetic", "--no-check", "attacker", cwd=attacker, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(f"training runs in '{isolation.PROCESS_GROUP}' mode") == 1
    own = result.stdout.partition("OWN-ENVIRONMENT")[2].partition("OTHERS")[0]
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
    assert "OWN-ENVIRONMENT" not in result.stdout, "nothing was trained"


# An attack's probe: runs `action` and prints what it planted when that worked.
ATTEMPT = textwrap.dedent("""
    def attempt(what, action):
        try:
            action()
            print("PLANTED:", what, flush=True)
        except OSError:
            pass
""")


# Plants what the parent (or a later deploy) would run: a .pth file in the build environment and a file
# beside its Python (where a `uv` wrapper would go), opens the check environments' markers for writing
# (removed, the parent would make them again, running uv and the interpreter probe), and replaces the
# first other slot's pickle and manifest in dist/ with its own, the manifest's hashes and check verdict
# made to match. Prints what worked. (Harmless where it works: new files only, which the test removes,
# and the markers left as they are.)
PLANTER = textwrap.dedent("""
    import glob
    import hashlib
    import json
    import sys
    import sysconfig
    from pathlib import Path

    from PACKAGE_NAME.custom.example import train as ridge
    from PACKAGE_NAME.runtimes.environments import cache_root
    from PACKAGE_NAME.settings import load_settings

    ATTEMPT


    def forge(pickle_path):
        forged = b"forged by another slot's training"
        digest = hashlib.sha256(forged).hexdigest()
        manifest = json.loads(pickle_path.with_suffix(".json").read_text())
        manifest["pickle"]["sha256"] = digest
        manifest["check"] = dict(manifest.get("check") or {}, passed=True, sha256=digest, errors=0)
        pickle_path.write_bytes(forged)
        pickle_path.with_suffix(".json").write_text(json.dumps(manifest))


    def train(frame, features, target, params):
        pth = Path(sysconfig.get_paths()["purelib"]) / "zz_planted_TOKEN.pth"
        attempt(pth, lambda: pth.write_text("import os\\n"))
        uv = Path(sys.executable).parent / "uv_planted_TOKEN"
        attempt(uv, lambda: uv.write_text("#!/bin/sh\\n"))
        for marker in glob.glob(str(cache_root(load_settings()) / "*" / ".numerai-environment.json")):
            attempt(marker, lambda marker=marker: open(marker, "ab").close())
        repo = Path(sys.argv[sys.argv.index("--repo") + 1])
        for pickle_path in sorted((repo / "dist").glob("*.pkl")):
            if not pickle_path.name.startswith("attacker"):
                attempt(pickle_path, lambda pickle_path=pickle_path: forge(pickle_path))
        return ridge(frame, features, target, params)
""").replace("ATTEMPT", ATTEMPT)


def remove_planted(output: str, token: str) -> None:
    for line in output.splitlines():
        if line.startswith("PLANTED:") and f"planted_{token}" in line:
            Path(line.split(maxsplit=1)[1]).unlink(missing_ok=True)


@pytest.mark.skipif(not NAMESPACES, reason="bubblewrap cannot sandbox training here")
def test_training_changes_nothing_the_parent_runs_nor_another_slots_checked_pickle(
        cli, make_repo, attack_module, numerai, numerai_env):
    """.pth files, a uv wrapper and removed markers change nothing; a forged pickle of another slot with a
    matching manifest never reaches dist/, and deploy --dry-run takes only the checked one."""
    token = uuid.uuid4().hex[:8]
    repo = make_repo({"gbm.yaml": LIGHTGBM_SPEC,
                      "attacker.yaml": spec_of(attack_module(PLANTER.replace("TOKEN", token)))})
    first = cli("build", "--synthetic", "gbm_model", cwd=repo)
    assert first.returncode == 0, first.stdout + first.stderr
    [victim] = (repo / "dist").glob("gbm_model-*.pkl")
    checked = victim.read_bytes()
    result = cli("build", "--synthetic", "--no-check", "attacker", cwd=repo, env=CREDENTIALS)
    remove_planted(result.stdout, token)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PLANTED:" not in result.stdout, result.stdout
    assert victim.read_bytes() == checked
    # In a process of its own: this one's code digest (computed once per process) would count the attack module.
    dry = cli("deploy", "--repo", str(repo), "gbm_model", "--dry-run", "--allow-synthetic", cwd=repo, env=numerai_env)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert hashlib.sha256(b"forged by another slot's training").hexdigest()[:12] not in dry.stdout + dry.stderr
    assert json.loads(victim.with_suffix(".json").read_text())["check"]["sha256"] == \
        hashlib.sha256(checked).hexdigest()


# Tries to change what later builds and the check read: opens every file of the data cache for appending
# (writing nothing), makes a file in each of its folders, and connects to a server on the host's loopback
# (where it could fetch data of its own or send the repository's). Prints what worked, then trains.
POISONER = textwrap.dedent("""
    import os
    import socket
    import sys
    from pathlib import Path

    from PACKAGE_NAME.custom.example import train as ridge

    ATTEMPT


    def train(frame, features, target, params):
        cache = Path(os.environ["NUMERAI_DATA_DIR"])
        for path in sorted(cache.rglob("*")):
            if path.is_file():
                attempt(path, lambda path=path: open(path, "ab").close())
            else:
                planted = path / "planted_TOKEN"
                attempt(planted, lambda planted=planted: planted.write_text("poison"))
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=5).close()
            print("REACHED: the host's loopback", flush=True)
        except OSError:
            pass
        return ridge(frame, features, target, params)
""").replace("ATTEMPT", ATTEMPT)


def digests(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.skipif(not NAMESPACES, reason="bubblewrap cannot sandbox training here")
def test_training_cannot_change_the_data_cache_nor_reach_the_network(cli, make_repo, attack_module, data_cache):
    """The parent makes the data ready, then training reads it: a custom model cannot plant a train.parquet
    for the next slot's build or a live.parquet for the check of its own pickle, and finds no network."""
    token = uuid.uuid4().hex[:8]
    listener = socket.create_server(("127.0.0.1", 0))
    code = POISONER.replace("TOKEN", token).replace("PORT", str(listener.getsockname()[1]))
    repo = make_repo({"attacker.yaml": spec_of(attack_module(code))})
    try:
        warm = cli("build", "--synthetic", "--no-check", "attacker", cwd=repo)  # the cache filled once
        assert warm.returncode == 0, warm.stdout + warm.stderr
        before = digests(data_cache)
        result = cli("build", "--synthetic", "attacker", cwd=repo)
    finally:
        listener.close()
        for planted in data_cache.rglob(f"planted_{token}"):
            planted.unlink()
    assert result.returncode == 0, result.stdout + result.stderr
    assert any(name.endswith("train.parquet") for name in before), "the attack had a cache to poison"
    assert "PLANTED:" not in result.stdout and "REACHED:" not in result.stdout, result.stdout
    assert digests(data_cache) == before
    assert "attacker-" in result.stdout and "passed" in result.stdout


# Names its process MARKER, then trains for ever (as n_estimators: 1e30 would).
HANGS = textwrap.dedent("""
    import ctypes
    import time


    def train(frame, features, target, params):
        ctypes.CDLL(None).prctl(15, b"MARKER", 0, 0, 0)
        print("TRAINING-FOR-EVER", flush=True)
        time.sleep(600)
""")


def named(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == marker:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_sigterm_to_build_ends_its_training_child(make_repo, attack_module, data_cache):
    marker = f"hang{uuid.uuid4().hex[:8]}"
    repo = make_repo({"attacker.yaml": spec_of(attack_module(HANGS.replace("MARKER", marker)))})
    env = {**os.environ, "NUMERAI_DATA_DIR": str(data_cache)}
    process = subprocess.Popen([sys.executable, "-m", PACKAGE, "build", "--synthetic", "attacker"], cwd=repo, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not named(marker) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert named(marker), "training never started"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        deadline = time.monotonic() + 10
        while named(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert named(marker) == [], "the training child outlived build"
    finally:
        for pid in named(marker):
            os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
