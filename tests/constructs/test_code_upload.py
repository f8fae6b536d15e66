"""CodeUpload (the Code stack's upload, importable): its Lambda may sync code/ and nothing else.

Source of the defect it fixes: aws-cdk-lib 2.275 aws-s3-deployment/lib/bucket-deployment.js calls
``this.destinationBucket.grantReadWrite(handler)`` unconditionally, which grants ``s3:DeleteObject*``
(DeleteObjectVersion included) on the whole bucket; ``BucketDeploymentProps.role`` lets us pass our own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks

from tests.constructs.conftest import REPO, cdk_json_context, cfn_lint, nag_violations


USER_DEFINITION = {"StartAt": "Prepare", "States": {"Prepare": {
    "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync", "End": True,
    "Parameters": {
        "ProcessingJobName.$": "States.Format('prepare-{}', $$.Execution.Name)", "RoleArn": "${SageMakerRoleArn}",
        "AppSpecification": {"ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mine:1",
                             "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/preprocess.py"]},
        "ProcessingInputs": [{"InputName": "code", "S3Input": {
            "S3Uri": "s3://${DataBucket}/code/train-evaluate/preprocess.py", "LocalPath": "/opt/ml/processing/input/code",
            "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                                  "VolumeSizeInGB": 10}}}}}}


@pytest.fixture(scope="module")
def code_app(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from aws_cdk import aws_s3 as s3

    from stacks.code_stack import CodeStack
    from sagemaker_sfn.constructs.code import CodeUpload
    from sagemaker_sfn.constructs.state_machine import SageMakerPipelineStateMachine

    outdir = tmp_path_factory.mktemp("code.out")
    app = cdk.App(context={k: v for k, v in cdk_json_context().items() if k.startswith("@aws-cdk")}, outdir=str(outdir))
    env = cdk.Environment(account="111122223333", region="eu-west-1")
    CodeStack(app, "Code", examples_dir=REPO / "examples", prefix="sagemaker-sfn", env=env)
    user = cdk.Stack(app, "UserCode", env=env)
    bucket = s3.Bucket(user, "Data", enforce_ssl=True, versioned=True, server_access_logs_prefix="logs/",
                       block_public_access=s3.BlockPublicAccess.BLOCK_ALL, encryption=s3.BucketEncryption.S3_MANAGED)
    CodeUpload(user, "Scripts", source_dir=REPO / "examples", bucket=bucket, prefix="scripts/")
    # A user's app: its state machine pins its code, the upload takes the pinned copies.
    pinning = cdk.Stack(app, "UserPinned", env=env)
    data = s3.Bucket(pinning, "Data", enforce_ssl=True, versioned=True, server_access_logs_prefix="logs/",
                     block_public_access=s3.BlockPublicAccess.BLOCK_ALL, encryption=s3.BucketEncryption.S3_MANAGED)
    pipeline = SageMakerPipelineStateMachine(
        pinning, "Pipeline", definition=USER_DEFINITION, state_machine_name="user-pipeline",
        substitutions={"DataBucket": data.bucket_name, "SageMakerRoleArn": "arn:aws:iam::111122223333:role/sm"},
        code_dir=REPO / "examples")
    CodeUpload(pinning, "Code", source_dir=REPO / "examples", bucket=data, pinned=pipeline.pinned_code.objects)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()
    return {"outdir": outdir, "code": assembly.get_stack_by_name("Code").template,
            "user": assembly.get_stack_by_name("UserCode").template,
            "pinning": assembly.get_stack_by_name("UserPinned").template, "pinned": pipeline.pinned_code}


def _statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"
            for s in r["Properties"]["PolicyDocument"]["Statement"]]


def test_nag_and_cfn_lint_clean(code_app) -> None:
    assert nag_violations(code_app["outdir"]) == []
    assert cfn_lint(sorted(Path(code_app["outdir"]).glob("*.template.json"))) == ""


@pytest.mark.parametrize("stack, prefix", [("code", "code/"), ("user", "scripts/")])
def test_upload_role_syncs_its_prefix_only_and_never_deletes_versions(code_app, stack, prefix) -> None:
    template = code_app[stack]
    statements = {s["Sid"]: s for s in _statements(template)}
    assert sorted(statements) == ["ListCodePrefix", "ReadStagedAsset", "SyncCodePrefix", "WriteOwnLogs"]
    assert sorted(statements["SyncCodePrefix"]["Action"]) == ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"]
    resource = json.dumps(statements["SyncCodePrefix"]["Resource"])
    assert resource.count("*") == 1 and f'/{prefix}*"' in resource
    assert statements["ListCodePrefix"]["Condition"] == {"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}}
    assert statements["ReadStagedAsset"]["Action"] == "s3:GetObject"
    text = json.dumps(_statements(template))
    assert "DeleteObjectVersion" not in text and "s3:DeleteObject*" not in text and "s3:*" not in text
    roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert len(roles) == 1 and "ManagedPolicyArns" not in roles[0]["Properties"]   # no AWSLambdaBasicExecutionRole


def test_the_copy_lambda_runs_as_that_role_and_logs_to_its_own_group(code_app) -> None:
    template = code_app["code"]
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    role_id = next(k for k, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role")
    group_id = next(k for k, r in template["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup")
    assert [f["Properties"]["Role"] for f in functions] == [{"Fn::GetAtt": [role_id, "Arn"]}]
    assert functions[0]["Properties"]["LoggingConfig"] == {"LogGroup": {"Ref": group_id}}


def test_refuses_an_empty_prefix_or_missing_folder(tmp_path: Path) -> None:
    from aws_cdk import aws_s3 as s3

    from sagemaker_sfn.constructs.code import CodeUpload

    stack = cdk.Stack(cdk.App(), "S")
    bucket = s3.Bucket(stack, "B")
    with pytest.raises(ValueError, match="prefix must be a key prefix ending with '/'"):
        CodeUpload(stack, "A", source_dir=tmp_path, bucket=bucket, prefix="")
    with pytest.raises(ValueError, match="is not a folder"):
        CodeUpload(stack, "C", source_dir=tmp_path / "missing", bucket=bucket)


def test_a_users_app_uploads_the_pinned_copies_its_state_machine_names(code_app) -> None:
    template = code_app["pinning"]
    [machine] = [r for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
    definition = json.loads(machine["Properties"]["DefinitionString"])
    uri = definition["States"]["Prepare"]["Parameters"]["ProcessingInputs"][0]["S3Input"]["S3Uri"]
    [(key, _)] = code_app["pinned"].objects.items()
    assert uri == "s3://${DataBucket}/code/" + key and key.endswith("/train-evaluate/preprocess.py")
    deployments = {r["Properties"]["Prune"]: r["Properties"] for r in template["Resources"].values()
                   if r["Type"] == "Custom::CDKBucketDeployment"}
    assert deployments[False]["DestinationBucketKeyPrefix"] == "code/"
    assert deployments[True]["Exclude"] == ["sha256-*"]
    # The staged asset holds the copy at its pinned key.
    [staged] = (Path(code_app["outdir"]) / "sagemaker-sfn-code").iterdir()
    assert [p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()] == [key]


def test_refuses_a_sha256_folder_and_a_malformed_pinned_key(tmp_path: Path) -> None:
    from aws_cdk import aws_s3 as s3

    from sagemaker_sfn.constructs.code import CodeUpload
    from sagemaker_sfn.errors import UsageError

    stack = cdk.Stack(cdk.App(outdir=str(tmp_path / "out")), "S")
    bucket = s3.Bucket(stack, "B")
    (tmp_path / "src" / "sha256-old").mkdir(parents=True)
    with pytest.raises(UsageError, match="sha256-old: a top-level name starting with 'sha256-' is reserved"):
        CodeUpload(stack, "A", source_dir=tmp_path / "src", bucket=bucket)
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.py").write_text("")
    with pytest.raises(ValueError, match="pinned key '../a.py': expected sha256-<hash>/<path>"):
        CodeUpload(stack, "Ok", source_dir=tmp_path / "ok", bucket=bucket, pinned={"../a.py": tmp_path / "ok" / "a.py"})
