"""IAM policy derived from a definition: whole documents for basic, complex and JSONPath cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sagemaker_sfn.errors import DefinitionError
from sagemaker_sfn.iam import (explain_policy, name_ref, policy_for_definition, queue_arn,
                               statements_for_definition, task_states, ArnContext, NameRef)

PASS_TO_SAGEMAKER = {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def machine(**states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


def train_state(**parameters: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
            "Parameters": parameters, "End": True}


def test_basic_training_job_with_static_name() -> None:
    definition = machine(Train=train_state(TrainingJobName="Train-Model", RoleArn="${SageMakerRoleArn}",
                                           Tags=[{"Key": "k", "Value": "v"}]))
    assert policy_for_definition(definition, region="eu-west-1", account="123456789012") == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "PassSageMakerExecutionRole", "Effect": "Allow", "Action": ["iam:PassRole"],
             "Resource": ["${SageMakerRoleArn}"], "Condition": PASS_TO_SAGEMAKER},
            {"Sid": "SageMakerJobCompletionEvents", "Effect": "Allow",
             "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
             "Resource": ["arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"]},
            {"Sid": "SageMakerTrainingJobs", "Effect": "Allow",
             "Action": ["sagemaker:AddTags", "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob",
                        "sagemaker:ListTags", "sagemaker:StopTrainingJob"],
             # SageMaker ARNs hold lower-case names.
             "Resource": ["arn:aws:sagemaker:eu-west-1:123456789012:training-job/train-model*"]},
        ],
    }


def test_request_response_job_needs_no_describe_stop_or_events() -> None:
    # Issue 10 item 2: AddTags even without Tags, since Step Functions tags every job it starts
    # (aws-cdk create-training-job.ts createPolicyStatements; aws-cdk#26012, #32294).
    state = train_state(TrainingJobName="t", RoleArn="arn:aws:iam::123456789012:role/R")
    state["Resource"] = "arn:aws:states:::sagemaker:createTrainingJob"
    assert statements_for_definition(machine(T=state)) == [
        {"Sid": "PassSageMakerExecutionRole", "Effect": "Allow", "Action": ["iam:PassRole"],
         "Resource": ["arn:aws:iam::123456789012:role/R"], "Condition": PASS_TO_SAGEMAKER},
        {"Sid": "SageMakerTrainingJobs", "Effect": "Allow",
         "Action": ["sagemaker:AddTags", "sagemaker:CreateTrainingJob", "sagemaker:ListTags"],
         "Resource": ["arn:aws:sagemaker:*:*:training-job/t*"]},
    ]


def test_complex_nested_parallel_and_map_with_every_integration() -> None:
    tune = {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync",
            "Parameters": {
                "HyperParameterTuningJobName.$": "States.Format('Tune-{}-{}', $$.Execution.Name, $$.State.RetryCount)",
                "TrainingJobDefinition": {"RoleArn": "${SageMakerRoleArn}"},
                "Tags.$": "States.Array(States.StringToJson('{\"Key\":\"a\",\"Value\":\"b\"}'))"},
            "End": True}
    notify = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
              "Parameters": {"TopicArn": "${FailureTopicArn}", "Message.$": "$"}, "End": True}
    invoke = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "${GenerateDatasetFunctionArn}", "Payload.$": "$"}, "End": True}
    wait = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "${CallbackQueueUrl}", "MessageBody": {"Token.$": "$$.Task.Token"}},
            "End": True}
    read = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket": "${DataBucket}",
                           "Key.$": "States.Format('train-evaluate/evaluation/{}/evaluation.json', $.id)"},
            "End": True}
    definition = machine(
        Fan={"Type": "Parallel", "End": True, "Branches": [
            machine(Tune=tune),
            machine(Each={"Type": "Map", "End": True, "ItemProcessor": machine(Invoke=invoke)}),
            machine(Old={"Type": "Map", "End": True, "Iterator": machine(Wait=wait)}),
        ]},
        Read=read, Notify=notify)
    assert policy_for_definition(definition, partition="aws-cn", region="cn-north-1", account="123456789012") == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "InvokeLambdaFunctions", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
             "Resource": ["${GenerateDatasetFunctionArn}", "${GenerateDatasetFunctionArn}:*"]},
            {"Sid": "PassSageMakerExecutionRole", "Effect": "Allow", "Action": ["iam:PassRole"],
             "Resource": ["${SageMakerRoleArn}"], "Condition": PASS_TO_SAGEMAKER},
            {"Sid": "PublishToTopics", "Effect": "Allow", "Action": ["sns:Publish"],
             "Resource": ["${FailureTopicArn}"]},
            {"Sid": "S3Read", "Effect": "Allow", "Action": ["s3:GetObject"],
             "Resource": ["arn:aws-cn:s3:::${DataBucket}/train-evaluate/evaluation/*"]},
            {"Sid": "SageMakerHyperParameterTuningJobs", "Effect": "Allow",
             "Action": ["sagemaker:AddTags", "sagemaker:CreateHyperParameterTuningJob",
                        "sagemaker:DescribeHyperParameterTuningJob", "sagemaker:ListTags",
                        "sagemaker:StopHyperParameterTuningJob"],
             "Resource": ["arn:aws-cn:sagemaker:cn-north-1:123456789012:hyper-parameter-tuning-job/tune-*"]},
            {"Sid": "SageMakerJobCompletionEvents", "Effect": "Allow",
             "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
             "Resource": ["arn:aws-cn:events:cn-north-1:123456789012:rule/StepFunctionsGetEventsForSageMakerTuningJobsRule"]},
            {"Sid": "SendToQueues", "Effect": "Allow", "Action": ["sqs:SendMessage"],
             "Resource": ["${CallbackQueueArn}"]},
        ],
    }


def test_jsonpath_names_and_role_from_input_get_wildcards() -> None:
    definition = machine(
        Process={"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
                 "Parameters": {"ProcessingJobName.$": "$.name", "RoleArn.$": "$.role"}, "End": True})
    assert statements_for_definition(definition) == [
        {"Sid": "PassSageMakerExecutionRole", "Effect": "Allow", "Action": ["iam:PassRole"],
         "Resource": ["arn:aws:iam::*:role/*"], "Condition": PASS_TO_SAGEMAKER},
        {"Sid": "SageMakerJobCompletionEvents", "Effect": "Allow",
         "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
         "Resource": ["arn:aws:events:*:*:rule/StepFunctionsGetEventsForSageMakerProcessingJobsRule"]},
        {"Sid": "SageMakerProcessingJobs", "Effect": "Allow",
         "Action": ["sagemaker:AddTags", "sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob",
                    "sagemaker:ListTags", "sagemaker:StopProcessingJob"],
         "Resource": ["arn:aws:sagemaker:*:*:processing-job/*"]},
    ]
    # Given the roles the deployment allows, PassRole narrows to them.
    narrowed = statements_for_definition(definition, role_arns=["arn:aws:iam::1:role/B", "arn:aws:iam::1:role/A"])
    assert narrowed[0]["Resource"] == ["arn:aws:iam::1:role/A", "arn:aws:iam::1:role/B"]


def test_statements_with_the_same_actions_merge_and_sort() -> None:
    definition = machine(
        B=train_state(TrainingJobName="beta", RoleArn="${SageMakerRoleArn}") | {"Next": "A", "End": None},
        A=train_state(TrainingJobName="alpha", RoleArn="${SageMakerRoleArn}"))
    statements = statements_for_definition(definition)
    assert [s["Sid"] for s in statements] == ["PassSageMakerExecutionRole", "SageMakerJobCompletionEvents",
                                              "SageMakerTrainingJobs"]
    assert statements[2]["Resource"] == ["arn:aws:sagemaker:*:*:training-job/alpha*",
                                         "arn:aws:sagemaker:*:*:training-job/beta*"]


def test_same_kind_with_different_actions_keeps_unique_sids() -> None:
    sync = train_state(TrainingJobName="a", RoleArn="${SageMakerRoleArn}") | {"Next": "B", "End": None}
    plain = train_state(TrainingJobName="b", RoleArn="${SageMakerRoleArn}")
    plain["Resource"] = "arn:aws:states:::sagemaker:createTrainingJob"
    statements = statements_for_definition(machine(A=sync, B=plain))
    jobs = [(s["Sid"], s["Resource"]) for s in statements if "TrainingJobs" in s["Sid"]]
    # Ordered by Sid, then actions: the .sync set (Create, Describe, ListTags, Stop) sorts first.
    assert jobs == [("SageMakerTrainingJobs", ["arn:aws:sagemaker:*:*:training-job/a*"]),
                    ("SageMakerTrainingJobs2", ["arn:aws:sagemaker:*:*:training-job/b*"])]


def test_models_endpoints_and_model_packages() -> None:
    definition = machine(
        Model={"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModel", "Next": "Config",
               "Parameters": {"ModelName.$": "States.Format('xgb-{}', $$.Execution.Name)",
                              "ExecutionRoleArn": "${SageMakerRoleArn}"}},
        Config={"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createEndpointConfig", "Next": "Endpoint",
                "Parameters": {"EndpointConfigName": "Cfg-1"}},
        Endpoint={"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createEndpoint", "Next": "Update",
                  "Parameters": {"EndpointName": "Ep", "EndpointConfigName": "Cfg-1"}},
        Update={"Type": "Task", "Resource": "arn:aws:states:::sagemaker:updateEndpoint", "Next": "Register",
                "Parameters": {"EndpointName": "Ep", "EndpointConfigName.$": "$.config"}},
        Register={"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:createModelPackage", "End": True,
                  "Parameters": {"ModelPackageGroupName": "Churn", "ModelApprovalStatus": "PendingManualApproval"}})
    assert statements_for_definition(definition, region="us-east-1", account="111122223333") == [
        {"Sid": "PassSageMakerExecutionRole", "Effect": "Allow", "Action": ["iam:PassRole"],
         "Resource": ["${SageMakerRoleArn}"], "Condition": PASS_TO_SAGEMAKER},
        {"Sid": "SageMakerCreateEndpoint", "Effect": "Allow",
         "Action": ["sagemaker:CreateEndpoint", "sagemaker:ListTags"],
         "Resource": ["arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/cfg-1",
                      "arn:aws:sagemaker:us-east-1:111122223333:endpoint/ep"]},
        {"Sid": "SageMakerEndpointConfigs", "Effect": "Allow",
         "Action": ["sagemaker:CreateEndpointConfig", "sagemaker:ListTags"],
         "Resource": ["arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/cfg-1"]},
        {"Sid": "SageMakerModelPackages", "Effect": "Allow",
         "Action": ["sagemaker:CreateModelPackage", "sagemaker:ListTags"],
         "Resource": ["arn:aws:sagemaker:us-east-1:111122223333:model-package-group/churn",
                      "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/*"]},
        {"Sid": "SageMakerModels", "Effect": "Allow", "Action": ["sagemaker:CreateModel", "sagemaker:ListTags"],
         "Resource": ["arn:aws:sagemaker:us-east-1:111122223333:model/xgb-*"]},
        {"Sid": "SageMakerUpdateEndpoint", "Effect": "Allow", "Action": ["sagemaker:UpdateEndpoint"],
         "Resource": ["arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/*",
                      "arn:aws:sagemaker:us-east-1:111122223333:endpoint/ep"]},
    ]


def test_lambda_references_in_every_form() -> None:
    def invoke(function: str) -> dict[str, Any]:
        return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                "Parameters": {"FunctionName": function}}

    definition = machine(
        Bare={"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111122223333:function:bare", "Next": "P"},
        P={"Type": "Task", "Resource": "${ExtractFunctionArn}", "Next": "N"},
        N=invoke("by-name") | {"Next": "Q", "End": None},
        Q=invoke("by-name:live") | {"Next": "R", "End": None},
        R=invoke("444455556666:function:partial"))
    statement, = statements_for_definition(definition, region="us-east-1", account="111122223333")
    assert statement["Resource"] == [
        "${ExtractFunctionArn}", "${ExtractFunctionArn}:*",
        "arn:aws:lambda:us-east-1:111122223333:function:bare", "arn:aws:lambda:us-east-1:111122223333:function:bare:*",
        "arn:aws:lambda:us-east-1:111122223333:function:by-name",
        "arn:aws:lambda:us-east-1:111122223333:function:by-name:*",
        "arn:aws:lambda:us-east-1:111122223333:function:by-name:live",
        "arn:aws:lambda:us-east-1:444455556666:function:partial",
        "arn:aws:lambda:us-east-1:444455556666:function:partial:*",
    ]


def test_no_action_wildcard_and_every_wildcard_resource_is_explained(tmp_path: Path) -> None:
    definition = machine(
        A={"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Next": "B",
           "Parameters": {"TopicArn.$": "$.topic", "Message": "m"}},
        B={"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTransformJob.sync", "End": True,
           "Parameters": {"TransformJobName.$": "$.name"}})
    statements = statements_for_definition(definition)
    assert all("*" not in action for s in statements for action in s["Action"])
    text = explain_policy(definition)
    assert "Publish to the SNS topics the states name; a topic read at run time allows any topic." in text
    assert "The job name is computed at run time with no literal prefix, so any name is allowed." in text


def test_explain_lists_reason_and_states() -> None:
    definition = machine(**{"Send it": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                                        "Parameters": {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/q",
                                                       "MessageBody": "x"}, "End": True}})
    assert explain_policy(definition) == (
        "SendToQueues\n"
        "  allow:     sqs:SendMessage\n"
        "  on:        arn:aws:sqs:eu-west-1:111122223333:q\n"
        "  why:       Send messages to the SQS queues the states name.\n"
        "  for:       $.States['Send it']\n"
        "  source:    https://docs.aws.amazon.com/step-functions/latest/dg/sqs-iam.html (sqs:SendMessage on the queue)\n")


def test_fails_unknown_integration_with_location() -> None:
    definition = machine(Outer={"Type": "Parallel", "End": True, "Branches": [machine(
        Put={"Type": "Task", "Resource": "arn:aws:states:::dynamodb:createTable", "End": True})]})
    with pytest.raises(DefinitionError, match=r"^\$\.States\.Outer\.Branches\[0\]\.States\.Put\.Resource: "
                                              r"no IAM rule for Task Resource 'arn:aws:states:::dynamodb:createTable'"):
        policy_for_definition(definition)


def test_fails_unparseable_resource() -> None:
    with pytest.raises(DefinitionError, match=r"\$\.States\.A\.Resource: unrecognised Task Resource 'nonsense'"):
        policy_for_definition(machine(A={"Type": "Task", "Resource": "nonsense", "End": True}))


def test_fails_unreadable_queue_url() -> None:
    definition = machine(A={"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
                            "Parameters": {"QueueUrl": "queue-name", "MessageBody": "x"}})
    with pytest.raises(DefinitionError, match=r"\$\.States\.A\.Parameters\.QueueUrl: cannot read a queue"):
        policy_for_definition(definition)


def test_activities_and_flow_states_need_nothing() -> None:
    definition = machine(
        Work={"Type": "Task", "Resource": "arn:aws:states:us-east-1:111122223333:activity:human", "Next": "Done"},
        Done={"Type": "Succeed"})
    assert policy_for_definition(definition) == {"Version": "2012-10-17", "Statement": []}
    assert explain_policy(definition) == "No Task state needs permissions: the policy has no statements.\n"


@pytest.mark.parametrize(("params", "expected"), [
    ({"N": "Plain"}, NameRef(static="Plain")),
    ({"N.$": "$.name"}, NameRef(static=None)),
    ({"N.$": "States.Format('a\\'b-{}', $.x)"}, NameRef(static=None, prefix="a'b-")),
    ({"N.$": "States.Format('{}-x', $.x)"}, NameRef(static=None, prefix="")),
    ({"N": "{% $name %}"}, NameRef(static=None)),
    ({}, None),
])
def test_name_ref_reads_static_values_and_format_prefixes(params: dict[str, Any], expected: NameRef | None) -> None:
    assert name_ref(params, "N") == expected


def test_queue_arn_from_url_and_placeholder() -> None:
    ctx = ArnContext(partition="aws")
    assert queue_arn("https://sqs.us-east-2.amazonaws.com/111122223333/jobs", ctx) == \
        "arn:aws:sqs:us-east-2:111122223333:jobs"
    assert queue_arn("${CallbackQueueUrl}", ctx) == "${CallbackQueueArn}"


def test_task_states_walks_nested_states_in_order() -> None:
    definition = machine(P={"Type": "Parallel", "End": True, "Branches": [
        machine(**{"a b": {"Type": "Task", "Resource": "x", "End": True}})]})
    assert [t.location for t in task_states(definition)] == ["$.States.P.Branches[0].States['a b']"]


def test_seed_001_policy_is_scoped(tmp_path: Path) -> None:
    seed = Path("/work/shared/seeds/001_d46faa7aa3e8c745.txt")
    if not seed.exists():
        pytest.skip("seed 001 not available")
    line = next(line for line in seed.read_text(encoding="utf-8").splitlines() if line.startswith('{ "StartAt"'))
    statements = statements_for_definition(json.loads(line), region="us-west-2", account="012345678912")
    assert [s["Sid"] for s in statements] == [
        "InvokeLambdaFunctions", "PassSageMakerExecutionRole", "SageMakerHyperParameterTuningJobs",
        "SageMakerJobCompletionEvents", "SageMakerModels", "SageMakerTransformJobs"]
    assert statements[3]["Resource"] == [
        "arn:aws:events:us-west-2:012345678912:rule/StepFunctionsGetEventsForSageMakerTransformJobsRule",
        "arn:aws:events:us-west-2:012345678912:rule/StepFunctionsGetEventsForSageMakerTuningJobsRule"]


def test_task_credentials_need_assume_role() -> None:
    definition = machine(
        A={"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Next": "B",
           "Credentials": {"RoleArn": "arn:aws:iam::444455556666:role/Publisher"},
           "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:444455556666:t", "Message": "m"}},
        B={"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True,
           "Credentials": {"RoleArn.$": "$.role"},
           "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:444455556666:t", "Message": "m"}})
    assert statements_for_definition(definition) == [
        {"Sid": "AssumeTaskRoles", "Effect": "Allow", "Action": ["sts:AssumeRole"],
         "Resource": ["arn:aws:iam::*:role/*", "arn:aws:iam::444455556666:role/Publisher"]},
        {"Sid": "PublishToTopics", "Effect": "Allow", "Action": ["sns:Publish"],
         "Resource": ["arn:aws:sns:us-east-1:444455556666:t"]},
    ]


SHIPPED = sorted((Path(__file__).resolve().parent.parent / "asl_templates").glob("*.asl.json"))


@pytest.mark.parametrize("template", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_template_gets_a_scoped_policy(template: Path) -> None:
    # A new integration in a builder without an IAM rule fails here, not at run time on AWS.
    statements = statements_for_definition(json.loads(template.read_text(encoding="utf-8")))
    assert statements
    for statement in statements:
        assert all("*" not in action for action in statement["Action"]), statement
        # Only the account/region wildcards of the generic output: no resource is "*" or "service:*".
        assert all(resource != "*" and not resource.endswith(":*:*") for resource in statement["Resource"]), statement
    pass_role = [s for s in statements if s["Action"] == ["iam:PassRole"]]
    assert all(s["Resource"] == ["${SageMakerRoleArn}"] for s in pass_role)
