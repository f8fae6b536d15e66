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
    if (root / "examples").is_dir():
        code = CodeStack(app, f"{config.stack_prefix}-Code", examples_dir=root / "examples",
                         prefix=config.resource_prefix,
                         description="sagemaker-sfn: uploads examples/ to s3://<data bucket>/code/")
        code.add_stack_dependency(foundation)
        stacks.append(code)
    for path in config.pipelines:
        spec = load_pipeline_spec(path)
        stack = PipelineStack(app, pipeline_stack_name(config.stack_prefix, spec.name), spec=spec,
                              prefix=config.resource_prefix, schedule=config.retraining_schedule,
                              existing_model_package_groups=config.existing_model_package_groups,
                              description=f"sagemaker-sfn pipeline {spec.name}")
        # Deploy order only: the pipeline finds the foundation's resources by name, not by export.
        stack.add_stack_dependency(foundation)
        stacks.append(stack)
    return stacks
