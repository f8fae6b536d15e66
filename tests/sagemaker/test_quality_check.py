"""quality-check states, rendered whole: suggest a baseline, or check against one and fail on violations."""

import json

import pytest

from sagemaker_sfn.sagemaker.quality_check import quality_check_states

NAME = ("States.Format('check-{}-{}', States.Hash(States.Format('{}@{}', $$.Execution.Id, $$.State.EnteredTime), "
        "'MD5'), $$.State.RetryCount)")
ENV = {"dataset_format": json.dumps({"csv": {"header": True, "output_columns_position": "START"}}),
       "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
       "output_path": "/opt/ml/processing/output", "publish_cloudwatch_metrics": "Disabled"}
DATASET = {"InputName": "baseline_dataset_input", "S3Input": {
    "S3Uri.$": "$.data", "LocalPath": "/opt/ml/processing/input/baseline_dataset_input", "S3DataType": "S3Prefix",
    "S3InputMode": "File"}}
RESOURCES = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}}


def test_suggest_only_runs_the_analyzer_and_records_the_calculated_baseline() -> None:
    states = quality_check_states(name="Check", pipeline="p", dataset="$.data", result_key="Check",
                                  output="s3://b/out", retry=None, next="Next")
    assert states == {
        "Check": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
                  "Parameters": {
                      "AppSpecification": {"ImageUri": "${ModelMonitorImageUri}"}, "Environment": ENV,
                      "ProcessingInputs": [DATASET],
                      "ProcessingOutputConfig": {"Outputs": [{"OutputName": "monitoring_output", "S3Output": {
                          "S3Uri": "s3://b/out", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
                      "ProcessingResources": RESOURCES, "RoleArn": "${SageMakerRoleArn}",
                      "StoppingCondition": {"MaxRuntimeInSeconds": 3600}, "ProcessingJobName.$": NAME,
                      "Tags": [{"Key": "sfn:execution-arn", "Value.$": "$$.Execution.Id"}]},
                  "ResultPath": "$.Check.Job", "Next": "Check: baselines"},
        "Check: baselines": {"Type": "Pass", "Parameters": {
            "CalculatedStatistics": "s3://b/out/statistics.json", "CalculatedConstraints": "s3://b/out/constraints.json",
            "DriftCheckStatistics": "s3://b/out/statistics.json", "DriftCheckConstraints": "s3://b/out/constraints.json"},
            "ResultPath": "$.Check.Baselines", "Next": "Next"}}


def test_check_against_a_baseline_fails_on_violations() -> None:
    baseline = {"statistics": "s3://b/base/statistics.json", "constraints": "s3://b/base/constraints.json"}
    states = quality_check_states(name="Check", pipeline="p", dataset="$.data", result_key="Check", baseline=baseline,
                                  retry=None, on_failure="Notify")
    job = states["Check"]["Parameters"]
    assert job["Environment"] == {**ENV, "baseline_statistics": "/opt/ml/processing/baseline/stats/statistics.json",
                                  "baseline_constraints": "/opt/ml/processing/baseline/constraints/constraints.json"}
    assert job["ProcessingInputs"][1:] == [
        {"InputName": "baseline_statistics", "S3Input": {"S3Uri": "s3://b/base/statistics.json",
                                                         "LocalPath": "/opt/ml/processing/baseline/stats",
                                                         "S3DataType": "S3Prefix", "S3InputMode": "File"}},
        {"InputName": "baseline_constraints", "S3Input": {"S3Uri": "s3://b/base/constraints.json",
                                                          "LocalPath": "/opt/ml/processing/baseline/constraints",
                                                          "S3DataType": "S3Prefix", "S3InputMode": "File"}}]
    assert job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri.$"] == (
        "States.Format('s3://${DataBucket}/p/{}/Check', $$.Execution.Name)")
    assert states["Check"]["Next"] == "Check: violations?"
    assert states["Check: violations?"] == {"Type": "Choice", "Choices": [{"And": [
        {"Variable": "$.Check.Job.ExitMessage", "IsPresent": True},
        {"Variable": "$.Check.Job.ExitMessage", "StringMatches": "CompletedWithViolations*"}],
        "Next": "Check: violations found"}], "Default": "Check: baselines"}
    assert states["Check: violations found"] == {"Type": "Pass", "Parameters": {
        "Error": "QualityCheck.ViolationsFound",
        "Cause.$": "States.Format('Quality check \\'Check\\' found violations of the baseline: {} See {}', "
                   "$.Check.Job.ExitMessage, States.Format('s3://${DataBucket}/p/{}/Check/constraint_violations.json', "
                   "$$.Execution.Name))"},
        "ResultPath": "$.error", "Next": "Notify"}
    assert states["Check: baselines"]["Parameters"] == {
        "CalculatedStatistics.$": "States.Format('s3://${DataBucket}/p/{}/Check/statistics.json', $$.Execution.Name)",
        "CalculatedConstraints.$": "States.Format('s3://${DataBucket}/p/{}/Check/constraints.json', $$.Execution.Name)",
        "DriftCheckStatistics": "s3://b/base/statistics.json", "DriftCheckConstraints": "s3://b/base/constraints.json"}
    assert states["Check: baselines"]["End"] is True


def test_skip_check_records_baselines_without_failing() -> None:
    states = quality_check_states(name="C", pipeline="p", dataset="s3://b/d.csv", result_key="C", skip_check=True,
                                  baseline={"statistics": "s3://b/s.json", "constraints": "s3://b/c.json"})
    assert list(states) == ["C", "C: baselines"]


@pytest.mark.parametrize("kwargs, message", [
    ({"check": "model-bias"}, "check must be one of data-quality"),
    ({"baseline": {"statistics": "s3://b/s.json"}}, "baseline must give both"),
])
def test_bad_options(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        quality_check_states(name="C", pipeline="p", dataset="s3://b/d.csv", result_key="C", **kwargs)


def test_model_quality_sets_the_analyzer_environment_and_checks_constraints_only() -> None:
    states = quality_check_states(
        name="Check", pipeline="p", dataset="$.data", result_key="Check", check="model-quality",
        baseline={"constraints": "s3://b/base/constraints.json"}, output="s3://b/out", retry=None, next="Next",
        problem_type="BinaryClassification",
        attributes={"ground_truth_attribute": "label", "probability_attribute": "score",
                    "probability_threshold_attribute": 0.7})
    job = states["Check"]["Parameters"]
    assert job["Environment"] == {
        **ENV, "analysis_type": "MODEL_QUALITY", "problem_type": "BinaryClassification",
        "ground_truth_attribute": "label", "probability_attribute": "score", "probability_threshold_attribute": "0.7",
        "baseline_constraints": "/opt/ml/processing/baseline/constraints/constraints.json"}
    assert job["ProcessingInputs"] == [DATASET, {"InputName": "baseline_constraints", "S3Input": {
        "S3Uri": "s3://b/base/constraints.json", "LocalPath": "/opt/ml/processing/baseline/constraints",
        "S3DataType": "S3Prefix", "S3InputMode": "File"}}]
    assert states["Check: baselines"]["Parameters"] == {
        "CalculatedStatistics": "s3://b/out/statistics.json", "CalculatedConstraints": "s3://b/out/constraints.json",
        "DriftCheckStatistics": "s3://b/out/statistics.json", "DriftCheckConstraints": "s3://b/base/constraints.json"}
    assert list(states) == ["Check", "Check: violations?", "Check: violations found", "Check: failed",
                            "Check: baselines"]


@pytest.mark.parametrize("options, message", [
    ({"problem_type": "Ranking", "attributes": {"ground_truth_attribute": "y", "inference_attribute": "p"}},
     "problem_type must be one of Regression"),
    ({"problem_type": "Regression", "attributes": {"ground_truth_attribute": "y"}}, "needs inference_attribute"),
    ({"problem_type": "Regression", "attributes": {"inference_attribute": "p"}}, "needs ground_truth_attribute"),
])
def test_model_quality_needs_a_problem_type_and_its_columns(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        quality_check_states(name="C", pipeline="p", dataset="s3://b/d", result_key="C", check="model-quality",
                             **options)


def test_data_quality_refuses_model_quality_options() -> None:
    with pytest.raises(ValueError, match="belong to check: model-quality"):
        quality_check_states(name="C", pipeline="p", dataset="s3://b/d", result_key="C", problem_type="Regression")
