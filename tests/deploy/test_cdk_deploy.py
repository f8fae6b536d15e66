"""The deploy path a user follows: the real CDK CLI bootstraps and deploys the app, here against a
moto server on 127.0.0.1, then the CLI starts and inspects an execution of the deployed pipeline.

moto's quirks (docs/deploy.md, "Testing against moto"): its CloudFormation skips
AWS::S3::BucketPolicy, ignores bucket notification settings and records stack outputs only for
direct (CreateStack) deployments, hence ``--method=direct`` as the by-hand steps say; it does not
execute the state machines its CloudFormation creates (their executions stay RUNNING with a canned
history). The assertions below check what moto does model.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from sagemaker_sfn.cli import main

REPO = Path(__file__).resolve().parents[2]
CDK = REPO / "node_modules" / ".bin" / "cdk"
ACCOUNT, REGION = "123456789012", "us-east-1"
STACKS = ["SageMakerSfn-Foundation", "SageMakerSfn-tune-xgboost"]
CLI_TIMEOUT = 600

pytestmark = pytest.mark.skipif(not CDK.exists(), reason="node_modules/ not installed: run scripts/setup.sh")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cdk(*args: str, env: dict[str, str], outdir: Path) -> str:
    result = subprocess.run([str(CDK), *args, "--output", str(outdir)], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=CLI_TIMEOUT, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # Node 24 for the CLI and jsii
        CDK_DISABLE_CLI_TELEMETRY="true",
        # "localhost", not the IP: moto reads the bucket of a TemplateURL from the path only for
        # localhost URLs. The server still listens on 127.0.0.1 only.
        AWS_ENDPOINT_URL=f"http://localhost:{port}",
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true",
        HOME=str(tmp_path_factory.mktemp("home")),  # the CLI's caches, not the user's ~/.cdk
    )
    outdir = tmp_path_factory.mktemp("cdk.out")
    try:
        bootstrap = cdk("bootstrap", f"aws://{ACCOUNT}/{REGION}", env=env, outdir=outdir)
        deploy = cdk("deploy", *STACKS, "--require-approval", "never", "--method=direct",
                     "--context", "pipelines=tune-xgboost", env=env, outdir=outdir)
        session = boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        yield {"env": env, "port": port, "session": session, "endpoint": f"http://127.0.0.1:{port}",
               "bootstrap": bootstrap, "deploy": deploy, "outdir": outdir}
    finally:
        server.stop()


def client(deployed: dict[str, Any], service: str) -> Any:
    return deployed["session"].client(service, endpoint_url=deployed["endpoint"])


def test_bootstrap_and_deploy_report_success(deployed) -> None:
    assert f"Environment aws://{ACCOUNT}/{REGION} bootstrapped" in deployed["bootstrap"]
    for stack in STACKS:
        assert f"✅  {stack}" in deployed["deploy"]


def test_stacks_are_created_with_their_resources(deployed) -> None:
    cfn = client(deployed, "cloudformation")
    kinds = {}
    for stack in STACKS:
        assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        kinds[stack] = sorted(r["ResourceType"] for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
                              if r["ResourceType"])
    assert kinds == {
        "SageMakerSfn-Foundation": ["AWS::DynamoDB::Table", "AWS::KMS::Alias", "AWS::KMS::Key", "AWS::S3::Bucket",
                                    "AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::SSM::Parameter",
                                    "AWS::SSM::Parameter"],
        "SageMakerSfn-tune-xgboost": ["AWS::Events::Rule", "AWS::IAM::Policy", "AWS::IAM::Policy", "AWS::IAM::Policy",
                                      "AWS::IAM::Role", "AWS::IAM::Role", "AWS::IAM::Role", "AWS::Lambda::Function",
                                      "AWS::Logs::LogGroup", "AWS::Logs::LogGroup",
                                      "AWS::StepFunctions::StateMachine"],
    }


def test_pipeline_stack_outputs_name_the_machine_its_console_page_and_an_input(deployed) -> None:
    [stack] = client(deployed, "cloudformation").describe_stacks(StackName="SageMakerSfn-tune-xgboost")["Stacks"]
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:tune-xgboost"
    assert {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]} == {
        "StateMachineArn": arn,
        "ConsoleUrl": f"https://{REGION}.console.aws.amazon.com/states/home?region={REGION}#/statemachines/view/{arn}",
        "ExecutionInput": "{}",
    }


def _outputs(deployed: dict[str, Any], stack: str) -> dict[str, str]:
    [described] = client(deployed, "cloudformation").describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def test_generated_names_are_published_where_the_pipeline_stack_looks_for_them(deployed) -> None:
    outputs = _outputs(deployed, "SageMakerSfn-Foundation")
    buckets = {b["Name"] for b in client(deployed, "s3").list_buckets()["Buckets"]}
    assert outputs["DataBucketName"] in buckets
    ssm = client(deployed, "ssm")
    assert ssm.get_parameter(Name="/sagemaker-sfn/foundation/data-bucket-name")["Parameter"]["Value"] == \
        outputs["DataBucketName"]
    assert ssm.get_parameter(Name="/sagemaker-sfn/foundation/cache-table-name")["Parameter"]["Value"] == \
        outputs["CacheTableName"]
    table = client(deployed, "dynamodb").describe_table(TableName=outputs["CacheTableName"])["Table"]
    assert table["KeySchema"] == [{"AttributeName": "CacheKey", "KeyType": "HASH"}]
    topics = [t["TopicArn"] for t in client(deployed, "sns").list_topics()["Topics"]]
    assert f"arn:aws:sns:{REGION}:{ACCOUNT}:sagemaker-sfn-pipeline-failures" in topics
    # The pipeline's own SageMaker role (no shared one), as the state machine's definition passes it.
    roles = [r for r in client(deployed, "iam").list_roles()["Roles"]
             if r["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}]
    assert len(roles) == 1 and roles[0]["RoleName"].startswith("SageMakerSfn-tune-xgboost-")


def test_state_machine_lambda_and_failure_rule_are_deployed(deployed) -> None:
    sfn = client(deployed, "stepfunctions")
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:tune-xgboost"
    machine = sfn.describe_state_machine(stateMachineArn=arn)
    assert machine["type"] == "STANDARD"
    assert json.loads(machine["definition"])["StartAt"] == "GenerateDataset"
    [function] = client(deployed, "lambda").list_functions()["Functions"]
    assert (function["Runtime"], function["Handler"], function["Timeout"], function["MemorySize"]) == (
        "python3.14", "handler.handler", 300, 512)
    [rule] = client(deployed, "events").list_rules()["Rules"]
    assert json.loads(rule["EventPattern"])["detail"]["status"] == ["FAILED", "TIMED_OUT", "ABORTED"]
    [target] = client(deployed, "events").list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == f"arn:aws:sns:{REGION}:{ACCOUNT}:sagemaker-sfn-pipeline-failures"


def test_cli_starts_the_deployed_pipeline_and_reads_status_and_history(deployed, monkeypatch, capsys) -> None:
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in deployed["env"].items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", deployed["endpoint"])
    assert main(["start", "tune-xgboost", "--name", "first-run"]) == 0
    execution_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:tune-xgboost:first-run"
    assert capsys.readouterr().out == f"started {execution_arn}\n"
    assert main(["status", execution_arn]) == 0
    status = capsys.readouterr().out.splitlines()
    assert status[:3] == ["status:         RUNNING", f"execution:      {execution_arn}",
                          f"state machine:  arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:tune-xgboost"]
    assert main(["history", execution_arn, "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert events[0]["type"] == "ExecutionStarted"
    assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == {}  # the stack's example input


def test_destroy_then_deploy_again_creates_fresh_resources_beside_the_retained_ones(deployed) -> None:
    # Issue 10 item 6: `cdk destroy --all` then `cdk deploy --all` must work. The RETAINED buckets stay
    # (with the data in them) and the new deployment gets new generated names, which the pipeline
    # stack reads from SSM. Runs last among the tests using `deployed` (it replaces the deployment).
    old = _outputs(deployed, "SageMakerSfn-Foundation")
    s3 = client(deployed, "s3")
    s3.put_object(Bucket=old["DataBucketName"], Key="tune-xgboost/input/keep.csv", Body=b"1,2\n")
    destroy = cdk("destroy", "--all", "--force", "--context", "pipelines=tune-xgboost",
                  env=deployed["env"], outdir=deployed["outdir"])
    for stack in STACKS:
        assert f"✅  {stack}: destroyed" in destroy
    cfn = client(deployed, "cloudformation")
    remaining = {s["StackName"] for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"}
    assert not remaining & set(STACKS)
    # Retained, data intact.
    assert s3.get_object(Bucket=old["DataBucketName"], Key="tune-xgboost/input/keep.csv")["Body"].read() == b"1,2\n"

    again = cdk("deploy", *STACKS, "--require-approval", "never", "--method=direct",
                "--context", "pipelines=tune-xgboost", env=deployed["env"], outdir=deployed["outdir"])
    for stack in STACKS:
        assert f"✅  {stack}" in again
        assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    new = _outputs(deployed, "SageMakerSfn-Foundation")
    assert new["DataBucketName"] != old["DataBucketName"]
    assert {old["DataBucketName"], new["DataBucketName"]} <= {b["Name"] for b in s3.list_buckets()["Buckets"]}
    # The new pipeline stack found the new bucket: its roles' policies name it, never the old one.
    iam = client(deployed, "iam")
    policies = json.dumps([iam.get_role_policy(RoleName=role["RoleName"], PolicyName=name)["PolicyDocument"]
                           for role in iam.list_roles()["Roles"]
                           for name in iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]])
    assert f":s3:::{new['DataBucketName']}/tune-xgboost/*" in policies
    assert old["DataBucketName"] not in policies


def test_cdk_synth_of_every_pipeline_is_clean(tmp_path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "CDK_DISABLE_CLI_TELEMETRY": "true"}
    output = cdk("synth", "--quiet", env=env, outdir=tmp_path)
    assert "Successfully synthesized" in output
    report = tmp_path / "validation-report.json"
    reports = json.loads(report.read_text()).get("pluginReports", []) if report.exists() else []
    assert [v for r in reports for v in r.get("violations", [])] == []  # cdk-nag: nothing unacknowledged
    templates = sorted(tmp_path.glob("*.template.json"))
    assert len(templates) == 2 + len(list((REPO / "pipelines").glob("*.yaml")))
    lint = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), *map(str, templates)],
                          capture_output=True, text=True, check=False)
    assert (lint.returncode, lint.stdout) == (0, "")
