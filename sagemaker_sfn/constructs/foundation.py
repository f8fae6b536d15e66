"""The shared foundation every pipeline uses: data bucket, access-log bucket, SageMaker execution
role and an encrypted SNS topic for pipeline failures.

Physical names come from :class:`~sagemaker_sfn.constructs.names.FoundationNames`, so pipeline stacks
find these resources by name (:func:`import_foundation`) rather than through stack exports.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from sagemaker_sfn.constructs.images import image_table
from sagemaker_sfn.constructs.nag import acknowledge, acknowledge_wildcard_resources
from sagemaker_sfn.constructs.names import DEFAULT_PREFIX, FoundationNames

# Interim data (docs/CONVENTIONS.md, S3 layout): a pipeline writes what only its own execution
# needs (data splits, generated datasets) under tmp/<pipeline>/<execution>/, which expires. S3
# lifecycle filters match key prefixes only, so interim data must START with this prefix.
INTERIM_PREFIX = "tmp/"
INTERIM_DAYS = 14
# Overwritten or deleted versions of datasets and models stay recoverable this long.
NONCURRENT_DAYS = 90
ACCESS_LOG_DAYS = 365

# Both buckets: SSE-S3 (server access logs can only be delivered to SSE-S3 buckets, and SageMaker
# jobs need no key grants), private, TLS only, versioned, and RETAINED: datasets, models and their
# access logs outlive the stack, so deleting it never deletes them.
_PRIVATE_BUCKET = dict(
    encryption=s3.BucketEncryption.S3_MANAGED,
    block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
    object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforce_ssl=True,
    versioned=True,
    removal_policy=cdk.RemovalPolicy.RETAIN,
)


@dataclass(frozen=True)
class FoundationRefs:
    """What a pipeline needs from the foundation, whether created here or imported by name."""

    names: FoundationNames
    bucket: s3.IBucket
    sagemaker_role: iam.IRole
    failure_topic: sns.ITopic


def _sagemaker_ecr_repositories(stack: cdk.Stack) -> list[str]:
    # The built-in images live in SageMaker-owned accounts, one per region: any account, but only
    # the repositories our image placeholders point at.
    return [stack.format_arn(service="ecr", account="*", resource="repository", resource_name=name)
            for name in ("sagemaker-xgboost", "sagemaker-scikit-learn", "sagemaker-clarify-processing",
                         "sagemaker-model-monitor-analyzer")]


class Foundation(Construct):
    """Creates the shared resources.

    :param prefix: physical-name prefix (default ``sagemaker-sfn``), see FoundationNames.
    :param notification_email: address subscribed to the failure topic (default None: no subscription).
    """

    def __init__(self, scope: Construct, construct_id: str, *, prefix: str = DEFAULT_PREFIX,
                 notification_email: str | None = None) -> None:
        super().__init__(scope, construct_id)
        # Access logs delivered under a bucket policy, not ACLs (cdk.json sets this flag; a user's app
        # may not, and ACL delivery conflicts with the log bucket's BUCKET_OWNER_ENFORCED).
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        stack = cdk.Stack.of(self)
        self.names = FoundationNames(prefix)
        account, region = stack.account, stack.region

        self.log_bucket = s3.Bucket(
            self, "AccessLogs",
            bucket_name=self.names.log_bucket(account=account, region=region),
            **_PRIVATE_BUCKET,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=cdk.Duration.days(ACCESS_LOG_DAYS),
                                              noncurrent_version_expiration=cdk.Duration.days(30))],
        )
        acknowledge(self.log_bucket, {
            "AwsSolutions-S1": "This is the access-log bucket itself; logging it into itself would loop.",
        })

        self.bucket = s3.Bucket(
            self, "Data",
            bucket_name=self.names.data_bucket(account=account, region=region),
            **_PRIVATE_BUCKET,
            server_access_logs_bucket=self.log_bucket,
            server_access_logs_prefix="data/",
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-interim-data", prefix=INTERIM_PREFIX,
                                 expiration=cdk.Duration.days(INTERIM_DAYS)),
                s3.LifecycleRule(id="expire-old-versions",
                                 noncurrent_version_expiration=cdk.Duration.days(NONCURRENT_DAYS),
                                 abort_incomplete_multipart_upload_after=cdk.Duration.days(7)),
            ],
        )
        # EventBridge notifications set on the bucket itself: the L2 `event_bridge_enabled` would add
        # a custom-resource Lambda just to write this one property.
        cfn_bucket = self.bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(event_bridge_enabled=True))

        self.sagemaker_role = self._sagemaker_role(stack)
        self.failure_topic = self._failure_topic(stack, notification_email)
        self.refs = FoundationRefs(names=self.names, bucket=self.bucket, sagemaker_role=self.sagemaker_role,
                                   failure_topic=self.failure_topic)

    def _sagemaker_role(self, stack: cdk.Stack) -> iam.Role:
        role = iam.Role(
            self, "SageMakerExecutionRole",
            role_name=self.names.sagemaker_role(region=stack.region),
            description="Passed to SageMaker jobs started by the sagemaker-sfn state machines",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": stack.account}}),
        )
        bucket = self.bucket
        ecr_repositories = _sagemaker_ecr_repositories(stack)
        job_logs = stack.format_arn(service="logs", resource="log-group", resource_name="/aws/sagemaker/*",
                                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
        statements = [
            # Jobs read their inputs, the uploaded code and earlier steps' outputs (a transform reads
            # the model a training job wrote): reading the whole data bucket is the narrowest fit.
            iam.PolicyStatement(sid="ReadPipelineData", actions=["s3:GetObject"],
                                resources=[bucket.arn_for_objects("*")]),
            iam.PolicyStatement(sid="ListPipelineData", actions=["s3:ListBucket", "s3:GetBucketLocation"],
                                resources=[bucket.bucket_arn]),
            # Jobs write models and outputs under <pipeline>/...; they may not touch inputs or code.
            iam.PolicyStatement(sid="WritePipelineOutputs", actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                                resources=[bucket.arn_for_objects("*")]),
            iam.PolicyStatement(sid="KeepInputsAndCodeReadOnly", effect=iam.Effect.DENY,
                                actions=["s3:PutObject", "s3:DeleteObject"],
                                resources=[bucket.arn_for_objects("code/*"), bucket.arn_for_objects("*/input/*")]),
            # GetAuthorizationToken has no resource-level permissions.
            iam.PolicyStatement(sid="EcrLogin", actions=["ecr:GetAuthorizationToken"], resources=["*"]),
            iam.PolicyStatement(sid="PullBuiltInImages",
                                actions=["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                                         "ecr:BatchGetImage"],
                                resources=ecr_repositories),
            iam.PolicyStatement(sid="WriteJobLogs",
                                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                         "logs:DescribeLogStreams"],
                                resources=[job_logs]),
            # PutMetricData has no resource-level permissions; the namespace condition narrows it.
            iam.PolicyStatement(sid="WriteJobMetrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
                                conditions={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}}),
        ]
        policy = iam.Policy(self, "SageMakerExecutionPolicy", statements=statements)
        policy.attach_to_role(role)
        acknowledge_wildcard_resources(
            policy, [bucket.arn_for_objects("*")],
            "Jobs read inputs, code and earlier steps' outputs anywhere in the pipeline data bucket; "
            "writes to code/ and */input/ are denied.")
        acknowledge(policy, {
            "AwsSolutions-IAM5[Resource::*]":
                "ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no resource ARN; "
                "PutMetricData is limited to SageMaker namespaces by condition.",
        })
        acknowledge_wildcard_resources(policy, ecr_repositories,
                                       "Built-in images live in a SageMaker-owned account that differs per region.")
        acknowledge_wildcard_resources(policy, [job_logs],
                                       "SageMaker names each job's log group and stream under /aws/sagemaker/ itself.")
        return role

    def _failure_topic(self, stack: cdk.Stack, notification_email: str | None) -> sns.Topic:
        key = kms.Key(self, "NotificationKey", alias=self.names.notification_key_alias, enable_key_rotation=True,
                      description="Encrypts the sagemaker-sfn pipeline failure topic",
                      removal_policy=cdk.RemovalPolicy.DESTROY)
        # EventBridge delivers the failure events: it must be able to encrypt for the topic.
        key.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowEventBridgeToEncryptForTopic",
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["kms:GenerateDataKey*", "kms:Decrypt"], resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": stack.account}}))
        topic = sns.Topic(self, "FailureTopic", topic_name=self.names.failure_topic,
                          display_name="sagemaker-sfn pipeline failures", master_key=key, enforce_ssl=True)
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowEventBridgePublish", principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["sns:Publish"], resources=[topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": stack.account}}))
        if notification_email:
            topic.add_subscription(subscriptions.EmailSubscription(notification_email))
        return topic


def import_foundation(scope: Construct, construct_id: str, *, prefix: str = DEFAULT_PREFIX) -> FoundationRefs:
    """References to a foundation deployed by another stack, found by name (default prefix ``sagemaker-sfn``)."""
    holder = Construct(scope, construct_id)
    stack = cdk.Stack.of(scope)
    names = FoundationNames(prefix)
    bucket = s3.Bucket.from_bucket_name(holder, "Data", names.data_bucket(account=stack.account, region=stack.region))
    role = iam.Role.from_role_name(holder, "SageMakerExecutionRole", names.sagemaker_role(region=stack.region),
                                   mutable=False)
    topic = sns.Topic.from_topic_arn(holder, "FailureTopic",
                                     stack.format_arn(service="sns", resource=names.failure_topic,
                                                      arn_format=cdk.ArnFormat.NO_RESOURCE_NAME))
    return FoundationRefs(names=names, bucket=bucket, sagemaker_role=role, failure_topic=topic)


def image_mapping(scope: Construct, construct_id: str = "SageMakerImages") -> cdk.CfnMapping:
    """The per-region image URI table as a CfnMapping (one per stack, reused by every state machine)."""
    stack = cdk.Stack.of(scope)
    existing = stack.node.try_find_child(construct_id)
    if isinstance(existing, cdk.CfnMapping):
        return existing
    return cdk.CfnMapping(stack, construct_id, mapping=image_table())
