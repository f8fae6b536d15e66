"""The approval gate in a local run, and the AWS SDK calls in-process code makes to SageMaker.

On AWS the gate works like this (sagemaker_sfn.tasks.approval): the state machine invokes
``lambdas/model_approval`` with a task token, the Lambda stores it on the model package; a person
approves the package; SageMaker's "Model Package State Change" event reaches the same Lambda through
an EventBridge rule, and the Lambda calls SendTaskSuccess / SendTaskFailure.

Locally the same Lambda code runs, and this module stands in for the AWS parts around it:

- :func:`route_to_local`: boto3 calls made in this process (the local Lambdas') to ``sagemaker``
  and ``sagemaker-runtime`` are answered by the local SageMaker (the packages and endpoints the run
  created; InvokeEndpoint runs the deployed model), and Step Functions' SendTaskSuccess /
  SendTaskFailure / SendTaskHeartbeat reach the :class:`ApprovalGate`. Anything else goes to moto.
- :class:`ApprovalGate`: the EventBridge rule (a package's decision invokes ``lambdas/model_approval``
  with the state-change event) and the wait: a gate whose token was stored on a package waits until
  the package is decided. Decisions come from ``run --approve`` (approved at once) or from
  ``sagemaker-sfn approve|reject PACKAGE_ARN --local`` in another terminal, which writes
  ``.sfn-local/approvals/<group>/<version>.json`` for the running gate to apply.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagemaker_sfn.local.integrations.base import TaskFailure

APPROVAL_FOLDER = "model_approval"          # lambdas/model_approval (sagemaker_sfn.tasks.approval)
TOKEN_KEY = "sagemaker-sfn:task-token:"     # where that Lambda keeps the token (its TOKEN_KEY + ':<i>')
DECISIONS_DIR = Path(".sfn-local") / "approvals"
POLL_SECONDS = 0.5


def decision_path(root: Path, package_arn: str) -> Path:
    """Where ``approve|reject --local`` leaves a decision for ``package_arn`` (``<group>/<version>.json``)."""
    if ":model-package/" not in package_arn:
        raise ValueError(f"{package_arn!r} is not a model package ARN")
    return root / DECISIONS_DIR / (package_arn.split(":model-package/", 1)[1].lower() + ".json")


@dataclass
class _Waiter:
    done: threading.Event = field(default_factory=threading.Event)
    output: Any = None
    failure: TaskFailure | None = None


class ApprovalGate:
    """Waits for model package decisions in a local run.

    ``sm``: the local SageMaker; ``lambda_``: the local Lambda integration (runs the approval Lambda
    on a decision); ``root``: the project (decision files under ``.sfn-local/approvals/``);
    ``auto_approve`` (default False): approve every package a gate waits on (``run --approve``).
    """

    def __init__(self, *, sm: Any, lambda_: Any, root: Path, auto_approve: bool = False) -> None:
        from sagemaker_sfn.local.sagemaker import approvals

        import time

        self.sm, self.lambda_, self.root, self.auto_approve = sm, lambda_, Path(root), auto_approve
        # Decisions left before this run started are someone else's (every local run's first package
        # is <group>/1): they are discarded, never applied.
        self.started = time.time()
        self._waiters: dict[str, _Waiter] = {}
        self._lock = threading.Lock()
        approvals.on_state_change(sm, self._deliver)

    # -- the EventBridge rule ---------------------------------------------------------------------
    def _deliver(self, event: dict[str, Any]) -> None:
        from sagemaker_sfn.local.integrations.lambda_ import handler_path

        if event["detail"].get("ModelApprovalStatus") not in ("Approved", "Rejected"):
            return
        if handler_path(self.lambda_.project_root, APPROVAL_FOLDER).is_file():
            try:
                self.lambda_.call(APPROVAL_FOLDER, event)
            except TaskFailure as exc:   # EventBridge would retry and then drop it: the gate keeps waiting
                self.sm.log.warning("lambdas/%s failed on the state-change event: %s", APPROVAL_FOLDER, exc)

    # -- SendTask* (routed here by route_to_local) ------------------------------------------------
    def _waiter(self, token: str) -> _Waiter:
        with self._lock:
            return self._waiters.setdefault(token, _Waiter())

    def send_task_success(self, token: str, output: str) -> None:
        waiter = self._waiter(token)
        waiter.output = json.loads(output)
        waiter.done.set()

    def send_task_failure(self, token: str, error: str | None, cause: str | None) -> None:
        waiter = self._waiter(token)
        waiter.failure = TaskFailure(error or "", cause)
        waiter.done.set()

    # -- the wait ---------------------------------------------------------------------------------
    def package_holding(self, token: str) -> dict[str, Any] | None:
        """The package whose metadata holds ``token`` (stored by the approval Lambda), if any."""
        for kind, _, record in self.sm.store.all():
            if kind != "ModelPackage":
                continue
            properties = record.get("CustomerMetadataProperties") or {}
            keys = sorted((k for k in properties if k.startswith(TOKEN_KEY)), key=lambda k: int(k[len(TOKEN_KEY):]))
            if keys and "".join(properties[k] for k in keys) == token:
                return record
        return None

    def waits_for(self, token: str | None) -> bool:
        if not token:
            return False
        with self._lock:
            if token in self._waiters:
                return True
        return self.package_holding(token) is not None

    def wait(self, token: str) -> Any:
        """Block until the token is answered; returns the output or raises the TaskFailure sent.
        (The Task's TimeoutSeconds is the interpreter's to enforce.)"""
        from sagemaker_sfn.local.sagemaker.approvals import update_model_package

        waiter = self._waiter(token)
        package = self.package_holding(token)
        arn = package["ModelPackageArn"] if package else None
        if arn and not waiter.done.is_set():
            if self.auto_approve:
                update_model_package({"ModelPackageArn": arn, "ModelApprovalStatus": "Approved",
                                      "ApprovalDescription": "approved by `run --approve`"}, sm=self.sm)
            else:
                self.sm.log.info("approval gate waits for model package %s: run `sagemaker-sfn approve %s --local` "
                                 "(or `reject`) in another terminal", arn, arn)
        while not waiter.done.wait(POLL_SECONDS):
            if arn:
                self._apply_decision_file(arn)
        if waiter.failure is not None:
            raise waiter.failure
        return waiter.output

    def _apply_decision_file(self, arn: str) -> None:
        from sagemaker_sfn.local.sagemaker.approvals import update_model_package

        path = decision_path(self.root, arn)
        try:
            fresh = path.stat().st_mtime >= self.started
            decision = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        path.unlink(missing_ok=True)
        if not fresh:
            self.sm.log.info("ignored a decision for %s left before this run started (%s)", arn, path)
            return
        request = {"ModelPackageArn": arn, "ModelApprovalStatus": decision.get("ModelApprovalStatus")}
        if decision.get("ApprovalDescription"):
            request["ApprovalDescription"] = decision["ApprovalDescription"]
        update_model_package(request, sm=self.sm)


# --------------------------------------------------------------------------------------------------
# boto3 calls in this process -> the local SageMaker


class _Response:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code
        self.headers: dict[str, str] = {}
        self.raw = None
        self.content = b""


def _error(code: str, message: str, status: int = 400) -> tuple[_Response, dict[str, Any]]:
    return _Response(status), {"Error": {"Code": code, "Message": message},
                               "ResponseMetadata": {"HTTPStatusCode": status}}


def _with_datetimes(value: Any, shape: Any) -> Any:
    """A local record as botocore would parse it: epoch-millisecond timestamps become datetimes."""
    from datetime import datetime, timezone

    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {k: _with_datetimes(v, shape.members.get(k)) for k, v in value.items() if k in shape.members}
    if kind == "list" and isinstance(value, list):
        return [_with_datetimes(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _with_datetimes(v, shape.value) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    return value


def _sagemaker_call(integration: Any, operation: Any, params: dict[str, Any]) -> tuple[_Response, dict[str, Any]]:
    import re

    from sagemaker_sfn.local.integrations.base import ResourceRef, TaskRequest, UnsupportedIntegration

    action = operation.name[:1].lower() + operation.name[1:]
    request = TaskRequest(ref=ResourceRef.parse(f"arn:aws:states:::aws-sdk:sagemaker:{action}"), parameters=params,
                          state_name="(boto3)", execution_name="", execution_arn="", state_machine_name="", context={})
    try:
        result = integration.invoke(request, None)
    except UnsupportedIntegration as exc:
        return _error("UnknownOperationException", f"the local SageMaker does not answer {operation.name}: {exc.cause}")
    except TaskFailure as exc:
        code = re.search(r"Error Code: (\w+)", exc.cause or "")
        message = (exc.cause or exc.error).split(" (Service: ")[0]
        return _error(code.group(1) if code else "ValidationException", message)
    return _Response(200), {**_with_datetimes(result, operation.output_shape), "ResponseMetadata": {"HTTPStatusCode": 200}}


def _runtime_call(sm: Any, operation: Any, params: dict[str, Any]) -> tuple[_Response, dict[str, Any]] | None:
    import io

    from botocore.response import StreamingBody

    from sagemaker_sfn.local.sagemaker.endpoints import EndpointError, invoke_endpoint

    if operation.name != "InvokeEndpoint":
        return _error("UnknownOperationException", f"the local SageMaker does not answer {operation.name}")
    body = params.get("Body", b"")
    body = body.encode() if isinstance(body, str) else body.read() if hasattr(body, "read") else bytes(body)
    try:
        answer, content_type = invoke_endpoint(params["EndpointName"], body, sm=sm,
                                               content_type=params.get("ContentType", "text/csv"),
                                               accept=params.get("Accept"), target_variant=params.get("TargetVariant"))
    except EndpointError as exc:
        return _error(exc.code, exc.message, exc.status)
    return _Response(200), {"Body": StreamingBody(io.BytesIO(answer), len(answer)), "ContentType": content_type,
                            "InvokedProductionVariant": params.get("TargetVariant") or "AllTraffic",
                            "ResponseMetadata": {"HTTPStatusCode": 200}}


def _sfn_call(gate: ApprovalGate, operation: Any, params: dict[str, Any]) -> tuple[_Response, dict[str, Any]] | None:
    if operation.name == "SendTaskSuccess":
        gate.send_task_success(params["taskToken"], params["output"])
    elif operation.name == "SendTaskFailure":
        gate.send_task_failure(params["taskToken"], params.get("error"), params.get("cause"))
    elif operation.name != "SendTaskHeartbeat":
        return None   # not the local run's business: moto answers
    return _Response(200), {"ResponseMetadata": {"HTTPStatusCode": 200}}


@contextmanager
def route_to_local(*, sagemaker: Any, gate: ApprovalGate) -> Iterator[None]:
    """While open, this process's boto3 calls to sagemaker / sagemaker-runtime are answered by
    ``sagemaker`` (a SageMakerIntegration) and SendTask* calls by ``gate`` (see the module doc).

    botocore emits ``before-parameter-build`` with the caller's parameters and then ``before-call``,
    whose handler may return ``(http response, parsed response)`` instead of a request being sent.
    """
    import boto3
    from botocore import handlers

    def keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["sagemaker_sfn_params"] = dict(params)

    def answer(model: Any, context: dict[str, Any], **_: Any) -> Any:
        service = model.service_model.service_name
        params = context.get("sagemaker_sfn_params", {})
        if service == "sagemaker":
            return _sagemaker_call(sagemaker, model, params)
        if service == "sagemaker-runtime":
            return _runtime_call(sagemaker.sm, model, params)
        if service == "stepfunctions":
            return _sfn_call(gate, model, params)
        return None

    entries = [(f"before-parameter-build.{s}", keep_params) for s in ("sagemaker", "sagemaker-runtime", "sfn")]
    entries += [(f"before-call.{s}", answer) for s in ("sagemaker", "sagemaker-runtime", "sfn")]
    handlers.BUILTIN_HANDLERS.extend(entries)   # sessions created from now on
    default = boto3.DEFAULT_SESSION
    for event, handler in entries:
        if default is not None:
            default.events.register(event, handler)
    try:
        yield
    finally:
        for entry in entries:
            if entry in handlers.BUILTIN_HANDLERS:
                handlers.BUILTIN_HANDLERS.remove(entry)
        for event, handler in entries:
            for session in {id(s): s for s in (default, boto3.DEFAULT_SESSION) if s is not None}.values():
                session.events.unregister(event, handler)
