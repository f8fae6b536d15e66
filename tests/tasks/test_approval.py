"""The approval gate: whole rendered states, and mocked runs for approve, reject and timeout."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.mock import MockIntegration
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.mock_config import parse_mock_config
from sagemaker_sfn.tasks.approval import approval_states

LAMBDA_RETRY = [{"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                                 "Lambda.TooManyRequestsException"], "IntervalSeconds": 1, "MaxAttempts": 3,
                 "BackoffRate": 2.0, "MaxDelaySeconds": 30, "JitterStrategy": "FULL"}]
ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/train-evaluate/3"


def test_basic_gate_in_a_branch_ends_in_its_own_fail_state() -> None:
    assert approval_states(name="Approve", model_package_arn="$.ModelPackage.ModelPackageArn", end=True) == {
        "Approve": {
            "Type": "Task", "Comment": "Wait until the model package is approved or rejected in the model registry",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "${ModelApprovalFunctionArn}", "Payload": {
                "TaskToken.$": "$$.Task.Token", "ExecutionArn.$": "$$.Execution.Id",
                "ModelPackageArn.$": "$.ModelPackage.ModelPackageArn"}},
            "TimeoutSeconds": 604800, "Retry": LAMBDA_RETRY,
            "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Approve: timed out"}],
            "End": True},
        "Approve: timed out": {"Type": "Pass", "Parameters": {
            "Error": "Approval.Timeout",
            "Cause.$": "States.Format('Model package {} was neither approved nor rejected within 604800 s (it stays "
                       "PendingManualApproval; approve it and run the pipeline again)', $.ModelPackage.ModelPackageArn)"},
            "ResultPath": "$.error", "Next": "Approve: failed"},
        "Approve: failed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
    }


def test_complex_gate_at_top_level_goes_to_the_failure_path() -> None:
    catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Notify failure: Approve"}]
    states = approval_states(name="Approve", model_package_arn=ARN, function_arn="arn:aws:lambda:eu-west-1:1:function:f",
                             timeout_seconds=3600, result_path="$.Approval", failure_next="Notify failure: Approve",
                             retry=None, catch=catch, comment="Ask the risk team", next="Deploy")
    assert states == {
        "Approve": {"Type": "Task", "Comment": "Ask the risk team",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": "arn:aws:lambda:eu-west-1:1:function:f", "Payload": {
                        "TaskToken.$": "$$.Task.Token", "ExecutionArn.$": "$$.Execution.Id", "ModelPackageArn": ARN}},
                    "ResultPath": "$.Approval", "TimeoutSeconds": 3600,
                    "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Approve: timed out"},
                              *catch], "Next": "Deploy"},
        "Approve: timed out": {"Type": "Pass", "Parameters": {
            "Error": "Approval.Timeout",
            "Cause.$": f"States.Format('Model package {{}} was neither approved nor rejected within 3600 s (it stays "
                       f"PendingManualApproval; approve it and run the pipeline again)', '{ARN}')"},
            "ResultPath": "$.error", "Next": "Notify failure: Approve"},
    }


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"timeout_seconds": 0}, "timeout_seconds must be a positive integer"),
    ({"model_package_arn": ""}, "model_package_arn must be a path"),
])
def test_fails_bad_gate(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        approval_states(**{"name": "Approve", "model_package_arn": "$.arn", **kwargs})


def run(answer: dict[str, Any]) -> Any:
    machine = {"StartAt": "Approve", "States": approval_states(name="Approve", model_package_arn="$.arn",
                                                               timeout_seconds=86400, result_path="$.Approval",
                                                               end=True)}
    config = parse_mock_config({"StateMachines": {"m": {"TestCases": {"t": {"Approve": "A"}}}},
                                "MockedResponses": {"A": {"0": answer}}})
    return run_definition(machine, {"arn": ARN}, state_machine_name="m", execution_name="e",
                          integration=MockIntegration(config.test_case(state_machine="m", test_case="t")),
                          clock=VirtualClock())


def test_run_approved_continues_with_the_decision() -> None:
    result = run({"Return": {"ModelPackageArn": ARN, "ModelApprovalStatus": "Approved"}})
    assert (result.status, result.output["Approval"]) == ("SUCCEEDED", {"ModelPackageArn": ARN,
                                                                         "ModelApprovalStatus": "Approved"})


def test_run_rejected_fails_with_the_lambdas_error() -> None:
    result = run({"Throw": {"Error": "Approval.Rejected", "Cause": f"Model package {ARN} was rejected: no"}})
    assert (result.status, result.error, result.cause) == ("FAILED", "Approval.Rejected",
                                                           f"Model package {ARN} was rejected: no")


def test_run_timeout_fails_clearly() -> None:
    result = run({"Throw": {"Error": "States.Timeout", "Cause": ""}})
    assert (result.status, result.error) == ("FAILED", "Approval.Timeout")
    assert result.cause.startswith(f"Model package {ARN} was neither approved nor rejected within 86400 s")
