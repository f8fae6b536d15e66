"""SageMaker job APIs (training, tuning, transform, processing), request-response or ``.sync``."""

from __future__ import annotations

from dataclasses import dataclass

from sagemaker_sfn.iam.base import (CDK_TASKS, SOURCE_SAGEMAKER, ArnContext, Grant, TaskRef, name_pattern, name_ref,
                                    why_wildcard)
from sagemaker_sfn.iam.sagemaker_common import pass_role_grants, role_refs
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

# Step Functions tags every job it starts (MANAGED_BY_AWS, AWS_STEP_FUNCTIONS_EXECUTION_ARN), so the
# role needs AddTags on the job whether or not the request has Tags; aws-cdk grants it always since
# aws-cdk#26012 / #32294.
SOURCE_JOB_TAGS = (f"{CDK_TASKS}/sagemaker/create-training-job.ts and create-transform-job.ts, createPolicyStatements"
                   " (sagemaker:AddTags granted unconditionally; aws-cdk issues #26012, #32294)")
JOB_TAGGING = ("sagemaker:ListTags", "sagemaker:AddTags")


def sagemaker_job_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                         role_arns: list[str] | None) -> list[Grant]:
    """createTrainingJob / createHyperParameterTuningJob / createTransformJob / createProcessingJob."""
    kind = JOB_KINDS[ref.action]
    params = task.parameters
    sync = ref.pattern in SYNC_PATTERNS
    name = name_ref(params, kind.name_field)
    job_arn = ctx.arn("sagemaker", f"{kind.arn_resource}/{name_pattern(name, exact_when_static=False)}")
    actions = [f"sagemaker:Create{kind.noun}", *JOB_TAGGING]
    reason = f"Create the {kind.noun}s the states start"
    if sync:
        # .sync polls the job until it ends and stops it when the execution is stopped.
        actions += [f"sagemaker:Describe{kind.noun}", f"sagemaker:Stop{kind.noun}"]
        reason += ", follow them to completion (.sync) and stop them if the execution stops"
    reason += (". Step Functions tags every job it starts, so AddTags is needed even without Tags."
               + why_wildcard(name, "job name"))
    # No ListTrainingJobsForHyperParameterTuningJob / DescribeTrainingJob for tuning: no AWS source
    # lists them, and AWS's least-privilege sample (seeds/001, sagemaker-iam.html) runs a tuning
    # .sync without them.
    grants = [Grant(sid=f"SageMaker{kind.noun}s", actions=tuple(actions), resources=(job_arn,),
                    reason=reason, states=(task.location,), sources=(SOURCE_SAGEMAKER, SOURCE_JOB_TAGS))]
    if sync:
        grants.append(Grant(
            sid="SageMakerJobCompletionEvents",
            actions=("events:DescribeRule", "events:PutRule", "events:PutTargets"),
            resources=(ctx.arn("events", f"rule/StepFunctionsGetEventsForSageMaker{kind.rule}JobsRule"),),
            reason=("Step Functions learns that a .sync job ended through these EventBridge rules, which it"
                    " creates and manages in the account."),
            states=(task.location,), sources=(SOURCE_SAGEMAKER,)))
    roles = role_refs(params, ("RoleArn",), ("TrainingJobDefinition", "RoleArn"),
                       ("TrainingJobDefinitions", "RoleArn"))
    grants += pass_role_grants(task, ctx, roles, role_arns)
    return grants
