"""What every SageMaker integration shares: tagging and passing the execution role."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagemaker_sfn.iam.base import SAGEMAKER_SERVICE, SOURCE_SAGEMAKER, ArnContext, Grant, NameRef, TaskRef, name_ref


def has_tags(params: Mapping[str, Any]) -> bool:
    return "Tags" in params or "Tags.$" in params


def tagging_actions(params: Mapping[str, Any]) -> list[str]:
    """Models, endpoint configurations, endpoints and model packages: Step Functions reads the
    created resource's tags back (ListTags); creating it *with* Tags needs AddTags (sagemaker-iam.html).
    Jobs differ: see sagemaker_jobs.JOB_TAGGING."""
    return ["sagemaker:ListTags", "sagemaker:AddTags"] if has_tags(params) else ["sagemaker:ListTags"]


def role_refs(params: Mapping[str, Any], *paths: tuple[str, ...]) -> list[NameRef]:
    """Role fields (``RoleArn``, ``TrainingJobDefinitions[].RoleArn`` ...) found in a request."""
    found: list[NameRef] = []

    def visit(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item, path)
            return
        if not isinstance(node, Mapping):
            return
        if len(path) == 1:
            if (ref := name_ref(node, path[0])) is not None:
                found.append(ref)
            return
        visit(node.get(path[0]), path[1:])

    for path in paths:
        visit(params, path)
    return found


def pass_role_grants(task: TaskRef, ctx: ArnContext, roles: list[NameRef],
                     role_arns: list[str] | None) -> list[Grant]:
    """``iam:PassRole`` on the roles a request hands to SageMaker, and only to SageMaker."""
    if not roles:
        return []
    resources: set[str] = set()
    reason = "SageMaker runs the job or hosts the model as this role; the state machine hands it over."
    for ref in roles:
        if ref.is_static:
            resources.add(ref.static or "")
        elif role_arns:
            resources.update(role_arns)
        else:
            # The role comes from execution input: no narrower ARN is knowable from the definition.
            resources.add(ctx.arn("iam", "role/*", regional=False))
            reason += (" The role ARN is read from the execution input, so any role of the account is"
                       " allowed: pass role_arns (--role-arn) to narrow it.")
    return [Grant(sid="PassSageMakerExecutionRole", actions=("iam:PassRole",), resources=tuple(sorted(resources)),
                  reason=reason, condition={"StringEquals": {"iam:PassedToService": SAGEMAKER_SERVICE}},
                  states=(task.location,), sources=(SOURCE_SAGEMAKER,))]
