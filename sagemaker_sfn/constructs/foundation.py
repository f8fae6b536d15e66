"""The shared foundation every pipeline uses: data bucket, access-log bucket, step-cache table and
an encrypted SNS topic for pipeline failures.

The RETAINED buckets (and the cache table) have names CloudFormation generates, so a deploy after
``cdk destroy`` never collides with what the last one left behind; their names are published as SSM
parameters (:class:`~sagemaker_sfn.constructs.names.FoundationNames`) and read back by pipeline
stacks (:func:`import_foundation`) rather than through stack exports. Each pipeline has its own
SageMaker execution role (:mod:`sagemaker_sfn.constructs.sagemaker_role`): there is no shared one.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from sagemaker_sfn.constructs.images import image_table
from sagemaker_sfn.constructs.nag import acknowledge
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
# access logs outlive the stack, so deleting it never deletes them. No bucket_name: a retained bucket
# with a fixed name would make the next deploy after `cdk destroy` fail ("already exists").
_PRIVATE_BUCKET = dict(
    encryption=s3.BucketEncryption.S3_MANAGED,
    block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
    object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforce_ssl=True,
    versioned=True,
    removal_policy=cdk.RemovalPolicy.RETAIN,
)


class FoundationRefs:
    """What a pipeline needs from the foundation, whether created here or imported.

    Each resource is given either as is or as a zero-argument factory, called on first use: an
    imported stack then only holds the SSM parameters of what it actually uses (cfn-lint W2001
    reports unused template parameters).
    """

    def __init__(self, *, names: FoundationNames, bucket: s3.IBucket | Callable[[], s3.IBucket],
                 failure_topic: sns.ITopic | Callable[[], sns.ITopic],
                 cache_table: dynamodb.ITable | Callable[[], dynamodb.ITable]) -> None:
        self.names = names
        self._given: dict[str, Any] = {"bucket": bucket, "failure_topic": failure_topic, "cache_table": cache_table}
        self._made: dict[str, Any] = {}

    def _get(self, name: str) -> Any:
        if name not in self._made:
            given = self._given[name]
            self._made[name] = given() if isinstance(given, FunctionType) else given
        return self._made[name]

    @property
    def bucket(self) -> s3.IBucket:
        return self._get("bucket")

    @property
    def failure_topic(self) -> sns.ITopic:
        return self._get("failure_topic")

    @property
    def cache_table(self) -> dynamodb.ITable:
        """The step cache (issue 12): partition key ``CacheKey`` (S), TTL attribute ``ExpiresAt``."""
        return self._get("cache_table")


# The step cache (docs/CONVENTIONS.md, issue 12): one item per cached step result.
CACHE_PARTITION_KEY = "CacheKey"     # String
CACHE_TTL_ATTRIBUTE = "ExpiresAt"    # Number, epoch seconds; DynamoDB deletes expired items itself


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

        self.log_bucket = s3.Bucket(
            self, "AccessLogs",
            **_PRIVATE_BUCKET,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=cdk.Duration.days(ACCESS_LOG_DAYS),
                                              noncurrent_version_expiration=cdk.Duration.days(30))],
        )
        acknowledge(self.log_bucket, {
            "AwsSolutions-S1": "This is the access-log bucket itself; logging it into itself would loop.",
        })

        self.bucket = s3.Bucket(
            self, "Data",
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

        self.cache_table = self._cache_table()
        self.failure_topic = self._failure_topic(stack, notification_email)
        # Published for pipeline stacks and the CLI (generated names cannot be derived).
        ssm.StringParameter(self, "DataBucketNameParameter", parameter_name=self.names.data_bucket_parameter,
                            string_value=self.bucket.bucket_name,
                            description="Name of the sagemaker-sfn data bucket (generated by CloudFormation)")
        ssm.StringParameter(self, "CacheTableNameParameter", parameter_name=self.names.cache_table_parameter,
                            string_value=self.cache_table.table_name,
                            description="Name of the sagemaker-sfn step-cache table (generated by CloudFormation)")
        self.refs = FoundationRefs(names=self.names, bucket=self.bucket, failure_topic=self.failure_topic,
                                   cache_table=self.cache_table)

    def _cache_table(self) -> dynamodb.Table:
        # On-demand (cache traffic follows the pipelines' bursts), encrypted (AWS managed key, which
        # the state machine roles may use without key grants), point-in-time recovery on. DESTROYED
        # with the stack: every entry can be recomputed, and a generated name never collides.
        return dynamodb.Table(
            self, "StepCache",
            partition_key=dynamodb.Attribute(name=CACHE_PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            time_to_live_attribute=CACHE_TTL_ATTRIBUTE,
            removal_policy=cdk.RemovalPolicy.DESTROY)

    def _failure_topic(self, stack: cdk.Stack, notification_email: str | None) -> sns.Topic:
        key = kms.Key(self, "NotificationKey", alias=self.names.notification_key_alias, enable_key_rotation=True,
                      description="Encrypts the sagemaker-sfn pipeline failure topic",
                      removal_policy=cdk.RemovalPolicy.DESTROY)
        # EventBridge delivers the failure events: it must be able to encrypt for the topic. The SNS
        # developer guide ("Enable compatibility between event sources from AWS services and encrypted
        # topics", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html) says aws:SourceAccount
        # / aws:SourceArn conditions are not supported for EventBridge there: with one, no failure
        # notice is ever delivered. SNS encrypts under the encryption context aws:sns:topicArn, so the
        # key is scoped to this topic through it (the condition key AWS's own key policies for
        # encrypted SNS topics use, e.g. the GameLift FlexMatch guide, queue-notification-sns-sse.html). The ARN is built from the name (not the topic's
        # token) because the topic itself refers to the key.
        topic_arn = stack.format_arn(service="sns", resource=self.names.failure_topic,
                                     arn_format=cdk.ArnFormat.NO_RESOURCE_NAME)
        key.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowEventBridgeToEncryptForTopic",
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["kms:GenerateDataKey*", "kms:Decrypt"], resources=["*"],
            conditions={"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": topic_arn}}))
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
    """References to a foundation deployed by another stack (default prefix ``sagemaker-sfn``).

    Generated names are read from the foundation's SSM parameters at deploy time (CloudFormation
    parameters of type ``AWS::SSM::Parameter::Value<String>``); the topic is found by its fixed name.
    """
    holder = Construct(scope, construct_id)
    stack = cdk.Stack.of(scope)
    names = FoundationNames(prefix)

    def bucket() -> s3.IBucket:
        name = ssm.StringParameter.value_for_string_parameter(holder, names.data_bucket_parameter)
        return s3.Bucket.from_bucket_name(holder, "Data", name)

    def table() -> dynamodb.ITable:
        name = ssm.StringParameter.value_for_string_parameter(holder, names.cache_table_parameter)
        return dynamodb.Table.from_table_name(holder, "StepCache", name)

    def topic() -> sns.ITopic:
        return sns.Topic.from_topic_arn(holder, "FailureTopic",
                                        stack.format_arn(service="sns", resource=names.failure_topic,
                                                         arn_format=cdk.ArnFormat.NO_RESOURCE_NAME))

    return FoundationRefs(names=names, bucket=bucket, failure_topic=topic, cache_table=table)


def image_mapping(scope: Construct, construct_id: str = "SageMakerImages") -> cdk.CfnMapping:
    """The per-region image URI table as a CfnMapping (one per stack, reused by every state machine)."""
    stack = cdk.Stack.of(scope)
    existing = stack.node.try_find_child(construct_id)
    if isinstance(existing, cdk.CfnMapping):
        return existing
    return cdk.CfnMapping(stack, construct_id, mapping=image_table())
