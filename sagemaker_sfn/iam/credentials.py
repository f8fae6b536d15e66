"""``Credentials``: a Task run as another role."""

from __future__ import annotations

from collections.abc import Mapping

from sagemaker_sfn.iam.base import ArnContext, Grant, TaskRef, name_ref

SOURCE_CREDENTIALS = ("https://docs.aws.amazon.com/step-functions/latest/dg/concepts-access-cross-acct-resources.html"
                      " (the state machine's role needs sts:AssumeRole on the role a Task's Credentials name)")


def assume_role_grants(task: TaskRef, ctx: ArnContext) -> list[Grant]:
    """``sts:AssumeRole`` for a Task's ``Credentials`` (a task run as another, e.g. cross-account, role)."""
    credentials = task.state.get("Credentials")
    if not isinstance(credentials, Mapping):
        return []
    role = name_ref(credentials, "RoleArn")
    if role is not None and role.is_static:
        resource, why = role.static or "", ""
    else:
        # The role is chosen at run time and may be in any account: nothing narrower is knowable.
        resource, why = f"arn:{ctx.partition}:iam::*:role/*", " The role is read at run time, so any role is allowed."
    return [Grant(sid="AssumeTaskRoles", actions=("sts:AssumeRole",), resources=(resource,),
                  reason="Run the tasks that name Credentials as the role they name." + why,
                  states=(task.location,), sources=(SOURCE_CREDENTIALS,))]
