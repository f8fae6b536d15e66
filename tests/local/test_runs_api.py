"""`sagemaker_sfn.local.run_local` / `prepare_local_run`: a local run from Python, as a user's own
tests would call it, with the records `run --local` writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_sfn.errors import DefinitionError, UsageError
from sagemaker_sfn.local import LocalRunResult, prepare_local_run, run_local
from sagemaker_sfn.local.record import ExecutionAlreadyExists

DEFINITION = {
    "StartAt": "Score",
    "States": {
        "Score": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "${ScoreFunctionArn}", "Payload": {"rows.$": "$.rows"}},
                  "ResultSelector": {"score.$": "$.Payload.score"}, "ResultPath": "$.result",
                  "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Failed"}],
                  "Next": "Done"},
        "Failed": {"Type": "Fail", "Error": "ScoringFailed", "Cause": "the scoring Lambda failed"},
        "Done": {"Type": "Succeed"},
    },
}
MOCKS = {
    "StateMachines": {"demo": {"TestCases": {"Happy": {"Score": "Scored"}, "Broken": {"Score": "Fails"}}}},
    "MockedResponses": {
        "Scored": {"0": {"Return": {"StatusCode": 200, "Payload": {"score": 0.93}}}},
        "Fails": {"0": {"Throw": {"Error": "States.TaskFailed", "Cause": "ValueError: no rows"}}},
    },
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "asl_templates").mkdir()
    (tmp_path / "asl_templates" / "demo.asl.json").write_text(json.dumps(DEFINITION))
    (tmp_path / "mocks.json").write_text(json.dumps(MOCKS))
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path.parent)   # the API takes the project as root=, not from the working directory
    return tmp_path


def test_a_mocked_run_returns_status_output_and_history_and_records_them(project: Path) -> None:
    events: list[str] = []
    result = run_local("demo", root=project, execution_input={"rows": 3}, name="first",
                       mock_config=project / "mocks.json", test_case="Happy", on_event=lambda e: events.append(e["type"]))
    assert isinstance(result, LocalRunResult)
    assert (result.status, result.output, result.error) == ("SUCCEEDED", {"rows": 3, "result": {"score": 0.93}}, None)
    assert [e["type"] for e in result.history] == events
    assert events[0] == "ExecutionStarted" and events[-1] == "ExecutionSucceeded"
    assert result.run_dir == project / ".sfn-local" / "first"
    assert json.loads((result.run_dir / "output.json").read_text())["output"] == result.output
    assert json.loads((result.run_dir / "history.json").read_text()) == result.history
    assert (result.run_dir / "report.html").is_file()


def test_a_failed_run_says_where_and_why(project: Path) -> None:
    result = run_local("demo", root=project, execution_input={"rows": 0}, mock_config=project / "mocks.json",
                       test_case="Broken")
    assert (result.status, result.error, result.cause) == ("FAILED", "ScoringFailed", "the scoring Lambda failed")
    outcome = result.outcome()
    assert outcome["failure"] == {"state": "Failed", "error": "ScoringFailed", "job": None,
                                  "caused_by": {"state": "Score", "error": "States.TaskFailed"}}
    assert result.failure.caused_by.cause == "ValueError: no rows"   # what the Catch passed on
    assert json.loads((result.run_dir / "output.json").read_text())["failure"] == outcome["failure"]


def test_bad_input_is_refused_before_anything_runs(project: Path) -> None:
    run_local("demo", root=project, execution_input={"rows": 1}, name="taken", mock_config=project / "mocks.json",
              test_case="Happy")
    with pytest.raises(ExecutionAlreadyExists, match="an execution named 'taken' was already run"):
        prepare_local_run("demo", root=project, name="taken", mock_config=project / "mocks.json", test_case="Happy")
    with pytest.raises(UsageError, match="go together"):
        prepare_local_run("demo", root=project, mock_config=project / "mocks.json")
    broken = project / "broken.asl.json"
    broken.write_text(json.dumps({"StartAt": "Nowhere", "States": {"Done": {"Type": "Succeed"}}}))
    with pytest.raises(DefinitionError, match="invalid"):
        prepare_local_run(broken, root=project)
    assert not (project / ".sfn-local" / "broken").exists()


def test_ctrl_c_records_the_run_aborted_and_goes_on_to_the_caller(project: Path) -> None:
    planned = prepare_local_run("demo", root=project, execution_input={"rows": 1}, name="stopped",
                                mock_config=project / "mocks.json", test_case="Happy")
    seen: list[dict] = []

    def interrupt(event: dict) -> None:
        if event["type"] == "TaskScheduled":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        planned.execute(on_event=interrupt, interrupted=seen.append)
    assert seen == [json.loads((planned.run_dir / "output.json").read_text())]
    assert seen[0]["status"] == "ABORTED"
    assert json.loads((planned.run_dir / "history.json").read_text())[-1]["type"] == "ExecutionAborted"


def test_a_real_run_of_a_definition_without_tasks(project: Path) -> None:
    passes = project / "passes.asl.json"
    passes.write_text(json.dumps({"StartAt": "Add", "States": {
        "Add": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "End": True}}}))
    result = run_local(passes, root=project, execution_input={"a": 2, "b": 3})
    assert (result.status, result.output) == ("SUCCEEDED", {"sum": 5})
    assert result.run_dir.parent == project / ".sfn-local"
