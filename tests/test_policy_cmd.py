"""``sagemaker-sfn policy``: JSON by default, --explain text, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main

DEFINITION = {
    "StartAt": "Notify",
    "States": {"Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True,
                          "Parameters": {"TopicArn": "${FailureTopicArn}", "Message.$": "$"}}},
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "asl_templates").mkdir()
    (tmp_path / "asl_templates" / "notify.asl.json").write_text(json.dumps(DEFINITION))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return tmp_path


def test_pipeline_name_prints_the_policy_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "notify"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PublishToTopics", "Effect": "Allow", "Action": ["sns:Publish"],
                       "Resource": ["${FailureTopicArn}"]}],
    }


def test_region_account_partition_reach_the_arns(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTransformJob.sync", "End": True,
        "Parameters": {"TransformJobName": "score", "ModelName": "m",
                       "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                                          "S3Uri": "s3://b/in"}}},
                       "TransformOutput": {"S3OutputPath": "s3://b/out"},
                       "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1}}}}}
    path = project / "t.json"
    path.write_text(json.dumps(definition))
    assert main(["policy", str(path), "--region", "us-gov-west-1", "--account", "111122223333",
                 "--partition", "aws-us-gov"]) == 0
    resources = [r for s in json.loads(capsys.readouterr().out)["Statement"] for r in s["Resource"]]
    assert resources == [
        "arn:aws-us-gov:events:us-gov-west-1:111122223333:rule/StepFunctionsGetEventsForSageMakerTransformJobsRule",
        "arn:aws-us-gov:sagemaker:us-gov-west-1:111122223333:transform-job/score*"]


def test_role_arn_option_narrows_pass_role(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModel", "End": True,
        "Parameters": {"ModelName": "m", "ExecutionRoleArn.$": "$.role"}}}}
    path = project / "m.json"
    path.write_text(json.dumps(definition))
    assert main(["policy", str(path), "--role-arn", "arn:aws:iam::1:role/SM"]) == 0
    statements = json.loads(capsys.readouterr().out)["Statement"]
    assert statements[0]["Sid"] == "PassSageMakerExecutionRole"
    assert statements[0]["Resource"] == ["arn:aws:iam::1:role/SM"]


def test_explain_prints_reasons(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "notify", "--explain"]) == 0
    out = capsys.readouterr().out
    assert out == (f"IAM policy for notify ({project.resolve() / 'asl_templates' / 'notify.asl.json'})\n\n"
                   "PublishToTopics\n"
                   "  allow:     sns:Publish\n"
                   "  on:        ${FailureTopicArn}\n"
                   "  why:       Publish to the SNS topics the states name.\n"
                   "  for:       $.States.Notify\n"
                   "  source:    https://docs.aws.amazon.com/step-functions/latest/dg/sns-iam.html (a topic ARN: the"
                   " topic; PhoneNumber or TargetArn: Resource \"*\")\n"
                   "             aws-cdk v2.275.0 packages/aws-cdk-lib/aws-stepfunctions-tasks/lib/sns/publish.ts,"
                   " createPolicyStatements (sns:Publish on the topic)\n")


def test_unknown_pipeline_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "nope"]) == 2
    assert capsys.readouterr().err == (
        "sagemaker-sfn policy: error: 'nope' is neither a file nor a pipeline name (known pipelines: notify)\n")


def test_unsupported_integration_names_the_location(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "ddb.json"
    path.write_text(json.dumps({"StartAt": "Put", "States": {"Put": {
        "Type": "Task", "Resource": "arn:aws:states:::dynamodb:createTable", "End": True,
        "Parameters": {"TableName": "t"}}}}))
    assert main(["policy", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sagemaker-sfn policy: error: $.States.Put.Resource: no IAM rule for Task Resource "
                          "'arn:aws:states:::dynamodb:createTable' (known: ")
    assert "Traceback" not in err


def test_help_describes_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["policy", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "IAM policy document (JSON)" in out
    for option in ("--region", "--account", "--partition", "--role-arn", "--explain", "--state-machine-name"):
        assert option in out
    assert "exit status:" in out
    for code in ("0  the policy was printed", "1  the definition does not validate", "2  the file cannot be read"):
        assert code in out


def test_invalid_definition_exits_1_with_its_findings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 9 item 5: no policy (not even an empty one) for a definition Step Functions would reject.
    path = project / "broken.json"
    path.write_text(json.dumps({"StartAt": "Missing", "States": {"Notify": DEFINITION["States"]["Notify"]}}))
    assert main(["policy", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: error: $.StartAt: " in captured.err
    assert "does not validate (" in captured.err and "no policy printed" in captured.err
    assert "Traceback" not in captured.err


def test_distributed_map_uses_the_state_machine_name(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = {"StartAt": "Each", "States": {"Each": {"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    path = project / "fan-out.asl.json"
    path.write_text(json.dumps(definition))
    assert main(["policy", str(path), "--region", "us-east-1", "--account", "1"]) == 0
    statements = {s["Sid"]: s for s in json.loads(capsys.readouterr().out)["Statement"]}
    assert statements["DistributedMapStartChildren"]["Resource"] == ["arn:aws:states:us-east-1:1:stateMachine:fan-out"]
    assert main(["policy", str(path), "--state-machine-name", "prod-fan-out"]) == 0
    statements = {s["Sid"]: s for s in json.loads(capsys.readouterr().out)["Statement"]}
    assert statements["DistributedMapStartChildren"]["Resource"] == ["arn:aws:states:*:*:stateMachine:prod-fan-out"]
