"""A clarify-check step against a Step Functions Local mock file: the mocked Clarify job and the two
mocked getObject answers (the new and the baseline analysis.json) decide the path; violations are
notified with the bias-drift rule's wording and fail the execution."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_pipelines_mocked import path_of, published

from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.mock import MockIntegration
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.mock_config import load_mock_config
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.project import substitute_placeholders

PIPELINE = """\
name: bias
steps:
  - name: Check bias
    type: clarify-check
    check: data-bias
    analysis_config: s3://${DataBucket}/code/bias/analysis_config.json
    dataset: $.InputUri
    baseline: s3://${DataBucket}/code/bias/analysis.json
  - name: Record
    type: pass
    parameters:
      drift_check.$: $.Check_bias.Baselines.BaselineUsedForDriftCheckConstraints
    result_path: $.Record
"""
VALUES = {"DataBucket": "sagemaker-sfn-local", "ClarifyImageUri": "clarify:latest",
          "SageMakerRoleArn": "arn:aws:iam::123456789012:role/sm",
          "FailureTopicArn": "arn:aws:sns:us-east-1:123456789012:failures"}
JOB = {"ProcessingJobName": "check-bias-0", "ProcessingJobStatus": "Completed",
       "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:processing-job/check-bias-0"}


def _analysis(ci: float, dpl: float) -> str:
    return json.dumps({"version": "1.0", "pre_training_bias_metrics": {
        "label": "approved", "label_value_or_threshold": "1", "facets": {"sex": [{"value_or_threshold": "F", "metrics": [
            {"name": "CI", "description": "Class Imbalance (CI)", "value": ci},
            {"name": "DPL", "description": "Difference in Positive Proportions in Labels (DPL)", "value": dpl}]}]}}})


def _run(tmp_path: Path, *, now: str, baseline: str | None = None, check: str = "data-bias") -> tuple[Any, MockIntegration]:
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "bias.yaml").write_text(PIPELINE.replace("check: data-bias", f"check: {check}"),
                                                      encoding="utf-8")
    definition = load_pipeline(tmp_path / "pipelines" / "bias.yaml").definition
    responses = {"Job": {"0": {"Return": JOB}}, "Analysis": {"0": {"Return": {"Body": now}}},
                 "Baseline": {"0": {"Return": {"Body": baseline or _analysis(0.1, 0.2)}}},
                 "Published": {"0": {"Return": {"MessageId": "m-1"}}}}
    cases = {"bias": {"TestCases": {"Case": {
        "Check bias": "Job", "Check bias: read analysis": "Analysis", "Check bias: read baseline": "Baseline",
        "Notify failure: Check bias": "Published"}}}}
    (tmp_path / "mocks.json").write_text(json.dumps({"StateMachines": cases, "MockedResponses": responses}))
    config = load_mock_config(tmp_path / "mocks.json")
    mock = MockIntegration(config.test_case(state_machine="bias", test_case="Case"), test_case="Case",
                           source=config.source)
    result = run_definition(substitute_placeholders(definition, VALUES), {"InputUri": "s3://sagemaker-sfn-local/in/"},
                            state_machine_name="bias", execution_name="mocked", integration=mock, clock=VirtualClock())
    return result, mock


def test_an_analysis_no_worse_than_the_baseline_passes(tmp_path: Path) -> None:
    result, mock = _run(tmp_path, now=_analysis(-0.05, 0.2))
    assert result.status == "SUCCEEDED", result.cause
    assert path_of(result) == ["Check bias", "Check bias: baselines", "Check bias: read analysis",
                               "Check bias: read baseline", "Check bias: violations?", "Record"]
    assert result.output["Record"] == {"drift_check": "s3://sagemaker-sfn-local/code/bias/analysis.json"}
    reads = [c.parameters for c in mock.calls if c.state_name.startswith("Check bias: read")]
    assert reads == [{"Bucket": "sagemaker-sfn-local", "Key": "bias/mocked/Check-bias/analysis.json"},
                     {"Bucket": "sagemaker-sfn-local", "Key": "code/bias/analysis.json"}]


@pytest.mark.parametrize("ci, dpl, named", [(0.3, 0.2, ["CI"]), (0.1, -0.25, ["DPL"]), (0.5, 0.9, ["CI", "DPL"])])
def test_violations_are_notified_and_fail_the_execution(tmp_path: Path, ci: float, dpl: float, named: list) -> None:
    result, mock = _run(tmp_path, now=_analysis(ci, dpl))
    assert (result.status, result.error) == ("FAILED", "bias.StepFailed")
    assert path_of(result)[-4:] == ["Check bias: violations?", "Check bias: violations found",
                                    "Notify failure: Check bias", "Failed: Check bias"]
    [(_, message)] = published(mock)
    text = message["Message"]
    assert "ClarifyCheck.ViolationsFound" in text and "Clarify check 'Check bias' found violations" in text
    for metric in named:
        assert f"sex=F {metric}: Value" in text
    assert all(f"sex=F {m}: Value" not in text for m in {"CI", "DPL"} - set(named))


def _model_analysis(*, ci: float, dppl: float, di: float) -> str:
    """An analysis.json with both sections, as Clarify writes for a data-and-model bias config."""
    pre = json.loads(_analysis(ci, 0.2))["pre_training_bias_metrics"]
    return json.dumps({"version": "1.0", "pre_training_bias_metrics": pre, "post_training_bias_metrics": {
        "label": "approved", "label_value_or_threshold": "1", "facets": {"sex": [{"value_or_threshold": "F", "metrics": [
            {"name": "DPPL", "description": "Difference in Positive Proportions in Predicted Labels (DPPL)",
             "value": dppl},
            {"name": "DI", "description": "Disparate Impact (DI)", "value": di}]}]}}})


@pytest.mark.parametrize("ci, dppl, passed", [
    (0.9, 0.1, True),     # only the pre-training section is worse: a model-bias check does not compare it
    # AWS's own example (clarify-model-monitor-bias-drift-violations.html): a DPPL baseline of 0.2 and
    # an analysis of -0.3, farther from 0, is a violation.
    (0.1, -0.3, False),
])
def test_a_model_bias_check_compares_the_post_training_metrics(tmp_path: Path, ci: float, dppl: float,
                                                               passed: bool) -> None:
    result, mock = _run(tmp_path, now=_model_analysis(ci=ci, dppl=dppl, di=0.8),
                        baseline=_model_analysis(ci=0.1, dppl=0.2, di=0.8), check="model-bias")
    if passed:
        assert result.status == "SUCCEEDED", result.cause
        assert published(mock) == []
        return
    assert (result.status, result.error) == ("FAILED", "bias.StepFailed")
    [(_, message)] = published(mock)
    assert "sex=F DPPL: Value -0.3 does not meet the constraint requirement (baseline 0.2)" in message["Message"]
    assert "DI:" not in message["Message"] and " CI:" not in message["Message"]


def _shap(values: dict) -> str:
    return json.dumps({"version": "1.0", "explanations": {"kernel_shap": {"label0": {"global_shap_values": values,
                                                                                     "expected_value": 0.0}}}})


@pytest.mark.parametrize("now, passed", [({"age": 0.5, "income": 0.2}, True), ({"age": 0.01, "income": 0.7}, False)])
def test_a_model_explainability_check_compares_the_shap_ranking(tmp_path: Path, now: dict, passed: bool) -> None:
    result, mock = _run(tmp_path, now=_shap(now), baseline=_shap({"age": 0.6, "income": 0.1}),
                        check="model-explainability")
    if passed:
        assert result.status == "SUCCEEDED", result.cause
        return
    assert (result.status, result.error) == ("FAILED", "bias.StepFailed")
    [(_, message)] = published(mock)
    assert "label0 shap: nDCG" in message["Message"] and "is below 0.9" in message["Message"]
