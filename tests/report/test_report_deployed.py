"""report / runs / logs on deployed executions: a moto server on 127.0.0.1 stands in for AWS.

moto runs the state machine (its ASL interpreter, switched on through its config API) and its
request-response `sagemaker:createTrainingJob` really creates the job in moto's SageMaker; the job's
CloudWatch stream is written by the test, as SageMaker would (`<job>/algo-1-<epoch>` in
/aws/sagemaker/TrainingJobs).
"""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from sagemaker_sfn.cli import main

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/states"
JOB = "train-deployed-1"
DEFINITION = {"StartAt": "Prepare", "States": {
    "Prepare": {"Type": "Pass", "Result": {"rows": 10}, "ResultPath": "$.data", "Next": "Train"},
    "Train": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob",
              "Parameters": {"TrainingJobName": JOB,
                             "AlgorithmSpecification": {"TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/"
                                                        "sagemaker-xgboost:1.7-1", "TrainingInputMode": "File"},
                             "RoleArn": "arn:aws:iam::123456789012:role/sagemaker",
                             "OutputDataConfig": {"S3OutputPath": "s3://data/models"},
                             "ResourceConfig": {"InstanceCount": 2, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 10},
                             "StoppingCondition": {"MaxRuntimeInSeconds": 600}},
              "ResultPath": "$.train", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}], "Next": "Tune"},
    "Tune": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createHyperParameterTuningJob",
             "Parameters": {"HyperParameterTuningJobName": "tune-deployed-1",
                            "HyperParameterTuningJobConfig": {
                                "Strategy": "Bayesian",
                                "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:rmse"},
                                "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2},
                                "ParameterRanges": {"ContinuousParameterRanges": [
                                    {"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5"}]}},
                            "TrainingJobDefinition": {
                                "AlgorithmSpecification": {"TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/"
                                                           "sagemaker-xgboost:1.7-1", "TrainingInputMode": "File"},
                                "RoleArn": "arn:aws:iam::123456789012:role/sagemaker",
                                "OutputDataConfig": {"S3OutputPath": "s3://data/models"},
                                "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                                   "VolumeSizeInGB": 10},
                                "StoppingCondition": {"MaxRuntimeInSeconds": 600}}},
             "ResultPath": "$.tune", "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.data.rows", "NumericGreaterThan": 5, "Next": "Done"}],
              "Default": "Failed"},
    "Failed": {"Type": "Fail", "Error": "Pipeline.Failed"},
    "Done": {"Type": "Succeed"}}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def execute_asl(endpoint: str, enabled: bool) -> None:
    body = json.dumps({"stepfunctions": {"execute_state_machine": enabled}}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/config", data=body, method="POST"))


@pytest.fixture(scope="module")
def moto_server() -> Iterator[tuple[str, int]]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        execute_asl(f"http://127.0.0.1:{port}", False)   # process-wide in moto: leave it as found
        server.stop()


@pytest.fixture(scope="module")
def deployed(moto_server, tmp_path_factory) -> Iterator[str]:
    """One finished execution of DEFINITION on the moto server; yields its ARN."""
    endpoint, port = moto_server
    patch = pytest.MonkeyPatch()
    for key, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
                       "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "MOTO_PORT": str(port)}.items():   # MOTO_PORT: where moto's ASL tasks call its APIs
        patch.setenv(key, value)
    patch.delenv("AWS_PROFILE", raising=False)
    execute_asl(endpoint, True)
    session = boto3.Session(region_name=REGION)
    sfn = session.client("stepfunctions")
    machine = sfn.create_state_machine(name="deployed-demo", definition=json.dumps(DEFINITION), roleArn=ROLE)
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="run-1", input='{"x": 1}')
    deadline = time.monotonic() + 60
    while sfn.describe_execution(executionArn=execution["executionArn"])["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the moto execution did not finish in 60 s"
        time.sleep(0.2)
    logs = session.client("logs")
    logs.create_log_group(logGroupName="/aws/sagemaker/TrainingJobs")
    logs.create_log_stream(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=f"{JOB}/algo-1-1700000000")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=f"{JOB}/algo-1-1700000000",
                        logEvents=[{"timestamp": now + i, "message": f"[{i}] train-rmse:{1 / (i + 1):.3f}"}
                                   for i in range(60)])
    try:
        yield execution["executionArn"]
    finally:
        sfn.delete_state_machine(stateMachineArn=machine["stateMachineArn"])
        patch.undo()


