"""trigger and logs against the Numerai stand-in: a run of the assigned pickle started, waited for and
explained in Numerai's words, with its log lines; a failed run exits 1."""

from __future__ import annotations

import json

import leak_scan

# Every run's output and every file written is scanned for the key and the upload signatures.
numerai_cli, outputs, nothing_leaks = leak_scan.numerai_cli, leak_scan.outputs, leak_scan.nothing_leaks

FAILURE = "Your model raised an exception: ValueError: Input contains NaN"
FAILURE_LOGS = ["Loading model.pkl", "Traceback (most recent call last):", "ValueError: Input contains NaN"]


def runs_of(numerai, slot):
    return numerai.assigned(slot)["triggers"]


def test_a_run_that_succeeds(numerai, numerai_cli, numerai_env):
    pickle_id = numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")

    result = numerai_cli("trigger", "gbm_model")

    assert result.code == 0, result.out + result.err
    [_validation, run] = runs_of(numerai, "gbm_model")
    assert numerai.mutations == ["triggerComputePickleUpload"]
    [sent] = [entry for entry in numerai.requests if entry["operation"] == "triggerComputePickleUpload"]
    assert sent["variables"] == {"modelId": numerai.model_named("gbm_model")["id"], "pickleId": pickle_id,
                                 "triggerValidation": False}
    assert f"gbm_model: run {run['id']} started" in result.out
    assert f"run:        {run['id']} (submission)" in result.out
    assert f"round:      {numerai.round_id}" in result.out
    assert "running: Running your model on live data" in result.out
    assert "success: Predictions submitted" in result.out and "Pulling image" in result.out
    assert result.err == ""


def test_a_run_that_fails_makes_trigger_and_logs_exit_1_with_numerais_words_and_the_log_lines(
    numerai, numerai_cli, numerai_env
):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    numerai.run_outcome("gbm_model", "failed", FAILURE, FAILURE_LOGS)

    started = numerai_cli("trigger", "gbm_model")
    explained = numerai_cli("logs", "gbm_model")

    run_id = runs_of(numerai, "gbm_model")[-1]["id"]
    for result in (started, explained):
        assert result.code == 1, result.out + result.err
        assert f"run {run_id} of pickle" in result.err and f"failed: {FAILURE}" in result.err
        assert "numerai-deploy rollback gbm_model" in result.err
        assert f"failed: {FAILURE}" in result.out
        for line in FAILURE_LOGS:
            assert line in result.out
        assert "Traceback (most recent call last):" not in result.err  # the run's, not ours
    as_json = numerai_cli("logs", "gbm_model", "--json")
    assert as_json.code == 1
    run = json.loads(as_json.out)
    assert run["trigger_id"] == run_id and run["failed"] is True and run["description"] == FAILURE
    assert [entry["status"] for entry in run["statuses"]] == ["pending", "running", "failed"]
    assert [line["message"] for line in run["logs"]] == ["Pulling image", *FAILURE_LOGS]
    assert all(line["at"].endswith("Z") for line in run["logs"])


def test_logs_of_an_earlier_run_and_of_a_run_the_slot_lacks(numerai, numerai_cli, numerai_env):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    earlier = numerai.seed_run("gbm_model", "success", "Predictions submitted", ["ok"])
    numerai.seed_run("gbm_model", "error", "Your model timed out after 10 minutes", ["killed"])

    latest = numerai_cli("logs", "gbm_model")
    chosen = numerai_cli("logs", "gbm_model", "--trigger", earlier)
    unknown = numerai_cli("logs", "gbm_model", "--trigger", "no-such-run")

    assert latest.code == 1 and "Your model timed out after 10 minutes" in latest.err and "killed" in latest.out
    assert chosen.code == 0, chosen.err
    assert f"run:        {earlier}" in chosen.out and "success: Predictions submitted" in chosen.out
    assert unknown.code == 2 and "none of its uploads has a run no-such-run" in unknown.err


