"""SageMaker models, endpoint configurations, endpoints and model packages."""

from __future__ import annotations

from sagemaker_sfn.iam.base import ArnContext, Grant, NameRef, TaskRef, name_pattern, name_ref, why_wildcard
from sagemaker_sfn.iam.sagemaker_common import pass_role_grants, role_refs, tagging_actions
from sagemaker_sfn.local.integrations.base import ResourceRef

def sagemaker_create_model_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                                  role_arns: list[str] | None) -> list[Grant]:
    params = task.parameters
    name = name_ref(params, "ModelName")
    arn = ctx.arn("sagemaker", f"model/{name_pattern(name, exact_when_static=False)}")
    grants = [Grant(sid="SageMakerModels", actions=("sagemaker:CreateModel", *tagging_actions(params)),
                    resources=(arn,), reason="Create the models the states define."
                    + why_wildcard(name, "model name"), states=(task.location,))]
    return grants + pass_role_grants(task, ctx, role_refs(params, ("ExecutionRoleArn",)), role_arns)


def sagemaker_endpoint_config_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                                     role_arns: list[str] | None) -> list[Grant]:
    params = task.parameters
    name = name_ref(params, "EndpointConfigName")
    arn = ctx.arn("sagemaker", f"endpoint-config/{name_pattern(name, exact_when_static=True)}")
    return [Grant(sid="SageMakerEndpointConfigs",
                  actions=("sagemaker:CreateEndpointConfig", *tagging_actions(params)), resources=(arn,),
                  reason="Create the endpoint configurations the states define."
                  + why_wildcard(name, "endpoint configuration name"), states=(task.location,))]


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
                  states=(task.location,))]


def sagemaker_endpoint_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                              role_arns: list[str] | None) -> list[Grant]:
    return _endpoint_grants(task, ctx, "CreateEndpoint", "Create")


def sagemaker_update_endpoint_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                                     role_arns: list[str] | None) -> list[Grant]:
    return _endpoint_grants(task, ctx, "UpdateEndpoint", "Update")


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
                  states=(task.location,))]
