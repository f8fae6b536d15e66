"""SageMaker job APIs (training, tuning, transform, processing), request-response or ``.sync``."""

from __future__ import annotations

from dataclasses import dataclass

from sagemaker_sfn.iam.base import ArnContext, Grant, TaskRef, name_pattern, name_ref, why_wildcard
from sagemaker_sfn.iam.sagemaker_common import pass_role_grants, role_refs, tagging_actions
from sagemaker_sfn.local.integrations.base import ResourceRef


@dataclass(frozen=True)
class JobKind:
    """A SageMaker job API that Step Functions can run with ``.sync``."""

    noun: str            # TrainingJob -> sagemaker:CreateTrainingJob, DescribeTrainingJob, ...
    arn_resource: str    # training-job
    name_field: str      # TrainingJobName
    rule: str            # StepFunctionsGetEventsForSageMaker<rule>JobsRule


JOB_KINDS: dict[str, JobKind] = {
    "createTrainingJob": JobKind("TrainingJob", "training-job", "TrainingJobName", "Training"),
    "createHyperParameterTuningJob": JobKind("HyperParameterTuningJob", "hyper-parameter-tuning-job",
                                             "HyperParameterTuningJobName", "Tuning"),
    "createTransformJob": JobKind("TransformJob", "transform-job", "TransformJobName", "Transform"),
    "createProcessingJob": JobKind("ProcessingJob", "processing-job", "ProcessingJobName", "Processing"),
}

SYNC_PATTERNS = {"sync", "sync:2"}


def sagemaker_job_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                         role_arns: list[str] | None) -> list[Grant]:
    """createTrainingJob / createHyperParameterTuningJob / createTransformJob / createProcessingJob."""
    kind = JOB_KINDS[ref.action]
    params = task.parameters
    sync = ref.pattern in SYNC_PATTERNS
    name = name_ref(params, kind.name_field)
    job_arn = ctx.arn("sagemaker", f"{kind.arn_resource}/{name_pattern(name, exact_when_static=False)}")
    actions = [f"sagemaker:Create{kind.noun}", *tagging_actions(params)]
    reason = f"Create the {kind.noun}s the states start"
    if sync:
        # .sync polls the job until it ends and stops it when the execution is stopped.
        actions += [f"sagemaker:Describe{kind.noun}", f"sagemaker:Stop{kind.noun}"]
        reason += ", follow them to completion (.sync) and stop them if the execution stops"
    if kind.noun == "HyperParameterTuningJob" and sync:
        actions.append("sagemaker:ListTrainingJobsForHyperParameterTuningJob")
    reason += "." + why_wildcard(name, "job name")
    grants = [Grant(sid=f"SageMaker{kind.noun}s", actions=tuple(actions), resources=(job_arn,),
                    reason=reason, states=(task.location,))]
    if kind.noun == "HyperParameterTuningJob" and sync:
        # The tuning job's training jobs are named '<tuning job name>-NNN-<hash>', so the tuning
        # job's name prefix also bounds them; .sync reads the best training job when the tuning ends.
        grants.append(Grant(
            sid="SageMakerTuningTrainingJobs", actions=("sagemaker:DescribeTrainingJob",),
            resources=(ctx.arn("sagemaker", f"training-job/{name_pattern(name, exact_when_static=False)}"),),
            reason="Read the training jobs a tuning job launched (named after the tuning job).",
            states=(task.location,)))
    if sync:
        grants.append(Grant(
            sid="SageMakerJobCompletionEvents",
            actions=("events:DescribeRule", "events:PutRule", "events:PutTargets"),
            resources=(ctx.arn("events", f"rule/StepFunctionsGetEventsForSageMaker{kind.rule}JobsRule"),),
            reason=("Step Functions learns that a .sync job ended through these EventBridge rules, which it"
                    " creates and manages in the account."),
            states=(task.location,)))
    roles = role_refs(params, ("RoleArn",), ("TrainingJobDefinition", "RoleArn"),
                       ("TrainingJobDefinitions", "RoleArn"))
    grants += pass_role_grants(task, ctx, roles, role_arns)
    return grants
