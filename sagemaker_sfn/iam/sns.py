"""SNS ``publish``."""

from __future__ import annotations

from sagemaker_sfn.iam.base import CDK_TASKS, ArnContext, Grant, TaskRef, name_ref
from sagemaker_sfn.local.integrations.base import ResourceRef

SOURCE_SNS = ("https://docs.aws.amazon.com/step-functions/latest/dg/sns-iam.html (a topic ARN: the topic;"
              " PhoneNumber or TargetArn: Resource \"*\")")
SOURCE_CDK_SNS = f"{CDK_TASKS}/sns/publish.ts, createPolicyStatements (sns:Publish on the topic)"


def sns_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
               role_arns: list[str] | None) -> list[Grant]:
    params = task.parameters
    if any(name_ref(params, field) is not None for field in ("PhoneNumber", "TargetArn")):
        # An SMS number or a mobile push endpoint is no topic: SNS authorises sns:Publish on "*".
        return [Grant(sid="PublishToPhonesAndEndpoints", actions=("sns:Publish",), resources=("*",),
                      reason="Send SMS messages or mobile push notifications (PhoneNumber / TargetArn); SNS "
                             "authorises these only on \"*\".",
                      states=(task.location,), sources=(SOURCE_SNS,))]
    topic = name_ref(params, "TopicArn")
    if topic is not None and topic.is_static:
        resource = topic.static or ""
        reason = "Publish to the SNS topics the states name."
    elif topic is not None and topic.prefix.startswith("arn:"):
        resource, reason = f"{topic.prefix}*", "Publish to the SNS topics the states name at run time."
    else:
        resource = ctx.arn("sns", "*")
        reason = "Publish to the SNS topics the states name; a topic read at run time allows any topic."
    return [Grant(sid="PublishToTopics", actions=("sns:Publish",), resources=(resource,), reason=reason,
                  states=(task.location,), sources=(SOURCE_SNS, SOURCE_CDK_SNS))]
