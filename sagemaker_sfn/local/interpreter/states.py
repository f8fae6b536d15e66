"""One state's run: Entered / Exited events, Retry and Catch around the type's handler."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sagemaker_sfn.local.interpreter.engine import Cancelled, Failure, HistoryLimitExceeded, TimedOut
from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.messages import states_error
from sagemaker_sfn.local.interpreter.paths import merge_result, to_json
from sagemaker_sfn.local.interpreter.retry import find_handler, retry_delay
from sagemaker_sfn.local.interpreter.step import _UNSET, Step

if TYPE_CHECKING:
    from sagemaker_sfn.local.interpreter.engine import Engine, Scope

_RETRYABLE = {"Task", "Map", "Parallel"}
# States a sibling branch's failure (or an enclosing abort) can stop midway: AWS logs <Type>StateAborted
# (HistoryEventType: TaskStateAborted, WaitStateAborted, MapStateAborted, ParallelStateAborted; no details).
_ABORTABLE = {"Task", "Wait", "Map", "Parallel"}
_TERMINAL = {"States.Runtime", "States.DataLimitExceeded"}
PAYLOAD_LIMIT = 262_144  # bytes of a state's input or output (Step Functions quota)


def _handlers() -> dict[str, Any]:
    from sagemaker_sfn.local.interpreter import flow, parallel, task
    return {"Pass": flow.run_pass, "Succeed": flow.run_succeed, "Fail": flow.run_fail, "Wait": flow.run_wait,
            "Choice": flow.run_choice, "Task": task.run_task, "Parallel": parallel.run_parallel,
            "Map": parallel.run_map}


_FIELD = re.compile(r"specified for the field '(?P<field>[^']*)'")


def _as_failure(step: Step, exc: StatesError) -> Failure:
    """An evaluation error worded as AWS words it; JSONata errors also log EvaluationFailed."""
    if isinstance(exc, Failure):
        return exc
    failure = Failure(exc.error, step.error_prefix() + (exc.cause or ""))
    if exc.error == "States.QueryEvaluationError":
        details = {"error": failure.error, "cause": failure.cause, "state": step.name}
        if exc.location:
            details["location"] = exc.location
        elif match := _FIELD.search(exc.cause or ""):
            details["location"] = match["field"]
        # AWS links it to what preceded the state's Entered event.
        step.scope.cursor = step.scope.log(step.engine).add(
            "EvaluationFailed", previous=step.entered_previous if step.evaluation_previous is None
            else step.evaluation_previous, clock=step.scope.clock,
            evaluationFailedEventDetails=details)
    return failure


def run_state(engine: Engine, *, name: str, state: dict[str, Any], state_input: Any,
              scope: Scope) -> tuple[Any, str | None]:
    """Run one state; returns (output, next state name or None at the end)."""
    kind = state.get("Type")
    handlers = _handlers()
    if kind not in handlers:
        raise states_error("state_type_unsupported", state_name=name, kind=kind)
    entered_time = scope.clock.now()
    entered_previous = scope.cursor
    entered_id = scope.log(engine).add(f"{kind}StateEntered", previous=scope.cursor, clock=scope.clock,
                                    stateEnteredEventDetails={"name": name, "input": to_json(state_input),
                                                              "inputDetails": {"truncated": False}})
    scope.cursor = entered_id
    step = Step(engine=engine, scope=scope, name=name, state=state, raw_input=state_input,
                query_language=state.get("QueryLanguage", scope.query_language), entered_id=entered_id,
                entered_time=entered_time, entered_previous=entered_previous)
    try:
        if scope.turn is not None:
            scope.turn(None)   # every branch enters its state before any leaves one (interleaved Parallel)
            if scope.cancel.is_set() and kind in _ABORTABLE:
                raise Cancelled()
        output, next_name = _attempts(engine, step, kind=kind, handlers=handlers)
    except Cancelled:
        if kind in _ABORTABLE:
            scope.cursor = scope.log(engine).add(f"{kind}StateAborted", previous=scope.cursor, clock=scope.clock)
        raise
    _exit(step, output, kind)
    return output, next_name


def _attempts(engine: Engine, step: Step, *, kind: str, handlers: dict[str, Any]) -> tuple[Any, str | None]:
    """The state's handler with Retry and Catch around it."""
    state, scope, name = step.state, step.scope, step.name
    attempts = [0] * len(state.get("Retry", []))
    while True:
        step.assigned = None
        try:
            try:
                output, next_name = handlers[kind](step)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                # A definition the validator would have refused: fail clearly instead of crashing.
                raise states_error("state_definition_invalid", kind=kind,
                                   detail=f"{type(exc).__name__}: {exc}") from None
            if len(to_json(output).encode()) > PAYLOAD_LIMIT:
                raise states_error("data_limit_exceeded", state_name=name)
            break
        except (Cancelled, TimedOut, HistoryLimitExceeded):
            raise
        except StatesError as exc:
            failure = _as_failure(step, exc)
            if kind not in _RETRYABLE:
                raise failure from None
            retriers = state.get("Retry", [])
            # States.Runtime and States.DataLimitExceeded are terminal: never retried (AWS error handling docs).
            index = None if failure.error in _TERMINAL else find_handler(retriers, failure.error)
            if index is not None and attempts[index] < int(retriers[index].get("MaxAttempts", 3)):
                delay = retry_delay(retriers[index], attempt=attempts[index], rng=engine.retry_rng())
                attempts[index] += 1
                step.retry_count += 1
                scope.checkpoint(scope.clock.now() + timedelta(seconds=delay))
                engine.sleep(scope.clock, delay)
                continue
            if failure.state_failed_event:
                scope.cursor = scope.log(engine).add(failure.state_failed_event, previous=scope.cursor,
                                                     clock=scope.clock)
            caught = _catch(step, failure)
            if caught is None:
                raise failure from None
            return caught
    return output, next_name


def _catch(step: Step, failure: Failure) -> tuple[Any, str] | None:
    catchers = step.state.get("Catch", [])
    index = find_handler(catchers, failure.error)
    if index is None:
        return None
    catcher = catchers[index]
    error_output = {"Error": failure.error, "Cause": failure.cause}
    step.assigned = None
    try:
        if step.jsonata:
            step.assign_jsonata(catcher.get("Assign"), error_output=error_output)
            output = step.jsonata_output(error_output, catcher["Output"] if "Output" in catcher else _UNSET,
                                         error_output=error_output)
        else:
            step.assign_jsonpath(error_output, catcher.get("Assign"))
            output = merge_result(catcher.get("ResultPath", "$"), state_input=step.raw_input, result=error_output)
    except StatesError as exc:
        raise _as_failure(step, exc) from None
    return output, catcher["Next"]


def _exit(step: Step, output: Any, kind: str) -> None:
    details: dict[str, Any] = {"name": step.name, "output": to_json(output), "outputDetails": {"truncated": False}}
    if step.assigned:  # AWS leaves out an empty Assign
        details["assignedVariables"] = {key: to_json(value) for key, value in step.assigned.items()}
        details["assignedVariablesDetails"] = {"truncated": False}
        step.scope.variables.update(step.assigned)
    step.scope.cursor = step.scope.log(step.engine).add(f"{kind}StateExited", previous=step.scope.cursor,
                                                clock=step.scope.clock, stateExitedEventDetails=details)


