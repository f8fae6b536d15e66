"""Local RedriveExecution: same definition and input, finished states not run again, the history
continuing with ExecutionRedriven (rules from the RedriveExecution API reference)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.base import TaskFailure, TaskRequest
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.interpreter.redrive import NotRedrivable, redrive_definition

DEFINITION = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "prepare", "Payload.$": "$"}, "ResultSelector": {"n.$": "$.Payload"},
                    "ResultPath": "$.prepared", "Assign": {"seen.$": "$.n"}, "Next": "Train"},
        "Train": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "train", "Payload": {"n.$": "$seen", "count.$": "$$.Execution.RedriveCount"}},
                  "ResultSelector": {"model.$": "$.Payload"}, "ResultPath": "$.trained", "End": True},
    },
}


class Functions:
    def __init__(self, *, broken: bool) -> None:
        self.broken = broken
        self.calls: list[tuple[str, Any]] = []

    def invoke(self, request: TaskRequest, clock: Any) -> Any:
        name = request.parameters["FunctionName"]
        self.calls.append((name, request.parameters["Payload"]))
        if name == "train" and self.broken:
            raise TaskFailure("Lambda.Unknown", "the training code has a bug")
        return {"Payload": 41 if name == "prepare" else {"fitted": True}}


def failed_run(clock: VirtualClock) -> tuple[Any, Functions]:
    functions = Functions(broken=True)
    result = run_definition(DEFINITION, {"x": 1}, state_machine_name="m", execution_name="e1",
                            integration=functions, clock=clock)
    assert result.status == "FAILED"
    return result, functions


def test_redrive_after_the_fix_runs_only_the_failed_state_and_continues_the_history() -> None:
    clock = VirtualClock()
    first, _ = failed_run(clock)
    fixed = Functions(broken=False)
    result = redrive_definition(DEFINITION, first.history_json(), state_machine_name="m", execution_name="e1",
                                integration=fixed, clock=clock)
    assert result.status == "SUCCEEDED"
    assert fixed.calls == [("train", {"n": 41, "count": 1})]   # Prepare not re-run; its variable restored
    assert result.output == {"x": 1, "prepared": {"n": 41}, "trained": {"model": {"fitted": True}}}
    types = [e["type"] for e in result.history]
    old = len(first.history)
    assert types[:old] == [e["type"] for e in first.history]
    assert types[old:] == ["ExecutionRedriven", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                           "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    redriven = result.history[old]
    assert redriven["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert redriven["id"] == old + 1 and redriven["previousEventId"] == old
    assert result.history[old + 1]["previousEventId"] == redriven["id"]
    assert [e["id"] for e in result.history] == list(range(1, len(result.history) + 1))
    described = result.describe()
    assert described["redriveCount"] == 1 and described["executionArn"] == first.execution_arn
    # The first start, as the history recorded it (milliseconds).
    assert abs(described["startDate"] - first.start_date) < timedelta(milliseconds=1) and "redriveDate" in described


def test_redrive_of_a_redrive_counts_on() -> None:
    clock = VirtualClock()
    first, _ = failed_run(clock)
    again = redrive_definition(DEFINITION, first.history_json(), state_machine_name="m", execution_name="e1",
                               integration=Functions(broken=True), clock=clock)
    assert again.status == "FAILED" and again.redrive_count == 1
    third = redrive_definition(DEFINITION, again.history_json(), state_machine_name="m", execution_name="e1",
                               integration=Functions(broken=False), clock=clock)
    assert third.status == "SUCCEEDED" and third.redrive_count == 2
    assert [e["executionRedrivenEventDetails"]["redriveCount"] for e in third.history
            if e["type"] == "ExecutionRedriven"] == [1, 2]


def test_refuses_what_aws_refuses() -> None:
    clock = VirtualClock()
    ok = run_definition({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, {}, clock=clock)
    with pytest.raises(NotRedrivable, match="Execution is SUCCEEDED and cannot be redriven."):
        redrive_definition({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, ok.history_json(),
                           state_machine_name="m", execution_name="e", clock=clock)
    first, _ = failed_run(clock)
    clock.sleep(timedelta(days=14, seconds=1).total_seconds())
    with pytest.raises(NotRedrivable, match="Execution redrivable period exceeded."):
        redrive_definition(DEFINITION, first.history_json(), state_machine_name="m", execution_name="e1", clock=clock)
    long = first.history_json() * 3000
    with pytest.raises(NotRedrivable, match="Execution history event limit exceeded."):
        redrive_definition(DEFINITION, long[-24_999:], state_machine_name="m", execution_name="e1",
                           clock=VirtualClock())
