"""The deployed side of the approval gate (sagemaker_sfn.tasks.approval).

The state machine's ``approval`` Task invokes ``lambdas/model_approval`` (its function is created with
the state machine, as every ``${<Name>FunctionArn}`` is). This construct adds what answers it:

- an EventBridge rule on ``aws.sagemaker`` / "SageMaker Model Package State Change" for the
  pipeline's model package groups and the decided statuses (Approved, Rejected), targeting the
  function (SageMaker's event reference: the detail is the package's description, with
  ModelPackageGroupName and ModelApprovalStatus);
- the function's grants: DescribeModelPackage / UpdateModelPackage on the groups' packages (the token
  is kept in the package's CustomerMetadataProperties, see the handler), and SendTaskSuccess /
  SendTaskFailure / SendTaskHeartbeat on this state machine only (the actions and resource of aws-cdk's
  ``StateMachine.grantTaskResponse``). The machine's ARN is built from its name, not referenced:
  the machine already depends on the function (its ARN is a definition substitution), and the
  function on its policy, so a reference back would be a circular dependency (cfn-lint E3004).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from sagemaker_sfn.constructs.nag import acknowledge_wildcard_resources

FOLDER = "model_approval"
EVENT_SOURCE = "aws.sagemaker"
EVENT_DETAIL_TYPE = "SageMaker Model Package State Change"
DECIDED = ["Approved", "Rejected"]
_TASK = "arn:aws:states:::lambda:invoke.waitForTaskToken"


def uses_approval(definition: Mapping[str, Any], *, function_placeholder: str = "${ModelApprovalFunctionArn}") -> bool:
    """True when a waitForTaskToken Task of ``definition`` invokes the approval Lambda."""
    def walk(states: Mapping[str, Any]) -> bool:
        for state in states.values():
            if not isinstance(state, dict):
                continue
            params = state.get("Parameters") or {}
            if state.get("Resource") == _TASK and params.get("FunctionName") == function_placeholder:
                return True
            nested = [b.get("States", {}) for b in state.get("Branches", []) or []]
            nested += [state[k].get("States", {}) for k in ("ItemProcessor", "Iterator") if isinstance(state.get(k), dict)]
            if any(walk(n) for n in nested):
                return True
        return False
    return walk(definition.get("States", {}))


class ModelApproval(Construct):
    """Answers a pipeline's approval gates.

    :param function: the ``lambdas/model_approval`` function the state machine invokes.
    :param state_machine_name: the pipeline's state machine (the only one the function may answer).
    :param package_groups: the model package groups whose packages the gates wait on (names as
        deployed; at least one).
    """

    def __init__(self, scope: Construct, construct_id: str, *, function: lambda_.IFunction,
                 state_machine_name: str, package_groups: Iterable[str]) -> None:
        super().__init__(scope, construct_id)
        groups = sorted(set(package_groups))
        if not groups:
            raise ValueError("an approval gate needs the model package group(s) it waits on")
        stack = cdk.Stack.of(self)
        packages = [stack.format_arn(service="sagemaker", resource="model-package", resource_name=f"{_lower(g)}/*")
                    for g in groups]
        role = function.role
        if role is None:
            raise ValueError("the approval function has no role to grant to")
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["sagemaker:DescribeModelPackage", "sagemaker:UpdateModelPackage"], resources=packages))
        acknowledge_wildcard_resources(role, packages, "Every version of the pipeline's own model package "
                                       "group(s): a gate waits on the version its execution registers.")
        machine = stack.format_arn(service="states", resource="stateMachine", resource_name=state_machine_name,
                                   arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
            resources=[machine]))
        self.rule = events.Rule(
            self, "PackageDecided", description=f"Model package approved or rejected in {', '.join(groups)}: "
                                                "answer the waiting approval gate",
            event_pattern=events.EventPattern(source=[EVENT_SOURCE], detail_type=[EVENT_DETAIL_TYPE],
                                              detail={"ModelPackageGroupName": groups,
                                                      "ModelApprovalStatus": DECIDED}))
        self.rule.add_target(targets.LambdaFunction(function, retry_attempts=8))


def _lower(name: str) -> str:
    # SageMaker writes resource names lower-cased in ARNs.
    return name.lower()


def grant_invoke_endpoints(function: lambda_.IFunction, endpoint_names: Iterable[str]) -> None:
    """Let ``function`` (e.g. ``lambdas/smoke_test``) call InvokeEndpoint on the named endpoints only."""
    role = function.role
    names = sorted(set(endpoint_names))
    if role is None or not names:
        raise ValueError("grant_invoke_endpoints needs a function with a role and at least one endpoint name")
    stack = cdk.Stack.of(function)
    role.add_to_principal_policy(iam.PolicyStatement(actions=["sagemaker:InvokeEndpoint"], resources=[
        stack.format_arn(service="sagemaker", resource="endpoint", resource_name=_lower(n)) for n in names]))


def _endpoint_names(definition: Mapping[str, Any]) -> list[str]:
    """Literal EndpointName of every createEndpoint / updateEndpoint Task (the deploy steps')."""
    found: set[str] = set()

    def walk(states: Mapping[str, Any]) -> None:
        for state in states.values():
            if not isinstance(state, dict):
                continue
            resource = state.get("Resource")
            if resource in ("arn:aws:states:::sagemaker:createEndpoint", "arn:aws:states:::sagemaker:updateEndpoint"):
                name = (state.get("Parameters") or {}).get("EndpointName")
                if isinstance(name, str):
                    found.add(name)
            for branch in state.get("Branches", []) or []:
                walk(branch.get("States", {}))
            for key in ("ItemProcessor", "Iterator"):
                if isinstance(state.get(key), dict):
                    walk(state[key].get("States", {}))
    walk(definition.get("States", {}))
    return sorted(found)


def approval_wiring(scope: Construct, pipeline: Any, *, definition: Mapping[str, Any]) -> None:
    """What a pipeline stack adds for this module's Lambdas, when the definition uses them:
    :class:`ModelApproval` for ``lambdas/model_approval`` and InvokeEndpoint on the pipeline's
    endpoints for ``lambdas/smoke_test``. ``pipeline``: the
    :class:`~sagemaker_sfn.constructs.state_machine.SageMakerPipelineStateMachine`."""
    from sagemaker_sfn.constructs.model_registry import model_package_groups

    functions = getattr(pipeline, "functions", {})
    if FOLDER in functions and uses_approval(definition):
        ModelApproval(scope, "Approval", function=functions[FOLDER].function, state_machine_name=pipeline.spec.name,
                      package_groups=model_package_groups(definition))
    endpoints = _endpoint_names(definition)
    if "smoke_test" in functions and endpoints:
        grant_invoke_endpoints(functions["smoke_test"].function, endpoints)
