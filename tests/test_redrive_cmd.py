"""`sagemaker-sfn redrive ARN [--wait]` against botocore's Stubber (real request/response models:
moto 5.2.5 has no RedriveExecution)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from sagemaker_sfn.cli import main

ARN = "arn:aws:states:us-east-1:123456789012:execution:train-evaluate:run-1"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:train-evaluate"
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def describe(status: str, count: int) -> dict:
    return {"executionArn": ARN, "stateMachineArn": MACHINE, "status": status, "startDate": T0, "redriveCount": count}


def event(id_: int, kind: str, **details) -> dict:
    return {"id": id_, "previousEventId": id_ - 1, "timestamp": T0, "type": kind, **details}


FIRST = [event(1, "ExecutionStarted"), event(2, "TaskStateEntered", stateEnteredEventDetails={"name": "Score"}),
         event(3, "ExecutionFailed", executionFailedEventDetails={"error": "States.TaskFailed"})]
AFTER = FIRST + [event(4, "ExecutionRedriven", executionRedrivenEventDetails={"redriveCount": 1}),
                 event(5, "TaskStateEntered", stateEnteredEventDetails={"name": "Score"}),
                 event(6, "TaskStateExited", stateExitedEventDetails={"name": "Score"}),
                 event(7, "ExecutionSucceeded", executionSucceededEventDetails={})]


def definition_response(definition: dict) -> dict:
    return {"stateMachineArn": MACHINE, "name": "train-evaluate", "definition": json.dumps(definition),
            "roleArn": "arn:aws:iam::123456789012:role/sfn", "updateDate": T0}


def processing(uri: str) -> dict:
    return {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync", "End": True,
            "Parameters": {"ProcessingInputs": [{"InputName": "code", "S3Input": {"S3Uri": uri}}]}}


def newest(stub: Stubber, events: list[dict] = FIRST) -> None:
    """The history tail `redrive` reads first (where the execution ended), newest first."""
    stub.add_response("get_execution_history", {"events": list(reversed(events))},
                      {"executionArn": ARN, "reverseOrder": True, "maxResults": 20})


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "examples" / "train-evaluate").mkdir(parents=True)
    (tmp_path / "examples" / "train-evaluate" / "evaluate.py").write_text("print('v1')\n")
    monkeypatch.setenv("SAGEMAKER_SFN_PROJECT", str(tmp_path))
    return tmp_path


@pytest.fixture
def stub(monkeypatch):
    client = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    monkeypatch.setattr("sagemaker_sfn.aws.client", lambda *a, **k: client)
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


def test_redrive_and_follow_prints_only_the_redriven_events(stub, project, capsys) -> None:
    newest(stub)
    stub.add_response("describe_execution", describe("FAILED", 0), {"executionArn": ARN})
    stub.add_response("redrive_execution", {"redriveDate": T0}, {"executionArn": ARN})
    stub.add_response("describe_state_machine_for_execution", definition_response({"StartAt": "A", "States": {}}),
                      {"executionArn": ARN})
    stub.add_response("get_execution_history", {"events": FIRST}, {"executionArn": ARN, "maxResults": 1000})
    stub.add_response("describe_execution", describe("FAILED", 0), {"executionArn": ARN})   # not yet visible
    stub.add_response("get_execution_history", {"events": FIRST}, {"executionArn": ARN, "maxResults": 1000})
    stub.add_response("describe_execution", describe("SUCCEEDED", 1), {"executionArn": ARN})
    stub.add_response("get_execution_history", {"events": AFTER}, {"executionArn": ARN, "maxResults": 1000})
    assert main(["redrive", ARN, "--wait", "--poll", "0"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"redriven {ARN} (was FAILED, redrive 1)"
    assert "ExecutionRedriven" in out and "ExecutionSucceeded" in out and "ExecutionFailed" not in out
    assert out.rstrip().endswith("execution SUCCEEDED")


def test_aws_refusal_is_reported_with_its_reason(stub, capsys) -> None:
    newest(stub, AFTER)
    stub.add_response("describe_execution", describe("SUCCEEDED", 0), {"executionArn": ARN})
    stub.add_client_error("redrive_execution", service_error_code="ExecutionNotRedrivable",
                          service_message="Execution is SUCCEEDED and cannot be redriven.", http_status_code=400)
    assert main(["redrive", ARN]) == 1
    assert "ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven." in capsys.readouterr().err


def test_a_script_changed_since_the_execution_started_is_named(stub, project, capsys) -> None:
    from sagemaker_sfn.code_pin import pin_code

    # The execution's definition as deployed: the code pinned, the bucket's own name filled in.
    pinned = pin_code({"StartAt": "Evaluate", "States": {"Evaluate": processing(
        "s3://${DataBucket}/code/train-evaluate/evaluate.py")}}, project / "examples").definition
    deployed = json.loads(json.dumps(pinned).replace("${DataBucket}", "sagemaker-sfn-data-1a2b"))
    (project / "examples" / "train-evaluate" / "evaluate.py").write_text("print('v2')\n")
    newest(stub)
    stub.add_response("describe_execution", describe("FAILED", 0), {"executionArn": ARN})
    stub.add_response("redrive_execution", {"redriveDate": T0}, {"executionArn": ARN})
    stub.add_response("describe_state_machine_for_execution", definition_response(deployed), {"executionArn": ARN})
    assert main(["redrive", ARN]) == 0
    err = capsys.readouterr().err
    assert ("warning: examples/train-evaluate/evaluate.py changed since this execution started; a redrive runs the "
            "code the execution started with") in err
    assert "start a new execution" in err


def test_unchanged_code_or_an_unreadable_definition_warns_nothing(stub, project, capsys) -> None:
    from sagemaker_sfn.code_pin import pin_code

    pinned = pin_code({"StartAt": "Evaluate", "States": {"Evaluate": processing(
        "s3://${DataBucket}/code/train-evaluate/evaluate.py")}}, project / "examples").definition
    newest(stub)
    stub.add_response("describe_execution", describe("FAILED", 0), {"executionArn": ARN})
    stub.add_response("redrive_execution", {"redriveDate": T0}, {"executionArn": ARN})
    stub.add_response("describe_state_machine_for_execution", definition_response(pinned), {"executionArn": ARN})
    assert main(["redrive", ARN]) == 0
    newest(stub)
    stub.add_response("describe_execution", describe("FAILED", 1), {"executionArn": ARN})
    stub.add_response("redrive_execution", {"redriveDate": T0}, {"executionArn": ARN})
    stub.add_client_error("describe_state_machine_for_execution", service_error_code="AccessDeniedException",
                          service_message="not allowed", http_status_code=400)
    assert main(["redrive", ARN]) == 0
    assert "warning" not in capsys.readouterr().err


def test_an_execution_that_ended_in_a_fail_state_is_redriven_with_a_warning(stub, project, capsys) -> None:
    caught = FIRST[:2] + [
        event(3, "TaskFailed", taskFailedEventDetails={"resourceType": "sagemaker", "resource": "createProcessingJob.sync",
                                                      "error": "States.TaskFailed", "cause": "boom"}),
        event(4, "TaskStateExited", stateExitedEventDetails={"name": "Score"}),
        event(5, "FailStateEntered", stateEnteredEventDetails={"name": "Failed: Score"}),
        event(6, "ExecutionFailed", executionFailedEventDetails={"error": "demo.StepFailed"})]
    newest(stub, caught)
    stub.add_response("describe_execution", describe("FAILED", 0), {"executionArn": ARN})
    stub.add_response("redrive_execution", {"redriveDate": T0}, {"executionArn": ARN})
    stub.add_response("describe_state_machine_for_execution", definition_response({"StartAt": "A", "States": {}}),
                      {"executionArn": ARN})
    assert main(["redrive", ARN]) == 0   # AWS accepts it: a warning, not a refusal
    err = capsys.readouterr().err
    assert "warning: the execution ended in the Fail state 'Failed: Score', after its error was caught" in err
    assert "on_failure: stop" in err


def test_fail_state_warning_reads_the_last_state_entered_in_either_order() -> None:
    from sagemaker_sfn.redrive import fail_state_warning

    assert fail_state_warning(FIRST) is None and fail_state_warning(list(reversed(FIRST))) is None
    ended = FIRST[:2] + [event(3, "FailStateEntered", stateEnteredEventDetails={"name": "Stop"}),
                         event(4, "ExecutionFailed", executionFailedEventDetails={})]
    assert "'Stop'" in fail_state_warning(ended) and "'Stop'" in fail_state_warning(list(reversed(ended)))
    assert fail_state_warning([]) is None
