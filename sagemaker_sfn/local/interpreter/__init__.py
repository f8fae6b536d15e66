"""Run ASL definitions locally, the way AWS Step Functions runs them.

``run_definition(definition, input)`` executes a state machine and returns an
:class:`ExecutionResult` holding the DescribeExecution-like outcome and the GetExecutionHistory-like
events. Tasks are answered by an :class:`~sagemaker_sfn.local.integrations.base.Integration`; time is
a :class:`~sagemaker_sfn.local.clock.Clock` (simulated by default, so Wait / Retry cost nothing).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from sagemaker_sfn.local.clock import Clock, VirtualClock
from sagemaker_sfn.local.integrations.base import Integration
from sagemaker_sfn.local.interpreter.engine import (JSONPATH, MAX_HISTORY_EVENTS, CancelToken, Cancelled, Engine,
                                                    HistoryLimitExceeded, Scope, TimedOut)
from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.history import History, iso_events, with_outcome
from sagemaker_sfn.local.interpreter.messages import states_error
from sagemaker_sfn.local.interpreter.paths import to_json

__all__ = ["ExecutionResult", "run_definition", "StatesError"]


@dataclass
class ExecutionResult:
    status: str                 # SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    output: Any | None          # parsed JSON output (None unless SUCCEEDED)
    error: str | None
    cause: str | None
    history: list[dict]         # GetExecutionHistory events; "timestamp" as datetime (tz-aware)
    name: str
    execution_arn: str
    state_machine_arn: str
    start_date: datetime
    stop_date: datetime
    input: Any = None           # the execution input, for describe()
    redrive_count: int = 0      # times redriven (local/interpreter/redrive.py)
    redrive_date: datetime | None = None
    map_runs: list = field(default_factory=list)  # distributed Map Runs (distributed_map.MapRun), children inside

    def describe(self) -> dict:
        """DescribeExecution's shape: input / output as JSON strings, absent keys left out."""
        described: dict[str, Any] = {
            "executionArn": self.execution_arn, "stateMachineArn": self.state_machine_arn, "name": self.name,
            "status": self.status, "startDate": self.start_date, "stopDate": self.stop_date,
            "input": to_json(self.input), "inputDetails": {"included": True},
            "redriveCount": self.redrive_count,
        }
        if self.redrive_date is not None:
            described["redriveDate"] = self.redrive_date
        return with_outcome(described, status=self.status, output=self.output, error=self.error, cause=self.cause)

    def history_json(self) -> list[dict]:
        """The events with ISO-8601 timestamps: ready for ``json.dump``."""
        return iso_events(self.history)


def _execution_name(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def run_definition(definition: dict, execution_input: Any = None, *, state_machine_name: str = "local",
                   execution_name: str | None = None, integration: Integration | None = None,
                   clock: Clock | None = None, on_event: Callable[[dict], None] | None = None,
                   region: str = "us-east-1", account: str = "123456789012", seed: int = 0,
                   execution_type: str = "STANDARD") -> ExecutionResult:
    """Execute ``definition`` (an ASL dict) with ``execution_input`` and return the outcome.

    - ``execution_input``: the execution's input (default None: ``{}``, as StartExecution without input).
    - ``state_machine_name``: names the machine in ARNs and ``$$.StateMachine.Name`` (default ``"local"``).
    - ``execution_name``: the execution's name (default: a UUID, drawn from ``seed``).
    - ``integration``: answers Task states (default None: any Task fails with States.Runtime naming it).
    - ``clock``: time source (default: a :class:`VirtualClock` starting now -- waits cost nothing).
    - ``on_event``: called with each history event as it is appended, in id order (default: none).
    - ``region`` / ``account``: used in ARNs (defaults ``us-east-1`` / ``123456789012``).
    - ``seed``: seeds retry jitter and generated names / task tokens (default 0: reproducible runs).
    - ``execution_type``: ``"STANDARD"`` (default) or ``"EXPRESS"``: an Express execution's ARN is
      ``...:express:<machine>:<name>:<id>`` and its context has no ``RedriveCount`` (AWS-recorded:
      ../shared/conformance v2/express/test_express_sync.py).
    """
    execution_input = {} if execution_input is None else execution_input
    rng = random.Random(seed)
    clock = clock or VirtualClock()
    name = execution_name or _execution_name(rng)
    state_machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{state_machine_name}"
    execution_arn = f"arn:aws:states:{region}:{account}:execution:{state_machine_name}:{name}"
    if execution_type == "EXPRESS":
        execution_arn = f"arn:aws:states:{region}:{account}:express:{state_machine_name}:{name}:{_execution_name(rng)}"
    role_arn = f"arn:aws:iam::{account}:role/service-role/StepFunctions-{state_machine_name}-role"
    history = History(clock=clock, on_event=on_event)
    start = clock.now()
    deadline = start + timedelta(seconds=definition["TimeoutSeconds"]) if "TimeoutSeconds" in definition else None
    engine = Engine(definition=definition, execution_input=execution_input, execution_name=name,
                    execution_arn=execution_arn, state_machine_name=state_machine_name,
                    state_machine_arn=state_machine_arn, role_arn=role_arn, region=region, integration=integration,
                    clock=clock, history=history, rng=rng, start=start, deadline=deadline,
                    express=execution_type == "EXPRESS")
    history.add("ExecutionStarted", previous=0, executionStartedEventDetails={
        "input": to_json(execution_input), "inputDetails": {"truncated": False}, "roleArn": role_arn})
    # AWS links the first state's Entered event to 0, not to ExecutionStarted.
    scope = Scope(variables={}, clock=clock, cancel=CancelToken(), cursor=0,
                  query_language=definition.get("QueryLanguage", JSONPATH))
    status, output, error, cause = run_to_end(engine, definition, execution_input, scope=scope, history=history)
    return ExecutionResult(status=status, output=output if status == "SUCCEEDED" else None, error=error,
                           cause=cause, history=list(history.events), name=name, execution_arn=execution_arn,
                           state_machine_arn=state_machine_arn, start_date=start, stop_date=clock.now(),
                           input=execution_input, map_runs=list(engine.__dict__.get("_map_runs", [])))


def run_to_end(engine: Engine, program: dict[str, Any], state_input: Any, *, scope: Scope,
               history: History) -> tuple[str, Any, str | None, str | None]:
    """Run ``program`` to its end and record the execution's last event, as AWS does for each way an
    execution ends; returns (status, output, error, cause). Shared by a first run and a redrive."""
    status, output, error, cause = "SUCCEEDED", None, None, None
    try:
        output = engine.run_program(program, state_input, scope=scope)
        history.add("ExecutionSucceeded", previous=scope.cursor, executionSucceededEventDetails={
            "output": to_json(output), "outputDetails": {"truncated": False}})
    except TimedOut:
        status = "TIMED_OUT"
        history.add("ExecutionTimedOut", previous=len(history.events), executionTimedOutEventDetails={})
    except HistoryLimitExceeded:
        limit = states_error("history_limit", limit=MAX_HISTORY_EVENTS)
        status, error, cause = "FAILED", limit.error, limit.cause
        history.add("ExecutionFailed", previous=len(history.events),
                    executionFailedEventDetails={"error": error, "cause": cause})
    except Cancelled:
        status = "ABORTED"
        history.add("ExecutionAborted", previous=len(history.events), executionAbortedEventDetails={})
    except StatesError as exc:
        status, error, cause = "FAILED", exc.error, exc.cause
        details = {key: value for key, value in (("error", error), ("cause", cause)) if value is not None}
        history.add("ExecutionFailed", previous=len(history.events), executionFailedEventDetails=details)
    return status, output, error, cause
