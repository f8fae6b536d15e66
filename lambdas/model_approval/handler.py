"""The approval gate's Lambda (sagemaker_sfn.tasks.approval): keeps a waiting task token on the model
package, and answers it when the package is approved or rejected.

Two kinds of event:

- from the state machine (``lambda:invoke.waitForTaskToken``):
  ``{"TaskToken": str, "ModelPackageArn": str, "ExecutionArn": str}``. The token is stored on the
  package, then the package's current status is checked (someone may have decided already, before
  any state-change event could find the token).
- from EventBridge, "SageMaker Model Package State Change" (``detail`` is the package's description):
  Approved -> SendTaskSuccess, Rejected -> SendTaskFailure; PendingManualApproval -> nothing yet.

Where the token lives, and why: on the model package, as ``CustomerMetadataProperties``
(``sagemaker-sfn:task-token:<i>``). The package is the thing being approved, so the token lives
and dies with it: no table to create, secure or expire, and whoever may approve the package is
already allowed to see it. A task token is longer than one metadata value may be (256 characters;
SendTaskSuccess accepts tokens up to 2048), so it is split over as many keys as it needs; the
token's characters (base64) are all allowed in metadata values. After answering, the keys are
removed, so a duplicate event (SageMaker may send several per change) finds nothing and does nothing.

Standard library plus boto3 (provided by the Lambda Python runtime).
"""

from __future__ import annotations

import json
from typing import Any

TOKEN_KEY = "sagemaker-sfn:task-token"
EXECUTION_KEY = "sagemaker-sfn:execution-arn"
VALUE_LIMIT = 256   # CustomerMetadataProperties value length (SageMaker API reference)
ERROR_REJECTED = "Approval.Rejected"
DECIDED = ("Approved", "Rejected")

_clients: dict[str, Any] = {}


def _client(service: str) -> Any:
    # Created lazily and reused across warm invocations; lazily so tests can patch AWS first.
    if service not in _clients:
        import boto3

        _clients[service] = boto3.client(service)
    return _clients[service]


def token_properties(token: str) -> dict[str, str]:
    """``token`` as metadata entries of at most :data:`VALUE_LIMIT` characters each."""
    chunks = [token[i:i + VALUE_LIMIT] for i in range(0, len(token), VALUE_LIMIT)]
    return {f"{TOKEN_KEY}:{i}": chunk for i, chunk in enumerate(chunks)}


def stored_token(properties: dict[str, str] | None) -> tuple[str | None, list[str]]:
    """(the token reassembled, or None; the keys holding it)."""
    keys = sorted((k for k in (properties or {}) if k.startswith(f"{TOKEN_KEY}:")),
                  key=lambda k: int(k.rsplit(":", 1)[1]) if k.rsplit(":", 1)[1].isdigit() else -1)
    if not keys:
        return None, []
    return "".join((properties or {})[k] for k in keys), keys


def _decision(package: dict[str, Any]) -> dict[str, Any]:
    out = {"ModelPackageArn": package["ModelPackageArn"], "ModelApprovalStatus": package.get("ModelApprovalStatus")}
    if package.get("ApprovalDescription"):
        out["ApprovalDescription"] = package["ApprovalDescription"]
    return out


def answer(package: dict[str, Any]) -> str:
    """Answer the token stored on ``package`` (a DescribeModelPackage response) if it is decided;
    returns what was done: ``approved``, ``rejected``, ``pending``, ``no token`` or ``expired``."""
    status = package.get("ModelApprovalStatus")
    if status not in DECIDED:
        return "pending"
    token, keys = stored_token(package.get("CustomerMetadataProperties"))
    if token is None:
        return "no token"
    sfn = _client("stepfunctions")
    outcome = "approved" if status == "Approved" else "rejected"
    try:
        if status == "Approved":
            sfn.send_task_success(taskToken=token, output=json.dumps(_decision(package)))
        else:
            reason = package.get("ApprovalDescription") or "no reason given (ApprovalDescription is empty)"
            sfn.send_task_failure(taskToken=token, error=ERROR_REJECTED,
                                  cause=f"Model package {package['ModelPackageArn']} was rejected: {reason}"[:32768])
    except sfn.exceptions.TaskTimedOut:
        outcome = "expired"     # the gate timed out (or the execution ended): nobody is waiting any more
    except sfn.exceptions.InvalidToken:
        outcome = "expired"
    except sfn.exceptions.TaskDoesNotExist:
        outcome = "expired"
    _client("sagemaker").update_model_package(ModelPackageArn=package["ModelPackageArn"],
                                              CustomerMetadataPropertiesToRemove=[*keys, EXECUTION_KEY])
    return outcome


def wait_for_decision(event: dict[str, Any]) -> dict[str, Any]:
    arn, token = event.get("ModelPackageArn"), event.get("TaskToken")
    if not isinstance(arn, str) or not isinstance(token, str) or not token:
        raise ValueError(f"expected {{TaskToken, ModelPackageArn}} from the state machine, got keys {sorted(event)}")
    sagemaker = _client("sagemaker")
    current = sagemaker.describe_model_package(ModelPackageName=arn)
    _, old_keys = stored_token(current.get("CustomerMetadataProperties"))
    properties = token_properties(token)
    if event.get("ExecutionArn"):
        properties[EXECUTION_KEY] = str(event["ExecutionArn"])[:VALUE_LIMIT]
    stale = [k for k in old_keys if k not in properties]   # a longer token from an earlier attempt
    if stale:
        sagemaker.update_model_package(ModelPackageArn=arn, CustomerMetadataPropertiesToRemove=stale)
    sagemaker.update_model_package(ModelPackageArn=arn, CustomerMetadataProperties=properties)
    # Decided before the token was stored? Then no state-change event will come for it: answer now.
    package = sagemaker.describe_model_package(ModelPackageName=arn)
    return {"ModelPackageArn": arn, "status": package.get("ModelApprovalStatus"), "answer": answer(package)}


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    if event.get("detail-type") == "SageMaker Model Package State Change":
        arn = (event.get("detail") or {}).get("ModelPackageArn")
        if not arn:
            raise ValueError("the state-change event has no detail.ModelPackageArn")
        # Describe again rather than trust the event: it holds the token, and events may arrive late.
        package = _client("sagemaker").describe_model_package(ModelPackageName=arn)
        return {"ModelPackageArn": arn, "status": package.get("ModelApprovalStatus"), "answer": answer(package)}
    return wait_for_decision(event)
