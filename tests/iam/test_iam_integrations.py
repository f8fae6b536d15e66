"""Issue 10 and the integrations other parts emit: each test names the AWS page or aws-cdk source
the permission comes from, and `explain_policy` must cite the same source."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_sfn.errors import DefinitionError
from sagemaker_sfn.iam import explain_policy, statements_for_definition

SNS_IAM = "https://docs.aws.amazon.com/step-functions/latest/dg/sns-iam.html"
S3_GET_OBJECT = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html"
CDK_TRAINING = "aws-stepfunctions-tasks/lib/sagemaker/create-training-job.ts"
SAGEMAKER_IAM = "https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html"
DYNAMO_IAM = "https://docs.aws.amazon.com/step-functions/latest/dg/dynamo-iam.html"
AWS_SDK = "https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html"
GUARDRAILS = "https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html"
EMR_IAM = "https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html"
CDK_EMR = "aws-stepfunctions-tasks/lib/emr/emr-create-cluster.ts"
DMAP_IAM = "https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html"
CDK_DMAP = "aws-stepfunctions/lib/state-graph.ts"


def machine(**states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


def task(resource: str, **parameters: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}


def by_sid(definition: dict[str, Any], **options: Any) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements_for_definition(definition, **options)}


# --- item 2: .sync jobs without Tags --------------------------------------------------------

@pytest.mark.parametrize(("api", "noun", "arn_type", "name_field"), [
    ("createTrainingJob", "TrainingJob", "training-job", "TrainingJobName"),
    ("createTransformJob", "TransformJob", "transform-job", "TransformJobName"),
    ("createHyperParameterTuningJob", "HyperParameterTuningJob", "hyper-parameter-tuning-job",
     "HyperParameterTuningJobName"),
    ("createProcessingJob", "ProcessingJob", "processing-job", "ProcessingJobName"),
])
def test_sync_job_without_tags_may_add_tags(api: str, noun: str, arn_type: str, name_field: str) -> None:
    # Source: aws-cdk v2.275.0 create-training-job.ts createPolicyStatements grants sagemaker:AddTags
    # unconditionally (aws-cdk#26012, #32294): Step Functions tags every .sync job it starts.
    definition = machine(J=task(f"arn:aws:states:::sagemaker:{api}.sync", **{name_field: "job"}))
    statement = by_sid(definition)[f"SageMaker{noun}s"]
    assert statement["Action"] == sorted(["sagemaker:AddTags", f"sagemaker:Create{noun}", f"sagemaker:Describe{noun}",
                                          "sagemaker:ListTags", f"sagemaker:Stop{noun}"])
    assert statement["Resource"] == [f"arn:aws:sagemaker:*:*:{arn_type}/job*"]
    text = explain_policy(definition)
    assert CDK_TRAINING in text and "#26012" in text and SAGEMAKER_IAM in text


# --- item 10: no tuning grants without an AWS source ----------------------------------------

def test_tuning_sync_needs_no_training_job_reads() -> None:
    # Source: AWS's least-privilege sample (seeds/001, sagemaker-iam.html) runs a tuning .sync
    # without ListTrainingJobsForHyperParameterTuningJob or DescribeTrainingJob.
    definition = machine(T=task("arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync",
                                HyperParameterTuningJobName="tune"))
    actions = {a for s in statements_for_definition(definition) for a in s["Action"]}
    assert "sagemaker:ListTrainingJobsForHyperParameterTuningJob" not in actions
    assert "sagemaker:DescribeTrainingJob" not in actions


# --- item 3: SNS PhoneNumber / TargetArn --------------------------------------------------------

@pytest.mark.parametrize("field", ["PhoneNumber", "TargetArn", "PhoneNumber.$", "TargetArn.$"])
def test_sns_publish_to_phone_or_target_is_on_any_resource(field: str) -> None:
    # Source: sns-iam.html: publishing to a phone number or a target ARN is authorised on "*".
    definition = machine(P=task("arn:aws:states:::sns:publish", Message="m", **{field: "+15555550100"}))
    assert statements_for_definition(definition) == [
        {"Sid": "PublishToPhonesAndEndpoints", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": ["*"]}]
    assert SNS_IAM in explain_policy(definition)


def test_sns_publish_to_topic_stays_on_the_topic() -> None:
    definition = machine(P=task("arn:aws:states:::sns:publish", TopicArn="arn:aws:sns:us-east-1:1:t", Message="m"))
    assert by_sid(definition)["PublishToTopics"]["Resource"] == ["arn:aws:sns:us-east-1:1:t"]
    assert SNS_IAM in explain_policy(definition)


# --- item 4: s3 getObject with VersionId -------------------------------------------------------

@pytest.mark.parametrize("version", [{"VersionId": "v1"}, {"VersionId.$": "$.version"}])
def test_get_object_with_version_needs_get_object_version(version: dict[str, str]) -> None:
    # Source: S3 API reference, GetObject: a specific version needs s3:GetObjectVersion.
    definition = machine(G=task("arn:aws:states:::aws-sdk:s3:getObject", Bucket="b", Key="k", **version))
    assert statements_for_definition(definition) == [
        {"Sid": "S3ReadVersions", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
         "Resource": ["arn:aws:s3:::b/k"]}]
    assert S3_GET_OBJECT in explain_policy(definition)


def test_get_object_without_version_needs_only_get_object() -> None:
    definition = machine(G=task("arn:aws:states:::aws-sdk:s3:getObject", Bucket="b", Key="k"))
    assert [s["Action"] for s in statements_for_definition(definition)] == [["s3:GetObject"]]


# --- DynamoDB (the step cache) -------------------------------------------------------------------

@pytest.mark.parametrize("resource", ["arn:aws:states:::aws-sdk:dynamodb:{call}", "arn:aws:states:::dynamodb:{call}"])
def test_dynamodb_item_calls_are_scoped_to_the_table(resource: str) -> None:
    # Source: dynamo-iam.html (dynamodb:<Action> on table/<TableName>); the aws-sdk form calls the
    # same API with the same IAM action (supported-services-awssdk.html).
    definition = machine(
        Get=task(resource.format(call="getItem"), TableName="${CacheTableName}", Key={"CacheKey": {"S.$": "$.k"}})
        | {"Next": "Put", "End": None},
        Put=task(resource.format(call="putItem"), TableName="${CacheTableName}", Item={}) | {"Next": "Old", "End": None},
        Old=task(resource.format(call="deleteItem"), TableName="literal-table", Key={}))
    statements = by_sid(definition, region="eu-west-1", account="111122223333")
    assert statements["DynamoDBRead"] == {"Sid": "DynamoDBRead", "Effect": "Allow", "Action": ["dynamodb:GetItem"],
                                          "Resource": ["arn:aws:dynamodb:eu-west-1:111122223333:table/${CacheTableName}"]}
    assert statements["DynamoDBWrite"]["Action"] == ["dynamodb:PutItem"]
    assert statements["DynamoDBDelete"]["Resource"] == ["arn:aws:dynamodb:eu-west-1:111122223333:table/literal-table"]
    assert DYNAMO_IAM in explain_policy(definition)


def test_dynamodb_table_from_input_allows_any_table() -> None:
    definition = machine(Get=task("arn:aws:states:::aws-sdk:dynamodb:getItem", **{"TableName.$": "$.t"}, Key={}))
    assert by_sid(definition)["DynamoDBRead"]["Resource"] == ["arn:aws:dynamodb:*:*:table/*"]
    assert "A table named at run time allows any table." in explain_policy(definition)


# --- aws-sdk SageMaker describe calls -----------------------------------------------------------

def test_describe_endpoint_is_scoped_to_the_endpoint() -> None:
    # Source: supported-services-awssdk.html: aws-sdk:sagemaker:describeEndpoint calls
    # sagemaker:DescribeEndpoint on the endpoint.
    definition = machine(
        D=task("arn:aws:states:::aws-sdk:sagemaker:describeEndpoint", EndpointName="Churn-Live")
        | {"Next": "M", "End": None},
        M=task("arn:aws:states:::aws-sdk:sagemaker:describeTrainingJob", **{"TrainingJobName.$": "$.job"}))
    statements = by_sid(definition)
    assert statements["SageMakerDescribeEndpoint"]["Resource"] == ["arn:aws:sagemaker:*:*:endpoint/churn-live"]
    assert statements["SageMakerDescribeTrainingJob"]["Resource"] == ["arn:aws:sagemaker:*:*:training-job/*"]
    assert AWS_SDK in explain_policy(definition)


# --- endpoint deployments with auto-rollback alarms ----------------------------------------------

def _endpoint(resource: str, **deployment: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"EndpointName": "ep", "EndpointConfigName": "cfg"}
    params.update(deployment)
    return task(resource, **params)


@pytest.mark.parametrize("api", ["createEndpoint", "updateEndpoint"])
def test_rollback_alarms_need_describe_alarms_only_when_given(api: str) -> None:
    # Source: SageMaker developer guide, deployment-guardrails-configuration.html: the caller needs
    # cloudwatch:DescribeAlarms on the auto-rollback alarms it specifies.
    resource = f"arn:aws:states:::sagemaker:{api}"
    with_alarms = machine(U=_endpoint(resource, DeploymentConfig={
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 60}},
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "ep-5xx"}, {"AlarmName": "ep-latency"}]}}))
    assert by_sid(with_alarms, region="us-east-1", account="1")["ReadRollbackAlarms"] == {
        "Sid": "ReadRollbackAlarms", "Effect": "Allow", "Action": ["cloudwatch:DescribeAlarms"],
        "Resource": ["arn:aws:cloudwatch:us-east-1:1:alarm:ep-5xx", "arn:aws:cloudwatch:us-east-1:1:alarm:ep-latency"]}
    assert GUARDRAILS in explain_policy(with_alarms)
    without = machine(U=_endpoint(resource, DeploymentConfig={"BlueGreenUpdatePolicy": {}}))
    assert "ReadRollbackAlarms" not in by_sid(without)
    assert "ReadRollbackAlarms" not in by_sid(machine(U=_endpoint(resource)))
    from_input = machine(U=_endpoint(resource, **{"DeploymentConfig.$": "$.deployment"}))
    assert by_sid(from_input)["ReadRollbackAlarms"]["Resource"] == ["arn:aws:cloudwatch:*:*:alarm:*"]


# --- EMR -----------------------------------------------------------------------------------------

def test_emr_create_cluster_sync_add_step_and_terminate() -> None:
    # Source: emr-iam.html and aws-cdk emr-create-cluster.ts / emr-add-step.ts / emr-terminate-cluster.ts.
    definition = machine(
        Create=task("arn:aws:states:::elasticmapreduce:createCluster.sync", Name="c",
                    ServiceRole="EMR_DefaultRole", JobFlowRole="EMR_EC2_DefaultRole",
                    Instances={"KeepJobFlowAliveWhenNoSteps": True}) | {"Next": "Step", "End": None},
        Step=task("arn:aws:states:::elasticmapreduce:addStep.sync", **{"ClusterId.$": "$.ClusterId"}, Step={})
        | {"Next": "Stop", "End": None},
        Stop=task("arn:aws:states:::elasticmapreduce:terminateCluster", **{"ClusterId.$": "$.ClusterId"}))
    statements = by_sid(definition, region="us-east-1", account="111122223333")
    assert statements["EmrCreateClusters"]["Action"] == [
        "elasticmapreduce:AddTags", "elasticmapreduce:DescribeCluster", "elasticmapreduce:RunJobFlow",
        "elasticmapreduce:TerminateJobFlows"]
    assert statements["EmrCreateClusters"]["Resource"] == ["*"]
    assert statements["PassEmrRoles"]["Resource"] == ["arn:aws:iam::111122223333:role/EMR_DefaultRole",
                                                      "arn:aws:iam::111122223333:role/EMR_EC2_DefaultRole"]
    assert statements["EmrSteps"]["Action"] == ["elasticmapreduce:AddJobFlowSteps", "elasticmapreduce:CancelSteps",
                                                "elasticmapreduce:DescribeStep"]
    assert statements["EmrSteps"]["Resource"] == ["arn:aws:elasticmapreduce:us-east-1:111122223333:cluster/*"]
    assert statements["EmrTerminateClusters"]["Action"] == ["elasticmapreduce:DescribeCluster",
                                                            "elasticmapreduce:TerminateJobFlows"]
    # .sync rules only for the .sync tasks (createCluster and addStep here, not terminateCluster).
    assert statements["EmrCompletionEvents"]["Resource"] == [
        "arn:aws:events:us-east-1:111122223333:rule/StepFunctionsGetEventForEMRAddJobFlowStepsRule",
        "arn:aws:events:us-east-1:111122223333:rule/StepFunctionsGetEventForEMRRunJobFlowRule"]
    assert statements["EmrCleanupServiceLinkedRole"]["Action"] == ["iam:CreateServiceLinkedRole"]
    text = explain_policy(definition)
    assert EMR_IAM in text and CDK_EMR in text


# --- Distributed Map -----------------------------------------------------------------------------

def _distributed(**extra: Any) -> dict[str, Any]:
    return machine(Each={"Type": "Map", "End": True, **extra, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}})


def test_distributed_map_starts_and_manages_its_own_child_executions() -> None:
    # Source: iam-policies-eg-dist-map.html; aws-cdk state-graph.ts DistributedMapPolicy.
    statements = by_sid(_distributed(), region="us-east-1", account="1", state_machine_name="churn")
    assert statements["DistributedMapStartChildren"] == {
        "Sid": "DistributedMapStartChildren", "Effect": "Allow", "Action": ["states:StartExecution"],
        "Resource": ["arn:aws:states:us-east-1:1:stateMachine:churn"]}
    assert statements["DistributedMapManageChildren"]["Action"] == [
        "states:DescribeExecution", "states:RedriveExecution", "states:StopExecution"]
    assert statements["DistributedMapManageChildren"]["Resource"] == ["arn:aws:states:us-east-1:1:execution:churn/*"]
    text = explain_policy(_distributed())
    assert DMAP_IAM in text and CDK_DMAP in text


def test_distributed_map_reads_items_and_writes_results_where_it_says() -> None:
    definition = _distributed(
        ItemReader={"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "in", "Prefix": "p/"}},
        ResultWriter={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "res"}})
    statements = by_sid(definition, state_machine_name="m")
    assert statements["DistributedMapListItems"]["Resource"] == ["arn:aws:s3:::in"]
    assert statements["DistributedMapWriteResults"] == {
        "Sid": "DistributedMapWriteResults", "Effect": "Allow",
        "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
        "Resource": ["arn:aws:s3:::out/res*"]}
    csv = _distributed(ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                                   "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                                   "Parameters": {"Bucket.$": "$.bucket", "Key": "items.csv"}})
    assert by_sid(csv)["DistributedMapReadItems"]["Resource"] == ["arn:aws:s3:::*/items.csv"]


def test_inline_map_needs_nothing_of_its_own() -> None:
    inline = machine(Each={"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}})
    assert statements_for_definition(inline) == []


def test_fails_unknown_item_reader_with_location() -> None:
    definition = _distributed(ItemReader={"Resource": "arn:aws:states:::s3:selectObjectContent", "Parameters": {}})
    with pytest.raises(DefinitionError, match=r"^\$\.States\.Each\.ItemReader\.Resource: no IAM rule for ItemReader"):
        statements_for_definition(definition)
