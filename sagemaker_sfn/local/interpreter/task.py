"""Task states: build the request, call the integration, honour TimeoutSeconds / HeartbeatSeconds."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from decimal import Decimal
from typing import Any

from sagemaker_sfn.local.clock import Clock, VirtualClock
from sagemaker_sfn.local.integrations.base import ResourceRef, TaskFailure, TaskRequest
from sagemaker_sfn.local.interpreter.engine import Cancelled, Failure
from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.messages import states_error
from sagemaker_sfn.local.interpreter.paths import PathNotFound, to_json
from sagemaker_sfn.local.interpreter.step import Step, canonical


def _event_resource(ref: ResourceRef) -> tuple[str, str]:
    """(resourceType, resource) as TaskScheduled shows them: ('sagemaker', 'createTrainingJob.sync')."""
    suffix = "" if ref.pattern == "request-response" else f".{ref.pattern}"
    if ref.service == "aws-sdk":
        service, _, action = ref.action.partition(":")
        return f"aws-sdk:{service}", action + suffix
    return ref.service, ref.action + suffix


def _seconds(step: Step, name: str) -> float | None:
    state = step.state
    if name in state:
        value = state[name]
        if step.jsonata:
            value = step.jsonata_value(value, field_name=name)
        return float(value)
    if f"{name}Path" in state:
        path = state[f"{name}Path"]
        try:
            value = step.resolve_path(path, step.raw_input)
        except PathNotFound:
            raise states_error("path_no_results", path=path, canonical=canonical(path)) from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise states_error("task_seconds_path_invalid", name=name, value=_plain(value), path=path)
        return float(value)
    return None


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else to_json(value)


def _invoke(step: Step, request: TaskRequest, clock: Clock, limit: float | None) -> Any:
    """Call the integration; with a real clock and a limit, stop waiting once the limit passes."""
    integration = step.engine.integration
    if limit is None or isinstance(clock, VirtualClock):
        return integration.invoke(request, clock)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = integration.invoke(request, clock)
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, name=f"task-{step.name}", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        return _TIMED_OUT
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


_TIMED_OUT = object()


def _json_default(value: Any) -> Any:
    # Step Functions' service integrations report timestamps as epoch milliseconds.
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def _as_json(result: Any) -> Any:
    """The integration's result as plain JSON values (a copy: later states cannot alter the integration's data)."""
    return json.loads(json.dumps(result, default=_json_default))


def run_task(step: Step) -> tuple[Any, str | None]:
    state, engine, scope = step.state, step.engine, step.scope
    resource = state.get("Resource", "")
    try:
        ref = ResourceRef.parse(resource)
    except ValueError:
        raise states_error("task_resource_unrecognised", resource=resource) from None
    if ref.pattern == "waitForTaskToken":
        # A fresh token per attempt: a late SendTaskSuccess for a failed attempt must not complete a retry.
        step.task_token = engine.new_token()
    parameters = step.effective_input()
    timeout = _seconds(step, "TimeoutSeconds")
    heartbeat = _seconds(step, "HeartbeatSeconds") if ref.pattern == "waitForTaskToken" or ref.service == "activity" \
        else None
    resource_type, resource_name = _event_resource(ref)
    legacy_lambda = ref.action == "invoke-arn"
    kind = "LambdaFunction" if legacy_lambda else "Task"
    ids = {} if legacy_lambda else {"resourceType": resource_type, "resource": resource_name}
    scheduled: dict[str, Any] = {**ids, "region": engine.region, "parameters": to_json(parameters)}
    if legacy_lambda:
        scheduled = {"resource": resource, "input": to_json(parameters), "inputDetails": {"truncated": False}}
    if timeout is not None:
        scheduled["timeoutInSeconds"] = int(timeout)
    if heartbeat is not None:
        scheduled["heartbeatInSeconds"] = int(heartbeat)
    history, clock = scope.log(engine), scope.clock

    def add(event: str, **details: Any) -> None:
        key = event[0].lower() + event[1:] + "EventDetails"
        scope.cursor = history.add(event, previous=scope.cursor, clock=clock, **{key: details} if details else {})

    add(f"{kind}Scheduled", **scheduled)
    if engine.integration is None:
        missing = states_error("task_no_integration", state_name=step.name, resource=resource)
        add(f"{kind}Failed", **ids, error=missing.error, cause=missing.cause)
        raise missing
    add(f"{kind}Started", **ids)
    request = TaskRequest(ref=ref, parameters=parameters, state_name=step.name, execution_name=engine.execution_name,
                          execution_arn=engine.execution_arn, state_machine_name=engine.state_machine_name,
                          context=step.context(), task_token=step.task_token, timeout_seconds=timeout,
                          heartbeat_seconds=heartbeat, retry_count=step.retry_count)
    limit = min(x for x in (timeout, heartbeat) if x is not None) if (timeout or heartbeat) else None
    started = clock.now()
    # AWS logs TaskSubmitted for .sync and .waitForTaskToken once the request is accepted (its output:
    # the service's answer to it, e.g. CreateTrainingJob's); an integration that knows that answer puts it
    # in request.extra["submitted"], otherwise the task's result stands for it (a mocked answer).
    submits = ref.pattern in ("sync", "sync:2", "waitForTaskToken") and not legacy_lambda
    try:
        result = _invoke(step, request, clock, limit)
        scope.checkpoint()   # in flight: a sibling branch may run, and fail, before this task ends
    except (TaskFailure, StatesError) as exc:
        scope.checkpoint()
        if submits and "submitted" in request.extra:
            add("TaskSubmitted", **ids, output=to_json(_as_json(request.extra["submitted"])),
                outputDetails={"truncated": False})
        add(f"{kind}Failed", **ids, error=exc.error, **({"cause": exc.cause} if exc.cause is not None else {}))
        raise Failure(exc.error, exc.cause) from None
    except Cancelled:
        raise
    except Exception as exc:  # an integration bug still surfaces as an ASL error Retry/Catch can see
        scope.checkpoint()
        crashed = states_error("task_integration_crashed", detail=f"{type(exc).__name__}: {exc}")
        add(f"{kind}Failed", **ids, error=crashed.error, cause=crashed.cause)
        raise crashed from None
    elapsed = (clock.now() - started).total_seconds()
    if result is not _TIMED_OUT:
        result = _as_json(result)
        if submits:
            submitted = _as_json(request.extra["submitted"]) if "submitted" in request.extra else result
            add("TaskSubmitted", **ids, output=to_json(submitted), outputDetails={"truncated": False})
    for limit_seconds, key in ((heartbeat, "task_heartbeat_timeout"), (timeout, "task_timeout")):
        if limit_seconds is not None and (result is _TIMED_OUT or elapsed > limit_seconds) and \
                (limit_seconds == limit):
            timed_out = states_error(key)
            add(f"{kind}TimedOut", **ids, error=timed_out.error)
            raise timed_out
    add(f"{kind}Succeeded", **ids, output=to_json(result), outputDetails={"truncated": False})
    return step.finish(result)
