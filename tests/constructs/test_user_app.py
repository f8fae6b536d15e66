"""A user's own CDK app importing our constructs (not app.py), with a pipeline of its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Match, Template
from cdk_nag import AwsSolutionsChecks

from tests.constructs.conftest import cdk_json_context, cfn_lint, nag_violations

# A pipeline written by hand: a training job, a human approval through the callback queue, a
# failure notice. Names from the execution input, so the derived role holds wildcard prefixes.
DEFINITION = {
    "Comment": "user pipeline",
    "StartAt": "Train",
    "States": {
        "Train": {
            "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
            "Parameters": {
                "TrainingJobName.$": "States.Format('churn-{}', $$.Execution.Name)",
                "RoleArn": "${SageMakerRoleArn}",
                "AlgorithmSpecification": {"TrainingImage": "${XGBoostImageUri}", "TrainingInputMode": "File"},
                "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
                    "S3DataType": "S3Prefix", "S3Uri.$": "States.Format('s3://${DataBucket}/{}', $.InputKey)"}}}],
                "OutputDataConfig": {"S3OutputPath": "s3://${DataBucket}/churn/models"},
                "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 10},
                "StoppingCondition": {"MaxRuntimeInSeconds": 3600}},
            "ResultPath": "$.Training",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.Error", "Next": "Notify"}],
            "Next": "Approve"},
        "Approve": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "${CallbackQueueUrl}",
                           "MessageBody": {"TaskToken.$": "$$.Task.Token", "Model.$": "$.Training.ModelArtifacts"}},
            "TimeoutSeconds": 86400, "End": True},
        "Notify": {
            "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "${FailureTopicArn}", "Message.$": "States.JsonToString($.Error)"},
            "Next": "Failed"},
        "Failed": {"Type": "Fail", "Error": "TrainingFailed"},
    },
}


@pytest.fixture(scope="module")
def user_app(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from sagemaker_sfn.constructs import Foundation, PipelineTriggers, SageMakerPipelineStateMachine

    outdir = tmp_path_factory.mktemp("user.out")
    # Only the feature flags: a user's cdk.json has its own settings.
    flags = {k: v for k, v in cdk_json_context().items() if k.startswith("@aws-cdk")}
    app = cdk.App(context=flags, outdir=str(outdir))
    stack = cdk.Stack(app, "ChurnModel", env=cdk.Environment(account="111122223333", region="eu-west-1"))
    foundation = Foundation(stack, "Shared", prefix="churn")
    pipeline = SageMakerPipelineStateMachine(
        stack, "Churn", definition=DEFINITION, state_machine_name="churn-training",
        example_input={"InputKey": "churn/input/latest.csv"}, foundation=foundation.refs,
        log_retention=logs.RetentionDays.THREE_MONTHS, timeout=cdk.Duration.hours(30))
    PipelineTriggers(stack, "Triggers", state_machine=pipeline.state_machine, pipeline="churn-training",
                     example_input=pipeline.example_input, bucket=foundation.bucket, trigger_prefix="churn/input/",
                     schedule="rate(7 days)", failure_topic=foundation.failure_topic)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()
    return {"outdir": outdir, "template": assembly.get_stack_by_name("ChurnModel").template}


def test_user_app_is_nag_and_cfn_lint_clean(user_app) -> None:
    assert nag_violations(user_app["outdir"]) == []
    assert cfn_lint(sorted(Path(user_app["outdir"]).glob("*.template.json"))) == ""


def test_placeholders_filled_from_the_foundation_in_the_same_stack(user_app) -> None:
    t = Template.from_json(user_app["template"])
    [machine] = t.find_resources("AWS::StepFunctions::StateMachine").values()
    props = machine["Properties"]
    assert json.loads(props["DefinitionString"]) == {**DEFINITION, "TimeoutSeconds": 30 * 3600}
    subs = props["DefinitionSubstitutions"]
    assert sorted(subs) == ["CallbackQueueUrl", "DataBucket", "FailureTopicArn", "SageMakerRoleArn", "XGBoostImageUri"]
    [bucket_id] = t.find_resources("AWS::S3::Bucket", {"Properties": {"LoggingConfiguration": Match.any_value()}})
    assert subs["DataBucket"] == {"Ref": bucket_id}
    # The pipeline's own SageMaker role (issue 10 item 9).
    [role_id] = t.find_resources("AWS::IAM::Role", {"Properties": {"AssumeRolePolicyDocument": {"Statement": [
        Match.object_like({"Principal": {"Service": "sagemaker.amazonaws.com"}})]}}})
    assert subs["SageMakerRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert subs["FailureTopicArn"] == {"Ref": next(iter(t.find_resources("AWS::SNS::Topic")))}
    # A concrete region resolves the image straight from the table.
    assert subs["XGBoostImageUri"] == "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    assert props["StateMachineName"] == "churn-training"
    assert props["StateMachineType"] == "STANDARD"


def test_callback_queue_is_created_encrypted_with_a_dead_letter_queue(user_app) -> None:
    t = Template.from_json(user_app["template"])
    t.resource_count_is("AWS::SQS::Queue", 2)
    t.has_resource_properties("AWS::SQS::Queue", {"SqsManagedSseEnabled": True, "RedrivePolicy": {
        "deadLetterTargetArn": Match.any_value(), "maxReceiveCount": 5}})
    [machine] = t.find_resources("AWS::StepFunctions::StateMachine").values()
    assert machine["Properties"]["DefinitionSubstitutions"]["CallbackQueueUrl"]["Ref"] in t.find_resources("AWS::SQS::Queue")


def test_role_may_use_the_topic_key_and_queue_and_pass_only_the_sagemaker_role(user_app) -> None:
    t = Template.from_json(user_app["template"])
    [role] = t.find_resources("AWS::IAM::Role", {"Properties": {"AssumeRolePolicyDocument": {"Statement": [
        Match.object_like({"Principal": {"Service": "states.amazonaws.com"}})]}}}).values()
    statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = sorted(a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    assert "sqs:SendMessage" in actions and "sns:Publish" in actions and "iam:PassRole" in actions
    [pass_role] = [s for s in statements if s["Action"] in ("iam:PassRole", ["iam:PassRole"])]
    assert pass_role["Resource"]["Fn::GetAtt"][1] == "Arn"
    t.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([{
        "Sid": "PublishToEncryptedFailureTopic", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": Match.any_value(),
        "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/churn-notifications"}}}])}})


def test_logging_tracing_timeout_and_rules(user_app) -> None:
    t = Template.from_json(user_app["template"])
    t.has_resource_properties("AWS::Logs::LogGroup", {"LogGroupName": "/aws/vendedlogs/states/churn-training",
                                                      "RetentionInDays": 90})
    t.has_resource_properties("AWS::StepFunctions::StateMachine", {
        "TracingConfiguration": {"Enabled": True},
        "LoggingConfiguration": Match.object_like({"Level": "ALL", "IncludeExecutionData": True})})
    [machine] = t.find_resources("AWS::StepFunctions::StateMachine").values()
    assert json.loads(machine["Properties"]["DefinitionString"]) == {**DEFINITION, "TimeoutSeconds": 30 * 3600}
    t.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": "rate(7 days)"})
    t.has_resource_properties("AWS::Events::Rule", {"EventPattern": Match.object_like({"source": ["aws.s3"]})})
    t.has_resource_properties("AWS::Events::Rule", {"EventPattern": Match.object_like({"source": ["aws.states"]})})


def test_constructs_package_does_not_import_cdk_until_used() -> None:
    code = ("import sys, sagemaker_sfn.constructs as c\nprint('aws_cdk' in sys.modules)\n"
            "c.SageMakerPipelineStateMachine\nprint('aws_cdk' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_a_bare_app_without_cdk_json_flags_synthesizes_clean(tmp_path: Path) -> None:
    # A user's app may have no feature flags at all; the constructs must not depend on them.
    from sagemaker_sfn.constructs import Foundation, SageMakerPipelineStateMachine

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Bare")
    foundation = Foundation(stack, "Shared")
    SageMakerPipelineStateMachine(stack, "P", definition=DEFINITION, state_machine_name="bare",
                                  foundation=foundation.refs)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    assert nag_violations(tmp_path) == []
    assert cfn_lint(sorted(tmp_path.glob("*.template.json"))) == ""


CUSTOMER_KEYS_DEFINITION = {
    "StartAt": "Lookup",
    "States": {
        "Lookup": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                   "Parameters": {"TableName": "${CacheTableName}", "Key": {"CacheKey": {"S.$": "$.key"}}},
                   "ResultPath": "$.cached", "Next": "Alert"},
        "Alert": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                  "Parameters": {"TopicArn": "${AlertsTopicArn}", "Message": "done"}, "Next": "Hand over"},
        "Hand over": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                      "Parameters": {"QueueUrl": "${WorkQueueUrl}", "MessageBody": "go"}, "End": True},
    },
}


def test_customer_managed_keys_of_given_topics_and_queues_are_granted(tmp_path: Path) -> None:
    # Issue 10 item 11. Sources: aws-cdk v2.275.0 aws-stepfunctions-tasks/lib/sqs/send-message.ts
    # (kms:Decrypt + kms:GenerateDataKey* on queue.encryptionMasterKey); SNS developer guide,
    # sns-key-management.html (publishers to an encrypted topic need the same on its key).
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_sns as sns
    from aws_cdk import aws_sqs as sqs

    from sagemaker_sfn.constructs import Foundation, SageMakerPipelineStateMachine

    flags = {k: v for k, v in cdk_json_context().items() if k.startswith("@aws-cdk")}
    app = cdk.App(context=flags, outdir=str(tmp_path))
    stack = cdk.Stack(app, "Keys", env=cdk.Environment(account="111122223333", region="eu-west-1"))
    foundation = Foundation(stack, "Shared", prefix="keys")
    topic_key = kms.Key(stack, "TopicKey", enable_key_rotation=True)
    queue_key = kms.Key(stack, "QueueKey", enable_key_rotation=True)
    topic = sns.Topic(stack, "Alerts", master_key=topic_key, enforce_ssl=True)
    dead = sqs.Queue(stack, "Dead", encryption=sqs.QueueEncryption.KMS, encryption_master_key=queue_key,
                     enforce_ssl=True)
    queue = sqs.Queue(stack, "Work", encryption=sqs.QueueEncryption.KMS, encryption_master_key=queue_key,
                      enforce_ssl=True, dead_letter_queue=sqs.DeadLetterQueue(queue=dead, max_receive_count=3))
    from sagemaker_sfn.constructs.nag import acknowledge
    acknowledge(dead, {"AwsSolutions-SQS3": "This queue is itself the dead-letter queue."})
    machine = SageMakerPipelineStateMachine(stack, "Keyed", definition=CUSTOMER_KEYS_DEFINITION,
                                            state_machine_name="keyed", foundation=foundation.refs,
                                            topics={"AlertsTopicArn": topic}, queues={"WorkQueueUrl": queue})
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    template = app.synth().get_stack_by_name("Keys").template
    assert nag_violations(tmp_path) == []
    assert cfn_lint(sorted(tmp_path.glob("*.template.json"))) == ""
    t = Template.from_json(template)
    role_id = stack.get_logical_id(machine.role.node.default_child)
    [policy] = [p for p in t.find_resources("AWS::IAM::Policy").values() if p["Properties"]["Roles"] == [{"Ref": role_id}]]
    key_statements = [s for s in policy["Properties"]["PolicyDocument"]["Statement"]
                      if s["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]]
    key_ids = {stack.resolve(stack.get_logical_id(k.node.default_child)) for k in (topic_key, queue_key)}
    granted = [r for s in key_statements for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    assert {r["Fn::GetAtt"][0] for r in granted} == key_ids
    subs = t.find_resources("AWS::StepFunctions::StateMachine")
    [machine_json] = subs.values()
    values = machine_json["Properties"]["DefinitionSubstitutions"]
    assert values["AlertsTopicArn"] == {"Ref": stack.resolve(stack.get_logical_id(topic.node.default_child))}
    assert values["WorkQueueUrl"] == {"Ref": stack.resolve(stack.get_logical_id(queue.node.default_child))}
    # ${CacheTableName} is the foundation's cache table (issue 12), and the role may read it.
    table_id = stack.resolve(stack.get_logical_id(foundation.cache_table.node.default_child))
    assert values["CacheTableName"] == {"Ref": table_id}
    statements = {s["Sid"]: s for s in t.to_json()["Resources"][role_id]["Properties"]["Policies"][0]
                  ["PolicyDocument"]["Statement"]}
    assert statements["DynamoDBRead"]["Action"] == "dynamodb:GetItem"
    assert statements["DynamoDBRead"]["Resource"] == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":dynamodb:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
        ":table/", {"Ref": table_id}]]}
