"""Pass, Succeed, Fail, Wait and Choice states."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sagemaker_sfn.local.interpreter import jsonata_eval
from sagemaker_sfn.local.interpreter.choice import evaluate_rule, parse_timestamp
from sagemaker_sfn.local.interpreter.engine import Failure
from sagemaker_sfn.local.interpreter.messages import states_error
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
                raise states_error("jsonata_seconds_invalid", value=to_json(seconds))
            return float(seconds)
        stamp = step.jsonata_value(state["Timestamp"], field_name="Timestamp")
        moment = parse_timestamp(stamp)
        if moment is None:
            raise states_error("jsonata_timestamp_invalid", value=stamp)
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
            raise states_error("seconds_path_not_long", path=path, value=_plain(value))
        if int(value) < 0:
            raise states_error("seconds_path_negative", path=path, value=_plain(value))
        return float(int(value))
    path = state["TimestampPath"]
    value = _read(step, path, effective)
    moment = parse_timestamp(value)
    if moment is None:
        raise states_error("timestamp_path_invalid", path=path, value=_plain(value))
    return max((moment - now).total_seconds(), 0.0)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else to_json(value)


def _read(step: Step, path: str, data: Any) -> Any:
    try:
        return step.resolve_path(path, data)
    except PathNotFound:
        raise states_error("path_no_results", path=path, canonical=canonical(path)) from None


def run_wait(step: Step) -> tuple[Any, str | None]:
    # AWS links a Wait's EvaluationFailed to its WaitStateEntered (test_wait_timestamp_jsonata recordings).
    step.evaluation_previous = step.entered_id
    seconds = _wait_seconds(step)
    # A sibling branch may run (and fail, aborting this Wait) while this one waits.
    step.scope.checkpoint(step.scope.clock.now() + timedelta(seconds=seconds))
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
                raise states_error("jsonata_condition_not_boolean",
                                   expression=jsonata_eval.expression_text(rule["Condition"]),
                                   type=jsonata_eval.type_name(condition), value=to_json(condition))
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
            raise states_error("path_no_results", path=exc.path, canonical=canonical(exc.path)) from None
        if matched:
            step.assign_jsonpath(effective, rule.get("Assign"))
            return step.output_path(effective), rule["Next"]
    return _default(step, state)


def _default(step: Step, state: dict[str, Any]) -> tuple[Any, str | None]:
    if "Default" not in state:
        raise states_error("no_choice_matched")
    if step.jsonata:
        step.assign_jsonata()
        return step.jsonata_output(step.raw_input), state["Default"]
    effective = step.input_path()
    step.assign_jsonpath(effective)
    return step.output_path(effective), state["Default"]


__all__ = ["run_pass", "run_succeed", "run_fail", "run_wait", "run_choice"]
