"""A real local run whose job fails or is interrupted: the job's own error on the terminal, in
--json, in the Describe record and the Step Functions cause; --logs; Ctrl-C recorded ABORTED."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from part2_helpers import training_request

from sagemaker_sfn.cli import main
from sagemaker_sfn.failures import explain_execution, failure_lines
from sagemaker_sfn.local.bindings import LOCAL_BUCKET, SKLEARN_IMAGE

SYNC = "arn:aws:states:::sagemaker:createTrainingJob.sync"


def write_definition(project: Path, *, program: str, extra: dict[str, str] | None = None) -> None:
    request = training_request("job-1", image=SKLEARN_IMAGE, hyperparameters={
        "epochs": "1", "sagemaker_program": program, "sagemaker_submit_directory": f"s3://{LOCAL_BUCKET}/code/scripts",
        **(extra or {})})
    request = json.loads(json.dumps(request).replace(LOCAL_BUCKET, "${DataBucket}"))
    definition = {"StartAt": "Train", "States": {"Train": {"Type": "Task", "Resource": SYNC, "Parameters": request,
                                                           "End": True}}}
    (project / "asl_templates").mkdir(exist_ok=True)
    (project / "asl_templates" / "demo.asl.json").write_text(json.dumps(definition))


@pytest.fixture
def failing(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_definition(project, program="train.py", extra={"fail": "yes"})
    monkeypatch.chdir(project)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return project


def test_a_failing_script_shows_its_exception_on_a_normal_length_line(failing: Path, capsys) -> None:
    code = main(["run", "demo", "--local", "--name", "f-1"])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    lines = [re.sub(r"^\[\d\d:\d\d:\d\d\] ", "", line) for line in out.splitlines()]
    assert "    training job job-1: Failed (ValueError: bad epochs setting)" in lines
    assert "  task failed: States.TaskFailed: training job job-1 Failed: ValueError: bad epochs setting" in lines
    assert "execution failed: States.TaskFailed: training job job-1 Failed: ValueError: bad epochs setting" in lines
    assert all(len(line) < 200 for line in lines), "a whole request was dumped on the terminal"
    summary = out.split("\n\nFAILED  f-1\n", 1)[1].splitlines()
    assert summary[:6] == [
        "  error:     States.TaskFailed in state 'Train'",
        "  job:       training job job-1 Failed",
        "  reason:    ValueError: bad epochs setting",
        '               File ".sfn-local/f-1/jobs/job-1/opt/ml/code/train.py", line 5, in <module>',
        "                 raise ValueError('bad epochs setting')",
        "  log:       .sfn-local/f-1/jobs/job-1/logs.txt",
    ]


def test_failure_reason_is_built_as_sagemaker_builds_it_and_carried_by_describe_and_cause(failing: Path, capsys) -> None:
    assert main(["run", "demo", "--local", "--name", "f-2", "--json"]) == 1
    outcome = json.loads(capsys.readouterr().out)
    described = json.loads((failing / ".sfn-local" / "f-2" / "jobs" / "job-1" / "describe.json").read_text())
    reason = described["FailureReason"]
    # sagemaker-training-toolkit: ErrorMessage keeps the lines from the first one naming a Python
    # exception class; SageMaker prefixes AlgorithmError and appends the exit code.
    assert re.fullmatch(r'AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage "raise ValueError\('
                        r"'bad epochs setting'\)\nValueError: bad epochs setting\"\nCommand \"\S+python\S* "
                        r'\S+/train\.py --epochs 1 --fail yes", exit code: 1', reason)
    assert len(reason) <= 1024
    assert json.loads(outcome["cause"])["FailureReason"] == reason
    assert outcome["failure"] == {"state": "Train", "error": "States.TaskFailed", "job": {
        "kind": "TrainingJob", "name": "job-1", "status": "Failed", "reason": reason,
        "headline": "ValueError: bad epochs setting",
        "details": ['File ".sfn-local/f-2/jobs/job-1/opt/ml/code/train.py", line 5, in <module>',
                    "  raise ValueError('bad epochs setting')", "ValueError: bad epochs setting"],
        "log": ".sfn-local/f-2/jobs/job-1/logs.txt"}}
    assert json.loads((failing / ".sfn-local" / "f-2" / "output.json").read_text()) == outcome


def test_the_same_reader_explains_a_deployed_run_with_its_cloudwatch_stream(failing: Path, capsys) -> None:
    # A local history.json and GetExecutionHistory have one shape: the deployed explanation differs
    # only in where the log is (CloudWatch, /aws/sagemaker/TrainingJobs, stream <job>/algo-1-...).
    main(["run", "demo", "--local", "--name", "f-3", "--json"])
    capsys.readouterr()
    events = json.loads((failing / ".sfn-local" / "f-3" / "history.json").read_text())
    failure = explain_execution(events, region="eu-west-1")
    assert failure is not None and failure.job is not None
    assert failure_lines(failure)[:3] == ["error:     States.TaskFailed in state 'Train'",
                                          "job:       training job job-1 Failed",
                                          "reason:    ValueError: bad epochs setting"]
    assert failure.job.log == "CloudWatch Logs /aws/sagemaker/TrainingJobs, stream job-1/algo-1-..."
    assert failure.job.log_url == ("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:"
                                   "log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs"
                                   "$3FlogStreamNameFilter$3Djob-1")


def test_logs_streams_each_jobs_output_prefixed_by_its_name(failing: Path, capsys) -> None:
    assert main(["run", "demo", "--local", "--name", "f-4", "--logs"]) == 1
    out = capsys.readouterr().out
    job_lines = [line for line in out.splitlines() if line.startswith("[job-1] ")]
    assert job_lines[0] == "[job-1] Traceback (most recent call last):"
    assert job_lines[-1] == "[job-1] ValueError: bad epochs setting"
    # Streamed while the job ran: before the job's own Failed line.
    assert out.index("[job-1] ValueError") < out.index("training job job-1: Failed")


def test_ctrl_c_stops_the_job_records_aborted_and_exits_130(project: Path) -> None:
    write_definition(project, program="sleep.py")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("SAGEMAKER_SFN_PROJECT", None)
    process = subprocess.Popen([sys.executable, "-m", "sagemaker_sfn.cli", "run", "demo", "--local", "--name", "c-1",
                                "--logs"], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    seen = []
    for line in process.stdout:   # the job's script is running once it printed "starting"
        seen.append(line)
        if "[job-1] starting" in line:
            break
    process.send_signal(signal.SIGINT)   # to the CLI only: it must stop the job's process itself
    out, err = process.communicate(timeout=60)
    out = "".join(seen) + out
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in out + err and err == ""
    assert "\nABORTED  c-1 (interrupted)\n" in out
    run_dir = project / ".sfn-local" / "c-1"
    history = json.loads((run_dir / "history.json").read_text())
    assert [e["type"] for e in history] == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                                            "ExecutionAborted"]
    assert history[-1]["id"] == 5 and history[-1]["previousEventId"] == 4
    outcome = json.loads((run_dir / "output.json").read_text())
    assert (outcome["status"], outcome["output"]) == ("ABORTED", None)
    described = json.loads((run_dir / "jobs" / "job-1" / "describe.json").read_text())
    assert (described["TrainingJobStatus"], described["SecondaryStatus"]) == ("Stopped", "Stopped")
    # The job's process (sleep.py, 30 s) is gone.
    assert not processes_mentioning(str(run_dir / "jobs" / "job-1"))


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes containing ``text`` (read from /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in line:
            found.append(line)
    return found


def test_a_second_ctrl_c_exits_at_once(project: Path) -> None:
    write_definition(project, program="sleep.py")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("SAGEMAKER_SFN_PROJECT", None)
    process = subprocess.Popen([sys.executable, "-m", "sagemaker_sfn.cli", "run", "demo", "--local", "--name", "c-2",
                                "--logs"], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    assert process.stdout is not None
    for line in process.stdout:
        if "[job-1] starting" in line:
            break
    started = time.monotonic()
    # As a terminal does: the whole process group gets SIGINT, twice in a row.
    os.killpg(process.pid, signal.SIGINT)
    time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert time.monotonic() - started < 20
    assert "Traceback" not in out + err
