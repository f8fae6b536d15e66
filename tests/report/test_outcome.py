"""What happened to each state, read from histories recorded on AWS and from local runs."""

from __future__ import annotations

import json
from pathlib import Path

from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.mock import MockIntegration
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.mock_config import load_mock_config
from sagemaker_sfn.report.outcome import read_visits, state_outcomes

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text())


def test_caught_map_error_is_caught_and_the_other_branch_not_reached():
    case = recorded("map_state_catch")   # AWS: MapStateFailed, then MapStateExited, then the catcher
    outcomes = state_outcomes(read_visits(case["events"]), execution_status="SUCCEEDED")
    assert outcomes["MapState"].status == "caught"
    assert outcomes["HandleItemFail"].status == "failed"          # the Fail state inside the iteration
    assert outcomes["FinalCaught"].status == "succeeded"
    assert outcomes["StartState"].status == "succeeded"
    assert "Final" not in outcomes                                  # not reached


def test_map_retried_until_exhausted_fails_with_two_retries():
    case = recorded("map_state_retry")   # AWS: one MapStateStarted per attempt, MaxAttempts 2
    visits = read_visits(case["events"])
    outcomes = state_outcomes(visits, execution_status="FAILED")
    assert outcomes["MapState"].status == "failed"
    assert outcomes["MapState"].retries == 2
    assert outcomes["HandleItemFail"].visits == 3                  # one iteration per attempt
    inner = [v for v in visits if v.name == "HandleItemFail"]
    map_visit = next(v for v in visits if v.name == "MapState")
    assert all(v.parent == map_visit.id for v in inner)


def _run(definition: dict, responses: dict, tmp_path: Path) -> tuple[list[dict], str]:
    """Run ``definition`` locally, each state answering from ``responses`` (mock file format)."""
    mocks = {"StateMachines": {"demo": {"TestCases": {"t": {state: state for state in responses}}}},
             "MockedResponses": responses}
    (tmp_path / "mocks.json").write_text(json.dumps(mocks))
    config = load_mock_config(tmp_path / "mocks.json")
    result = run_definition(definition, {}, state_machine_name="demo", clock=VirtualClock(),
                            integration=MockIntegration(config.test_case(state_machine="demo", test_case="t"),
                                                        test_case="t", source="test"))
    return result.history, result.status


LAMBDA = "arn:aws:states:::lambda:invoke"


def test_task_retried_then_succeeded_is_retried_with_its_count(tmp_path):
    definition = {"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "f"},
                 "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 5}], "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
    responses = {"Work": {"0-1": {"Throw": {"Error": "Busy", "Cause": "later"}}, "2": {"Return": {"ok": True}}}}
    events, status = _run(definition, responses, tmp_path)
    outcomes = state_outcomes(read_visits(events), execution_status=status)
    assert (outcomes["Work"].status, outcomes["Work"].retries) == ("retried", 2)
    assert outcomes["Work"].label == "retried, retried 2×"
    assert outcomes["Done"].status == "succeeded"


def test_task_error_caught_after_retries_is_caught_and_names_the_error(tmp_path):
    definition = {"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "f"},
                 "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}], "Next": "Done"},
        "Recover": {"Type": "Pass", "Next": "Stop"},
        "Stop": {"Type": "Fail", "Error": "Gave.Up"},
        "Done": {"Type": "Succeed"}}}
    responses = {"Work": {"0-1": {"Throw": {"Error": "Busy", "Cause": "still busy"}}}}
    events, status = _run(definition, responses, tmp_path)
    outcomes = state_outcomes(read_visits(events), execution_status=status)
    assert status == "FAILED"
    assert (outcomes["Work"].status, outcomes["Work"].retries, outcomes["Work"].error) == ("caught", 1, "Busy")
    assert outcomes["Recover"].status == "succeeded"
    assert outcomes["Stop"].status == "failed"
    assert "Done" not in outcomes


def test_state_still_running_when_the_execution_is():
    events = [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": None, "executionStartedEventDetails": {}},
        {"id": 2, "previousEventId": 0, "type": "TaskStateEntered", "timestamp": None,
         "stateEnteredEventDetails": {"name": "Train", "input": "{}"}},
        {"id": 3, "previousEventId": 2, "type": "TaskScheduled", "timestamp": None, "taskScheduledEventDetails": {}},
    ]
    assert state_outcomes(read_visits(events), execution_status="RUNNING")["Train"].status == "running"
    assert state_outcomes(read_visits(events), execution_status="ABORTED")["Train"].status == "failed"
