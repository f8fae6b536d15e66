"""SQS ``sendMessage`` (request-response and ``.waitForTaskToken``)."""

from __future__ import annotations

import re

from sagemaker_sfn.errors import DefinitionError
from sagemaker_sfn.iam.base import ArnContext, Grant, TaskRef, name_ref
from sagemaker_sfn.local.integrations.base import ResourceRef

SOURCE_SQS = "https://docs.aws.amazon.com/step-functions/latest/dg/sqs-iam.html (sqs:SendMessage on the queue)"

_SQS_URL = re.compile(r"^https://sqs\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<account>[^/]+)/(?P<name>[^/]+)$")
_PLACEHOLDER_URL = re.compile(r"^\$\{(?P<stem>[A-Za-z0-9_]+)Url\}$")


def queue_arn(url: str, ctx: ArnContext) -> str:
    """The ARN of the queue a QueueUrl names; ``${NameUrl}`` becomes ``${NameArn}``."""
    if match := _PLACEHOLDER_URL.match(url):
        return f"${{{match['stem']}Arn}}"
    if match := _SQS_URL.match(url):
        return f"arn:{ctx.partition}:sqs:{match['region']}:{match['account']}:{match['name']}"
    raise DefinitionError(f"cannot read a queue from QueueUrl '{url}': expected "
                          "https://sqs.<region>.amazonaws.com/<account>/<queue> or a ${<Name>Url} placeholder")


def sqs_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
               role_arns: list[str] | None) -> list[Grant]:
    queue = name_ref(task.parameters, "QueueUrl")
    if queue is not None and queue.is_static:
        try:
            resource = queue_arn(queue.static or "", ctx)
        except DefinitionError as exc:
            raise DefinitionError(str(exc), location=f"{task.location}.Parameters.QueueUrl") from None
        reason = "Send messages to the SQS queues the states name."
    else:
        resource = ctx.arn("sqs", "*")
        reason = "Send messages to the SQS queues the states name; a queue read at run time allows any queue."
    if ref.pattern == "waitForTaskToken":
        reason += " The receiver answers with SendTaskSuccess/Failure under its own role."
    return [Grant(sid="SendToQueues", actions=("sqs:SendMessage",), resources=(resource,), reason=reason,
                  states=(task.location,), sources=(SOURCE_SQS,))]


# aws-sdk:s3:<action> -> (IAM action, whether the resource is the object (True) or the bucket).
