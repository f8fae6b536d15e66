"""An approval gate: wait until a registered model package is approved or rejected.

After ``register-model`` with ``PendingManualApproval`` the pipeline must not deploy until a person
(or a process) sets the package's ``ModelApprovalStatus``. Two states:

``<name>``              ``lambda:invoke.waitForTaskToken`` of ``lambdas/model_approval`` with the
                        package ARN and ``$$.Task.Token``: the Lambda stores the token on the package
                        and returns; the execution waits. When the package's status changes, SageMaker
                        sends "SageMaker Model Package State Change" to EventBridge, whose rule (the
                        :class:`~sagemaker_sfn.constructs.approval.ModelApproval` construct) invokes the
                        same Lambda, which calls SendTaskSuccess (Approved: the result is
                        ``{ModelPackageArn, ModelApprovalStatus, ApprovalDescription}``) or
                        SendTaskFailure (Rejected: error :data:`ERROR_REJECTED`).
``<name>: timed out``   nobody decided within ``timeout_seconds``: ``$.error`` says so, then the step's
                        failure path (top level) or ``<name>: failed``.

A retried invocation gets a new task token (Step Functions issues one per attempt) and overwrites the
stored one, so a late answer can only reach the attempt still waiting.
"""

from __future__ import annotations

from typing import Any

from sagemaker_sfn.asl.paths import fmt, is_dynamic_value, literal, put
from sagemaker_sfn.asl.policies import DEFAULT, ERROR_RESULT_PATH, lambda_retry
from sagemaker_sfn.asl.resources import Integration, service_resource
from sagemaker_sfn.asl.states import State, pass_, task

FUNCTION = "${ModelApprovalFunctionArn}"
DEFAULT_TIMEOUT_SECONDS = 7 * 86400   # a week: people approve models, not machines
ERROR_REJECTED = "Approval.Rejected"
ERROR_TIMEOUT = "Approval.Timeout"


def state_names(name: str) -> dict[str, str]:
    room = 80 - len(": timed out")
    return {"timed out": f"{name[:room]}: timed out", "failed": f"{name[:room]}: failed"}


def approval_states(*, name: str, model_package_arn: str, function_arn: str = FUNCTION,
                    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS, result_path: str | None = None,
                    failure_next: str | None = None, retry: list[dict[str, Any]] | None = DEFAULT,
                    catch: list[dict[str, Any]] | None = None, comment: str | None = None,
                    next: str | None = None, end: bool = False) -> dict[str, State]:
    """The gate's states, keyed by state name; the first is ``name``.

    ``model_package_arn``: a path (``$.ModelPackage.ModelPackageArn``) or a literal ARN.
    ``function_arn``: default ``${ModelApprovalFunctionArn}`` (``lambdas/model_approval``).
    ``timeout_seconds``: default a week. ``result_path``: default None (the Task's default: the
    decision replaces the input; pipelines set ``$.<step>``). ``failure_next``: where a timeout goes
    after ``$.error`` is set (default None: the step's own Fail state). ``retry``: default the Lambda
    transient-error policy; ``catch``: default None (a rejection is an ordinary task failure).
    """
    if isinstance(timeout_seconds, bool) or not isinstance(timeout_seconds, int) or timeout_seconds < 1:
        raise ValueError(f"timeout_seconds must be a positive integer (seconds), got {timeout_seconds!r}")
    if not isinstance(model_package_arn, str) or not model_package_arn:
        raise ValueError("model_package_arn must be a path to the registered package's ARN "
                         "(e.g. $.ModelPackage.ModelPackageArn) or an ARN")
    s = state_names(name)
    payload = put({"TaskToken.$": "$$.Task.Token", "ExecutionArn.$": "$$.Execution.Id"}, "ModelPackageArn",
                  model_package_arn)
    parameters = put({}, "FunctionName", function_arn)
    parameters["Payload"] = payload
    target = failure_next or s["failed"]
    timeout_catch = {"ErrorEquals": ["States.Timeout"], "ResultPath": ERROR_RESULT_PATH, "Next": s["timed out"]}
    gate = task(resource=service_resource("lambda", "invoke", Integration.WAIT_FOR_TASK_TOKEN), parameters=parameters,
                result_path=result_path, timeout_seconds=timeout_seconds,
                retry=lambda_retry() if retry is DEFAULT else retry, catch=[timeout_catch, *(catch or [])],
                comment=comment or "Wait until the model package is approved or rejected in the model registry",
                next=next, end=end)
    arn = model_package_arn if is_dynamic_value(model_package_arn) else literal(model_package_arn)
    states = {
        name: gate,
        s["timed out"]: pass_(parameters={
            "Error": ERROR_TIMEOUT,
            "Cause.$": fmt(f"Model package {{}} was neither approved nor rejected within {timeout_seconds} s "
                           "(it stays PendingManualApproval; approve it and run the pipeline again)", arn)},
            result_path=ERROR_RESULT_PATH, next=target),
    }
    if failure_next is None:
        from sagemaker_sfn.sagemaker.deploy_endpoint import fail_from_error

        states[s["failed"]] = fail_from_error()
    return states
