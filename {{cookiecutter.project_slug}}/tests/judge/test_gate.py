"""The gate's verdict from the figures alone: min, max, min_vs_deployed, nothing deployed, trainedOnVal."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.judge.gate import FAIL, IN_SAMPLE, NO_GATE, PASS, judge
from {{ cookiecutter.package_name }}.modelspec.model import GateBound

GATE = {"validationCorrSharpe": GateBound(min=0.5), "validationFeatureCorrMax": GateBound(max=0.4),
        "validationCorrPlusMmcSharpe": GateBound(min_vs_deployed=-0.05)}
GOOD = {"validationCorrSharpe": 0.9, "validationFeatureCorrMax": 0.3, "validationCorrPlusMmcSharpe": 1.0}


def test_every_bound_holding_passes():
    verdict = judge(GATE, GOOD, {"validationCorrPlusMmcSharpe": 1.04}, trained_on_val=False)
    assert verdict.status == PASS and verdict.passed and not verdict.failures


def test_each_failure_names_metric_value_and_bound():
    figures = {**GOOD, "validationCorrSharpe": 0.41, "validationFeatureCorrMax": 0.45}
    verdict = judge(GATE, figures, {"validationCorrPlusMmcSharpe": 1.2}, trained_on_val=False)
    assert verdict.status == FAIL and not verdict.passed
    texts = [str(failure) for failure in verdict.failures]
    assert "validationCorrSharpe 0.4100 < min 0.5" in texts
    assert "validationFeatureCorrMax 0.4500 > max 0.4" in texts
    assert ("validationCorrPlusMmcSharpe 1.0000 is -0.2000 against the deployed pickle's 1.2000 "
            "(min_vs_deployed -0.05)") in texts


def test_nothing_deployed_skips_min_vs_deployed_with_a_note():
    verdict = judge(GATE, GOOD, None, trained_on_val=False)
    assert verdict.status == PASS
    assert any("min_vs_deployed skipped: nothing deployed" in note for note in verdict.notes)


def test_a_figure_numerai_did_not_report_fails_its_bound():
    verdict = judge({"validationCorrSharpe": GateBound(min=0.1)}, {}, None, trained_on_val=False)
    assert verdict.status == FAIL and "Numerai reported no value" in str(verdict.failures[0])


def test_in_sample_figures_are_reported_not_enforced():
    verdict = judge(GATE, {**GOOD, "validationCorrSharpe": 0.1}, None, trained_on_val=True)
    assert verdict.status == IN_SAMPLE and verdict.passed and verdict.failures
    assert any("trainedOnVal" in note for note in verdict.notes)


def test_no_gate_is_no_verdict():
    assert judge({}, GOOD, None, trained_on_val=False).status == NO_GATE
