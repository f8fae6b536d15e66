"""The app's own stacks, synthesized once with cdk.json's context and cdk-nag, as `cdk synth` does."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template
from cdk_nag import AwsSolutionsChecks

from sagemaker_sfn.code_pin import pin_code, pinned_references
from sagemaker_sfn.constructs.images import image_table
from sagemaker_sfn.iam import policy_for_definition
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.project import placeholders_in, substitute_placeholders
from stacks.app import build_stacks
from tests.constructs.conftest import REPO, cdk_json_context, cfn_lint, nag_violations

PIPELINES = sorted(p.name.removesuffix(".yaml") for p in (REPO / "pipelines").glob("*.yaml"))


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    outdir = tmp_path_factory.mktemp("cdk.out")
    context = {**cdk_json_context(), "notificationEmail": "ml-team@example.com",
               "retrainingSchedule": "0 3 ? * MON *"}
    app = cdk.App(context=context, outdir=str(outdir))
    stacks = build_stacks(app, root=REPO)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    error = None
    try:
        assembly = app.synth()
    except Exception as exc:  # nag findings fail the synth; the report says which
        error, assembly = exc, None
    return {"outdir": outdir, "error": error, "assembly": assembly, "names": [s.stack_name for s in stacks]}


def deployed_definition(pipeline: str) -> dict[str, Any]:
    """The generated definition with its code pinned (code/sha256-<hash>/...), as the stack deploys it."""
    return pin_code(load_pipeline(REPO / "pipelines" / f"{pipeline}.yaml").definition, REPO / "examples").definition


def template(synthesized: dict[str, Any], name: str) -> Template:
    return Template.from_json(synthesized["assembly"].get_stack_by_name(name).template)


def test_one_stack_per_pipeline_plus_foundation_and_code(synthesized) -> None:
    assert synthesized["names"] == ["SageMakerSfn-Foundation", "SageMakerSfn-Code",
                                    *[f"SageMakerSfn-{p}" for p in PIPELINES]]
    assert len(PIPELINES) >= 3


def test_deployed_definitions_name_pinned_code_that_the_code_stack_uploads(synthesized) -> None:
    # Issue 12 item 4: code content-addressed, so a script change changes the deployed definition.
    references: set[str] = set()
    for pipeline in PIPELINES:
        [machine] = template(synthesized, f"SageMakerSfn-{pipeline}").find_resources(
            "AWS::StepFunctions::StateMachine").values()
        text = machine["Properties"]["DefinitionString"]
        assert "${DataBucket}/code/" not in text.replace("${DataBucket}/code/sha256-", ""), pipeline
        references |= pinned_references(json.loads(text))
    assert {r.partition("/")[2] for r in references} >= {"train-evaluate/preprocess.py", "train-evaluate/evaluate.py",
                                                         "_sagemaker_sfn/", "clarify-bias/analysis_config.json"}
    # The staged copies (the pinned deployment's asset) hold exactly the files each reference names.
    [staged] = (Path(synthesized["outdir"]) / "sagemaker-sfn-code").iterdir()
    keys = {p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()}
    for reference in references:
        pinned_dir, _, relative = reference.partition("/")
        under = {k for k in keys if k.startswith(f"{pinned_dir}/")}
        assert under and all(k.startswith(reference) for k in under), reference
        assert under == {f"{pinned_dir}/{name}" for name in pin_code_files(relative)}, reference
    assert {k.partition("/")[0] for k in keys} == {r.partition("/")[0] for r in references}

    deployments = template(synthesized, "SageMakerSfn-Code").find_resources("Custom::CDKBucketDeployment")
    props = sorted((d["Properties"] for d in deployments.values()), key=lambda p: p["Prune"])
    pinned, mutable = props
    # The copies are added, never pruned; the mutable sync never prunes them (its --exclude).
    assert pinned["Prune"] is False and "Exclude" not in pinned and pinned["DestinationBucketKeyPrefix"] == "code/"
    assert mutable["Prune"] is True and mutable["Exclude"] == ["sha256-*"]
    assert mutable["DestinationBucketKeyPrefix"] == "code/" and pinned["RetainOnDelete"] is True


def pin_code_files(relative: str) -> list[str]:
    """examples/ files a reference selects (S3 key-prefix semantics), but the never-uploaded ones."""
    examples = REPO / "examples"
    return sorted(p.relative_to(examples).as_posix() for p in examples.rglob("*")
                  if p.is_file() and p.relative_to(examples).as_posix().startswith(relative)
                  and "__pycache__" not in p.parts and p.suffix != ".pyc" and p.name != ".DS_Store")


def test_a_pipeline_with_pinned_code_deploys_after_the_code_stack(synthesized) -> None:
    stacks = {s.stack_name: {d.id for d in s.dependencies} for s in synthesized["assembly"].stacks}
    assert "SageMakerSfn-Code" in stacks["SageMakerSfn-train-evaluate"]
    # tune-xgboost names no code/ (and so can be deployed without the Code stack, as the moto test does).
    assert "SageMakerSfn-Foundation" in stacks["SageMakerSfn-tune-xgboost"]
    assert "SageMakerSfn-Code" not in stacks["SageMakerSfn-tune-xgboost"]


def test_cdk_nag_has_no_unacknowledged_finding(synthesized) -> None:
    assert nag_violations(synthesized["outdir"]) == []
    assert synthesized["error"] is None


def test_cfn_lint_is_clean_on_every_template(synthesized) -> None:
    templates = sorted(Path(synthesized["outdir"]).glob("*.template.json"))
    assert len(templates) == len(synthesized["names"])
    assert cfn_lint(templates) == ""


def test_data_bucket_is_private_encrypted_versioned_retained_and_notifies_eventbridge(synthesized) -> None:
    t = template(synthesized, "SageMakerSfn-Foundation")
    t.has_resource("AWS::S3::Bucket", {
        "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "VersioningConfiguration": {"Status": "Enabled"},
            "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}},
            "LoggingConfiguration": {"DestinationBucketName": Match.any_value(), "LogFilePrefix": "data/"},
            "LifecycleConfiguration": {"Rules": [
                {"Id": "expire-interim-data", "Prefix": "tmp/", "ExpirationInDays": 14, "Status": "Enabled"},
                {"Id": "expire-old-versions", "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}, "Status": "Enabled"}]},
        }})
    # Both buckets deny plain-HTTP access.
    t.resource_count_is("AWS::S3::BucketPolicy", 2)
    t.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Action": "s3:*",
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


def test_retained_buckets_have_generated_names_published_in_ssm(synthesized) -> None:
    # Issue 10 item 6: a RETAINED bucket with a fixed name makes the next deploy after `cdk destroy`
    # fail with "already exists" (CloudFormation creates, never adopts, a named resource).
    t = template(synthesized, "SageMakerSfn-Foundation")
    buckets = t.find_resources("AWS::S3::Bucket")
    assert len(buckets) == 2
    for logical_id, bucket in buckets.items():
        assert bucket["DeletionPolicy"] == "Retain"
        assert "BucketName" not in bucket["Properties"], logical_id
    [data_id] = [k for k, b in buckets.items() if "LoggingConfiguration" in b["Properties"]]
    t.has_resource_properties("AWS::SSM::Parameter", {"Name": "/sagemaker-sfn/foundation/data-bucket-name",
                                                      "Type": "String", "Value": {"Ref": data_id}})
    t.has_output("DataBucketName", {"Value": {"Ref": data_id}})
    # Each pipeline stack reads the generated name back at deploy time.
    for pipeline in PIPELINES:
        params = template(synthesized, f"SageMakerSfn-{pipeline}").to_json()["Parameters"]
        assert {"Type": "AWS::SSM::Parameter::Value<String>",
                "Default": "/sagemaker-sfn/foundation/data-bucket-name"} in params.values()


def test_foundation_has_no_shared_sagemaker_role(synthesized) -> None:
    # Issue 10 item 9: one shared role let any pipeline's jobs overwrite another pipeline's models.
    template(synthesized, "SageMakerSfn-Foundation").resource_count_is("AWS::IAM::Role", 0)


def test_cache_table_for_step_caching(synthesized) -> None:
    # Issue 12 contract (docs/CONVENTIONS.md): partition key CacheKey (S), TTL ExpiresAt, on demand,
    # encrypted, point-in-time recovery; its generated name is published like the bucket's.
    t = template(synthesized, "SageMakerSfn-Foundation")
    t.has_resource("AWS::DynamoDB::Table", {"DeletionPolicy": "Delete", "Properties": {
        "KeySchema": [{"AttributeName": "CacheKey", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "CacheKey", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"SSEEnabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "TimeToLiveSpecification": {"AttributeName": "ExpiresAt", "Enabled": True}}})
    [table_id] = t.find_resources("AWS::DynamoDB::Table")
    t.has_resource_properties("AWS::SSM::Parameter", {"Name": "/sagemaker-sfn/foundation/cache-table-name",
                                                      "Value": {"Ref": table_id}})
    t.has_output("CacheTableName", {"Value": {"Ref": table_id}})


def _sagemaker_role(t: Template) -> tuple[str, dict[str, Any]]:
    [(role_id, role)] = t.find_resources("AWS::IAM::Role", {"Properties": {"AssumeRolePolicyDocument": {
        "Statement": [Match.object_like({"Principal": {"Service": "sagemaker.amazonaws.com"}})]}}}).items()
    return role_id, role


def _ssm_parameter(t: Template, name: str) -> str:
    params = t.to_json()["Parameters"]
    [logical_id] = [k for k, v in params.items() if v.get("Default") == name]
    return logical_id


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_each_pipeline_has_its_own_sagemaker_role_writing_only_its_prefixes(synthesized, pipeline) -> None:
    # Issue 10 item 9 and docs/CONVENTIONS.md's S3 layout: reads code/ and its own data, writes
    # <pipeline>/ and tmp/<pipeline>/ only, never <pipeline>/input/.
    t = template(synthesized, f"SageMakerSfn-{pipeline}")
    role_id, role = _sagemaker_role(t)
    assert "RoleName" not in role["Properties"]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [{
        "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]
    [policy] = [p for p in t.find_resources("AWS::IAM::Policy").values()
                if p["Properties"]["Roles"] == [{"Ref": role_id}]]
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    bucket = f"arn:<AWS::Partition>:s3:::<{_ssm_parameter(t, '/sagemaker-sfn/foundation/data-bucket-name')}>"
    resources = {sid: sorted(render(r) for r in (s["Resource"] if isinstance(s["Resource"], list)
                                                 else [s["Resource"]])) for sid, s in statements.items()}
    assert resources["ReadCodeAndPipelineData"] == sorted(
        [f"{bucket}/code/*", f"{bucket}/{pipeline}/*", f"{bucket}/tmp/{pipeline}/*"])
    assert resources["WritePipelineOutputs"] == sorted([f"{bucket}/{pipeline}/*", f"{bucket}/tmp/{pipeline}/*"])
    assert statements["KeepInputsReadOnly"]["Effect"] == "Deny"
    assert resources["KeepInputsReadOnly"] == [f"{bucket}/{pipeline}/input/*"]
    assert statements["WriteJobMetrics"]["Condition"] == {"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}}
    # Images: only the built-in repositories this definition's placeholders point at.
    definition = load_pipeline(REPO / "pipelines" / f"{pipeline}.yaml").definition
    repositories = {"XGBoostImageUri": "sagemaker-xgboost", "SKLearnImageUri": "sagemaker-scikit-learn",
                    "ClarifyImageUri": "sagemaker-clarify-processing",
                    "ModelMonitorImageUri": "sagemaker-model-monitor-analyzer",
                    "SageMakerDistributionImageUri": "sagemaker-distribution-prod"}
    used = sorted(repo for name, repo in repositories.items() if name in placeholders_in(definition))
    assert resources.get("PullImages", []) == [f"arn:<AWS::Partition>:ecr:<AWS::Region>:*:repository/{r}"
                                               for r in used]
    # A Clarify job given a model creates and calls a shadow endpoint as this role: seed 002 ("Configure
    # a SageMaker Clarify processing job", RoleArn) lists ListTags, CreateEndpointConfig, CreateEndpoint,
    # DescribeEndpoint and InvokeEndpoint. Only pipelines that run the Clarify image get them.
    if "ClarifyImageUri" in placeholders_in(definition):
        assert sorted(statements["ClarifyShadowEndpoint"]["Action"]) == [
            "sagemaker:AddTags", "sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig",
            "sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint", "sagemaker:ListTags"]
        assert resources["ClarifyShadowEndpoint"] == sorted(
            f"arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:{kind}/*"
            for kind in ("endpoint", "endpoint-config", "processing-job"))
    else:
        assert "ClarifyShadowEndpoint" not in statements
    # The state machine passes exactly this role.
    [machine] = t.find_resources("AWS::StepFunctions::StateMachine").values()
    assert machine["Properties"]["DefinitionSubstitutions"]["SageMakerRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}


def test_failure_topic_is_kms_encrypted_tls_only_and_emails_the_team(synthesized) -> None:
    t = template(synthesized, "SageMakerSfn-Foundation")
    t.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    t.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/sagemaker-sfn-notifications"})
    t.has_resource_properties("AWS::SNS::Topic", {"TopicName": "sagemaker-sfn-pipeline-failures",
                                                  "KmsMasterKeyId": Match.any_value()})
    t.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ml-team@example.com"})
    t.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Allow", "Action": "sns:Publish",
                           "Principal": {"Service": "events.amazonaws.com"}})])}})
    t.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


def test_eventbridge_may_use_the_topic_key_without_source_conditions(synthesized) -> None:
    # Issue 10 item 1. Source: SNS developer guide, "Enable compatibility between event sources from
    # AWS services and encrypted topics" (sns-key-management.html): aws:SourceAccount / aws:SourceArn
    # are not supported for EventBridge on the key policy; SNS's encryption context
    # (aws:sns:topicArn) scopes the key to the topic instead.
    t = template(synthesized, "SageMakerSfn-Foundation")
    [key] = t.find_resources("AWS::KMS::Key").values()
    [statement] = [s for s in key["Properties"]["KeyPolicy"]["Statement"]
                   if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Resource"] == "*"
    assert list(statement["Condition"]) == ["StringEquals"]
    [(condition_key, topic_arn)] = statement["Condition"]["StringEquals"].items()
    assert condition_key == "kms:EncryptionContext:aws:sns:topicArn"
    assert render(topic_arn) == "arn:<AWS::Partition>:sns:<AWS::Region>:<AWS::AccountId>:sagemaker-sfn-pipeline-failures"
    assert "aws:SourceAccount" not in json.dumps(key) and "aws:SourceArn" not in json.dumps(key)


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_state_machine_is_standard_logged_traced_with_substitutions(synthesized, pipeline) -> None:
    t = template(synthesized, f"SageMakerSfn-{pipeline}")
    definition = deployed_definition(pipeline)
    [machine] = t.find_resources("AWS::StepFunctions::StateMachine").values()
    props = machine["Properties"]
    assert props["StateMachineName"] == pipeline
    assert props["StateMachineType"] == "STANDARD"
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is True
    assert json.loads(props["DefinitionString"]) == definition
    assert sorted(props["DefinitionSubstitutions"]) == sorted(placeholders_in(definition))
    for name in {"XGBoostImageUri", "SKLearnImageUri", "ClarifyImageUri"} & placeholders_in(definition):
        assert props["DefinitionSubstitutions"][name] == {"Fn::FindInMap": ["SageMakerImages", {"Ref": "AWS::Region"}, name]}
    t.has_resource_properties("AWS::Logs::LogGroup", {"LogGroupName": f"/aws/vendedlogs/states/{pipeline}",
                                                      "RetentionInDays": 30})
    t.has_mapping("SageMakerImages", image_table())
    t.has_output("StateMachineArn", {"Value": {"Ref": Match.any_value()}})
    t.has_output("ConsoleUrl", Match.any_value())


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_role_policy_is_the_derived_policy(synthesized, pipeline) -> None:
    t = template(synthesized, f"SageMakerSfn-{pipeline}")
    definition = deployed_definition(pipeline)
    roles = t.find_resources("AWS::IAM::Role", {"Properties": {"AssumeRolePolicyDocument": {"Statement": [
        Match.object_like({"Principal": {"Service": "states.amazonaws.com"}})]}}})
    [role] = roles.values()
    [inline] = role["Properties"]["Policies"]
    assert inline["PolicyName"] == "DerivedFromDefinition"
    # Each ${<Pascal>FunctionArn} is the function the construct made for lambdas/<snake> (id <Pascal>).
    functions = {f"{re.match(r'Pipeline([A-Z][A-Za-z0-9]*?)Function[0-9A-F]{8}$', logical)[1]}FunctionArn":
                 f"<{logical}.Arn>" for logical in t.find_resources("AWS::Lambda::Function")}
    values = {
        "DataBucket": f"<{_ssm_parameter(t, '/sagemaker-sfn/foundation/data-bucket-name')}>",
        **({"CacheTableName": f"<{_ssm_parameter(t, '/sagemaker-sfn/foundation/cache-table-name')}>"}
           if "${CacheTableName}" in json.dumps(definition) else {}),
        "SageMakerRoleArn": f"<{_sagemaker_role(t)[0]}.Arn>",
        "FailureTopicArn": "arn:<AWS::Partition>:sns:<AWS::Region>:<AWS::AccountId>:sagemaker-sfn-pipeline-failures",
        **functions,
    }
    expected = substitute_placeholders(policy_for_definition(
        definition, partition="<AWS::Partition>", region="<AWS::Region>", account="<AWS::AccountId>",
        state_machine_name=pipeline), values)
    # The whole document: only the ARNs' placeholders became CloudFormation expressions.
    assert normalized(inline["PolicyDocument"]) == normalized(expected)


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    """CDK writes one-element lists as scalars and renders tokens; compare as rendered strings in lists."""
    def values(value: Any) -> list[str]:
        # Sorted: CDK orders a statement's resources its own way once tokens are rendered.
        return sorted(render(v) for v in (value if isinstance(value, list) else [value]))
    return {"Version": document["Version"], "Statement": [
        {k: (values(v) if k in {"Action", "Resource"} else v) for k, v in statement.items()}
        for statement in document["Statement"]]}


def test_tune_xgboost_gets_its_dataset_lambda(synthesized) -> None:
    t = template(synthesized, "SageMakerSfn-tune-xgboost")
    t.has_resource_properties("AWS::Lambda::Function", {
        "Runtime": "python3.14", "Handler": "handler.handler", "Timeout": 300, "MemorySize": 512,
        "LoggingConfig": {"LogGroup": Match.any_value()}})
    bucket = {"Ref": _ssm_parameter(t, "/sagemaker-sfn/foundation/data-bucket-name")}
    t.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        {"Action": "s3:PutObject", "Effect": "Allow", "Resource": [{"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":s3:::", bucket, f"/{prefix}tune-xgboost/*"]]}
            for prefix in ("tmp/", "")]}])}})
    [function_id] = t.find_resources("AWS::Lambda::Function")
    [machine] = t.find_resources("AWS::StepFunctions::StateMachine").values()
    assert machine["Properties"]["DefinitionSubstitutions"]["GenerateDatasetFunctionArn"] == {
        "Fn::GetAtt": [function_id, "Arn"]}


def test_rules_failure_notice_schedule_and_s3_trigger(synthesized) -> None:
    t = template(synthesized, "SageMakerSfn-train-evaluate")
    t.has_resource_properties("AWS::Events::Rule", {
        "EventPattern": {"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"],
                         "detail": {"status": ["FAILED", "TIMED_OUT", "ABORTED"],
                                    "stateMachineArn": [{"Ref": Match.any_value()}]}},
        "Targets": [Match.object_like({"InputTransformer": Match.object_like({
            "InputPathsMap": {"detail-status": "$.detail.status", "detail-name": "$.detail.name",
                              "detail-executionArn": "$.detail.executionArn"}})})]})
    t.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": "cron(0 3 ? * MON *)",
                                                    "State": "ENABLED"})
    t.has_resource_properties("AWS::Events::Rule", {
        "EventPattern": {"source": ["aws.s3"], "detail-type": ["Object Created"],
                         "detail": {"bucket": {"name": [Match.any_value()]},
                                    "object": {"key": [{"prefix": "train-evaluate/input/"}]}}},
        "Targets": [Match.object_like({"InputTransformer": Match.object_like({
            "InputPathsMap": {"detail-bucket-name": "$.detail.bucket.name", "detail-object-key": "$.detail.object.key"}})})]})
    # One role for the rules' targets, allowed to start exactly this machine.
    t.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [
        {"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": Match.any_value()}}]}})
    targets = {rule["Properties"].get("ScheduleExpression") or rule["Properties"]["EventPattern"]["source"][0]:
               rule["Properties"]["Targets"][0] for rule in t.find_resources("AWS::Events::Rule").values()}
    # S3 trigger: the example input with InputBucket / InputKey taken from the event.
    assert targets["aws.s3"]["InputTransformer"]["InputTemplate"] == (
        '{"InputBucket":<detail-bucket-name>,"InputKey":<detail-object-key>,"MseThreshold":6}')
    assert render(targets["aws.states"]["InputTransformer"]["InputTemplate"]) == (
        '"sagemaker-sfn pipeline train-evaluate: execution <detail-name> ended <detail-status>. Details: '
        'https://<AWS::Region>.console.aws.amazon.com/states/home?region=<AWS::Region>'
        '#/v2/executions/details/<detail-executionArn>"')
    assert targets["aws.states"]["Arn"] == {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":sns:",
        {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":sagemaker-sfn-pipeline-failures"]]}
    bucket = f"<{_ssm_parameter(t, '/sagemaker-sfn/foundation/data-bucket-name')}>"
    assert json.loads(render(targets["cron(0 3 ? * MON *)"]["Input"])) == {
        "InputBucket": bucket, "InputKey": "train-evaluate/input/data.csv", "MseThreshold": 6.0}
    [output] = t.find_outputs("ExecutionInput").values()
    assert json.loads(render(output["Value"])) == {
        "InputBucket": bucket,
        "InputKey": "train-evaluate/input/data.csv", "MseThreshold": 6.0}


def render(value: Any) -> str:
    """A CloudFormation string expression as text, pseudo parameters shown as <AWS::Name>."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    separator, parts = value["Fn::Join"]
    return separator.join(render(part) for part in parts)


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_model_package_groups_the_definition_registers_into_exist_and_the_role_covers_them(
        synthesized, pipeline) -> None:
    t = template(synthesized, f"SageMakerSfn-{pipeline}")
    definition = load_pipeline(REPO / "pipelines" / f"{pipeline}.yaml").definition
    registers_into = sorted({task["Parameters"]["ModelPackageGroupName"] for task in _tasks(definition)
                             if task.get("Resource", "").endswith(":sagemaker:createModelPackage")})
    groups = t.find_resources("AWS::SageMaker::ModelPackageGroup")
    assert sorted((g["Properties"]["ModelPackageGroupName"], g["DeletionPolicy"]) for g in groups.values()) == [
        (name, "Retain") for name in registers_into]
    if not registers_into:
        return
    [role] = t.find_resources("AWS::IAM::Role", {"Properties": {"AssumeRolePolicyDocument": {"Statement": [
        Match.object_like({"Principal": {"Service": "states.amazonaws.com"}})]}}}).values()
    [registering] = [s for s in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                     if "sagemaker:CreateModelPackage" in s["Action"]]
    assert sorted(render(r) for r in registering["Resource"]) == sorted(
        f"arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:{kind}"
        for name in registers_into for kind in (f"model-package-group/{name}", f"model-package/{name}/*"))


def _tasks(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Task state, also inside Parallel branches and Map processors (written out, not imported)."""
    found = []
    for state in definition["States"].values():
        if state["Type"] == "Task":
            found.append(state)
        for branch in state.get("Branches", []) + [state[k] for k in ("ItemProcessor", "Iterator") if k in state]:
            found.extend(_tasks(branch))
    return found
