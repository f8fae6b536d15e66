"""Amazon EMR through the optimized integration: createCluster, addStep, terminateCluster (each
request-response or ``.sync``), cancelStep and setClusterTerminationProtection.

Permissions follow the Step Functions developer guide's EMR IAM page (SOURCE_EMR) and aws-cdk's EMR
tasks (SOURCE_CDK_EMR): cluster calls on ``cluster/<id>`` (``cluster/*`` when the id is read at
run time, which it nearly always is: EMR assigns it), RunJobFlow on ``*`` (a cluster that does not
exist yet has no ARN), ``iam:PassRole`` on the roles the createCluster request hands to EMR, and for
``.sync`` the EventBridge rule through which Step Functions learns that the cluster or step ended.
"""

from __future__ import annotations

from sagemaker_sfn.iam.base import CDK_TASKS, ArnContext, Grant, NameRef, TaskRef, name_ref
from sagemaker_sfn.local.integrations.base import ResourceRef

SOURCE_EMR = "https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html"
SOURCE_CDK_EMR = (f"{CDK_TASKS}/emr/emr-create-cluster.ts, emr-add-step.ts, emr-terminate-cluster.ts"
                  " (createPolicyStatements)")
SOURCE_EMR_CLEANUP = ("https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html (createCluster needs"
                      " permission to create the service-linked role AWSServiceRoleForEMRCleanup)")

_SYNC = {"sync", "sync:2"}
# .sync rules, from aws-cdk's EMR tasks.
_RULES = {"createCluster": "StepFunctionsGetEventForEMRRunJobFlowRule",
          "addStep": "StepFunctionsGetEventForEMRAddJobFlowStepsRule",
          "terminateCluster": "StepFunctionsGetEventForEMRTerminateJobFlowsRule"}
# Request fields naming roles EMR assumes: the service role, the instance profile (whose role
# aws-cdk and EMR's default roles name the same as the profile) and the auto-scaling role.
_ROLE_FIELDS = ("ServiceRole", "JobFlowRole", "AutoScalingRole")


def _cluster_arn(task: TaskRef, ctx: ArnContext) -> str:
    cluster = name_ref(task.parameters, "ClusterId")
    return ctx.arn("elasticmapreduce", f"cluster/{cluster.static if cluster is not None and cluster.is_static else '*'}")


def _role_arn(ref: NameRef, ctx: ArnContext) -> str:
    if not ref.is_static:
        return ctx.arn("iam", f"role/{ref.prefix}*", regional=False)
    value = ref.static or ""
    return value if value.startswith("arn:") else ctx.arn("iam", f"role/{value}", regional=False)


def _sync_rule(task: TaskRef, ctx: ArnContext, call: str) -> list[Grant]:
    return [Grant(sid="EmrCompletionEvents", actions=("events:DescribeRule", "events:PutRule", "events:PutTargets"),
                  resources=(ctx.arn("events", f"rule/{_RULES[call]}"),),
                  reason="Step Functions learns that an EMR cluster or step ended (.sync) through these "
                         "EventBridge rules, which it creates and manages in the account.",
                  states=(task.location,), sources=(SOURCE_EMR, SOURCE_CDK_EMR))]


def emr_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
               role_arns: list[str] | None) -> list[Grant]:
    call, sync = ref.action, ref.pattern in _SYNC
    grants: list[Grant] = []
    if call == "createCluster":
        grants.append(Grant(
            sid="EmrCreateClusters",
            actions=("elasticmapreduce:AddTags", "elasticmapreduce:DescribeCluster", "elasticmapreduce:RunJobFlow",
                     "elasticmapreduce:TerminateJobFlows"),
            resources=("*",),
            reason="Create EMR clusters (a cluster has no ARN before it exists, so RunJobFlow takes \"*\"), "
                   "tag them, follow them and terminate them if the execution stops.",
            states=(task.location,), sources=(SOURCE_EMR, SOURCE_CDK_EMR)))
        roles = [r for f in _ROLE_FIELDS if (r := name_ref(task.parameters, f)) is not None]
        if roles:
            grants.append(Grant(
                sid="PassEmrRoles", actions=("iam:PassRole",),
                resources=tuple(sorted({_role_arn(r, ctx) for r in roles})),
                reason="EMR runs the cluster as the service role, instance profile role and auto-scaling role "
                       "the request names; the state machine hands them over.",
                states=(task.location,), sources=(SOURCE_EMR, SOURCE_CDK_EMR)))
        grants.append(Grant(
            sid="EmrCleanupServiceLinkedRole", actions=("iam:CreateServiceLinkedRole",),
            resources=(f"arn:{ctx.partition}:iam::{ctx.account}:role/aws-service-role/elasticmapreduce.amazonaws.com*"
                       "/AWSServiceRoleForEMRCleanup*",),
            condition={"StringEquals": {"iam:AWSServiceName": ["elasticmapreduce.amazonaws.com",
                                                               "elasticmapreduce.amazonaws.com.cn"]}},
            reason="createCluster creates EMR's cleanup service-linked role the first time it is used.",
            states=(task.location,), sources=(SOURCE_EMR_CLEANUP, SOURCE_CDK_EMR)))
    elif call == "addStep":
        grants.append(Grant(
            sid="EmrSteps",
            actions=("elasticmapreduce:AddJobFlowSteps", "elasticmapreduce:CancelSteps",
                     "elasticmapreduce:DescribeStep"),
            resources=(_cluster_arn(task, ctx),),
            reason="Add steps to the EMR clusters the states name, follow them and cancel them if the "
                   "execution stops.",
            states=(task.location,), sources=(SOURCE_EMR, SOURCE_CDK_EMR)))
    elif call == "cancelStep":
        grants.append(Grant(sid="EmrCancelSteps", actions=("elasticmapreduce:CancelSteps",),
                            resources=(_cluster_arn(task, ctx),), reason="Cancel steps of the EMR clusters the "
                            "states name.", states=(task.location,), sources=(SOURCE_EMR,)))
    elif call == "terminateCluster":
        grants.append(Grant(
            sid="EmrTerminateClusters",
            actions=("elasticmapreduce:DescribeCluster", "elasticmapreduce:TerminateJobFlows"),
            resources=(_cluster_arn(task, ctx),),
            reason="Terminate the EMR clusters the states name and follow them until they end.",
            states=(task.location,), sources=(SOURCE_EMR, SOURCE_CDK_EMR)))
    elif call == "setClusterTerminationProtection":
        grants.append(Grant(sid="EmrTerminationProtection", actions=("elasticmapreduce:SetTerminationProtection",),
                            resources=(_cluster_arn(task, ctx),), reason="Change termination protection of "
                            "the EMR clusters the states name.", states=(task.location,), sources=(SOURCE_EMR,)))
    if sync and call in _RULES:
        grants += _sync_rule(task, ctx, call)
    return grants


EMR_CALLS = ("createCluster", "addStep", "cancelStep", "terminateCluster", "setClusterTerminationProtection")
