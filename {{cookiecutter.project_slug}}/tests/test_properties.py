"""Property tests: whatever the input (specs, manifests, arguments, Numerai's answers), every run ends
in exit 0, 1 or 2 with a message: never exit 3 (an unexpected error), never a traceback, never a
half-written file. hypothesis generates the inputs; a failing example is shrunk to its simplest form."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from {{ cookiecutter.package_name }}.main import main

import strategies as inputs
from conftest import LIGHTGBM_SPEC, REPO_ROOT, write_spec
from loopback import LoopbackServer, read_body, send_bytes

EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def scratch_repo(specs: dict[str, str] | None = None) -> Path:
    root = Path(tempfile.mkdtemp(prefix="property-"))
    shutil.copytree(REPO_ROOT / "runtimes", root / "runtimes")
    (root / "models").mkdir()
    for name, text in (specs or {"gbm.yaml": LIGHTGBM_SPEC}).items():
        write_spec(root / "models", name, text)
    return root


def leftovers(root: Path) -> list[Path]:
    """Temporary files a write that was cut short would leave (write_atomic names them .<name>.*.tmp)."""
    return [path for path in root.rglob("*") if path.name.endswith((".tmp", ".partial"))]


def ran_cleanly(argv: list[str], capsys, root: Path | None = None) -> tuple[int, str]:
    """Run the CLI in this process; assert the policy's promises; return the exit code and stderr."""
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        code = exit_.code
    captured = capsys.readouterr()
    assert code in (0, 1, 2), f"exit {code} for {argv}:\n{captured.err}"
    assert "Traceback" not in captured.out + captured.err, captured.err
    if code:
        assert captured.err.strip(), f"exit {code} without a message for {argv}"
    if root is not None:
        assert not leftovers(root), leftovers(root)
    return code, captured.err


@EXAMPLES
@given(document=inputs.spec_documents())
def test_any_spec_is_validated_or_refused_and_planned_or_refused(document, capsys):
    root = scratch_repo({"broken.yaml": document})
    try:
        code, err = ran_cleanly(["validate", "--synthetic", "--repo", str(root)], capsys, root)
        if code == 2:
            assert "broken.yaml" in err, err  # the message names the file
        ran_cleanly(["plan", "--repo", str(root)], capsys, root)
    finally:
        shutil.rmtree(root)


@EXAMPLES
@given(manifest=inputs.manifests())
def test_any_manifest_is_read_or_refused_with_a_message(manifest, capsys, monkeypatch):
    monkeypatch.delenv("NUMERAI_PUBLIC_ID", raising=False)
    root = scratch_repo()
    try:
        dist = root / "dist"
        dist.mkdir()
        (dist / "gbm_model-0123456789ab.pkl").write_bytes(b"not really a pickle")
        (dist / "gbm_model-0123456789ab.json").write_text(manifest)
        ran_cleanly(["deploy", "--dry-run", "--repo", str(root)], capsys, root)
        ran_cleanly(["summary", "--artifacts", str(dist), "--record", str(root / "record")], capsys, root)
        pickle = str(dist / "gbm_model-0123456789ab.pkl")
        ran_cleanly(["check", "--print-container-command", "--repo", str(root), pickle], capsys, root)
    finally:
        shutil.rmtree(root)


@EXAMPLES
@given(argv=inputs.arguments())
def test_any_arguments_end_in_a_clear_exit(argv, capsys, monkeypatch):
    monkeypatch.delenv("NUMERAI_PUBLIC_ID", raising=False)
    root = scratch_repo()
    try:
        ran_cleanly([*argv, "--repo", str(root)] if argv and not argv[0].startswith("-") else argv, capsys, root)
    finally:
        shutil.rmtree(root)


class Answers(LoopbackServer):
    """Answers every request with the status and body the test chose."""

    status, body = 200, b"{}"

    def handle_post(self, request):
        read_body(request)
        send_bytes(request, self.status, self.body, "application/json")


@pytest.fixture
def odd_numerai(monkeypatch):
    """A server answering whatever a test puts in Answers, with the CLI pointed at it and keys set."""
    server = Answers().start()
    for name, value in {"NUMERAI_API_URL": server.url,
                        "NUMERAI_PUBLIC_ID": "PUBLIC", "NUMERAI_SECRET_KEY": "odd-secret-5b7e",
                        "NUMERAI_RETRY_ATTEMPTS": "1", "NUMERAI_REQUEST_TIMEOUT": "2"}.items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()


@EXAMPLES
@given(answer=inputs.api_answers())
def test_any_answer_from_numerai_ends_in_a_clear_exit(answer, odd_numerai, capsys):
    odd_numerai.status, odd_numerai.body = answer
    root = scratch_repo()
    try:
        for argv in (["status"], ["runtimes"], ["plan", "--against-numerai"]):
            ran_cleanly([*argv, "--repo", str(root)], capsys, root)
        assert "odd-secret-5b7e" not in json.dumps(capsys.readouterr())
    finally:
        shutil.rmtree(root)


def test_the_properties_can_fail(capsys):
    """The checks above are not toothless: a valid spec passes, a broken one is refused with its file."""
    root = scratch_repo()
    try:
        assert ran_cleanly(["validate", "--synthetic", "--repo", str(root)], capsys, root)[0] == 0
        (root / "models" / "gbm.yaml").write_text("slot: [1, 2]\nmodel: 7\n")
        code, err = ran_cleanly(["validate", "--synthetic", "--repo", str(root)], capsys, root)
        assert code == 2 and "gbm.yaml" in err
        (root / "models" / ".gbm.yaml.123.tmp").write_text("half")
        with pytest.raises(AssertionError):
            ran_cleanly(["validate", "--synthetic", "--repo", str(root)], capsys, root)
    finally:
        shutil.rmtree(root)
