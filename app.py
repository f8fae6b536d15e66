#!/usr/bin/env python3
"""The CDK app: a foundation stack, a code-upload stack and one stack per pipeline, checked by cdk-nag.

Settings come from CDK context (cdk.json, or ``-c key=value``); see docs/deploy.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from sagemaker_sfn.errors import SagemakerSfnError
from stacks.app import build_stacks

app = cdk.App()
try:
    build_stacks(app, root=Path(__file__).resolve().parent)
except SagemakerSfnError as exc:
    # A bad pipeline file or setting: say what and where, not a traceback (`cdk synth` shows this).
    sys.exit(f"sagemaker-sfn app: error: {exc}")
cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
app.synth()
