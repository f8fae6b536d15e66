"""Histories event for event: interleaved Parallel branches, *StateAborted, TaskSubmitted, Express context."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.base import TaskFailure, TaskRequest
from sagemaker_sfn.local.interpreter import run_definition


class Answers:
    """Answers each Task by state name: a value, or an (error, cause) tuple to fail."""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers

    def invoke(self, request: TaskRequest, clock: Any) -> Any:
        answer = self.answers[request.state_name]
        if isinstance(answer, tuple):
            raise TaskFailure(*answer)
        return answer


def task(name: str, resource: str = "arn:aws:states:::lambda:invoke", **fields: Any) -> dict:
    return {"StartAt": name, "States": {name: {"Type": "Task", "Resource": resource, "End": True, **fields}}}


def events(result: Any) -> list[tuple[str, int, int, str | None]]:
    return [(e["type"], e["id"], e["previousEventId"], (e.get("stateEnteredEventDetails") or {}).get("name"))
            for e in result.history]


def test_parallel_branches_are_all_entered_before_any_leaves():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A1", "States": {"A1": {"Type": "Pass", "Next": "A2"}, "A2": {"Type": "Pass", "End": True}}},
        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}}]}}}
    result = run_definition(definition, {}, clock=VirtualClock())
    assert result.status == "SUCCEEDED"
    assert events(result)[3:10] == [
        ("PassStateEntered", 4, 3, "A1"), ("PassStateEntered", 5, 3, "B1"), ("PassStateExited", 6, 4, None),
        ("PassStateExited", 7, 5, None), ("PassStateEntered", 8, 6, "A2"), ("PassStateExited", 9, 8, None),
        ("ParallelStateSucceeded", 10, 9, None)]
    # ParallelStateExited links where ParallelStateSucceeded does (AWS-recorded test_parallel_state).
    assert events(result)[10] == ("ParallelStateExited", 11, 9, None)


def test_a_failed_branch_aborts_a_task_in_flight_in_another():
    class SlowThenBoom(Answers):
        def invoke(self, request: TaskRequest, clock: Any) -> Any:
            if request.state_name == "Slow":
                clock.sleep(60)   # a job that takes a minute; Boom fails at once
            return super().invoke(request, clock)

    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        task("Slow"), task("Boom")]}}}
    result = run_definition(definition, {}, integration=SlowThenBoom(Slow={"ok": 1}, Boom=("E", "broke")),
                            clock=VirtualClock())
    assert (result.status, result.error, result.cause) == ("FAILED", "E", "broke")
    kinds = [(kind, previous) for kind, _, previous, _ in events(result)]
    assert kinds[3:] == [
        ("TaskStateEntered", 3), ("TaskStateEntered", 3), ("TaskScheduled", 4), ("TaskStarted", 6),
        ("TaskScheduled", 5), ("TaskStarted", 8), ("TaskFailed", 9), ("TaskStateAborted", 7),
        ("ParallelStateFailed", 11), ("ExecutionFailed", 12)]
    # Slow is aborted when Boom fails, not a minute later.
    assert len({event["timestamp"] for event in result.history}) == 1


def test_a_wait_is_aborted_when_the_sibling_fails_and_at_that_time():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}},
        {"StartAt": "D", "States": {"D": {"Type": "Wait", "Seconds": 5, "Next": "F"},
                                    "F": {"Type": "Fail", "Error": "Late"}}}]}}}
    result = run_definition(definition, {}, clock=VirtualClock())
    types = [e["type"] for e in result.history]
    assert result.error == "Late" and "WaitStateAborted" in types
    aborted = next(e for e in result.history if e["type"] == "WaitStateAborted")
    failed = next(e for e in result.history if e["type"] == "FailStateEntered")
    assert aborted["timestamp"] == failed["timestamp"]   # aborted when the sibling failed, not after 100 s
    assert (result.stop_date - result.start_date).total_seconds() == pytest.approx(5)


def test_a_nested_parallel_is_aborted_as_a_whole():
    inner = {"StartAt": "I", "States": {"I": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}]}}}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        inner, {"StartAt": "D", "States": {"D": {"Type": "Wait", "Seconds": 1, "Next": "F"},
                                           "F": {"Type": "Fail", "Error": "Stop"}}}]}}}
    result = run_definition(definition, {}, clock=VirtualClock())
    types = [e["type"] for e in result.history]
    assert result.error == "Stop"
    assert types.index("WaitStateAborted") < types.index("ParallelStateAborted") < types.index("ParallelStateFailed")


def test_branches_caught_failure_does_not_abort_siblings():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Ok"}], "End": True},
                                    "Ok": {"Type": "Pass", "End": True}}},
        task("U")]}}}
    result = run_definition(definition, {}, integration=Answers(T=("E", "c"), U=2), clock=VirtualClock())
    assert result.status == "SUCCEEDED" and "TaskStateAborted" not in [e["type"] for e in result.history]


@pytest.mark.parametrize("suffix", [".sync", ".waitForTaskToken"])
def test_task_submitted_for_sync_and_callback_patterns(suffix):
    result = run_definition(task("T", f"arn:aws:states:::sqs:sendMessage{suffix}"), {},
                            integration=Answers(T={"done": True}), clock=VirtualClock())
    kinds = [e["type"] for e in result.history]
    assert kinds[2:7] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited"]
    submitted = result.history[4]["taskSubmittedEventDetails"]
    assert (submitted["resource"], submitted["output"]) == (f"sendMessage{suffix}", '{"done":true}')


def test_no_task_submitted_for_request_response():
    result = run_definition(task("T"), {}, integration=Answers(T=1), clock=VirtualClock())
    assert "TaskSubmitted" not in [e["type"] for e in result.history]


def test_express_execution_context_and_arn():
    definition = {"StartAt": "S", "States": {"S": {"Type": "Pass", "Parameters": {"c.$": "$$.Execution"},
                                                   "End": True}}}
    result = run_definition(definition, {"a": 1}, state_machine_name="m", execution_name="n",
                            execution_type="EXPRESS", clock=VirtualClock())
    execution = result.output["c"]
    assert "RedriveCount" not in execution
    assert execution["Id"].startswith("arn:aws:states:us-east-1:123456789012:express:m:n:")
    standard = run_definition(definition, {}, clock=VirtualClock())
    assert standard.output["c"]["RedriveCount"] == 0


@pytest.mark.parametrize("expression, expected", [
    ("$partition([1,2,3], 2)", [[1, 2], [3]]), ("$range(0, 4, 2)", [0, 2, 4]),
    ("$hash('a', 'MD5')", "0cc175b9c0f1b6a831c399e269772661"), ("$parse('{\"a\":1}')", {"a": 1}),
    ("$string($random() < 1)", "true"), ("$length($uuid())", 36), ("$uppercase('a')", "A"),
])
def test_jsonata_has_aws_functions(expression, expected):
    definition = {"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {
        "Type": "Pass", "Output": "{% " + expression + " %}", "End": True}}}
    assert run_definition(definition, {}, clock=VirtualClock()).output == expected


@pytest.mark.parametrize("function", ["$eval('1')", "$clone(1)", "$nope(1)"])
def test_jsonata_functions_aws_does_not_provide_fail(function):
    definition = {"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {
        "Type": "Pass", "Output": "{% " + function + " %}", "End": True}}}
    result = run_definition(definition, {}, clock=VirtualClock())
    assert (result.error, result.cause) == (
        "States.QueryEvaluationError", "An error occurred while executing the state 'S' (entered at the event id #2). "
        f"The JSONata expression '{function}' specified for the field 'Output' threw an error during evaluation. "
        "Attempted to invoke a non-function")
