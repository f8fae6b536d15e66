"""start / status / history against a moto server on 127.0.0.1 (AWS_ENDPOINT_URL), as a user runs them."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from sagemaker_sfn.cli import main

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/states"
PASS_DEFINITION = {"StartAt": "Prepare", "States": {
    "Prepare": {"Type": "Pass", "Parameters": {"rows.$": "$.rows", "doubled.$": "States.MathAdd($.rows, $.rows)"},
                "Next": "Done"},
    "Done": {"Type": "Succeed"}}}
FAIL_DEFINITION = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Data.Missing", "Cause": "no rows"}}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def execute_asl(endpoint: str, enabled: bool) -> None:
    """moto runs ASL only with this switch on, and then only for machines made through its API:
    machines that its CloudFormation creates stay in the non-executing backend."""
    body = json.dumps({"stepfunctions": {"execute_state_machine": enabled}}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/config", data=body, method="POST"))


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        yield endpoint
    finally:
        # The switch is process-wide in moto: leave it as other tests expect it.
        execute_asl(endpoint, False)
        server.stop()


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    execute_asl(moto_endpoint, True)
    session = boto3.Session(region_name=REGION)
    yield session
    # Leave the shared server empty for the next test.
    sfn = session.client("stepfunctions")
    for machine in sfn.list_state_machines()["stateMachines"]:
        sfn.delete_state_machine(stateMachineArn=machine["stateMachineArn"])
    execute_asl(moto_endpoint, False)
    for machine in sfn.list_state_machines()["stateMachines"]:
        sfn.delete_state_machine(stateMachineArn=machine["stateMachineArn"])
    cfn = session.client("cloudformation")
    for stack in cfn.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]:
        cfn.delete_stack(StackName=stack["StackName"])


def create_machine(session: boto3.Session, name: str, definition: dict) -> str:
    return session.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def deploy_pipeline_stack(session: boto3.Session, endpoint: str, *, stack: str, name: str, example_input: dict) -> str:
    """A stack shaped like stacks/pipeline_stack.py's outputs, deployed through moto's CloudFormation
    (whose machines moto does not execute: the tests using it check the start, not the run)."""
    execute_asl(endpoint, False)
    template = {
        "Resources": {"Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "StateMachineName": name, "RoleArn": ROLE, "DefinitionString": json.dumps(PASS_DEFINITION)}}},
        "Outputs": {"StateMachineArn": {"Value": {"Ref": "Machine"}},
                    "ExecutionInput": {"Value": json.dumps(example_input)}},
    }
    session.client("cloudformation").create_stack(StackName=stack, TemplateBody=json.dumps(template))
    outputs = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    return {o["OutputKey"]: o["OutputValue"] for o in outputs}["StateMachineArn"]


def executions(session: boto3.Session, arn: str) -> list[dict]:
    sfn = session.client("stepfunctions")
    return [sfn.describe_execution(executionArn=e["executionArn"])
            for e in sfn.list_executions(stateMachineArn=arn)["executions"]]


def test_start_by_pipeline_name_uses_the_stack_output_and_its_example_input(aws, moto_endpoint, capsys) -> None:
    arn = deploy_pipeline_stack(aws, moto_endpoint, stack="SageMakerSfn-demo", name="demo", example_input={"rows": 21})
    assert main(["start", "demo"]) == 0
    [execution] = executions(aws, arn)
    assert capsys.readouterr().out == f"started {execution['executionArn']}\n"
    assert json.loads(execution["input"]) == {"rows": 21}


def test_wait_prints_each_state_and_exits_0_on_success(aws, capsys) -> None:
    arn = create_machine(aws, "demo", PASS_DEFINITION)
    assert main(["start", arn, "--wait", "--poll", "0.1", "--input", '{"rows": 21}']) == 0
    out = capsys.readouterr().out.splitlines()
    [execution] = executions(aws, arn)
    assert out[0] == f"started {execution['executionArn']}"
    assert json.loads(execution["output"]) == {"rows": 21, "doubled": 42}
    # Per-state progress, then the final status; times vary, so compare what follows them.
    assert [line.split("  ", 1)[1] for line in out[1:-1]] == [
        "ExecutionStarted", "PassStateEntered  Prepare", "PassStateExited  Prepare",
        "SucceedStateEntered  Done", "SucceedStateExited  Done", "ExecutionSucceeded"]
    assert out[-1] == "execution SUCCEEDED"


def test_start_with_custom_stack_prefix_and_inline_input(aws, moto_endpoint, capsys) -> None:
    arn = deploy_pipeline_stack(aws, moto_endpoint, stack="Team-demo", name="demo", example_input={"rows": 1})
    assert main(["start", "demo", "--stack-prefix", "Team", "--input", '{"rows": 5}', "--name", "run-5"]) == 0
    [execution] = executions(aws, arn)
    assert execution["name"] == "run-5"
    assert json.loads(execution["input"]) == {"rows": 5}
    assert capsys.readouterr().out == f"started {execution['executionArn']}\n"


def test_start_by_arn_with_input_file(aws, tmp_path, capsys) -> None:
    arn = create_machine(aws, "by-arn", PASS_DEFINITION)
    path = tmp_path / "input.json"
    path.write_text('{"rows": 3}')
    assert main(["start", arn, "--input", str(path)]) == 0
    [execution] = executions(aws, arn)
    assert json.loads(execution["input"]) == {"rows": 3}


def test_start_finds_a_machine_by_name_when_no_stack_exists(aws, capsys) -> None:
    arn = create_machine(aws, "own-app", PASS_DEFINITION)
    assert main(["start", "own-app", "--input", '{"rows": 2}']) == 0
    assert len(executions(aws, arn)) == 1


def test_failed_execution_exits_1_and_status_history_explain_it(aws, capsys) -> None:
    create_machine(aws, "broken", FAIL_DEFINITION)
    assert main(["start", "broken", "--wait", "--poll", "0.1"]) == 1
    out = capsys.readouterr().out.splitlines()
    execution_arn = out[0].removeprefix("started ")
    assert out[-4].split("  ", 1)[1] == "ExecutionFailed  Data.Missing: no rows"
    assert out[-3:] == ["execution FAILED", "error:     Data.Missing in state 'Boom'", "cause:     no rows"]

    assert main(["status", execution_arn]) == 1
    status = capsys.readouterr().out.splitlines()
    assert status[0] == "status:         FAILED"
    assert status[1] == f"execution:      {execution_arn}"
    assert status[-3:] == ["error:          Data.Missing", "cause:          no rows", "failed state:   Boom"]

    assert main(["history", execution_arn]) == 0
    history = [line.split("  ", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert history == ["ExecutionStarted", "FailStateEntered  Boom", "ExecutionFailed  Data.Missing: no rows"]

    assert main(["history", execution_arn, "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [e["type"] for e in events] == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]


def test_status_json_of_a_succeeded_execution(aws, capsys) -> None:
    arn = create_machine(aws, "ok", PASS_DEFINITION)
    assert main(["start", "ok", "--wait", "--poll", "0.1", "--input", '{"rows": 4}']) == 0
    execution_arn = capsys.readouterr().out.splitlines()[0].removeprefix("started ")
    assert main(["status", execution_arn, "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    assert {k: described[k] for k in ("executionArn", "stateMachineArn", "status")} == {
        "executionArn": execution_arn, "stateMachineArn": arn, "status": "SUCCEEDED"}
    assert json.loads(described["output"]) == {"rows": 4, "doubled": 8}


def test_fails_on_unknown_pipeline_listing_what_exists(aws, capsys) -> None:
    create_machine(aws, "known", PASS_DEFINITION)
    assert main(["start", "nope"]) == 2
    err = capsys.readouterr().err
    assert err == ("sagemaker-sfn start: error: unknown pipeline 'nope': no stack SageMakerSfn-nope with a "
                   "StateMachineArn output and no state machine of that name in us-east-1 (state machines: known); "
                   "deploy it first (docs/deploy.md) or pass the state machine ARN\n")


@pytest.mark.parametrize("value, message", [
    ("{rows: 1}", "--input is not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
    ("missing.json", "--input file not found: missing.json"),
])
def test_fails_on_invalid_input_before_calling_aws(value, message, capsys, monkeypatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)  # parsing happens first, so no AWS error can mask it
    assert main(["start", "demo", "--input", value]) == 2
    assert capsys.readouterr().err == f"sagemaker-sfn start: error: {message}\n"


def test_fails_without_region(monkeypatch, capsys, tmp_path) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    assert main(["status", "arn:aws:states:us-east-1:123456789012:execution:m:e"]) == 2
    assert "error: no AWS region configured: set AWS_REGION" in capsys.readouterr().err


def test_fails_without_credentials(monkeypatch, capsys, tmp_path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    # No instance metadata on this machine: make botocore give up at once instead of timing out.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    assert main(["history", "arn:aws:states:us-east-1:123456789012:execution:m:e"]) == 2
    assert "error: no AWS credentials found: run `aws configure`" in capsys.readouterr().err


def test_fails_on_a_non_execution_arn(aws, capsys) -> None:
    assert main(["status", "arn:aws:states:us-east-1:123456789012:stateMachine:m"]) == 2
    assert "is not an execution ARN" in capsys.readouterr().err


def test_unknown_execution_is_an_aws_error_not_a_traceback(aws, capsys) -> None:
    assert main(["status", "arn:aws:states:us-east-1:123456789012:execution:m:missing"]) == 1
    assert capsys.readouterr().err.startswith("sagemaker-sfn status: error: DescribeExecution: ExecutionDoesNotExist")


WAIT_DEFINITION = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 30, "End": True}}}


def test_wait_timeout_gives_up_waiting_with_exit_5_and_leaves_the_execution_running(aws, capsys) -> None:
    arn = create_machine(aws, "slow", WAIT_DEFINITION)
    assert main(["start", arn, "--wait", "--poll", "0.1", "--timeout", "0.5"]) == 5
    out = capsys.readouterr().out.splitlines()
    execution_arn = out[0].removeprefix("started ")
    assert out[-1] == (f"still RUNNING after --timeout 0.5s: not waiting any longer (follow it with "
                       f"`sagemaker-sfn status {execution_arn}`)")
    assert aws.client("stepfunctions").describe_execution(executionArn=execution_arn)["status"] == "RUNNING"


@pytest.mark.parametrize("argv, message", [
    (["--timeout", "5"], "--timeout SECONDS goes with --wait and must be more than 0"),
    (["--wait", "--timeout", "0"], "--timeout SECONDS goes with --wait and must be more than 0"),
    (["--name", "two words"], "invalid execution name 'two words': 1-80 characters, none of them white space"),
])
def test_start_refuses_bad_options_before_calling_aws(argv, message, capsys) -> None:
    assert main(["start", "arn:aws:states:us-east-1:123456789012:stateMachine:m", *argv]) == 2
    assert capsys.readouterr().err.startswith(f"sagemaker-sfn start: error: {message}")
