"""Construction errors name what is wrong at once, before any synth."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest

from sagemaker_sfn.constructs import FoundationNames, SageMakerPipelineStateMachine, image_uris
from sagemaker_sfn.constructs.triggers import schedule_expression
from sagemaker_sfn.errors import DefinitionError, UsageError

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
USES_BUCKET = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "s3://${DataBucket}/x", "End": True}}}


def stack(region: str | None = None) -> cdk.Stack:
    env = cdk.Environment(account="111122223333", region=region) if region else None
    return cdk.Stack(cdk.App(), "S", env=env)


def test_fails_without_pipeline_or_definition() -> None:
    with pytest.raises(UsageError, match=r"give exactly one of `pipeline` \(a file\) or `definition`"):
        SageMakerPipelineStateMachine(stack(), "P")


def test_fails_with_both_pipeline_and_definition(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="give exactly one of"):
        SageMakerPipelineStateMachine(stack(), "P", pipeline=tmp_path / "x.asl.json", definition=PASS)


def test_fails_on_definition_without_name() -> None:
    with pytest.raises(UsageError, match="`state_machine_name` is required with `definition`"):
        SageMakerPipelineStateMachine(stack(), "P", definition=PASS)


def test_fails_on_a_bad_state_machine_name() -> None:
    with pytest.raises(UsageError, match=r"state machine name 'has space' must be 1-80 letters"):
        SageMakerPipelineStateMachine(stack(), "P", definition=PASS, state_machine_name="has space")


def test_fails_on_a_dict_that_is_not_asl() -> None:
    with pytest.raises(DefinitionError, match="m: not an ASL definition: needs 'StartAt' and 'States'"):
        SageMakerPipelineStateMachine(stack(), "P", definition={"States": []}, state_machine_name="m")


def test_fails_on_a_placeholder_nobody_fills() -> None:
    with pytest.raises(DefinitionError, match=r"m: no value for placeholder\(s\) \$\{DataBucket\}: pass `foundation=`"):
        SageMakerPipelineStateMachine(stack(), "P", definition=USES_BUCKET, state_machine_name="m")


def test_substitutions_fill_placeholders_without_a_foundation() -> None:
    machine = SageMakerPipelineStateMachine(stack(), "P", definition=USES_BUCKET, state_machine_name="m",
                                            substitutions={"DataBucket": "my-bucket"})
    assert machine.values == {"DataBucket": "my-bucket"}


def test_asl_file_gives_name_and_definition(tmp_path: Path) -> None:
    path = tmp_path / "nightly.asl.json"
    path.write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}')
    machine = SageMakerPipelineStateMachine(stack(), "P", pipeline=path)
    assert (machine.spec.name, machine.spec.definition, machine.example_input) == ("nightly", PASS, {})


def test_fails_on_an_image_in_an_unlisted_region() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "${XGBoostImageUri}", "End": True}}}
    with pytest.raises(UsageError, match=r"SageMaker publishes no sagemaker-xgboost:1.7-1 image for region "
                                         r"'mars-east-1' \(registry data of sagemaker-core 2\.\d+\.\d+\); it does for: af-south-1, "
                                         r".*; pass the image URIs in `substitutions=`"):
        SageMakerPipelineStateMachine(stack("mars-east-1"), "P", definition=definition, state_machine_name="m")


def test_image_uris_for_a_region() -> None:
    assert image_uris("us-west-2") == {
        "XGBoostImageUri": "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1",
        "SKLearnImageUri": "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        "ClarifyImageUri": "306415355426.dkr.ecr.us-west-2.amazonaws.com/sagemaker-clarify-processing:1.0",
        # sagemaker-python-sdk src/sagemaker/image_uri_config/model-monitor.json, us-west-2
        "ModelMonitorImageUri": "159807026194.dkr.ecr.us-west-2.amazonaws.com/sagemaker-model-monitor-analyzer",
        "SageMakerDistributionImageUri": "542918446943.dkr.ecr.us-west-2.amazonaws.com/sagemaker-distribution-prod:3.2.0-cpu",
    }


@pytest.mark.parametrize("text, expected", [
    ("0 3 ? * MON *", "cron(0 3 ? * MON *)"),
    ("cron(0 3 ? * MON *)", "cron(0 3 ? * MON *)"),
    ("rate(7 days)", "rate(7 days)"),
])
def test_schedule_expression(text: str, expected: str) -> None:
    assert schedule_expression(text) == expected


def test_fails_on_a_bad_schedule() -> None:
    with pytest.raises(UsageError, match=r"retraining schedule 'weekly' is neither cron\(...\)"):
        schedule_expression("weekly")


def test_fails_on_a_bad_prefix() -> None:
    with pytest.raises(UsageError, match="resource prefix 'Bad_Prefix' must be 2-20 lower-case letters"):
        FoundationNames("Bad_Prefix")
