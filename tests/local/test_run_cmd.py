"""`sagemaker-sfn run ... --local`: mocked runs end to end through the CLI, and every way to get it wrong."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main

DEFINITION = {
    "StartAt": "Train",
    "States": {
        "Train": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${GenerateDatasetFunctionArn}", "Payload": {"rows.$": "$.rows"}},
            "ResultSelector": {"rows.$": "$.Payload.rows"},
            "Retry": [{"ErrorEquals": ["SageMaker.ResourceLimitExceededException"], "IntervalSeconds": 60,
                       "MaxAttempts": 5, "BackoffRate": 1.0}],
            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Notify"}],
            "Next": "Done",
        },
        "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                   "Parameters": {"TopicArn": "${FailureTopicArn}", "Message.$": "$.error.Cause"},
                   "Next": "Failed"},
        "Failed": {"Type": "Fail", "Error": "TrainingFailed", "Cause": "see the notification"},
        "Done": {"Type": "Succeed"},
    },
}
MOCKS = {
    "StateMachines": {"demo": {"TestCases": {
        "Capacity": {"Train": "CapacityThenDone"},
        "JobFails": {"Train": "JobFailed", "Notify": "Published"},
        "NotifyUnmocked": {"Train": "JobFailed"},
    }}},
    "MockedResponses": {
        "CapacityThenDone": {
            "0-2": {"Throw": {"Error": "SageMaker.ResourceLimitExceededException", "Cause": "limit"}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"rows": 100}}},
        },
        "JobFailed": {"0": {"Throw": {"Error": "States.TaskFailed", "Cause": "AlgorithmError"}}},
        "Published": {"0": {"Return": {"MessageId": "m-1"}}},
    },
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project with asl_templates/demo.asl.json and a mock file, as the working directory."""
    (tmp_path / "asl_templates").mkdir()
    (tmp_path / "asl_templates" / "demo.asl.json").write_text(json.dumps(DEFINITION))
    (tmp_path / "mocks.json").write_text(json.dumps(MOCKS))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return tmp_path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_mode_prints_exactly_one_object_and_writes_the_run_dir(project, capsys):
    code, out, err = run_cli(capsys, "demo", "--local", "--mock-config", "mocks.json", "--test-case", "Capacity",
                             "--input", '{"rows": 100}', "--name", "exec-1", "--json", "--history", "h.json")
    assert (code, json.loads(out), err) == (0, {"status": "SUCCEEDED", "output": {"rows": 100}, "error": None,
                                                "cause": None}, "")
    assert out.count("\n") == 1
    run_dir = project / ".sfn-local" / "exec-1"
    assert json.loads((run_dir / "output.json").read_text()) == json.loads(out)
    history = json.loads((run_dir / "history.json").read_text())
    assert json.loads((project / "h.json").read_text()) == {"events": history}   # GetExecutionHistory's shape
    events = history["events"] if isinstance(history, dict) else history
    assert [e["type"] for e in events if e["type"] in {"TaskScheduled", "TaskFailed", "TaskSucceeded"}] == [
        "TaskScheduled", "TaskFailed"] * 3 + ["TaskScheduled", "TaskSucceeded"]
    # Placeholders were bound to local values before the run.
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")
    assert json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["FunctionName"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:generate_dataset")


def test_progress_and_summary(project, capsys):
    code, out, err = run_cli(capsys, "demo", "--local", "--mock-config", "mocks.json", "--test-case", "Capacity",
                             "--name", "exec-2", "--input", '{"rows": 1}')
    out = re.sub(r"simulated, [0-9.]+s real", "simulated, Xs real", out)
    assert (code, err) == (0, "")
    assert out == """\
[00:00:00] > Train (Task)
[00:00:00]   task failed: SageMaker.ResourceLimitExceededException: limit
[00:01:00]   retry 1 of Train after SageMaker.ResourceLimitExceededException
[00:01:00]   task failed: SageMaker.ResourceLimitExceededException: limit
[00:02:00]   retry 2 of Train after SageMaker.ResourceLimitExceededException
[00:02:00]   task failed: SageMaker.ResourceLimitExceededException: limit
[00:03:00]   retry 3 of Train after SageMaker.ResourceLimitExceededException
[00:03:00] < Train
[00:03:00] > Done (Succeed)
[00:03:00] < Done

SUCCEEDED  exec-2
  duration:  3m00s simulated, Xs real
  states:    2 run, 3 retries (Train x3)
  history:   .sfn-local/exec-2/history.json
  output:    .sfn-local/exec-2/output.json
  report:    .sfn-local/exec-2/report.html
"""


def test_caught_failure_exits_1_with_the_failure_path(project, capsys):
    code, out, err = run_cli(capsys, "demo", "--local", "--mock-config", "mocks.json", "--test-case", "JobFails",
                             "--name", "exec-3", "--input", '{"rows": 1}')
    out = re.sub(r"simulated, [0-9.]+s real", "simulated, Xs real", out)
    assert (code, err) == (1, "")
    assert out == """\
[00:00:00] > Train (Task)
[00:00:00]   task failed: States.TaskFailed: AlgorithmError
[00:00:00] < Train
[00:00:00] caught States.TaskFailed -> Notify
[00:00:00] > Notify (Task)
[00:00:00] < Notify
[00:00:00] > Failed (Fail)
[00:00:00] execution failed: TrainingFailed: see the notification

FAILED  exec-3
  error:     TrainingFailed in state 'Failed'
  cause:     see the notification
  duration:  0.0s simulated, Xs real
  states:    3 run, 0 retries, 1 error caught
  history:   .sfn-local/exec-3/history.json
  output:    .sfn-local/exec-3/output.json
  report:    .sfn-local/exec-3/report.html
"""


def test_unmocked_task_runs_through_the_local_integrations(project, capsys):
    """Step Functions Local's HybridPath: Notify is not mocked, so it really publishes (to the local SNS)."""
    code, out, _ = run_cli(capsys, "demo", "--local", "--mock-config", "mocks.json", "--test-case",
                           "NotifyUnmocked", "--json", "--input", '{"rows": 1}', "--history", "h.json")
    assert (code, json.loads(out)["error"], json.loads(out)["cause"]) == (1, "TrainingFailed", "see the notification")
    events = json.loads((project / "h.json").read_text())["events"]
    published = [e for e in events if e["type"] == "TaskSucceeded" and e["taskSucceededEventDetails"]["resource"]
                 == "publish"]
    assert len(published) == 1 and "MessageId" in json.loads(published[0]["taskSucceededEventDetails"]["output"])


def test_file_target_uses_file_name_and_state_machine_name_override(project, capsys):
    Path("other.asl.json").write_text(json.dumps(DEFINITION))
    code, _, err = run_cli(capsys, "other.asl.json", "--local", "--mock-config", "mocks.json",
                           "--test-case", "Capacity", "--json")
    assert (code, err) == (2, "sagemaker-sfn run: error: mocks.json: no state machine 'other' under StateMachines "
                              "(known: demo); use --state-machine-name to pick another\n")
    code, out, _ = run_cli(capsys, "other.asl.json", "--local", "--mock-config", "mocks.json", "--test-case",
                           "Capacity", "--state-machine-name", "demo", "--input", '{"rows": 1}', "--json")
    assert (code, json.loads(out)["status"]) == (0, "SUCCEEDED")


def test_input_from_file(project, capsys):
    Path("in.json").write_text('{"rows": 7}')
    code, out, _ = run_cli(capsys, "demo", "--local", "--mock-config", "mocks.json", "--test-case", "Capacity",
                           "--input", "@in.json", "--json")
    assert (code, json.loads(out)["output"]) == (0, {"rows": 100})


@pytest.mark.parametrize("argv, message", [
    (["--input", "{rows: 1}"], "--input is not valid JSON: Expecting property name enclosed in double quotes at "
                               "line 1 column 2 (use @FILE to read the input from a file)"),
    (["--input", "@missing.json"], "missing.json: no such file"),
    (["--test-case", "Nope"], "mocks.json: no test case 'Nope' for state machine 'demo' "
                              "(known test cases: Capacity, JobFails, NotifyUnmocked)"),
    (["--name", "bad name"], "invalid execution name 'bad name': 1-80 characters, none of them white space, "
                             "brackets < > { } [ ], wildcards ? *, the special characters \" # % \\ ^ | ~ ` $ & , ; : /, "
                             "or control characters (StartExecution's name rules)"),
    (["--name", ".."], "invalid execution name '..': Step Functions accepts it, but it would put this run's files "
                       "outside .sfn-local/<name>/; choose another name"),
])
def test_fails_bad_input_with_exit_2(project, capsys, argv, message):
    args = ["demo", "--local", "--mock-config", "mocks.json", "--test-case", "Capacity", "--json"]
    if "--test-case" in argv:
        args = args[:4] + args[6:]
    code, out, err = run_cli(capsys, *args, *argv)
    assert (code, out, err) == (2, "", f"sagemaker-sfn run: error: {message}\n")


def test_fails_wrong_mock_file(project, capsys):
    Path("bad.json").write_text(json.dumps({"StateMachines": {"demo": {"TestCases": {"C": {"Train": "Gone"}}}},
                                            "MockedResponses": {"R": {"1": {"Return": {}}}}}))
    code, out, err = run_cli(capsys, "demo", "--local", "--mock-config", "bad.json", "--test-case", "C")
    assert (code, out) == (2, "")
    assert err == (
        "sagemaker-sfn run: error: bad.json: invalid mock config (2 problems):\n"
        "  $.MockedResponses.R: invocation(s) 0 have no response; keys must be consecutive from 0 (next key is \"1\")\n"
        "  $.StateMachines.demo.TestCases.C.Train: no mocked response named \"Gone\" under MockedResponses (known: R)\n")


def test_fails_invalid_definition_before_running(project, capsys):
    pytest.importorskip("sagemaker_sfn.validate")
    broken = json.loads(json.dumps(DEFINITION))
    broken["States"]["Train"]["Next"] = "Nowhere"
    Path("broken.asl.json").write_text(json.dumps(broken))
    code, out, err = run_cli(capsys, "broken.asl.json", "--local", "--mock-config", "mocks.json",
                             "--test-case", "Capacity", "--state-machine-name", "demo")
    assert (code, out) == (2, "")
    assert err.startswith("sagemaker-sfn run: error: broken.asl.json: the definition is invalid, not running it (")
    assert "$.States.Train.Next" in err and "Nowhere" in err
    assert not (project / ".sfn-local").exists()


@pytest.mark.parametrize("argv, message", [
    (["demo"], "only local runs are supported here: add --local (to run a state machine deployed to AWS, "
               "use `sagemaker-sfn start`)"),
    (["demo", "--local", "--mock-config", "mocks.json"], "--mock-config and --test-case go together: give both to "
                                                         "run with mocked tasks, or neither to run the tasks for real"),
    (["nothing", "--local"], "'nothing' is neither a file nor a pipeline name (known pipelines: demo)"),
])
def test_fails_usage(project, capsys, argv, message):
    assert run_cli(capsys, *argv) == (2, "", f"sagemaker-sfn run: error: {message}\n")


def test_real_run_without_local_environment(project, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "sagemaker_sfn.local.environment", None)
    code, out, err = run_cli(capsys, "demo", "--local", "--json")
    assert (code, out) == (2, "")
    assert err.startswith("sagemaker-sfn run: error: local AWS environment not available (")
    assert err.endswith("run with --mock-config FILE --test-case NAME to mock the tasks\n")


def test_progress_indents_map_iterations_and_parallel_branches(tmp_path, monkeypatch, capsys):
    definition = {"StartAt": "Fan", "States": {
        "Fan": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Work", "States": {
                "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                         "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                         "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 2,
                                    "MaxAttempts": 2}], "End": True}}}, "Next": "Both"},
        "Both": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 5, "Next": "C"},
                                        "C": {"Type": "Pass", "End": True}}}]}}}
    mocks = {"StateMachines": {"mp": {"TestCases": {"T": {"Work": "W"}}}}, "MockedResponses": {"W": {
        "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
        "1-9": {"Return": {"Payload": 1}}}}}
    (tmp_path / "mp.asl.json").write_text(json.dumps(definition))
    (tmp_path / "m.json").write_text(json.dumps(mocks))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "mp.asl.json", "--local", "--mock-config", "m.json", "--test-case", "T",
                             "--input", '{"items": [1, 2]}', "--name", "e")
    out = re.sub(r"simulated, [0-9.]+s real", "simulated, Xs real", out)
    assert (code, err) == (0, "")
    assert out == """\
[00:00:00] > Fan (Map)
[00:00:00]   map over 2 item(s)
[00:00:00]   [0] > Work (Task)
[00:00:00]   [0]   task failed: Lambda.TooManyRequestsException: slow down
[00:00:02]   [0]   retry 1 of Work after Lambda.TooManyRequestsException
[00:00:02]   [0] < Work
[00:00:02]   [1] > Work (Task)
[00:00:02]   [1] < Work
[00:00:02] < Fan
[00:00:02] > Both (Parallel)
[00:00:02]   (branch 1) > A (Pass)
[00:00:02]   (branch 2) > B (Wait)
[00:00:02]   (branch 1) < A
[00:00:07]   (branch 2) < B
[00:00:07]   (branch 2) > C (Pass)
[00:00:07]   (branch 2) < C
[00:00:07] < Both

SUCCEEDED  e
  duration:  7.0s simulated, Xs real
  states:    7 run, 1 retry (Work x1)
  history:   .sfn-local/e/history.json
  output:    .sfn-local/e/output.json
  report:    .sfn-local/e/report.html
"""