@pytest.fixture
def env(deployed, moto_server, monkeypatch, tmp_path) -> str:
    endpoint, port = moto_server
    for key, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
                       "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.chdir(tmp_path)
    return deployed


def test_report_of_a_deployed_execution(env: str, tmp_path: Path, capsys):
    assert main(["report", env, "-o", "deployed.html"]) == 0
    assert capsys.readouterr().out.strip() == "deployed.html"
    page = (tmp_path / "deployed.html").read_text()
    states = {name: status for status, name in re.findall(r'<g class="state type-\w+ s-([\w-]+)" data-state="([^"]+)"',
                                                           page)}
    assert states == {"Prepare": "succeeded", "Train": "succeeded", "Tune": "succeeded", "Check": "succeeded",
                      "Done": "succeeded", "Failed": "not-reached"}
    # moto answers DescribeHyperParameterTuningJob but has no ListTrainingJobsForHyperParameterTuningJob:
    # the tuning job is still reported, with the one trial its Describe names (BestTrainingJob), marked best.
    assert "HyperParameterTuningJob tune-deployed-1" in page and "#/hyper-tuning-jobs/tune-deployed-1" in page
    assert page.count('class="trial best"') == 1
    assert "TrainingJob train-deployed-1" in page and "2 × ml.m5.xlarge" in page
    assert "[59] train-rmse:0.017" in page                                # the log tail, from CloudWatch
    assert "#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs/log-events/" \
           "train-deployed-1$252Falgo-1-1700000000" in page
    assert f"#/v2/executions/details/{env}" in page
    assert "#/jobs/train-deployed-1" in page
    assert "&quot;x&quot;: 1" in page                                     # the input


def test_default_report_file_is_named_after_the_execution(env: str, tmp_path: Path, capsys):
    assert main(["report", env]) == 0
    assert capsys.readouterr().out.strip() == "run-1.html" and (tmp_path / "run-1.html").is_file()


def test_runs_deployed(env: str, capsys):
    assert main(["runs", "--deployed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # The best metric is the tuning job's best objective, as DescribeHyperParameterTuningJob answers it.
    best = boto3.client("sagemaker").describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="tune-deployed-1")["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]
    assert len(lines) == 2 and re.match(rf"SUCCEEDED\s+\S+ \S+\s+[\d.]+ s\s+deployed-demo\s+run-1\s+"
                                        rf"validation:rmse = {best['Value']:.6g}$", lines[1])
    assert main(["runs", "deployed-demo", "--deployed"]) == 0
    assert "run-1" in capsys.readouterr().out
    assert main(["runs", "nope", "--deployed"]) == 2
    assert "unknown pipeline 'nope'" in capsys.readouterr().err


def test_logs_deployed(env: str, capsys):
    assert main(["logs", JOB, "--deployed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "[0] train-rmse:1.000" and lines[-1] == "[59] train-rmse:0.017" and len(lines) == 60
    assert main(["logs", "no-such-job", "--deployed"]) == 2
    assert "no SageMaker training, processing or transform job named 'no-such-job'" in capsys.readouterr().err


def test_report_of_an_unknown_execution_is_an_aws_error(env: str, capsys):
    arn = env.rsplit(":", 1)[0] + ":missing"
    assert main(["report", arn]) == 1
    assert "DescribeExecution" in capsys.readouterr().err


def test_logs_follow_reads_new_events_until_the_job_has_ended(env: str):
    from sagemaker_sfn.report.logs import cloudwatch_lines

    session = boto3.Session(region_name=REGION)
    status = session.client("sagemaker").describe_training_job(TrainingJobName=JOB)["TrainingJobStatus"]
    assert status == "Completed"
    stream = f"{JOB}/algo-2-1700000000"          # the job's second instance starts logging later
    logs = session.client("logs")
    logs.create_log_stream(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream)
    polls = []

    def sleep(_seconds):
        polls.append(1)
        if len(polls) == 1:
            logs.put_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream,
                                logEvents=[{"timestamp": int(time.time() * 1000), "message": "late line"}])

    lines = list(cloudwatch_lines(session, JOB, follow=True, sleep=sleep))
    assert lines[-1] == "late line" and len(lines) == 61
    assert len(polls) == 2          # one poll found the late line, the next found nothing new: done
