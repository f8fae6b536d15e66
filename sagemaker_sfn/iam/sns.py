"""SNS ``publish``."""

from __future__ import annotations

from sagemaker_sfn.iam.base import ArnContext, Grant, TaskRef, name_ref
from sagemaker_sfn.local.integrations.base import ResourceRef

def sns_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
               role_arns: list[str] | None) -> list[Grant]:
    topic = name_ref(task.parameters, "TopicArn") or name_ref(task.parameters, "TargetArn")
    if topic is not None and topic.is_static:
        resource = topic.static or ""
        reason = "Publish to the SNS topics the states name."
    elif topic is not None and topic.prefix.startswith("arn:"):
        resource, reason = f"{topic.prefix}*", "Publish to the SNS topics the states name at run time."
    else:
        resource = ctx.arn("sns", "*")
        reason = "Publish to the SNS topics the states name; a topic read at run time allows any topic."
    return [Grant(sid="PublishToTopics", actions=("sns:Publish",), resources=(resource,), reason=reason,
                  states=(task.location,))]
