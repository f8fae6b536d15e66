"""One shipped pipeline: its state machine, Lambdas, EventBridge rules and outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from sagemaker_sfn.constructs.approval import approval_wiring
from sagemaker_sfn.constructs.foundation import import_foundation
from sagemaker_sfn.constructs.state_machine import PipelineSpec, SageMakerPipelineStateMachine
from sagemaker_sfn.constructs.triggers import PipelineTriggers
from sagemaker_sfn.errors import UsageError
from sagemaker_sfn.pipeline.assemble import NAME_PATTERN, NAME_RULE

# The CLI's `start PIPELINE` reads these outputs; keep the names in step with commands/start.py.
OUTPUT_STATE_MACHINE_ARN = "StateMachineArn"
OUTPUT_CONSOLE_URL = "ConsoleUrl"
OUTPUT_EXECUTION_INPUT = "ExecutionInput"


def pipeline_stack_name(stack_prefix: str, pipeline: str) -> str:
    """``SageMakerSfn-tune-xgboost``: how the CLI finds a pipeline's stack.

    The pipeline format's name rule (letters, digits, '-') applies here too, so a name that
    CloudFormation would reject (stack names match ``[A-Za-z][A-Za-z0-9-]*``) fails with a message
    instead of a traceback from synth, e.g. for an ASL file named with '_'.
    """
    if not NAME_PATTERN.match(pipeline):
        raise UsageError(f"pipeline name {pipeline!r}: expected {NAME_RULE} (it becomes part of the CloudFormation "
                         f"stack name {stack_prefix}-<name>)")
    return f"{stack_prefix}-{pipeline}"


class PipelineStack(cdk.Stack):
    """:param spec: the pipeline; :param prefix: the foundation's resource prefix;
    :param schedule: retraining cron (default None); :param existing_model_package_groups: groups
    not to create because they exist (default none; ``"*"``: all); :param code_dir: the folder
    uploaded to code/, whose content-addressed copies the definition is pinned to (default None:
    not pinned)."""

    def __init__(self, scope: Construct, construct_id: str, *, spec: PipelineSpec, prefix: str,
                 schedule: str | None = None, existing_model_package_groups: tuple[str, ...] = (),
                 code_dir: Path | None = None, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        foundation = import_foundation(self, "Foundation", prefix=prefix)
        self.pipeline = SageMakerPipelineStateMachine(
            self, "Pipeline", definition=spec.definition, state_machine_name=spec.name,
            example_input=spec.example_input, foundation=foundation,
            existing_model_package_groups=existing_model_package_groups, code_dir=code_dir)
        self.triggers = PipelineTriggers(
            self, "Triggers", state_machine=self.pipeline.state_machine, pipeline=spec.name,
            example_input=self.pipeline.example_input, bucket=foundation.bucket,
            trigger_prefix=spec.trigger_prefix, schedule=schedule, failure_topic=foundation.failure_topic)
        approval_wiring(self, self.pipeline, definition=spec.definition)   # approval gates, smoke tests

        arn = self.pipeline.state_machine.state_machine_arn
        region = cdk.Aws.REGION
        cdk.CfnOutput(self, OUTPUT_STATE_MACHINE_ARN, value=arn, description=f"State machine of pipeline {spec.name}")
        cdk.CfnOutput(self, OUTPUT_CONSOLE_URL, description="Open it in the Step Functions console",
                      value=f"https://{region}.console.aws.amazon.com/states/home?region={region}"
                            f"#/statemachines/view/{arn}")
        cdk.CfnOutput(self, OUTPUT_EXECUTION_INPUT, value=self.to_json_string(self.pipeline.example_input),
                      description="Paste into 'Start execution' in the console")
