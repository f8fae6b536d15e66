"""Amazon EMR's optimized integration: which calls exist, which wait (.sync), and their ``Parameters``
checked against botocore's EMR model (https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html):

| call | request | .sync |
|---|---|---|
| createCluster | RunJobFlow's, without ``Steps``, ``Instances.KeepJobFlowAliveWhenNoSteps: true`` | yes |
| addStep | ``ClusterId``, ``Step`` (a StepConfig), ``ExecutionRoleArn`` | yes |
| terminateCluster | ``ClusterId`` | yes |
| cancelStep | ``ClusterId``, ``StepId`` | no |
| setClusterTerminationProtection | ``ClusterId``, ``TerminationProtected`` | no |
| modifyInstanceFleetByName | ``ClusterId``, ``InstanceFleetName``, ``InstanceFleet`` | no |
| modifyInstanceGroupByName | ``ClusterId``, ``InstanceGroupName``, ``InstanceGroup`` | no |
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sagemaker_sfn.validate.fields import is_jsonata
from sagemaker_sfn.validate.findings import Finding, child, error
from sagemaker_sfn.validate.model import StateRef
from sagemaker_sfn.validate.resources import integration_of, request_of

RULE = "emr-parameters"
INTEGRATION_RULE = "emr-integration"

# call -> {member: botocore shape name (None: a string id)}, required members, .sync supported
CALLS: dict[str, tuple[dict[str, str | None], tuple[str, ...], bool]] = {
    "createCluster": ({}, (), True),   # RunJobFlowInput, checked whole below
    "addStep": ({"ClusterId": None, "Step": "StepConfig", "ExecutionRoleArn": None}, ("ClusterId", "Step"), True),
    "terminateCluster": ({"ClusterId": None}, ("ClusterId",), True),
    "cancelStep": ({"ClusterId": None, "StepId": None, "StepCancellationOption": "StepCancellationOption"},
                   ("ClusterId", "StepId"), False),
    "setClusterTerminationProtection": ({"ClusterId": None, "TerminationProtected": "Boolean"},
                                        ("ClusterId", "TerminationProtected"), False),
    "modifyInstanceFleetByName": ({"ClusterId": None, "InstanceFleetName": None,
                                   "InstanceFleet": "InstanceFleetModifyConfig"},
                                  ("ClusterId", "InstanceFleetName", "InstanceFleet"), False),
    "modifyInstanceGroupByName": ({"ClusterId": None, "InstanceGroupName": None,
                                   "InstanceGroup": "InstanceGroupModifyConfig"},
                                  ("ClusterId", "InstanceGroupName", "InstanceGroup"), False),
}


def _model() -> Any:
    from sagemaker_sfn.validate.service_models import service_model

    return service_model("emr")


def check_emr(ref: StateRef) -> Iterator[Finding]:
    integration = integration_of(ref.state)
    if integration is None or integration.service != "elasticmapreduce" or integration.sdk:
        return
    resource_at = child(ref.location, "Resource")
    call = CALLS.get(integration.action)
    if call is None:
        yield error(resource_at, INTEGRATION_RULE, f"'{integration.action}' is not an optimized EMR integration: "
                    f"expected one of {', '.join(CALLS)} (or arn:aws:states:::aws-sdk:emr:<action>)")
        return
    members, required, sync = call
    if integration.pattern.startswith("sync") and not sync:
        yield error(resource_at, INTEGRATION_RULE, f"elasticmapreduce:{integration.action} does not support .sync: "
                    "expected no suffix (only createCluster, addStep and terminateCluster wait)")
    if integration.pattern == "waitForTaskToken":
        yield error(resource_at, INTEGRATION_RULE, "the EMR integration does not support .waitForTaskToken")
    request = request_of(ref.state, jsonata=ref.jsonata)
    key = "Arguments" if ref.jsonata else "Parameters"
    if request is None:
        yield error(ref.location, RULE, f"elasticmapreduce:{integration.action} needs {key}")
        return
    params = request[1]
    if is_jsonata(params) or not isinstance(params, dict):
        return
    at = child(ref.location, key)
    from sagemaker_sfn.validate.sagemaker import check_value

    model = _model()
    if integration.action == "createCluster":
        yield from _create_cluster(params, at, model=model, jsonata=ref.jsonata, check_value=check_value)
        return
    names = {name[:-2] if name.endswith(".$") else name for name in params}
    for name, value in params.items():
        dynamic = name.endswith(".$")
        bare = name[:-2] if dynamic else name
        if bare not in members:
            yield error(child(at, name), RULE, f"unknown field '{bare}' for elasticmapreduce:{integration.action}: "
                        f"expected one of {', '.join(members)}")
        elif not dynamic and members[bare] is not None:
            yield from _with_rule(check_value(value, model.shape(members[bare]), child(at, name), jsonata=ref.jsonata))
    for name in required:
        if name not in names:
            yield error(at, RULE, f"missing required field '{name}' for elasticmapreduce:{integration.action}")


def _create_cluster(params: dict[str, Any], at: str, *, model: Any, jsonata: bool, check_value: Any) -> Iterator[Finding]:
    if "Steps" in params or "Steps.$" in params:
        yield error(child(at, "Steps"), RULE, "createCluster does not take Steps: add each with "
                    "elasticmapreduce:addStep once the cluster runs")
    instances = params.get("Instances")
    if isinstance(instances, dict) and not any(k.endswith(".$") for k in instances) \
            and instances.get("KeepJobFlowAliveWhenNoSteps") is not True:
        yield error(child(at, "Instances"), RULE, "createCluster needs Instances.KeepJobFlowAliveWhenNoSteps: true "
                    "(the cluster must wait for the steps Step Functions adds)")
    rest = {k: v for k, v in params.items() if k not in ("Steps", "Steps.$")}
    yield from _with_rule(check_value(rest, model.input_shape("RunJobFlow"), at, jsonata=jsonata))


def _with_rule(findings: Iterator[Finding]) -> Iterator[Finding]:
    """The SageMaker shape checker's findings, under this rule's name."""
    import dataclasses

    for finding in findings:
        yield dataclasses.replace(finding, rule=RULE)
