"""RedriveExecution for local runs: continue a failed, timed-out or aborted execution from the state
that did not finish, with the same definition and input, its history continuing.

AWS's rules (the RedriveExecution API reference, as botocore's Step Functions model carries it):
- an execution whose status is SUCCEEDED cannot be redriven; FAILED, TIMED_OUT and ABORTED can;
- within 14 days of the execution's end ("redrivable period");
- its history must hold fewer than 24,999 events (the ExecutionRedriven event and at least one
  more must fit under the 25,000-event quota);
- the redriven execution keeps its ARN, definition and input; states that succeeded are not run
  again ("preserves the results and execution history of the successful steps"); the history
  continues with an ``ExecutionRedriven`` event (``executionRedrivenEventDetails.redriveCount``),
  DescribeExecution reports ``redriveCount`` / ``redriveDate`` and the Context object
  ``$$.Execution.RedriveCount`` / ``RedriveTime``.

Where the run restarts: the top-level state that was entered and never exited — the unsuccessful
step. With the input it was entered with and the variables assigned before it (replayed from the
``assignedVariables`` of the states that exited). A failure caught and routed to a Fail state
redrives into that Fail state, which fails again: only an uncaught failure is worth a redrive.
Limitation: a Parallel or inline Map that failed is re-run whole (AWS re-runs only its failed
branches or iterations).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sagemaker_sfn.errors import UsageError
from sagemaker_sfn.local.clock import Clock, VirtualClock
from sagemaker_sfn.local.integrations.base import Integration
from sagemaker_sfn.local.interpreter import ExecutionResult, run_to_end
from sagemaker_sfn.local.interpreter.engine import (JSONPATH, MAX_HISTORY_EVENTS, CancelToken, Engine,
                                                    Scope)
from sagemaker_sfn.local.interpreter.history import History

REDRIVABLE_DAYS = 14
REDRIVABLE_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
_TERMINAL_EVENTS = {"ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT", "ExecutionAborted": "ABORTED",
                    "ExecutionSucceeded": "SUCCEEDED"}


class NotRedrivable(UsageError):
    """AWS would answer ExecutionNotRedrivable; the message gives its reason."""


def _timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _parsed(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _status(history: list[dict[str, Any]]) -> str:
    for event in reversed(history):
        if event["type"] in _TERMINAL_EVENTS:
            return _TERMINAL_EVENTS[event["type"]]
        if event["type"] == "ExecutionRedriven":
            break
    return "RUNNING"


def redrive_count(history: list[dict[str, Any]]) -> int:
    return sum(1 for event in history if event["type"] == "ExecutionRedriven")


def check_redrivable(history: list[dict[str, Any]], *, now: datetime) -> None:
    """NotRedrivable with AWS's reason when RedriveExecution would refuse this execution."""
    status = _status(history)
    if status == "SUCCEEDED":
        raise NotRedrivable("Execution is SUCCEEDED and cannot be redriven.")
    if status not in REDRIVABLE_STATUSES:
        raise NotRedrivable(f"Execution is {status} and cannot be redriven.")
    if len(history) >= MAX_HISTORY_EVENTS - 1:
        raise NotRedrivable("Execution history event limit exceeded.")
    stopped = _timestamp(history[-1]["timestamp"])
    if now - stopped > timedelta(days=REDRIVABLE_DAYS):
        raise NotRedrivable("Execution redrivable period exceeded.")


def restart_point(definition: dict[str, Any], history: list[dict[str, Any]]) -> tuple[str, Any, dict[str, Any]]:
    """(state, its input, the variables then) where a redrive continues: the last top-level state
    entered and not exited."""
    top = set(definition.get("States", {}))
    entered: dict[str, Any] | None = None
    variables: dict[str, Any] = {}
    for event in history:
        if event["type"].endswith("StateEntered"):
            details = event["stateEnteredEventDetails"]
            if details["name"] in top:
                entered = details
        elif event["type"].endswith("StateExited"):
            details = event["stateExitedEventDetails"]
            if details["name"] in top:
                if entered is not None and entered["name"] == details["name"]:
                    entered = None
                for name, value in (details.get("assignedVariables") or {}).items():
                    variables[name] = _parsed(value)
    if entered is None:
        raise NotRedrivable("no state of the state machine was left unfinished: nothing to redrive")
    return entered["name"], _parsed(entered.get("input", "{}")), variables


def redrive_definition(definition: dict[str, Any], history: list[dict[str, Any]], *, state_machine_name: str,
                       execution_name: str, integration: Integration | None = None, clock: Clock | None = None,
                       on_event: Callable[[dict], None] | None = None, region: str = "us-east-1",
                       account: str = "123456789012", seed: int = 1) -> ExecutionResult:
    """Redrive the execution whose GetExecutionHistory events are ``history`` (timestamps as
    datetimes or ISO strings) with ``definition`` (the one it ran). The other parameters are those
    of :func:`sagemaker_sfn.local.interpreter.run_definition`; ``seed`` defaults to 1 so redriven
    attempts draw other names and tokens than the first run. NotRedrivable when AWS would refuse."""
    clock = clock or VirtualClock()
    now = clock.now()
    check_redrivable(history, now=now)
    state, state_input, variables = restart_point(definition, history)
    events = [{**event, "timestamp": _timestamp(event["timestamp"])} for event in history]
    started = events[0]
    execution_input = _parsed(started.get("executionStartedEventDetails", {}).get("input", "{}"))
    count = redrive_count(events) + 1
    state_machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{state_machine_name}"
    execution_arn = f"arn:aws:states:{region}:{account}:execution:{state_machine_name}:{execution_name}"
    role_arn = started.get("executionStartedEventDetails", {}).get(
        "roleArn", f"arn:aws:iam::{account}:role/service-role/StepFunctions-{state_machine_name}-role")
    history_log = History(clock=clock, on_event=on_event)
    history_log.events.extend(events)   # ids continue after the first attempt's events
    redriven = history_log.add("ExecutionRedriven", previous=events[-1]["id"],
                               executionRedrivenEventDetails={"redriveCount": count})
    # The execution timeout counts again from the redrive (a fresh attempt at the unfinished states).
    deadline = now + timedelta(seconds=definition["TimeoutSeconds"]) if "TimeoutSeconds" in definition else None
    engine = Engine(definition=definition, execution_input=execution_input, execution_name=execution_name,
                    execution_arn=execution_arn, state_machine_name=state_machine_name,
                    state_machine_arn=state_machine_arn, role_arn=role_arn, region=region, integration=integration,
                    clock=clock, history=history_log, rng=random.Random(seed), start=started["timestamp"],
                    deadline=deadline, redrive_count=count, redrive_time=now)
    scope = Scope(variables=variables, clock=clock, cancel=CancelToken(), cursor=redriven,
                  query_language=definition.get("QueryLanguage", JSONPATH))
    program = {**definition, "StartAt": state}
    status, output, error, cause = run_to_end(engine, program, state_input, scope=scope, history=history_log)
    return ExecutionResult(status=status, output=output if status == "SUCCEEDED" else None, error=error,
                           cause=cause, history=list(history_log.events), name=execution_name,
                           execution_arn=execution_arn, state_machine_arn=state_machine_arn,
                           start_date=started["timestamp"], stop_date=clock.now(), input=execution_input,
                           redrive_count=count, redrive_date=now.astimezone(timezone.utc))
