"""The shared foundation: data + access-log buckets, step-cache table, failure topic."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from sagemaker_sfn.constructs.foundation import Foundation


class FoundationStack(cdk.Stack):
    """:param prefix: resource name prefix; :param notification_email: default None (no subscription)."""

    def __init__(self, scope: Construct, construct_id: str, *, prefix: str, notification_email: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.foundation = Foundation(self, "Foundation", prefix=prefix, notification_email=notification_email)
        cdk.CfnOutput(self, "DataBucketName", value=self.foundation.bucket.bucket_name,
                      description="Pipelines read inputs from and write outputs to this bucket")
        cdk.CfnOutput(self, "CacheTableName", value=self.foundation.cache_table.table_name,
                      description="DynamoDB table of the step cache (${CacheTableName})")
        cdk.CfnOutput(self, "FailureTopicArn", value=self.foundation.failure_topic.topic_arn)
