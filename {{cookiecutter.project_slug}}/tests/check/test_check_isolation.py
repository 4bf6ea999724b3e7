"""A hostile pickle under check: it must not read the caller's secrets, leave processes behind, reach
the network through a child, escape the tree's memory limit, forge its verdict or write outside its
scratch folder.

The pickles are made by hostile_builder.py in the check environment (as corpus_builder.py's are).
Tests that need the sandbox skip, saying so, where bubblewrap cannot make one; one test states which
mode this machine gives.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from test_check_corpus import environment_python, runtime

from {{ cookiecutter.package_name }}.check.pipeline import check_pickle
from {{ cookiecutter.package_name }}.check.report import ERROR
from {{ cookiecutter.package_name }}.repo import Repo
from {{ cookiecutter.package_name }}.sandbox import cgroups, isolation
from {{ cookiecutter.package_name }}.sandbox.limits import Limits
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import REPO_ROOT

BUILDER = Path(__file__).resolve().parents[1] / "hostile_builder.py"
SECRET = "SUPERSECRET123-never-shown"
TOKEN = "ghp_FAKEtokenFAKEtoken0123"
MARKER = f"nmr{uuid.uuid4().hex[:10]}"  # names every process the hostile pickles start


def namespaces_work() -> bool:
    bwrap = shutil.which("bwrap")
    return bwrap is not None and isolation.sandbox_mode(bwrap, sys.executable).name == isolation.NAMESPACES


NAMESPACES = sys.platform.startswith("linux") and namespaces_work()
needs_namespaces = pytest.mark.skipif(not NAMESPACES, reason="bubblewrap cannot make a sandbox here, so a check "
                                      "runs in 'process group only' mode")


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    python = environment_python("3.12")
    result = subprocess.run([str(python), str(BUILDER), str(out), MARKER], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def check(monkeypatch, data_cache):
    monkeypatch.setenv("NUMERAI_DATA_DIR", str(data_cache))

    def run(pickle_path: Path, **limits):
        return check_pickle(Repo(REPO_ROOT, load_settings()), pickle_path, runtime("3.12"), limits=Limits(**limits))

    return run


def survivors() -> list[int]:
    """Live processes started by a hostile pickle (by their command line or name)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_bytes().rpartition(b")")[2].split()[0]
            named = MARKER.encode() in (entry / "cmdline").read_bytes() or \
                (entry / "comm").read_text().strip() == MARKER[:15]
        except OSError:
            continue
        if named and state != b"Z":
            found.append(int(entry.name))
    return found


