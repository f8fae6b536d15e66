"""SageMaker models, endpoint configurations, endpoints and model packages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagemaker_sfn.iam.base import (SOURCE_AWS_SDK, SOURCE_SAGEMAKER, ArnContext, Grant, NameRef, TaskRef, name_pattern,
                                    name_ref, why_wildcard)
from sagemaker_sfn.iam.sagemaker_common import pass_role_grants, role_refs, tagging_actions
from sagemaker_sfn.local.integrations.base import ResourceRef

def sagemaker_create_model_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                                  role_arns: list[str] | None) -> list[Grant]:
    params = task.parameters
    name = name_ref(params, "ModelName")
    arn = ctx.arn("sagemaker", f"model/{name_pattern(name, exact_when_static=False)}")
    grants = [Grant(sid="SageMakerModels", actions=("sagemaker:CreateModel", *tagging_actions(params)),
                    resources=(arn,), reason="Create the models the states define."
                    + why_wildcard(name, "model name"), states=(task.location,), sources=(SOURCE_SAGEMAKER,))]
    return grants + pass_role_grants(task, ctx, role_refs(params, ("ExecutionRoleArn",)), role_arns)


def sagemaker_endpoint_config_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                                     role_arns: list[str] | None) -> list[Grant]:
    params = task.parameters
    name = name_ref(params, "EndpointConfigName")
    arn = ctx.arn("sagemaker", f"endpoint-config/{name_pattern(name, exact_when_static=True)}")
    return [Grant(sid="SageMakerEndpointConfigs",
                  actions=("sagemaker:CreateEndpointConfig", *tagging_actions(params)), resources=(arn,),
                  reason="Create the endpoint configurations the states define."
                  + why_wildcard(name, "endpoint configuration name"), states=(task.location,),
                  sources=(SOURCE_SAGEMAKER,))]


def _endpoint_grants(task: TaskRef, ctx: ArnContext, action: str, verb: str) -> list[Grant]:
    # CreateEndpoint / UpdateEndpoint authorise on both the endpoint and the configuration it uses.
    params = task.parameters
    endpoint = name_ref(params, "EndpointName")
    config = name_ref(params, "EndpointConfigName")
    resources = (ctx.arn("sagemaker", f"endpoint/{name_pattern(endpoint, exact_when_static=True)}"),
                 ctx.arn("sagemaker", f"endpoint-config/{name_pattern(config, exact_when_static=True)}"))
    tagging = tagging_actions(params) if action == "CreateEndpoint" else []
    return [Grant(sid=f"SageMaker{action}", actions=(f"sagemaker:{action}", *tagging), resources=resources,
                  reason=f"{verb} the endpoints the states name, with the configurations they name."
                  + why_wildcard(endpoint, "endpoint name") + why_wildcard(config, "configuration name"),
                  states=(task.location,), sources=(SOURCE_SAGEMAKER,))]


SOURCE_ROLLBACK_ALARMS = ("https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html"
                          " (\"Ensure that your IAM execution role has permission to perform the"
                          " cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify\")")


def rollback_alarm_grants(task: TaskRef, ctx: ArnContext) -> list[Grant]:
    """``cloudwatch:DescribeAlarms`` on the alarms of ``DeploymentConfig.AutoRollbackConfiguration``.

    SageMaker reads the alarms as the caller while it deploys with guardrails; without alarms in the
    request nothing is needed, so nothing is granted.
    """
    config = task.parameters.get("DeploymentConfig")
    if "DeploymentConfig.$" in task.parameters or (isinstance(config, str) and config.strip().startswith("{%")):
        alarms: list[Any] = [{}]  # the whole configuration comes from input: any alarm
    elif isinstance(config, Mapping):
        rollback = config.get("AutoRollbackConfiguration")
        if "AutoRollbackConfiguration.$" in config:
            alarms = [{}]
        elif isinstance(rollback, Mapping):
            listed = rollback.get("Alarms")
            alarms = listed if isinstance(listed, list) else ([{}] if "Alarms.$" in rollback or listed else [])
        else:
            alarms = []
    else:
        alarms = []
    if not alarms:
        return []
    names = [name_ref(alarm, "AlarmName") if isinstance(alarm, Mapping) else None for alarm in alarms]
    resources = tuple(sorted({ctx.arn("cloudwatch", f"alarm:{ref.static if ref is not None and ref.is_static else '*'}")
                              for ref in names}))
    why = "" if all(ref is not None and ref.is_static for ref in names) else \
        " An alarm name read at run time allows any alarm."
    return [Grant(sid="ReadRollbackAlarms", actions=("cloudwatch:DescribeAlarms",), resources=resources,
                  reason="SageMaker watches the auto-rollback alarms of the endpoint deployments the states"
                         " start, with the caller's permissions." + why,
                  states=(task.location,), sources=(SOURCE_ROLLBACK_ALARMS,))]


def sagemaker_endpoint_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                              role_arns: list[str] | None) -> list[Grant]:
    return _endpoint_grants(task, ctx, "CreateEndpoint", "Create") + rollback_alarm_grants(task, ctx)


def sagemaker_update_endpoint_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                                     role_arns: list[str] | None) -> list[Grant]:
    return _endpoint_grants(task, ctx, "UpdateEndpoint", "Update") + rollback_alarm_grants(task, ctx)


def sagemaker_model_package_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                                   role_arns: list[str] | None) -> list[Grant]:
    """createModelPackage (register a model version in a model package group)."""
    params = task.parameters
    group = name_ref(params, "ModelPackageGroupName")
    if group is not None and group.is_static and (group.static or "").startswith("arn:"):
        # A group given by ARN: its name is the part after 'model-package-group/'.
        group = NameRef(static=(group.static or "").split("model-package-group/", 1)[-1])
    if group is None:
        # An unversioned package is named by ModelPackageName.
        package = name_ref(params, "ModelPackageName")
        resources: tuple[str, ...] = (
            ctx.arn("sagemaker", f"model-package/{name_pattern(package, exact_when_static=True)}"),)
        what = why_wildcard(package, "model package name")
    else:
        pattern = name_pattern(group, exact_when_static=True)
        # Versions of a group are 'model-package/<group>/<version>'.
        resources = (ctx.arn("sagemaker", f"model-package-group/{pattern}"),
                     ctx.arn("sagemaker", f"model-package/{pattern}/*"))
        what = why_wildcard(group, "model package group name")
    return [Grant(sid="SageMakerModelPackages",
                  actions=("sagemaker:CreateModelPackage", *tagging_actions(params)), resources=resources,
                  reason="Register model versions in the model package groups the states name." + what,
                  states=(task.location,), sources=(SOURCE_SAGEMAKER,))]


# aws-sdk:sagemaker:describe<Noun> -> (ARN resource type, request field naming it). IAM authorises
# sagemaker:Describe<Noun> on that resource (SOURCE_AWS_SDK; ARN formats from the SageMaker entry of
# the Service Authorization Reference).
DESCRIBE_CALLS: dict[str, tuple[str, str]] = {
    "describeEndpoint": ("endpoint", "EndpointName"),
    "describeEndpointConfig": ("endpoint-config", "EndpointConfigName"),
    "describeModel": ("model", "ModelName"),
    "describeTrainingJob": ("training-job", "TrainingJobName"),
    "describeProcessingJob": ("processing-job", "ProcessingJobName"),
    "describeTransformJob": ("transform-job", "TransformJobName"),
    "describeHyperParameterTuningJob": ("hyper-parameter-tuning-job", "HyperParameterTuningJobName"),
    "describeModelPackageGroup": ("model-package-group", "ModelPackageGroupName"),
    "describeModelPackage": ("model-package", "ModelPackageName"),
}


def sagemaker_describe_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                              role_arns: list[str] | None) -> list[Grant]:
    """``aws-sdk:sagemaker:describe<Noun>``: read one resource, named in the request."""
    call = ref.action.split(":", 1)[1]
    arn_type, field_name = DESCRIBE_CALLS[call]
    name = name_ref(task.parameters, field_name)
    if name is not None and name.is_static and (name.static or "").startswith("arn:"):
        resource = name.static or ""
    else:
        resource = ctx.arn("sagemaker", f"{arn_type}/{name_pattern(name, exact_when_static=True)}")
    noun = call[len("describe"):]
    return [Grant(sid=f"SageMakerDescribe{noun}", actions=(f"sagemaker:Describe{noun}",), resources=(resource,),
                  reason=f"Read the {arn_type.replace('-', ' ')}s the states look up."
                  + why_wildcard(name, f"{arn_type.replace('-', ' ')} name"),
                  states=(task.location,), sources=(SOURCE_AWS_SDK,))]
