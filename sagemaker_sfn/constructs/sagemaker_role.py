"""``PipelineSageMakerRole``: the execution role one pipeline's SageMaker jobs and models run as.

One role per pipeline (issue 10 item 9): with one shared role, any pipeline's jobs could overwrite
another pipeline's models. This role reads the uploaded code and its own pipeline's data, and writes
only under its own prefixes (docs/CONVENTIONS.md, S3 layout): ``<pipeline>/`` (results kept) and
``tmp/<pipeline>/`` (interim data), never ``<pipeline>/input/``. The images it may pull are derived
from the definition (:func:`sagemaker_sfn.iam.sagemaker_execution.image_access`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from sagemaker_sfn.constructs.nag import acknowledge, acknowledge_wildcard_resources
from sagemaker_sfn.iam.base import ArnContext
from sagemaker_sfn.iam.sagemaker_execution import image_access

CODE_PREFIX = "code/"
INTERIM_PREFIX = "tmp/"


def pipeline_prefixes(pipeline: str) -> tuple[str, str]:
    """The key prefixes a pipeline's jobs write under: results, then interim data."""
    return f"{pipeline}/", f"{INTERIM_PREFIX}{pipeline}/"


class PipelineSageMakerRole(Construct):
    """:param pipeline: the pipeline (state machine) name; :param bucket: the data bucket;
    :param definition: the ASL the role's jobs come from (for the image repositories)."""

    def __init__(self, scope: Construct, construct_id: str, *, pipeline: str, bucket: s3.IBucket,
                 definition: Mapping[str, Any]) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.role = iam.Role(
            self, "Role", description=f"SageMaker jobs and models of the sagemaker-sfn pipeline {pipeline}",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": stack.account}}))
        results, interim = pipeline_prefixes(pipeline)
        readable = [bucket.arn_for_objects(f"{p}*") for p in (CODE_PREFIX, results, interim)]
        writable = [bucket.arn_for_objects(f"{p}*") for p in (results, interim)]
        inputs = bucket.arn_for_objects(f"{results}input/*")
        images = image_access(definition, ctx=ArnContext(partition=stack.partition, region=stack.region))
        repositories = list(images.repositories)
        if images.any_repository:
            repositories = [stack.format_arn(service="ecr", account="*", region="*", resource="repository",
                                             resource_name="*")]
        job_logs = stack.format_arn(service="logs", resource="log-group", resource_name="/aws/sagemaker/*",
                                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
        statements = [
            # Jobs read the uploaded code, the pipeline's inputs and its earlier steps' outputs.
            iam.PolicyStatement(sid="ReadCodeAndPipelineData", actions=["s3:GetObject"], resources=readable),
            # Listing shows key names only; SageMaker lists the S3Prefix channels it downloads.
            iam.PolicyStatement(sid="ListPipelineData", actions=["s3:ListBucket", "s3:GetBucketLocation"],
                                resources=[bucket.bucket_arn]),
            iam.PolicyStatement(sid="WritePipelineOutputs", actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                                resources=writable),
            iam.PolicyStatement(sid="KeepInputsReadOnly", effect=iam.Effect.DENY,
                                actions=["s3:PutObject", "s3:DeleteObject"], resources=[inputs]),
            iam.PolicyStatement(sid="WriteJobLogs",
                                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                         "logs:DescribeLogStreams"],
                                resources=[job_logs]),
            # PutMetricData has no resource-level permissions; the namespace condition narrows it.
            iam.PolicyStatement(sid="WriteJobMetrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
                                conditions={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}}),
        ]
        if repositories:
            statements += [
                # GetAuthorizationToken has no resource-level permissions.
                iam.PolicyStatement(sid="EcrLogin", actions=["ecr:GetAuthorizationToken"], resources=["*"]),
                iam.PolicyStatement(sid="PullImages",
                                    actions=["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                                             "ecr:BatchGetImage"],
                                    resources=repositories),
            ]
        shadow: list[str] = []
        if any(r.endswith("/sagemaker-clarify-processing") for r in images.repositories):
            # A Clarify job given a model name serves it on a shadow endpoint it creates as this role.
            # The operations, from "Configure a SageMaker Clarify processing job" (seed 002, RoleArn):
            # ListTags (the job's tags go onto the shadow endpoint: AddTags), CreateEndpointConfig,
            # CreateEndpoint, DescribeEndpoint, InvokeEndpoint. Clarify names the endpoint itself.
            shadow = [stack.format_arn(service="sagemaker", resource=kind, resource_name="*")
                      for kind in ("endpoint", "endpoint-config", "processing-job")]
            statements.append(iam.PolicyStatement(
                sid="ClarifyShadowEndpoint",
                actions=["sagemaker:ListTags", "sagemaker:AddTags", "sagemaker:CreateEndpointConfig",
                         "sagemaker:CreateEndpoint", "sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint"],
                resources=shadow))
        self.policy = iam.Policy(self, "Policy", statements=statements)
        self.policy.attach_to_role(self.role)
        acknowledge_wildcard_resources(
            self.policy, readable + writable + [inputs],
            f"Objects under the code/ prefix and this pipeline's own prefixes ({results}, {interim}) only.")
        acknowledge(self.policy, {
            "AwsSolutions-IAM5[Resource::*]":
                "ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no resource ARN; "
                "PutMetricData is limited to SageMaker namespaces by condition.",
        })
        acknowledge_wildcard_resources(
            self.policy, repositories,
            "Built-in images live in a SageMaker-owned account that differs per region; an image chosen at run "
            "time (or by an unknown placeholder) may come from any repository.")
        if shadow:
            acknowledge_wildcard_resources(
                self.policy, shadow,
                "SageMaker Clarify names its shadow endpoint (and its config) itself when a job is given a model; "
                "ListTags reads the job's own tags. This account and region only.")
        acknowledge_wildcard_resources(self.policy, [job_logs],
                                       "SageMaker names each job's log group and stream under /aws/sagemaker/ itself.")
