"""lambdas/model_approval: stores the task token on the package, answers it on approval/rejection.

moto 5.2.5's UpdateModelPackage drops ModelApprovalStatus when only metadata is updated, and drops
CustomerMetadataProperties when only the status is: AWS keeps both (UpdateModelPackage changes only
the members given). So the SageMaker and Step Functions clients here are small fakes whose every
request is checked against botocore's real input shapes.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from botocore.validate import validate_parameters

from tests.lambdas.conftest import load_handler

ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/train-evaluate/3"
TOKEN = "AQB4AAAAKgAAAAMAAAAA" + "x" * 700 + "+/=="
_SESSION = botocore.session.get_session()


def _check(service: str, operation: str, params: dict[str, Any]) -> None:
    model = _SESSION.get_service_model(service).operation_model(operation)
    validate_parameters(params, model.input_shape)


class FakeSageMaker:
    def __init__(self, status: str = "PendingManualApproval") -> None:
        self.package: dict[str, Any] = {"ModelPackageArn": ARN, "ModelApprovalStatus": status,
                                        "ModelPackageGroupName": "train-evaluate"}

    def describe_model_package(self, **params: Any) -> dict[str, Any]:
        _check("sagemaker", "DescribeModelPackage", params)
        return json.loads(json.dumps(self.package))

    def update_model_package(self, **params: Any) -> dict[str, Any]:
        _check("sagemaker", "UpdateModelPackage", params)
        properties = self.package.setdefault("CustomerMetadataProperties", {})
        properties.update(params.get("CustomerMetadataProperties", {}))
        for key in params.get("CustomerMetadataPropertiesToRemove", []):
            properties.pop(key, None)
        for key in ("ModelApprovalStatus", "ApprovalDescription"):
            if key in params:
                self.package[key] = params[key]
        return {"ModelPackageArn": ARN}


class FakeStepFunctions:
    class exceptions:  # noqa: N801 - boto3's attribute name
        class TaskTimedOut(Exception):
            pass

        class InvalidToken(Exception):
            pass

        class TaskDoesNotExist(Exception):
            pass

    def __init__(self, *, expired: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.expired = expired

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        _check("stepfunctions", operation, params)
        self.calls.append((operation, params))
        if self.expired:
            raise self.exceptions.TaskTimedOut("Task Timed Out")
        return {}

    def send_task_success(self, **params: Any) -> dict[str, Any]:
        return self._call("SendTaskSuccess", params)

    def send_task_failure(self, **params: Any) -> dict[str, Any]:
        return self._call("SendTaskFailure", params)


@pytest.fixture
def approval() -> Any:
    module = load_handler("model_approval")
    module._clients.update(sagemaker=FakeSageMaker(), stepfunctions=FakeStepFunctions())
    return module


def event(status: str) -> dict[str, Any]:
    return {"source": "aws.sagemaker", "detail-type": "SageMaker Model Package State Change",
            "detail": {"ModelPackageArn": ARN, "ModelApprovalStatus": status, "ModelPackageGroupName": "train-evaluate"}}


def test_the_token_is_stored_split_over_metadata_values_and_nothing_is_answered_yet(approval: Any) -> None:
    result = approval.handler({"TaskToken": TOKEN, "ModelPackageArn": ARN, "ExecutionArn": "arn:exec"})
    assert result == {"ModelPackageArn": ARN, "status": "PendingManualApproval", "answer": "pending"}
    properties = approval._clients["sagemaker"].package["CustomerMetadataProperties"]
    assert all(len(v) <= 256 for v in properties.values()) and len(properties) == 4
    assert approval.stored_token(properties)[0] == TOKEN
    assert approval._clients["stepfunctions"].calls == []


def test_approval_sends_task_success_once_and_removes_the_token(approval: Any) -> None:
    approval.handler({"TaskToken": TOKEN, "ModelPackageArn": ARN})
    sm = approval._clients["sagemaker"]
    sm.update_model_package(ModelPackageArn=ARN, ModelApprovalStatus="Approved", ApprovalDescription="MSE 4.6: ok")
    assert approval.handler(event("Approved"))["answer"] == "approved"
    # SageMaker may send the same state change twice: the second finds no token.
    assert approval.handler(event("Approved"))["answer"] == "no token"
    assert approval._clients["stepfunctions"].calls == [("SendTaskSuccess", {"taskToken": TOKEN, "output": json.dumps(
        {"ModelPackageArn": ARN, "ModelApprovalStatus": "Approved", "ApprovalDescription": "MSE 4.6: ok"})})]
    assert sm.package["CustomerMetadataProperties"] == {}


def test_rejection_sends_task_failure_with_the_reason(approval: Any) -> None:
    approval.handler({"TaskToken": TOKEN, "ModelPackageArn": ARN})
    approval._clients["sagemaker"].update_model_package(ModelPackageArn=ARN, ModelApprovalStatus="Rejected",
                                                        ApprovalDescription="bias report fails")
    assert approval.handler(event("Rejected"))["answer"] == "rejected"
    assert approval._clients["stepfunctions"].calls == [("SendTaskFailure", {
        "taskToken": TOKEN, "error": "Approval.Rejected",
        "cause": f"Model package {ARN} was rejected: bias report fails"})]


def test_a_package_decided_before_the_gate_is_answered_at_once(approval: Any) -> None:
    approval._clients["sagemaker"].package["ModelApprovalStatus"] = "Approved"
    assert approval.handler({"TaskToken": TOKEN, "ModelPackageArn": ARN})["answer"] == "approved"
    assert [c[0] for c in approval._clients["stepfunctions"].calls] == ["SendTaskSuccess"]


def test_a_timed_out_gate_is_cleaned_up_without_error(approval: Any) -> None:
    approval._clients["stepfunctions"] = FakeStepFunctions(expired=True)
    approval.handler({"TaskToken": TOKEN, "ModelPackageArn": ARN})
    approval._clients["sagemaker"].update_model_package(ModelPackageArn=ARN, ModelApprovalStatus="Approved")
    assert approval.handler(event("Approved"))["answer"] == "expired"
    assert approval._clients["sagemaker"].package["CustomerMetadataProperties"] == {}


def test_a_retried_gate_replaces_a_longer_earlier_token(approval: Any) -> None:
    approval.handler({"TaskToken": TOKEN + "y" * 300, "ModelPackageArn": ARN})
    approval.handler({"TaskToken": TOKEN, "ModelPackageArn": ARN})
    properties = approval._clients["sagemaker"].package["CustomerMetadataProperties"]
    assert approval.stored_token(properties)[0] == TOKEN


def test_fails_on_an_event_it_does_not_know(approval: Any) -> None:
    with pytest.raises(ValueError, match=r"expected \{TaskToken, ModelPackageArn\}"):
        approval.handler({"hello": 1})