def test_a_validation_run_is_asked_for_by_flag(numerai, numerai_cli, numerai_env):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")

    result = numerai_cli("trigger", "gbm_model", "--validation", "--json")

    assert result.code == 0, result.err
    run = json.loads(result.out)
    assert run["kind"] == "validation" and run["round_id"] == "" and run["status"] == "success"
    [sent] = [entry for entry in numerai.requests if entry["operation"] == "triggerComputePickleUpload"]
    assert sent["variables"]["triggerValidation"] is True


def test_a_run_that_does_not_finish_in_time(numerai, numerai_cli, numerai_env):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    numerai.run_outcome("gbm_model", "success", polls=10_000)

    result = numerai_cli("trigger", "gbm_model", "--wait-timeout", "0.3")

    run_id = runs_of(numerai, "gbm_model")[-1]["id"]
    assert result.code == 1
    assert f"run {run_id} did not finish within 0.3s (last status: running)" in result.err
    assert f"numerai-deploy logs gbm_model --trigger {run_id}" in result.err
    assert "(not finished)" in result.out


def test_a_lost_answer_to_the_trigger_is_looked_up_not_sent_again(numerai, numerai_cli, numerai_env):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    numerai.lose_answer(1, operation="triggerComputePickleUpload")

    result = numerai_cli("trigger", "gbm_model")

    assert result.code == 0, result.out + result.err
    assert numerai.mutations.count("triggerComputePickleUpload") == 1
    assert len(runs_of(numerai, "gbm_model")) == 2  # the validation run and the one triggered
    assert "the change did happen, its answer was lost" in result.out


def test_trigger_and_logs_without_an_assigned_pickle(numerai, numerai_cli, numerai_env):
    for command in ("trigger", "logs"):
        result = numerai_cli(command, "gbm_model")
        assert result.code == 1
        assert "slot gbm_model: no pickle is assigned" in result.err and "numerai-deploy deploy gbm_model" in result.err
    assert numerai.mutations == []


def test_a_slot_without_runs_yet(numerai, numerai_cli, numerai_env):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    numerai.pickles[numerai.assigned("gbm_model")["id"]]["triggers"].clear()  # not even a validation run

    result = numerai_cli("logs", "gbm_model")

    assert result.code == 0 and "has no run yet ==> numerai-deploy trigger gbm_model" in result.out


def test_as_a_user_runs_it_each_line_is_printed_once(numerai, numerai_env, cli, tmp_path, outputs):
    """In its own process (numerapi configures logging there): progress on stdout, the verdict alone on stderr."""
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    numerai.run_outcome("gbm_model", "failed", FAILURE, FAILURE_LOGS)

    result = cli("trigger", "gbm_model", cwd=tmp_path, env=numerai_env)

    outputs.extend([result.stdout, result.stderr])
    assert result.returncode == 1
    assert result.stdout.count("gbm_model: starting a run of pickle") == 1
    [verdict] = result.stderr.splitlines()
    assert verdict.startswith("failed: slot gbm_model: run ") and FAILURE in verdict


def test_a_run_that_finds_no_open_round_waits_for_the_next_one_and_exits_0(numerai, numerai_cli, numerai_env):
    numerai.seed_pickle("gbm_model", "gbm_model-0123456789ab.pkl")
    numerai.close_round()  # between rounds: Numerai answers the run with "No currently open rounds!"

    started = numerai_cli("trigger", "gbm_model")
    explained = numerai_cli("logs", "gbm_model")

    for result in (started, explained):
        assert result.code == 0, result.out + result.err
        assert 'outcome:    validated, waiting for the next round (Numerai: "No currently open rounds!")' in result.out
        assert "failed: No currently open rounds!" in result.out  # Numerai's status, shown as it is
        assert result.err == ""
    run = json.loads(numerai_cli("logs", "gbm_model", "--json").out)
    assert run["waiting"] is True and run["failed"] is False and run["finished"] is True
    assert run["round_id"] == ""  # no round was open
