"""Model package groups read from a definition and created next to its state machine."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from sagemaker_sfn.constructs.model_registry import model_package_groups
from sagemaker_sfn.constructs.state_machine import SageMakerPipelineStateMachine

REGISTER = "arn:aws:states:::aws-sdk:sagemaker:createModelPackage"


def register(group_field: str, value: str, *, next_state: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": REGISTER,
                             "Parameters": {group_field: value, "ModelApprovalStatus": "Approved"}}
    return {**state, "Next": next_state} if next_state else {**state, "End": True}


def definition_with_nested_registrations() -> dict[str, Any]:
    return {"StartAt": "Top", "States": {
        "Top": register("ModelPackageGroupName", "top-group", next_state="Both"),
        "Both": {"Type": "Parallel", "Next": "Each", "Branches": [
            {"StartAt": "InBranch", "States": {"InBranch": register("ModelPackageGroupName", "${Team}-models")}},
            {"StartAt": "Again", "States": {"Again": register("ModelPackageGroupName", "top-group")}}]},
        "Each": {"Type": "Map", "Next": "Dynamic", "ItemProcessor": {"StartAt": "InMap", "States": {
            "InMap": register("ModelPackageGroupName", "map-group")}}},
        "Dynamic": register("ModelPackageGroupName.$", "$.group", next_state="ByArn"),
        "ByArn": register("ModelPackageGroupName", "arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/x",
                          next_state="Other"),
        "Other": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:createModelPackageGroup",
                  "Parameters": {"ModelPackageGroupName": "created-by-the-pipeline"}, "End": True},
    }}


def test_groups_come_from_every_literal_registration_anywhere_in_the_definition() -> None:
    # Dynamic names and groups given by ARN are someone else's to create; so is a group the
    # pipeline creates itself (createModelPackageGroup is not a registration).
    assert model_package_groups(definition_with_nested_registrations()) == ["${Team}-models", "map-group", "top-group"]


def test_jsonata_arguments_count_like_parameters() -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "R", "States": {"R": {
        "Type": "Task", "Resource": REGISTER, "Arguments": {"ModelPackageGroupName": "jsonata-group"}, "End": True}}}
    assert model_package_groups(definition) == ["jsonata-group"]
    computed = {"QueryLanguage": "JSONata", "StartAt": "R", "States": {"R": {
        "Type": "Task", "Resource": REGISTER, "Arguments": {"ModelPackageGroupName": "{% $states.input.g %}"},
        "End": True}}}
    assert model_package_groups(computed) == []


def synth(**kwargs: Any) -> Template:
    app = cdk.App()
    stack = cdk.Stack(app, "Registry", env=cdk.Environment(account="111122223333", region="eu-west-1"))
    definition = definition_with_nested_registrations()
    # sagemaker_sfn.iam has no rule for createModelPackageGroup: deploy without that state.
    del definition["States"]["Other"]
    definition["States"]["ByArn"] = {**register("ModelPackageGroupName", definition["States"]["ByArn"]["Parameters"][
        "ModelPackageGroupName"])}
    SageMakerPipelineStateMachine(stack, "Pipeline", definition=definition,
                                  state_machine_name="registry", substitutions={"Team": "fraud"}, **kwargs)
    return Template.from_stack(stack)


def test_the_construct_creates_each_group_retained_with_placeholders_filled() -> None:
    groups = synth().find_resources("AWS::SageMaker::ModelPackageGroup")
    assert sorted((g["Properties"]["ModelPackageGroupName"], g["DeletionPolicy"], g["UpdateReplacePolicy"])
                  for g in groups.values()) == [(name, "Retain", "Retain")
                                                for name in ("fraud-models", "map-group", "top-group")]
    assert {g["Properties"]["ModelPackageGroupDescription"] for g in groups.values()} == {
        "Model versions registered by the sagemaker-sfn pipeline registry"}


def test_groups_that_exist_already_can_be_left_out() -> None:
    synth(create_model_package_groups=False).resource_count_is("AWS::SageMaker::ModelPackageGroup", 0)


def test_retained_groups_of_a_destroyed_deployment_are_adopted_not_created(tmp_path) -> None:
    # Issue 10 item 6: the groups are RETAINED (they hold the model versions), so after `cdk destroy`
    # a new deployment must not create them again ("already exists"): the app's context
    # existingModelPackageGroups (docs/deploy.md) names them, and the role still covers them.
    from stacks.app import build_stacks
    from tests.constructs.conftest import REPO, cdk_json_context

    for existing in ("all", "train-evaluate"):
        app = cdk.App(context={**cdk_json_context(), "pipelines": "train-evaluate",
                               "existingModelPackageGroups": existing}, outdir=str(tmp_path / existing))
        [_, _, stack] = build_stacks(app, root=REPO)
        template = Template.from_stack(stack)
        template.resource_count_is("AWS::SageMaker::ModelPackageGroup", 0)
        policies = json.dumps(template.find_resources("AWS::IAM::Role"))
        assert "sagemaker:CreateModelPackage" in policies and "model-package-group/train-evaluate" in policies
    app = cdk.App(context={**cdk_json_context(), "pipelines": "train-evaluate"}, outdir=str(tmp_path / "fresh"))
    Template.from_stack(build_stacks(app, root=REPO)[-1]).resource_count_is("AWS::SageMaker::ModelPackageGroup", 1)
