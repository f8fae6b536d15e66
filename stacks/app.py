"""The stacks this repository deploys, wired from the app's context (used by app.py and the tests)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk

from sagemaker_sfn.constructs.state_machine import load_pipeline_spec
from stacks.code_stack import CodeStack
from stacks.config import read_config
from stacks.foundation_stack import FoundationStack
from stacks.pipeline_stack import PipelineStack, pipeline_stack_name


def build_stacks(app: cdk.App, *, root: Path) -> list[cdk.Stack]:
    """Foundation, code upload (when ``root/examples`` exists) and one stack per configured pipeline."""
    config = read_config(app.node, root=root)
    foundation = FoundationStack(app, f"{config.stack_prefix}-Foundation", prefix=config.resource_prefix,
                                 notification_email=config.notification_email,
                                 description="sagemaker-sfn: data and access-log buckets, step-cache table, failure topic")
    stacks: list[cdk.Stack] = [foundation]
    examples = root / "examples"
    code_dir = examples if examples.is_dir() else None
    pipelines: list[PipelineStack] = []
    for spec in (load_pipeline_spec(path) for path in config.pipelines):
        stack = PipelineStack(app, pipeline_stack_name(config.stack_prefix, spec.name), spec=spec,
                              prefix=config.resource_prefix, schedule=config.retraining_schedule,
                              existing_model_package_groups=config.existing_model_package_groups,
                              code_dir=code_dir, description=f"sagemaker-sfn pipeline {spec.name}")
        # Deploy order only: the pipeline finds the foundation's resources by name, not by export.
        stack.add_stack_dependency(foundation)
        pipelines.append(stack)
    if code_dir is not None:
        # Each pipeline stack pinned its own definition (SageMakerPipelineStateMachine code_dir=): the
        # Code stack uploads the union of those very copies.
        pinned = {key: path for stack in pipelines if stack.pipeline.pinned_code is not None
                  for key, path in stack.pipeline.pinned_code.objects.items()}
        code = CodeStack(app, f"{config.stack_prefix}-Code", examples_dir=code_dir,
                         prefix=config.resource_prefix, pinned=pinned,
                         description="sagemaker-sfn: uploads examples/ to s3://<data bucket>/code/ "
                                     "(and code/sha256-<hash>/ copies)")
        code.add_stack_dependency(foundation)
        stacks.append(code)
        for stack in pipelines:
            if stack.pipeline.pinned_code is not None and stack.pipeline.pinned_code.objects:
                # Its definition names code/sha256-<hash>/ copies: upload them before it can run.
                stack.add_stack_dependency(code)
    stacks.extend(pipelines)
    return stacks
