"""Dispatch each Task to its integration's rule, merge the grants, render the policy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sagemaker_sfn.errors import DefinitionError
from sagemaker_sfn.iam.base import PLACEHOLDER_ONLY, POLICY_VERSION, ArnContext, Grant, GrantRule, TaskRef, all_states
from sagemaker_sfn.iam.credentials import assume_role_grants
from sagemaker_sfn.iam.distributed_map import distributed_map_grants
from sagemaker_sfn.iam.dynamodb import ITEM_CALLS, dynamodb_grants
from sagemaker_sfn.iam.emr import EMR_CALLS, emr_grants
from sagemaker_sfn.iam.lambda_ import lambda_grants
from sagemaker_sfn.iam.s3 import S3_SDK_ACTIONS, s3_sdk_grants
from sagemaker_sfn.iam.sagemaker_jobs import JOB_KINDS, sagemaker_job_grants
from sagemaker_sfn.iam.sagemaker_models import (DESCRIBE_CALLS, sagemaker_create_model_grants,
                                                sagemaker_describe_grants, sagemaker_endpoint_config_grants,
                                                sagemaker_endpoint_grants, sagemaker_model_package_grants,
                                                sagemaker_update_endpoint_grants)
from sagemaker_sfn.iam.sns import sns_grants
from sagemaker_sfn.iam.sqs import sqs_grants
from sagemaker_sfn.local.integrations.base import ResourceRef


# (service, action) -> rule. "aws-sdk" actions are "<service>:<action>".
RULES: dict[tuple[str, str], GrantRule] = {
    **{("sagemaker", action): sagemaker_job_grants for action in JOB_KINDS},
    ("sagemaker", "createModel"): sagemaker_create_model_grants,
    ("sagemaker", "createEndpointConfig"): sagemaker_endpoint_config_grants,
    ("sagemaker", "createEndpoint"): sagemaker_endpoint_grants,
    ("sagemaker", "updateEndpoint"): sagemaker_update_endpoint_grants,
    ("sagemaker", "createModelPackage"): sagemaker_model_package_grants,
    ("aws-sdk", "sagemaker:createModelPackage"): sagemaker_model_package_grants,
    ("lambda", "invoke"): lambda_grants,
    ("lambda", "invoke-arn"): lambda_grants,
    ("sns", "publish"): sns_grants,
    ("sqs", "sendMessage"): sqs_grants,
    **{("aws-sdk", f"sagemaker:{call}"): sagemaker_describe_grants for call in DESCRIBE_CALLS},
    **{("aws-sdk", f"s3:{action}"): s3_sdk_grants for action in S3_SDK_ACTIONS},
    **{("dynamodb", call): dynamodb_grants for call in ITEM_CALLS},
    **{("aws-sdk", f"dynamodb:{call}"): dynamodb_grants for call in ITEM_CALLS},
    **{("elasticmapreduce", call): emr_grants for call in EMR_CALLS},
}


def _resource_ref(task: TaskRef) -> ResourceRef | None:
    resource = task.state.get("Resource")
    if not isinstance(resource, str):
        raise DefinitionError("a Task needs a Resource string", location=f"{task.location}.Resource")
    if PLACEHOLDER_ONLY.match(resource) and resource.endswith("FunctionArn}"):
        # ${<Name>FunctionArn} as Resource: the legacy Lambda integration, filled at deploy time.
        return ResourceRef(service="lambda", action="invoke-arn", pattern="request-response", resource=resource)
    try:
        ref = ResourceRef.parse(resource)
    except ValueError:
        raise DefinitionError(f"unrecognised Task Resource '{resource}'",
                              location=f"{task.location}.Resource") from None
    return None if ref.service == "activity" else ref  # workers poll activities under their own role


def grants_for_task(task: TaskRef, *, ctx: ArnContext, role_arns: list[str] | None = None) -> list[Grant]:
    """The grants one Task needs; DefinitionError (with the location) for an integration we do not know.

    ``role_arns`` (default None): roles allowed for PassRole when a request reads its role from input.
    """
    ref = _resource_ref(task)
    if ref is None:
        return []
    rule = RULES.get((ref.service, ref.action))
    if rule is None:
        known = ", ".join(sorted(f"{s}:{a}" for s, a in RULES if a != "invoke-arn"))
        raise DefinitionError(f"no IAM rule for Task Resource '{ref.resource}' (known: {known})",
                              location=f"{task.location}.Resource")
    return rule(task, ref, ctx, role_arns)


def grants_for_definition(definition: Mapping[str, Any], *, partition: str = "aws", region: str = "*",
                          account: str = "*", role_arns: list[str] | None = None,
                          state_machine_name: str = "*") -> list[Grant]:
    """Every grant of every Task and Distributed Map, unmerged (see :func:`merge_grants`). Same
    defaults as :func:`policy_for_definition`."""
    ctx = ArnContext(partition=partition, region=region, account=account)
    grants: list[Grant] = []
    for ref in all_states(definition):
        if ref.state.get("Type") == "Map":
            grants.extend(distributed_map_grants(ref, ctx, state_machine_name=state_machine_name))
        elif ref.state.get("Type") == "Task":
            grants.extend(grants_for_task(ref, ctx=ctx, role_arns=role_arns))
            grants.extend(assume_role_grants(ref, ctx))
    return grants


# --------------------------------------------------------------------------------------------
# Merging and rendering


@dataclass
class _Merged:
    sids: list[str] = field(default_factory=list)
    resources: set[str] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def merge_grants(grants: list[Grant]) -> list[Grant]:
    """Merge grants with the same actions and condition; sort actions, resources and statements.

    Sids are made unique (IAM rejects duplicates) by numbering repeats.
    """
    groups: dict[tuple[tuple[str, ...], str], _Merged] = {}
    for grant in grants:
        key = (tuple(sorted(set(grant.actions))), json.dumps(grant.condition, sort_keys=True))
        merged = groups.setdefault(key, _Merged())
        for target, values in ((merged.sids, [grant.sid]), (merged.reasons, [grant.reason]),
                               (merged.states, list(grant.states)), (merged.sources, list(grant.sources))):
            target.extend(v for v in values if v not in target)
        merged.resources.update(grant.resources)
    out: list[Grant] = []
    for (actions, condition), merged in groups.items():
        # Sids are [A-Za-z0-9]: joining the parts' Sids keeps the merged one valid and telling.
        out.append(Grant(sid="".join(sorted(merged.sids)),
                         actions=actions, resources=tuple(sorted(merged.resources)),
                         reason=" ".join(merged.reasons), condition=json.loads(condition),
                         states=tuple(merged.states), sources=tuple(merged.sources)))
    out.sort(key=lambda g: (g.sid, g.actions, g.resources))
    seen: dict[str, int] = {}
    unique: list[Grant] = []
    for grant in out:
        count = seen.get(grant.sid, 0) + 1
        seen[grant.sid] = count
        unique.append(grant if count == 1 else Grant(
            sid=f"{grant.sid}{count}", actions=grant.actions, resources=grant.resources, reason=grant.reason,
            condition=grant.condition, states=grant.states, sources=grant.sources))
    return unique


def statement(grant: Grant) -> dict[str, Any]:
    """One IAM policy statement for a (merged) grant."""
    out: dict[str, Any] = {"Sid": grant.sid, "Effect": "Allow", "Action": list(grant.actions),
                           "Resource": list(grant.resources)}
    if grant.condition:
        out["Condition"] = grant.condition
    return out


def statements_for_definition(definition: Mapping[str, Any], *, partition: str = "aws", region: str = "*",
                              account: str = "*", role_arns: list[str] | None = None,
                              state_machine_name: str = "*") -> list[dict[str, Any]]:
    """The merged, sorted statements (dicts, IAM JSON shape). Same defaults as :func:`policy_for_definition`."""
    grants = grants_for_definition(definition, partition=partition, region=region, account=account,
                                   role_arns=role_arns, state_machine_name=state_machine_name)
    return [statement(g) for g in merge_grants(grants)]


def policy_for_definition(definition: Mapping[str, Any], *, partition: str = "aws", region: str = "*",
                          account: str = "*", role_arns: list[str] | None = None,
                          state_machine_name: str = "*") -> dict[str, Any]:
    """The IAM policy document the state machine's role needs to run ``definition``.

    ``partition`` (default ``aws``), ``region`` and ``account`` (default ``*``: any) go into the ARNs
    we build; a deployer passes its own values or CDK tokens. ``role_arns`` (default None) lists the
    roles ``iam:PassRole`` may hand to SageMaker when a request reads its role from the execution
    input; roles written in the definition (e.g. ``${SageMakerRoleArn}``) are always used as written.
    ``state_machine_name`` (default ``*``: any) is the machine a Distributed Map starts its child
    executions of: itself.
    """
    return {"Version": POLICY_VERSION,
            "Statement": statements_for_definition(definition, partition=partition, region=region,
                                                   account=account, role_arns=role_arns,
                                                   state_machine_name=state_machine_name)}


def explain_policy(definition: Mapping[str, Any], *, partition: str = "aws", region: str = "*",
                   account: str = "*", role_arns: list[str] | None = None, state_machine_name: str = "*") -> str:
    """The policy as readable text: each statement with why it is needed and which states need it."""
    grants = merge_grants(grants_for_definition(definition, partition=partition, region=region,
                                                account=account, role_arns=role_arns,
                                                state_machine_name=state_machine_name))
    if not grants:
        return "No Task state needs permissions: the policy has no statements.\n"
    lines: list[str] = []
    for grant in grants:
        lines.append(f"{grant.sid}")
        lines.append(f"  allow:     {', '.join(grant.actions)}")
        for index, resource in enumerate(grant.resources):
            lines.append(f"  {'on:' if index == 0 else '':<10} {resource}")
        if grant.condition:
            lines.append(f"  when:      {json.dumps(grant.condition, sort_keys=True)}")
        lines.append(f"  why:       {grant.reason}")
        lines.append(f"  for:       {', '.join(grant.states)}")
        for index, source in enumerate(grant.sources):
            lines.append(f"  {'source:' if index == 0 else '':<10} {source}")
        lines.append("")
    return "\n".join(lines)
