"""The images a pipeline's SageMaker execution role may pull, derived from its definition (issue 10 item 9)."""

from __future__ import annotations

from typing import Any

from sagemaker_sfn.iam import ArnContext
from sagemaker_sfn.iam.sagemaker_execution import image_access

CTX = ArnContext(partition="aws", region="eu-west-1")


def machine(**parameters: Any) -> dict[str, Any]:
    return {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "J", "States": {
        "J": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
              "Parameters": parameters, "End": True}}}]}}}


def test_placeholders_and_literal_ecr_uris_name_their_repositories() -> None:
    definition = machine(AlgorithmSpecification={"TrainingImage": "${XGBoostImageUri}"},
                         Extra={"Containers": [{"Image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/model:v2"}]})
    assert image_access(definition, ctx=CTX).repositories == (
        "arn:aws:ecr:eu-west-1:*:repository/sagemaker-xgboost",
        "arn:aws:ecr:eu-west-1:111122223333:repository/team/model")
    assert not image_access(definition, ctx=CTX).any_repository


def test_an_image_from_input_or_an_unknown_placeholder_allows_any_repository() -> None:
    assert image_access(machine(AlgorithmSpecification={"TrainingImage.$": "$.image"}), ctx=CTX).any_repository
    assert image_access(machine(AppSpecification={"ImageUri": "${MyImageUri}"}), ctx=CTX).any_repository


def test_no_image_no_repository() -> None:
    access = image_access({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, ctx=CTX)
    assert access.repositories == () and not access.any_repository
