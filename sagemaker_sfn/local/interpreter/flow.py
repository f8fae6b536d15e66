"""Pass, Succeed, Fail, Wait and Choice states."""

from __future__ import annotations

import re
from typing import Any

from sagemaker_sfn.local.interpreter import jsonata_eval
from sagemaker_sfn.local.interpreter.choice import evaluate_rule, parse_timestamp
from sagemaker_sfn.local.interpreter.engine import Failure
from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.paths import PathNotFound, merge_result, to_json
from sagemaker_sfn.local.interpreter.step import next_of
from sagemaker_sfn.local.interpreter.step import Step, canonical


def run_pass(step: Step) -> tuple[Any, str | None]:
    state = step.state
    if step.jsonata:
        step.assign_jsonata()
        return step.jsonata_output(step.raw_input), next_of(state)
    effective = step.effective_input()
    result = state["Result"] if "Result" in state else effective
    step.assign_jsonpath(result)
    output = merge_result(state.get("ResultPath", "$"), state_input=step.raw_input, result=result)
    return step.output_path(output), next_of(state)


def run_succeed(step: Step) -> tuple[Any, str | None]:
    if step.jsonata:
        return step.jsonata_output(step.raw_input), None
    return step.output_path(step.input_path()), None


def _fail_field(step: Step, name: str) -> str | None:
    state = step.state
    if step.jsonata:
        if name not in state:
            return None
        return step.jsonata_value(state[name], field_name=name)
    if f"{name}Path" in state:
        return step.evaluate_value(state[f"{name}Path"], step.raw_input, field_name=f"{name}Path")
    return state.get(name)


def run_fail(step: Step) -> tuple[Any, str | None]:
    error = _fail_field(step, "Error")
    cause = _fail_field(step, "Cause")
    raise Failure(error, cause)


# -- Wait ------------------------------------------------------------------------------------------
_LONG = re.compile(r"^-?\d+$")


def _wait_seconds(step: Step) -> float:
    """Seconds to wait from now, from whichever of the four Wait fields is set."""
    state = step.state
    now = step.scope.clock.now()
    if step.jsonata:
        if "Seconds" in state:
            seconds = step.jsonata_value(state["Seconds"], field_name="Seconds")
            if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
                raise StatesError("States.QueryEvaluationError",
                                  f"The Seconds field cannot be parsed as a positive integer: {to_json(seconds)}")
            return float(seconds)
        stamp = step.jsonata_value(state["Timestamp"], field_name="Timestamp")
        moment = parse_timestamp(stamp)
        if moment is None:
            raise StatesError("States.QueryEvaluationError", "The Timestamp field cannot be parsed as an ISO-8601 "
                              f"extended offset date-time format string: {stamp}")
        return max((moment - now).total_seconds(), 0.0)
    if "Seconds" in state:
        return float(state["Seconds"])
    if "Timestamp" in state:
        moment = parse_timestamp(state["Timestamp"])
        return max((moment - now).total_seconds(), 0.0) if moment else 0.0
    effective = step.input_path()
    if "SecondsPath" in state:
        path = state["SecondsPath"]
        value = _read(step, path, effective)
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and _LONG.match(value))):
            raise StatesError("States.Runtime", "The SecondsPath parameter cannot be parsed as a long value: "
                              f"{path} == {_plain(value)}")
        if int(value) < 0:
            raise StatesError("States.Runtime", "The SecondsPath parameter references a negative value: "
                              f"{path} == {_plain(value)}")
        return float(int(value))
    path = state["TimestampPath"]
    value = _read(step, path, effective)
    moment = parse_timestamp(value)
    if moment is None:
        raise StatesError("States.Runtime", "The TimestampPath parameter does not reference a valid ISO-8601 "
                          f"extended offset date-time format string: {path} == {_plain(value)}")
    return max((moment - now).total_seconds(), 0.0)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else to_json(value)


def _read(step: Step, path: str, data: Any) -> Any:
    try:
        return step.resolve_path(path, data)
    except PathNotFound:
        raise StatesError("States.Runtime", f"Invalid path '{path}' : No results for path: {canonical(path)}") from None


def run_wait(step: Step) -> tuple[Any, str | None]:
    # AWS links a Wait's EvaluationFailed to its WaitStateEntered (test_wait_timestamp_jsonata recordings).
    step.evaluation_previous = step.entered_id
    seconds = _wait_seconds(step)
    step.engine.sleep(step.scope.clock, seconds)
    if step.jsonata:
        step.assign_jsonata()
        return step.jsonata_output(step.raw_input), next_of(step.state)
    effective = step.input_path()
    step.assign_jsonpath(effective)
    return step.output_path(effective), next_of(step.state)


# -- Choice ----------------------------------------------------------------------------------------
def run_choice(step: Step) -> tuple[Any, str | None]:
    state = step.state
    if step.jsonata:
        for index, rule in enumerate(state.get("Choices", [])):
            condition = step.jsonata_value(rule["Condition"], field_name="Condition")
            if not isinstance(condition, bool):
                raise StatesError("States.QueryEvaluationError",
                                  f"The JSONata expression '{jsonata_eval.expression_text(rule['Condition'])}' "
                                  "specified for the field 'Condition' returned an unexpected result type. "
                                  f"Expected 'boolean', but was '{jsonata_eval.type_name(condition)}' for value: "
                                  f"{to_json(condition)}")
            if condition:
                step.assign_jsonata(rule.get("Assign"))
                spec_owner = rule if "Output" in rule else state
                output = step.jsonata_output(step.raw_input, spec_owner.get("Output")) if "Output" in spec_owner \
                    else step.raw_input
                return output, rule["Next"]
        return _default(step, state)
    effective = step.input_path()

    def resolve(path: str) -> Any:
        return step.resolve_path(path, effective)

    for rule in state.get("Choices", []):
        try:
            matched = evaluate_rule(rule, resolve=resolve)
        except PathNotFound as exc:
            raise StatesError("States.Runtime", f"Invalid path '{exc.path}' : No results for path: "
                              f"{canonical(exc.path)}") from None
        if matched:
            step.assign_jsonpath(effective, rule.get("Assign"))
            return step.output_path(effective), rule["Next"]
    return _default(step, state)


def _default(step: Step, state: dict[str, Any]) -> tuple[Any, str | None]:
    if "Default" not in state:
        raise Failure("States.NoChoiceMatched", "No Matches!")
    if step.jsonata:
        step.assign_jsonata()
        return step.jsonata_output(step.raw_input), state["Default"]
    effective = step.input_path()
    step.assign_jsonpath(effective)
    return step.output_path(effective), state["Default"]


__all__ = ["run_pass", "run_succeed", "run_fail", "run_wait", "run_choice"]
