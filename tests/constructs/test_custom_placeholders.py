"""A pipeline's own ${Name} placeholders reach the construct: filled from `substitutions=`, and named
with their description when nothing fills them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from sagemaker_sfn.constructs import SageMakerPipelineStateMachine
from sagemaker_sfn.errors import DefinitionError

PIPELINE = """\
name: custom
placeholders:
  FeatureTable: {description: the feature table the jobs read, local: features-local}
steps:
  - {name: Tell, type: sns, topic: "arn:aws:sns:us-east-1:111122223333:${FeatureTable}", message: hi, catch: false}
"""


def pipeline_file(tmp_path: Path) -> Path:
    path = tmp_path / "custom.yaml"
    path.write_text(textwrap.dedent(PIPELINE), encoding="utf-8")
    return path


def test_missing_value_names_the_placeholder_and_its_description(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"no value for placeholder\(s\) \$\{FeatureTable\} \(the feature table "
                                              r"the jobs read\): pass `foundation=` or `substitutions=`"):
        SageMakerPipelineStateMachine(cdk.Stack(cdk.App(), "S"), "P", pipeline=pipeline_file(tmp_path))


def test_substitutions_fill_a_declared_placeholder(tmp_path: Path) -> None:
    stack = cdk.Stack(cdk.App(), "S")
    SageMakerPipelineStateMachine(stack, "P", pipeline=pipeline_file(tmp_path),
                                  substitutions={"FeatureTable": "prod-features"})
    [machine] = Template.from_stack(stack).find_resources("AWS::StepFunctions::StateMachine").values()
    assert machine["Properties"]["DefinitionSubstitutions"] == {"FeatureTable": "prod-features"}
    assert "${FeatureTable}" in json.dumps(machine["Properties"]["DefinitionString"])


def test_a_hyphenated_lambda_folder_is_found_from_its_placeholder(tmp_path: Path) -> None:
    from sagemaker_sfn.constructs import Foundation

    (tmp_path / "lambdas" / "score-model").mkdir(parents=True)
    (tmp_path / "lambdas" / "score-model" / "handler.py").write_text("def handler(event, context):\n    return event\n")
    definition = {"StartAt": "Score", "States": {"Score": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
        "Parameters": {"FunctionName": "${ScoreModelFunctionArn}", "Payload.$": "$"}}}}
    stack = cdk.Stack(cdk.App(), "S")
    foundation = Foundation(stack, "Shared")
    machine = SageMakerPipelineStateMachine(stack, "P", definition=definition, state_machine_name="scores",
                                            foundation=foundation.refs, lambdas_dir=tmp_path / "lambdas")
    assert list(machine.functions) == ["score-model"]
