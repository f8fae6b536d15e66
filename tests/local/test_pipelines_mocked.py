"""Our shipped pipelines run against Step Functions Local mock files (tests/local/mocks/<pipeline>.json).

For each pipeline: the happy path, a job that fails and is caught (failure notification published,
the pipeline's Fail state reached), capacity errors retried then succeeding, and throttling that
exhausts its retries. Each test asserts the exact path (states entered, in order) and the retries.
The mocked ``.sync`` answers are final Describe* responses, checked against botocore's output shapes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sagemaker_sfn.local.bindings import local_substitutions
from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.base import ResourceRef
from sagemaker_sfn.local.integrations.mock import MockIntegration
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.mock_config import load_mock_config
from sagemaker_sfn.local.progress import count_history
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.project import load_definition, placeholders_in, substitute_placeholders

ROOT = Path(__file__).resolve().parents[2]
MOCKS = Path(__file__).resolve().parent / "mocks"
EXECUTION = "mocked"
TOPIC = "arn:aws:sns:us-east-1:123456789012:sagemaker-sfn-failures"
BUCKET = "sagemaker-sfn-local"


def run_case(pipeline: str, test_case: str) -> tuple[Any, MockIntegration]:
    """Run ``pipeline`` with its example input and the mock file's ``test_case``, as `run --local` does."""
    loaded = load_definition(pipeline, root=ROOT)
    execution_input = load_pipeline(ROOT / "pipelines" / f"{pipeline}.yaml").example_input or {}
    values = local_substitutions(placeholders_in(loaded.definition) | placeholders_in(execution_input))
    config = load_mock_config(MOCKS / f"{pipeline}.json")
    mock = MockIntegration(config.test_case(state_machine=pipeline, test_case=test_case), test_case=test_case,
                           source=config.source)
    result = run_definition(substitute_placeholders(loaded.definition, values),
                            substitute_placeholders(execution_input, values), state_machine_name=pipeline,
                            execution_name=EXECUTION, integration=mock, clock=VirtualClock())
    return result, mock


def path_of(result: Any) -> list[str]:
    """The states entered, without the step cache's own (tests/cache covers those; here every lookup misses)."""
    from sagemaker_sfn.cache.transform import step_of

    return [e["stateEnteredEventDetails"]["name"] for e in result.history
            if e["type"].endswith("StateEntered") and step_of(e["stateEnteredEventDetails"]["name"]) is None]


def output_of(result: Any) -> Any:
    return json.loads(result.output) if isinstance(result.output, str) else result.output


def published(mock: MockIntegration) -> list[tuple[str, dict[str, Any]]]:
    return [(c.state_name, c.parameters) for c in mock.calls if c.resource == "arn:aws:states:::sns:publish"]


def failure_message(pipeline: str, step: str, error: str, cause: str) -> dict[str, Any]:
    """The failure notification our templates publish (see `Notify failure: <step>`)."""
    return {"TopicArn": TOPIC, "Subject": f"sagemaker-sfn: {pipeline} failed at {step}",
            "Message": f"Step {step} of pipeline {pipeline} failed in execution "
                       f"arn:aws:states:us-east-1:123456789012:execution:{pipeline}:{EXECUTION}: "
                       + json.dumps({"Error": error, "Cause": cause}, separators=(",", ":"))}


def mocked_error(pipeline: str, response: str) -> tuple[str, str]:
    throw = json.loads((MOCKS / f"{pipeline}.json").read_text())["MockedResponses"][response]
    throw = next(iter(throw.values()))["Throw"]
    return throw["Error"], throw["Cause"]


# --- tune-xgboost ------------------------------------------------------------------------------

TUNE_HAPPY = ["GenerateDataset", "TuneHyperparameters", "CreateBestModel", "BatchTransform"]


