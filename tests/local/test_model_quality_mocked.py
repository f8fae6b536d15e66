"""A model-quality check against a Step Functions Local mock file: the mocked analyzer job's
ExitMessage decides (CompletedWithViolations fails the step, notified; none passes)."""

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
name: mq
steps:
  - name: Check model
    type: quality-check
    check: model-quality
    dataset: $.Predictions
    problem_type: Regression
    ground_truth_attribute: rings
    inference_attribute: predicted
    baseline:
      constraints: s3://${DataBucket}/code/mq/constraints.json
"""
VALUES = {"DataBucket": "sagemaker-sfn-local", "ModelMonitorImageUri": "analyzer:latest",
          "SageMakerRoleArn": "arn:aws:iam::123456789012:role/sm",
          "FailureTopicArn": "arn:aws:sns:us-east-1:123456789012:failures"}


def _run(tmp_path: Path, job: dict[str, Any]) -> tuple[Any, MockIntegration]:
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "mq.yaml").write_text(PIPELINE, encoding="utf-8")
    definition = load_pipeline(tmp_path / "pipelines" / "mq.yaml").definition
    config = {"StateMachines": {"mq": {"TestCases": {"Case": {"Check model": "Job",
                                                              "Notify failure: Check model": "Published"}}}},
              "MockedResponses": {"Job": {"0": {"Return": job}}, "Published": {"0": {"Return": {"MessageId": "m"}}}}}
    (tmp_path / "mocks.json").write_text(json.dumps(config))
    loaded = load_mock_config(tmp_path / "mocks.json")
    mock = MockIntegration(loaded.test_case(state_machine="mq", test_case="Case"), test_case="Case",
                           source=loaded.source)
    result = run_definition(substitute_placeholders(definition, VALUES),
                            {"Predictions": "s3://sagemaker-sfn-local/mq/predictions/"}, state_machine_name="mq",
                            execution_name="mocked", integration=mock, clock=VirtualClock())
    return result, mock


JOB = {"ProcessingJobName": "check-model-0", "ProcessingJobStatus": "Completed"}


def test_no_violations_records_the_baselines(tmp_path: Path) -> None:
    result, mock = _run(tmp_path, JOB)
    assert result.status == "SUCCEEDED", result.cause
    assert path_of(result) == ["Check model", "Check model: violations?", "Check model: baselines"]
    assert result.output["Check_model"]["Baselines"] == {
        "CalculatedStatistics": "s3://sagemaker-sfn-local/mq/mocked/Check-model/statistics.json",
        "CalculatedConstraints": "s3://sagemaker-sfn-local/mq/mocked/Check-model/constraints.json",
        "DriftCheckStatistics": "s3://sagemaker-sfn-local/mq/mocked/Check-model/statistics.json",
        "DriftCheckConstraints": "s3://sagemaker-sfn-local/code/mq/constraints.json"}
    [call] = [c for c in mock.calls if c.state_name == "Check model"]
    assert call.parameters["Environment"]["analysis_type"] == "MODEL_QUALITY"


@pytest.mark.parametrize("count", [1, 3])
def test_violations_fail_the_step_and_are_notified(tmp_path: Path, count: int) -> None:
    message = f"CompletedWithViolations: Job completed successfully with {count} violations."
    result, mock = _run(tmp_path, {**JOB, "ExitMessage": message})
    assert (result.status, result.error) == ("FAILED", "mq.StepFailed")
    assert path_of(result)[-3:] == ["Check model: violations found", "Notify failure: Check model",
                                    "Failed: Check model"]
    [(_, published_message)] = published(mock)
    assert "QualityCheck.ViolationsFound" in published_message["Message"] and message in published_message["Message"]