def gone_within(seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while survivors() and time.monotonic() < deadline:
        time.sleep(0.1)
    return survivors()


@pytest.fixture
def no_survivors():
    """Whatever a test asserts, nothing a hostile pickle started outlives it (or is there before it)."""
    assert gone_within(10) == []
    yield
    for pid in survivors():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    assert gone_within(10) == []


def errors(report):
    return [finding for finding in report.findings if finding.level == ERROR]


def test_the_isolation_mode_of_this_machine(check, hostile):
    """Namespaces where unshare makes them (this machine, as root), else the process group."""
    report = check(hostile / "writes_dist.pkl")
    expected = isolation.NAMESPACES if NAMESPACES else isolation.PROCESS_GROUP
    assert report.run.isolation == expected
    [line] = [finding for finding in report.findings if finding.check == "isolation"]
    assert line.message.startswith(expected)
    print(f"isolation on this machine: {line.message}")


@needs_namespaces
def test_a_pickle_reading_every_environment_finds_no_key(cli, make_repo, hostile):
    repo = make_repo({})
    result = cli("check", str(hostile / "reads_environments.pkl"), cwd=repo,
                 env={"NUMERAI_SECRET_KEY": SECRET, "GITHUB_TOKEN": TOKEN})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "isolation: namespaces" in result.stdout
    assert SECRET not in result.stdout + result.stderr and TOKEN not in result.stdout + result.stderr


def test_what_a_pickle_finds_is_scrubbed_from_the_report(cli, make_repo, hostile, tmp_path):
    """Without namespaces (no bwrap on PATH) the pickle can read the key; the report still never shows it."""
    repo, bin_dir = make_repo({}), tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sh").symlink_to(shutil.which("sh"))
    env = {"NUMERAI_SECRET_KEY": SECRET, "GITHUB_TOKEN": TOKEN, "PATH": f"{bin_dir}:{Path(sys.executable).parent}"}
    for arguments in (["check"], ["check", "--json"]):
        result = cli(*arguments, str(hostile / "reads_environments.pkl"), cwd=repo, env=env)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "process group only" in result.stdout
        assert "read the caller's credentials" in result.stdout and "NUMERAI_SECRET_KEY=***" in result.stdout
        assert SECRET not in result.stdout + result.stderr and TOKEN not in result.stdout + result.stderr


def test_a_required_namespace_refuses_the_process_group(cli, make_repo, hostile):
    """NUMERAI_CHECK_ISOLATION=namespaces (as the workflows set it): no `bwrap` means exit 2, not a weaker run."""
    env = {"NUMERAI_CHECK_ISOLATION": "namespaces", "PATH": str(Path(sys.executable).parent)}
    result = cli("check", str(hostile / "writes_dist.pkl"), cwd=make_repo({}), env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "NUMERAI_CHECK_ISOLATION=namespaces" in result.stderr and "NUMERAI_CHECK_ISOLATION=any" in result.stderr
    assert "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0" in result.stderr
    assert "Traceback" not in result.stderr and "isolation:" not in result.stdout


def test_every_process_the_pickle_started_is_gone_after_the_check(check, hostile, no_survivors):
    report = check(hostile / "leaves_processes.pkl")
    assert report.ok, report.findings
    assert gone_within(2) == []


def test_sigterm_to_the_check_ends_the_pickle_and_removes_its_scratch(make_repo, hostile, tmp_path, data_cache,
                                                                      no_survivors):
    scratch_parent = tmp_path / "tmp"
    scratch_parent.mkdir()
    env = {**os.environ, "NUMERAI_DATA_DIR": str(data_cache), "TMPDIR": str(scratch_parent)}
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "check", str(hostile / "hangs_with_processes.pkl")]
    process = subprocess.Popen(command, cwd=make_repo({}), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(survivors()) < 10 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert len(survivors()) >= 10, "the pickle's processes never started"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == -signal.SIGTERM
    assert gone_within(5) == []
    assert list(scratch_parent.glob("numerai-check-*")) == []


@needs_namespaces
def test_network_through_a_child_process_or_ctypes_fails(check, hostile):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    accepted, done = [], threading.Event()

    def accept():
        while not done.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    (hostile / "port.txt").write_text(str(listener.getsockname()[1]))
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        report = check(hostile / "reaches_network.pkl")
    finally:
        done.set()
        thread.join()
        listener.close()
    assert accepted == [], "a process of the pickle reached the network"
    assert report.run.network is False


def test_a_forged_pass_without_predictions_fails(check, hostile):
    """The harness's own events, nonce and all, say "passed"; no predictions were written."""
    report = check(hostile / "forges_a_pass.pkl")
    assert not report.ok
    assert any(finding.check == "predictions" and "no predictions file" in finding.message
               for finding in errors(report)), report.findings


def test_events_without_the_runs_nonce_are_ignored(check, hostile):
    report = check(hostile / "forges_events_without_nonce.pkl")
    assert not report.ok
    assert not any(finding.check == "predict.py" for finding in report.findings), report.findings
    assert "exited with code 0 while predicting" in errors(report)[0].message


@needs_namespaces
def test_the_pickle_cannot_write_to_dist(check, hostile):
    planted = hostile / "dist" / "planted.txt"
    report = check(hostile / "writes_dist.pkl")
    assert report.ok, report.findings  # its own scratch folder (its home) stays writable
    assert not planted.exists()


def test_the_memory_limit_holds_for_the_whole_tree(check, hostile, no_survivors):
    """3 children of 400 MB pass a 1 GB limit one by one (as each process's own limit did), not together."""
    report = check(hostile / "tree_over_memory.pkl", memory_bytes=2**30)
    assert not report.ok
    assert any(finding.check == "memory" for finding in errors(report)), report.findings


def test_without_cgroups_the_parent_watches_the_tree(check, hostile, monkeypatch, no_survivors):
    monkeypatch.setattr(cgroups.TreeGroups, "make", classmethod(lambda cls, memory_bytes, max_tasks: None))
    report = check(hostile / "tree_over_memory.pkl", memory_bytes=2**30)
    [problem] = [finding for finding in errors(report) if finding.check == "memory"]
    assert "processes together" in problem.message and "watched" in next(
        finding.message for finding in report.findings if finding.check == "isolation")
    assert gone_within(2) == []


def test_a_report_in_json_says_the_mode(cli, make_repo, hostile):
    result = cli("check", "--json", str(hostile / "writes_dist.pkl"), cwd=make_repo({}))
    [report] = json.loads(result.stdout)["reports"]
    assert report["run"]["isolation"] in (isolation.NAMESPACES, isolation.PROCESS_GROUP)


# The attacks of a root-run pickle on the host (issue 28). Each must fail in every mode that claims namespaces.

@needs_namespaces
def test_a_root_run_pickle_cannot_write_any_proc_sys_file(check, hostile):
    """Not /proc/sys/kernel/domainname, nor core_pattern opened for writing (a `|/program` there runs as root)."""
    before = Path("/proc/sys/kernel/core_pattern").read_bytes()
    report = check(hostile / "writes_proc_sys.pkl")
    assert report.ok, [finding.message for finding in errors(report)]
    assert Path("/proc/sys/kernel/core_pattern").read_bytes() == before


def test_links_planted_in_scratch_make_the_parent_read_and_write_nothing_outside(cli, make_repo, hostile):
    """output.txt and the predictions CSV linked to /proc/self/environ, the parent's folder to one outside."""
    outside = hostile / "outside"
    outside.mkdir(exist_ok=True)
    env = {"NUMERAI_PUBLIC_ID": "PUBLICID-0123456789-never-shown",
           "DATABASE_URL": "postgres://user:dbpassword-never-shown@db.example/x", "NUMERAI_SECRET_KEY": SECRET}
    result = cli("check", str(hostile / "plants_links.pkl"), cwd=make_repo({}), env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert list(outside.iterdir()) == [], "the parent wrote through a planted link"
    for shown in ("PUBLICID-0123456789", "dbpassword-never", SECRET[:10], "PATH="):
        assert shown not in result.stdout + result.stderr


@needs_namespaces
def test_a_unix_socket_outside_refuses_the_pickles_connection(check, hostile):
    path = hostile / "outside.sock"
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen()
    listener.settimeout(0.1)
    accepted, done = [], threading.Event()

    def accept():
        while not done.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        report = check(hostile / "reaches_unix_sockets.pkl")
    finally:
        done.set()
        thread.join()
        listener.close()
    assert accepted == [], "the pickle connected to a socket outside its sandbox"
    assert report.ok, [finding.message for finding in errors(report)]


@needs_namespaces
def test_a_nested_namespace_cannot_lift_the_limits(check, hostile, no_survivors):
    """No nested user, mount or cgroup namespace; the tree's memory limit holds."""
    report = check(hostile / "nests_namespaces.pkl", memory_bytes=2**30)
    assert not report.ok
    assert not any("nested namespaces" in finding.message for finding in errors(report)), report.findings
    assert any(finding.check == "memory" for finding in errors(report)), report.findings


@pytest.mark.parametrize("case", ["fills_scratch", "fills_output"])
def test_writing_past_the_disk_quota_fails_the_check(check, hostile, case):
    report = check(hostile / f"{case}.pkl", disk_bytes=64 * 2**20)
    assert not report.ok, report.findings


def test_a_key_cut_mid_way_in_the_output_is_scrubbed(cli, make_repo, hostile):
    key = "CUTKEY0123456789abcdefghijKLMNOPQRSTUVWXYZ-never-shown"  # hostile_builder.CUT_KEY
    result = cli("check", str(hostile / "prints_a_cut_key.pkl"), cwd=make_repo({}), env={"NUMERAI_SECRET_KEY": key})
    assert result.returncode == 1, result.stdout + result.stderr
    shown = result.stdout + result.stderr
    assert "yyyyyyyy" in shown and "exited with code 3" in shown, "the output is in the report"
    assert [key[start:start + 8] for start in range(len(key) - 7) if key[start:start + 8] in shown] == []


@needs_namespaces
def test_the_hosts_terminals_are_not_writable(check, hostile):
    main, terminal = os.openpty()
    os.set_blocking(main, False)
    try:
        report = check(hostile / "writes_terminals.pkl")
        try:
            arrived = os.read(main, 4096)
        except BlockingIOError:
            arrived = b""
    finally:
        os.close(main)
        os.close(terminal)
    assert MARKER.encode() not in arrived, "the pickle wrote into this test's terminal"
    assert report.ok, [finding.message for finding in errors(report)]
