"""deploy against things happening meanwhile: a pickle replaced between its check and its upload, and
two deploys of the same slot at once (against the Numerai stand-in)."""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import threading
import time

from {{ cookiecutter.package_name }}.deploy.lock import lock_path

import leak_scan
from conftest import PACKAGE, manifest_dict

numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks

SWAPPED = b"not the pickle that was checked"


def gbm_build(repo):
    [path] = (repo / "dist").glob("gbm_model-*.pkl")
    return path


def uploads(numerai) -> int:
    return numerai.mutations.count("createComputePickleUpload")


def on_first(numerai, operation: str, action) -> None:
    """Run `action` when the stand-in first answers `operation` (before answering it)."""
    answer, done = getattr(numerai, f"op_{operation}"), []

    def hooked(**arguments):
        if not done:
            done.append(True)
            action()
        return answer(**arguments)

    setattr(numerai, f"op_{operation}", hooked)


def test_a_pickle_replaced_during_the_upload_is_not_what_is_uploaded(numerai, numerai_cli, numerai_env,
                                                                       deploy_repo):
    path = gbm_build(deploy_repo)
    checked = manifest_dict(path)["pickle"]["sha256"]
    on_first(numerai, "computePickleUploadAuth", lambda: path.write_bytes(SWAPPED))

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model")

    assert result.code == 0, result.out + result.err
    assert path.read_bytes() == SWAPPED  # the file was replaced while deploy was uploading
    [stored] = numerai.state()["stored"]
    assert stored["sha256"] == checked != hashlib.sha256(SWAPPED).hexdigest()


def test_a_pickle_replaced_after_its_check_is_refused(numerai, numerai_cli, numerai_env, deploy_repo):
    path = gbm_build(deploy_repo)
    on_first(numerai, "model", lambda: path.write_bytes(SWAPPED))  # after dist/ was read, before the upload

    result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model")

    assert result.code == 1
    assert "changed after it was checked" in result.err and "nothing was uploaded" in result.err
    assert uploads(numerai) == 0 and numerai.state()["stored"] == []


def test_two_deploys_at_once_upload_once(numerai, numerai_env, deploy_repo, capsys, outputs):
    main = importlib.import_module(f"{PACKAGE}.main").main
    first_uploading = threading.Event()

    def slow_first_upload():  # the first deploy is uploading while the second one starts
        first_uploading.set()
        time.sleep(3)

    on_first(numerai, "computePickleUploadAuth", slow_first_upload)
    codes = []

    def deploy():
        codes.append(main(["deploy", "--repo", str(deploy_repo), "--allow-synthetic", "gbm_model"]))

    first = threading.Thread(target=deploy)
    first.start()
    assert first_uploading.wait(60)
    second = threading.Thread(target=deploy)
    second.start()
    first.join(120)
    second.join(120)
    captured = capsys.readouterr()
    outputs.extend([captured.out, captured.err])

    assert codes == [0, 0], captured.out + captured.err
    assert uploads(numerai) == 1
    assert "gbm_model: waiting for another deploy of this slot to finish (pid " in captured.out
    assert "gbm_model: unchanged" in captured.out


def test_a_deploy_that_cannot_get_the_slot_does_nothing(numerai, numerai_cli, numerai_env, deploy_repo,
                                                         monkeypatch):
    monkeypatch.setenv("NUMERAI_UPLOAD_TIMEOUT", "0.5")  # the wait for the lock: upload and validation budgets
    monkeypatch.setenv("NUMERAI_VALIDATION_TIMEOUT", "0.5")
    path = lock_path(deploy_repo / "dist", "gbm_model")
    path.parent.mkdir(parents=True)
    with open(path, "w") as held:
        held.write("pid 1 on elsewhere")
        held.flush()
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        result = numerai_cli("deploy", "--repo", deploy_repo, "--allow-synthetic", "gbm_model")

    assert result.code == 1
    assert "another deploy of this slot is running (pid 1 on elsewhere)" in result.err
    assert uploads(numerai) == 0