def test_tune_xgboost_happy_path():
    result, mock = run_case("tune-xgboost", "HappyPath")
    prefix = f"s3://{BUCKET}/tune-xgboost/{EXECUTION}"
    interim = f"s3://{BUCKET}/tmp/tune-xgboost/{EXECUTION}"  # the generated dataset expires (CONVENTIONS.md)
    best = "tune-xgb-0a1b2c3d4e5f-003-9f8e7d6c"
    model = "tune-xgb-model-4f2a9c0e8d7b6a5f4e3d2c1b0a998877-0"
    assert (result.status, path_of(result), count_history(result.history).retries) == ("SUCCEEDED", TUNE_HAPPY, 0)
    assert output_of(result) == {
        "Dataset": {"bucket": BUCKET, "prefix": f"tmp/tune-xgboost/{EXECUTION}", "train": f"{interim}/train.csv",
                    "validation": f"{interim}/validation.csv", "test": f"{interim}/test.csv"},
        "Tuning": {"HyperParameterTuningJobName": "tune-xgb-0a1b2c3d4e5f", "BestTrainingJobName": best,
                   "BestObjectiveValue": 2.137, "ModelDataUrl": f"{prefix}/models/{best}/output/model.tar.gz"},
        "Model": {"ModelArn": f"arn:aws:sagemaker:us-east-1:123456789012:model/{model}", "ModelName": model},
        "Transform": {"TransformJobName": "tune-xgb-predict-4f2a9c0e8d7b6a5f4e3d2c1b0a998877-0",
                      "TransformJobStatus": "Completed", "S3OutputPath": f"{prefix}/predictions"},
    }
    requests = {c.state_name: c.parameters for c in mock.calls}
    # Data flows from one step's result into the next step's request, with local bindings filled in.
    assert requests["GenerateDataset"] == {
        "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:generate_dataset",
        "Payload": {"bucket": BUCKET, "prefix": f"tmp/tune-xgboost/{EXECUTION}", "rows": 1000}}
    assert requests["TuneHyperparameters"]["TrainingJobDefinition"]["InputDataConfig"][1]["DataSource"] == {
        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"{interim}/validation.csv",
                         "S3DataDistributionType": "FullyReplicated"}}
    assert requests["CreateBestModel"]["PrimaryContainer"] == {
        "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        "ModelDataUrl": f"{prefix}/models/{best}/output/model.tar.gz"}
    assert requests["BatchTransform"]["ModelName"] == model
    assert published(mock) == []


def test_tune_xgboost_tuning_failure_is_caught_and_notified():
    result, mock = run_case("tune-xgboost", "TuningFailsCaught")
    assert (result.status, result.error, path_of(result)) == ("FAILED", "tune-xgboost.StepFailed", [
        "GenerateDataset", "TuneHyperparameters", "Notify failure: TuneHyperparameters", "Failed: TuneHyperparameters"])
    assert published(mock) == [("Notify failure: TuneHyperparameters", failure_message(
        "tune-xgboost", "TuneHyperparameters", *mocked_error("tune-xgboost", "TuningFailed")))]


def test_tune_xgboost_capacity_errors_are_retried_then_succeed():
    result, mock = run_case("tune-xgboost", "CapacityRetriedThenSucceeds")
    stats = count_history(result.history)
    assert (result.status, path_of(result), stats.retries_by_state) == (
        "SUCCEEDED", TUNE_HAPPY, {"TuneHyperparameters": 3, "BatchTransform": 1})
    assert (mock.invocations("TuneHyperparameters"), mock.invocations("BatchTransform")) == (4, 2)
    # A retried Create must use a new job name ($$.State.RetryCount in the name).
    names = [c.parameters["TransformJobName"] for c in mock.calls if c.state_name == "BatchTransform"]
    assert [n.rsplit("-", 1)[1] for n in names] == ["0", "1"]
    assert len({c.parameters["HyperParameterTuningJobName"] for c in mock.calls
                if c.state_name == "TuneHyperparameters"}) == 4
    # Intervals of at least 60 s would pass without jitter; FULL jitter draws each in [0, interval].
    assert 0 < (result.stop_date - result.start_date).total_seconds() <= 60 + 90 + 135 + 60


def test_tune_xgboost_throttling_exhausts_retries():
    result, mock = run_case("tune-xgboost", "ThrottlingExhaustsRetries")
    assert (result.status, result.error, path_of(result)) == ("FAILED", "tune-xgboost.StepFailed", [
        "GenerateDataset", "TuneHyperparameters", "CreateBestModel", "Notify failure: CreateBestModel",
        "Failed: CreateBestModel"])
    assert count_history(result.history).retries_by_state == {"CreateBestModel": 8}
    assert mock.invocations("CreateBestModel") == 9
    assert published(mock) == [("Notify failure: CreateBestModel", failure_message(
        "tune-xgboost", "CreateBestModel", *mocked_error("tune-xgboost", "AlwaysThrottled")))]


# --- train-evaluate ----------------------------------------------------------------------------

TE_RELEASED = ["Preprocess", "Train", "Evaluate", "CheckMse", "CheckMse threshold", "RegisterAndCreateModel",
               "RegisterModel", "CreateModel", "BatchTransform", "ApproveModel"]
POLL = ["Deploy: status", "Deploy: count", "Deploy: in service?"]
# The happy path creates the endpoint (DescribeEndpoint: not found) and polls it 11 times (10 x Creating).
TE_HAPPY = [*TE_RELEASED, "Deploy", "Deploy: find endpoint", "Deploy: endpoint missing?", "Deploy: create endpoint",
            *(POLL + ["Deploy: wait"]) * 10, *POLL, "Deploy: deployed", "SmokeTest"]
ENDPOINT_CONFIG = "train-evaluate-config-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b-0"


def test_train_evaluate_happy_path():
    result, mock = run_case("train-evaluate", "HappyPath")
    assert (result.status, path_of(result), count_history(result.history).retries) == ("SUCCEEDED", TE_HAPPY, 0)
    output = output_of(result)
    assert {k: output[k] for k in ("Evaluation", "Release", "Transform")} == {
        "Evaluation": {"metrics": {"regression_metrics": {"mse": {"value": 4.62, "standard_deviation": 1.9}}}},
        "Release": {"ModelPackageArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/train-evaluate/1",
                    "ModelName": "train-evaluate-model-9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f-0"},
        "Transform": {"TransformJobName": "train-evaluate-predict-9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f-0",
                      "S3OutputPath": f"s3://{BUCKET}/train-evaluate/{EXECUTION}/predictions"},
    }
    requests = {c.state_name: c.parameters for c in mock.calls}
    assert requests["CheckMse"] == {"Bucket": BUCKET, "Key": f"train-evaluate/{EXECUTION}/evaluation/evaluation.json"}
    assert requests["BatchTransform"]["ModelName"] == "train-evaluate-model-9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f-0"


def test_train_evaluate_training_failure_is_caught_and_notified():
    result, mock = run_case("train-evaluate", "TrainingFailsCaught")
    assert (result.status, result.error, path_of(result)) == ("FAILED", "train-evaluate.StepFailed", [
        "Preprocess", "Train", "Notify failure: Train", "Failed: Train"])
    assert published(mock) == [("Notify failure: Train", failure_message(
        "train-evaluate", "Train", *mocked_error("train-evaluate", "TrainingFailed")))]


def test_train_evaluate_capacity_errors_are_retried_then_succeed():
    result, mock = run_case("train-evaluate", "CapacityRetriedThenSucceeds")
    assert (result.status, path_of(result), count_history(result.history).retries_by_state) == (
        "SUCCEEDED", TE_HAPPY, {"Train": 3})
    names = [c.parameters["TrainingJobName"] for c in mock.calls if c.state_name == "Train"]
    assert [n.rsplit("-", 1)[1] for n in names] == ["0", "1", "2", "3"]


def test_train_evaluate_throttling_exhausts_retries():
    result, mock = run_case("train-evaluate", "ThrottlingExhaustsRetries")
    assert (result.status, result.error, path_of(result)) == ("FAILED", "train-evaluate.StepFailed", [
        "Preprocess", "Train", "Evaluate", "Notify failure: Evaluate", "Failed: Evaluate"])
    assert (count_history(result.history).retries_by_state, mock.invocations("Evaluate")) == ({"Evaluate": 8}, 9)
    assert published(mock) == [("Notify failure: Evaluate", failure_message(
        "train-evaluate", "Evaluate", *mocked_error("train-evaluate", "AlwaysThrottled")))]


def test_train_evaluate_metric_gate_stops_a_poor_model():
    result, mock = run_case("train-evaluate", "MseTooHigh")
    assert (result.status, result.error, path_of(result)) == ("FAILED", "ModelQualityBelowThreshold", [
        "Preprocess", "Train", "Evaluate", "CheckMse", "CheckMse threshold", "MseTooHigh"])
    assert published(mock) == []


def test_train_evaluate_branch_failure_in_parallel_is_caught():
    result, mock = run_case("train-evaluate", "RegisterFailsInParallelCaught")
    assert (result.status, result.error, path_of(result)) == ("FAILED", "train-evaluate.StepFailed", [
        "Preprocess", "Train", "Evaluate", "CheckMse", "CheckMse threshold", "RegisterAndCreateModel",
        "RegisterModel", "CreateModel", "Notify failure: RegisterAndCreateModel", "Failed: RegisterAndCreateModel"])
    # As on AWS both branches are entered; RegisterModel's failure aborts CreateModel in flight.
    events = [(e["type"], (e.get("stateEnteredEventDetails") or {}).get("name")) for e in result.history]
    start = events.index(("ParallelStateStarted", None))
    assert events[start + 1:start + 10] == [
        ("TaskStateEntered", "RegisterModel"), ("TaskStateEntered", "CreateModel"), ("TaskScheduled", None),
        ("TaskStarted", None), ("TaskScheduled", None), ("TaskStarted", None), ("TaskFailed", None),
        ("TaskStateAborted", None), ("ParallelStateFailed", None)]
    assert published(mock) == [("Notify failure: RegisterAndCreateModel", failure_message(
        "train-evaluate", "RegisterAndCreateModel", *mocked_error("train-evaluate", "PackageGroupMissing")))]


# --- clarify-bias ------------------------------------------------------------------------------

def test_clarify_bias_happy_path():
    result, mock = run_case("clarify-bias", "HappyPath")
    assert (result.status, path_of(result), output_of(result)) == ("SUCCEEDED", ["BiasAnalysis"], {"Clarify": {
        "ProcessingJobName": "clarify-bias-9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f-0", "ProcessingJobStatus": "Completed",
        "AnalysisResult": f"s3://{BUCKET}/clarify-bias/{EXECUTION}/analysis_result"}})
    request = mock.calls[0].parameters
    assert request["AppSpecification"]["ImageUri"] == (
        "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0")


def test_clarify_bias_failure_is_caught_and_notified():
    result, mock = run_case("clarify-bias", "AnalysisFailsCaught")
    assert (result.status, result.error, path_of(result)) == ("FAILED", "clarify-bias.StepFailed", [
        "BiasAnalysis", "Notify failure: BiasAnalysis", "Failed: BiasAnalysis"])
    assert published(mock) == [("Notify failure: BiasAnalysis", failure_message(
        "clarify-bias", "BiasAnalysis", *mocked_error("clarify-bias", "AnalysisFailed")))]


def test_clarify_bias_capacity_errors_are_retried_then_succeed():
    result, mock = run_case("clarify-bias", "CapacityRetriedThenSucceeds")
    assert (result.status, path_of(result), count_history(result.history).retries_by_state,
            mock.invocations("BiasAnalysis")) == ("SUCCEEDED", ["BiasAnalysis"], {"BiasAnalysis": 3}, 4)


def test_clarify_bias_throttling_exhausts_retries():
    result, mock = run_case("clarify-bias", "ThrottlingExhaustsRetries")
    assert (result.status, result.error, path_of(result)) == ("FAILED", "clarify-bias.StepFailed", [
        "BiasAnalysis", "Notify failure: BiasAnalysis", "Failed: BiasAnalysis"])
    assert (count_history(result.history).retries_by_state, mock.invocations("BiasAnalysis")) == (
        {"BiasAnalysis": 8}, 9)


# --- the mock files themselves -------------------------------------------------------------------

SDK_OPERATIONS = {  # Task resource (without arn:aws:states:::) -> the botocore operation whose output it returns
    "sagemaker:createTrainingJob.sync": "DescribeTrainingJob",
    "sagemaker:createHyperParameterTuningJob.sync": "DescribeHyperParameterTuningJob",
    "sagemaker:createProcessingJob.sync": "DescribeProcessingJob",
    "sagemaker:createTransformJob.sync": "DescribeTransformJob",
    "sagemaker:createModel": "CreateModel",
    "aws-sdk:sagemaker:createModelPackage": "CreateModelPackage",
}


def shape_problems(value: Any, shape: Any, where: str) -> list[str]:
    """Differences between a JSON value and a botocore output shape (timestamps: epoch millis or ISO)."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{where}: expected an object"]
        problems = [f"{where}.{m}: required by {shape.name}" for m in shape.required_members if m not in value]
        for key, item in value.items():
            if key not in shape.members:
                problems.append(f"{where}.{key}: not a member of {shape.name}")
            else:
                problems += shape_problems(item, shape.members[key], f"{where}.{key}")
        return problems
    if kind == "list":
        return [p for i, item in enumerate(value) for p in shape_problems(item, shape.member, f"{where}[{i}]")] \
            if isinstance(value, list) else [f"{where}: expected an array"]
    if kind == "map":
        return [p for k, item in value.items() for p in shape_problems(item, shape.value, f"{where}.{k}")] \
            if isinstance(value, dict) else [f"{where}: expected an object"]
    expected = {"string": str, "boolean": bool, "integer": int, "long": int, "float": (int, float),
                "double": (int, float), "timestamp": (int, str)}.get(kind, object)
    return [] if isinstance(value, expected) else [f"{where}: expected {kind}, got {type(value).__name__}"]


@pytest.mark.parametrize("pipeline", ["tune-xgboost", "train-evaluate", "clarify-bias"])
def test_mocked_sagemaker_answers_have_botocore_output_shapes(pipeline):
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    definition = load_definition(pipeline, root=ROOT).definition
    resources: dict[str, str] = {}

    def collect(states: dict[str, Any]) -> None:
        for name, state in states.items():
            if state.get("Resource"):
                resources[name] = ResourceRef.parse(state["Resource"]).resource.split(":::", 1)[1]
            for branch in state.get("Branches", []) + [state.get("ItemProcessor") or state.get("Iterator") or {}]:
                collect(branch.get("States", {}))

    collect(definition["States"])
    mocks = json.loads((MOCKS / f"{pipeline}.json").read_text())
    checked, problems = 0, []
    for case in mocks["StateMachines"][pipeline]["TestCases"].values():
        for state, response in case.items():
            operation = SDK_OPERATIONS.get(resources[state])
            if operation is None:
                continue
            for key, answer in mocks["MockedResponses"][response].items():
                if "Return" in answer:
                    checked += 1
                    problems += shape_problems(answer["Return"], model.operation_model(operation).output_shape,
                                               f"{response}[{key}]")
    assert checked > 0 and problems == []


def test_an_unmocked_task_is_not_swallowed_by_catch_all():
    """States.ALL does not catch States.Runtime: a forgotten mock fails the run, naming the state."""
    from sagemaker_sfn.local.mock_config import parse_mock_config

    data = json.loads((MOCKS / "tune-xgboost.json").read_text())
    data["StateMachines"]["tune-xgboost"]["TestCases"]["Partial"] = {"GenerateDataset": "DatasetGenerated"}
    config = parse_mock_config(data, source="partial.json")
    values = local_substitutions(placeholders_in(load_definition("tune-xgboost", root=ROOT).definition))
    mock = MockIntegration(config.test_case(state_machine="tune-xgboost", test_case="Partial"), test_case="Partial",
                           source="partial.json")
    result = run_definition(substitute_placeholders(load_definition("tune-xgboost", root=ROOT).definition, values),
                            {}, state_machine_name="tune-xgboost", execution_name=EXECUTION, integration=mock,
                            clock=VirtualClock())
    assert (result.status, result.error, result.cause, path_of(result)) == (
        "FAILED", "States.Runtime",
        "Task state 'TuneHyperparameters' (arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync) has no "
        "mocked response in test case 'Partial' of partial.json (mocked states: GenerateDataset) and this run has no "
        "local integration to answer it",
        ["GenerateDataset", "TuneHyperparameters"])


# --- train-evaluate: the governed path (approval -> deploy -> smoke test) ---------------------------


def test_train_evaluate_approved_model_is_deployed_and_smoke_tested():
    result, mock = run_case("train-evaluate", "HappyPath")
    output = output_of(result)
    assert output["Approval"] == {"ModelPackageArn": output["Release"]["ModelPackageArn"],
                                  "ModelApprovalStatus": "Approved", "ApprovalDescription": "MSE 4.62 is fine"}
    assert output["Endpoint"] == {
        "EndpointName": "train-evaluate", "EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/train-evaluate",
        "EndpointStatus": "InService", "EndpointConfigName": ENDPOINT_CONFIG, "Operation": "create",
        "PreviousEndpointConfigName": None, "Polls": 11}
    requests = {c.state_name: c.parameters for c in mock.calls}
    assert requests["ApproveModel"]["Payload"]["ModelPackageArn"] == output["Release"]["ModelPackageArn"]
    assert requests["Deploy"]["ProductionVariants"][0]["ModelName"] == output["Release"]["ModelName"]
    assert requests["Deploy: create endpoint"] == {"EndpointName": "train-evaluate", "EndpointConfigName": ENDPOINT_CONFIG,
                                                   "Tags": [{"Key": "sfn:execution-arn", "Value": result.execution_arn}]}
    assert requests["SmokeTest"]["Payload"]["EndpointName"] == "train-evaluate"
    assert output["SmokeTest"] == {"Payload": {"EndpointName": "train-evaluate", "Predictions": [11.83]}}


def test_train_evaluate_updates_an_existing_endpoint_keeping_the_previous_config():
    result, mock = run_case("train-evaluate", "ApprovedUpdatesExistingEndpoint")
    assert result.status == "SUCCEEDED"
    assert path_of(result)[len(TE_RELEASED):len(TE_RELEASED) + 3] == ["Deploy", "Deploy: find endpoint",
                                                                       "Deploy: update endpoint"]
    endpoint = output_of(result)["Endpoint"]
    assert (endpoint["Operation"], endpoint["EndpointConfigName"], endpoint["PreviousEndpointConfigName"],
            endpoint["Polls"]) == ("update", ENDPOINT_CONFIG, "train-evaluate-config-previous", 5)
    assert mock.invocations("Deploy: create endpoint") == 0


def test_train_evaluate_rejected_model_is_not_deployed():
    result, mock = run_case("train-evaluate", "ModelRejected")
    assert (result.status, result.error, path_of(result)) == ("FAILED", "train-evaluate.StepFailed", [
        *TE_RELEASED, "Notify failure: ApproveModel", "Failed: ApproveModel"])
    assert published(mock) == [("Notify failure: ApproveModel", failure_message(
        "train-evaluate", "ApproveModel", *mocked_error("train-evaluate", "Rejected")))]
    assert mock.invocations("Deploy") == 0


def test_train_evaluate_approval_timeout_fails_clearly():
    result, mock = run_case("train-evaluate", "ApprovalTimesOut")
    assert (result.status, path_of(result)[-3:]) == ("FAILED", [
        "ApproveModel: timed out", "Notify failure: ApproveModel", "Failed: ApproveModel"])
    (_, message), = published(mock)
    assert '"Error":"Approval.Timeout"' in message["Message"]
    assert "was neither approved nor rejected within 604800 s" in message["Message"]


def test_train_evaluate_failed_endpoint_fails_with_its_failure_reason():
    result, mock = run_case("train-evaluate", "EndpointFails")
    assert (result.status, path_of(result)[-3:]) == ("FAILED", [
        "Deploy: endpoint failed", "Notify failure: Deploy", "Failed: Deploy"])
    assert mock.invocations("Deploy: status") == 4 and mock.invocations("SmokeTest") == 0
    (_, message), = published(mock)
    assert '"Error":"Deploy.EndpointFailed"' in message["Message"]
    assert "did not pass the ping health check" in message["Message"]


def test_train_evaluate_endpoint_timeout_stops_after_the_poll_budget():
    result, mock = run_case("train-evaluate", "EndpointTimesOut")
    assert (result.status, path_of(result)[-3:]) == ("FAILED", [
        "Deploy: timed out", "Notify failure: Deploy", "Failed: Deploy"])
    # One poll at once, then 3600 s / 30 s more: the budget of botocore's EndpointInService waiter.
    assert mock.invocations("Deploy: status") == 121
    (_, message), = published(mock)
    assert "is still Creating after 121 polls 30 s apart (timeout_seconds 3600)" in message["Message"]
