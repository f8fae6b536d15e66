"""ModelApproval: the EventBridge rule and the approval Lambda's grants, cdk-nag and cfn-lint clean.

Synthesized in a stack of its own (the approval function from lambdas/model_approval through
PipelineFunction, as the state machine construct makes it), so the test
does not depend on the pipeline stacks' derived policies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template
from cdk_nag import AwsSolutionsChecks

from sagemaker_sfn.constructs.approval import ModelApproval, approval_wiring, grant_invoke_endpoints, uses_approval
from sagemaker_sfn.constructs.functions import PipelineFunction
from sagemaker_sfn.constructs.nag import acknowledge
from sagemaker_sfn.pipeline import load_pipeline
from tests.constructs.conftest import REPO, cdk_json_context, cfn_lint, nag_violations


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(context=cdk_json_context(), outdir=str(outdir))
    stack = cdk.Stack(app, "ApprovalTest", env=cdk.Environment(account="123456789012", region="eu-west-1"))
    bucket = s3.Bucket(stack, "Data", enforce_ssl=True, server_access_logs_prefix="logs/")
    approval = PipelineFunction(stack, "ModelApproval", folder="model_approval", bucket=bucket, pipeline="train-evaluate")
    smoke = PipelineFunction(stack, "SmokeTest", folder="smoke_test", bucket=bucket, pipeline="train-evaluate")
    ModelApproval(stack, "Approval", function=approval.function, state_machine_name="train-evaluate",
                  package_groups=["train-evaluate", "Churn"])
    grant_invoke_endpoints(smoke.function, ["train-evaluate"])
    # The scaffolding (bucket, log group) is not what is under test.
    acknowledge(bucket, {"AwsSolutions-S1": "test scaffolding"})
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    error = None
    try:
        assembly = app.synth()
    except Exception as exc:  # nag findings fail the synth; the report says which
        error, assembly = exc, None
    return {"outdir": Path(outdir), "error": error, "assembly": assembly}


def template(synthesized: dict[str, Any]) -> Template:
    assert synthesized["error"] is None, synthesized["error"]
    return Template.from_json(synthesized["assembly"].get_stack_by_name("ApprovalTest").template)


def test_rule_matches_decided_packages_of_the_pipelines_groups_and_targets_the_function(synthesized) -> None:
    t = template(synthesized)
    t.has_resource_properties("AWS::Events::Rule", {
        "EventPattern": {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Package State Change"],
                         "detail": {"ModelPackageGroupName": ["Churn", "train-evaluate"],
                                    "ModelApprovalStatus": ["Approved", "Rejected"]}},
        "Targets": [Match.object_like({"RetryPolicy": {"MaximumRetryAttempts": 8}})]})
    t.resource_count_is("AWS::Lambda::Permission", 1)


def test_function_may_update_only_its_groups_packages_and_answer_only_its_machine(synthesized) -> None:
    statements = [s for p in template(synthesized).find_resources("AWS::IAM::Policy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    packages = next(s for s in statements if "sagemaker:UpdateModelPackage" in s["Action"])
    assert packages["Action"] == ["sagemaker:DescribeModelPackage", "sagemaker:UpdateModelPackage"]
    assert [_text(r) for r in packages["Resource"]] == [
        "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/*",
        "arn:aws:sagemaker:eu-west-1:123456789012:model-package/train-evaluate/*"]
    answer = next(s for s in statements if "states:SendTaskSuccess" in s["Action"])
    assert sorted(answer["Action"]) == ["states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"]
    # This state machine only, by name: a Ref to it would close a dependency cycle (see the construct).
    assert _text(answer["Resource"]) == "arn:aws:states:eu-west-1:123456789012:stateMachine:train-evaluate"
    invoke = next(s for s in statements if s["Action"] == "sagemaker:InvokeEndpoint")
    assert _text(invoke["Resource"]) == "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/train-evaluate"


def _text(value: Any) -> str:
    """An ARN as the template writes it, ``{"Ref": "AWS::Partition"}`` shown as ``<AWS::Partition>``."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"<{value['Ref']}>"
    separator, parts = value["Fn::Join"]
    return separator.join(_text(p) for p in parts)


def test_cdk_nag_and_cfn_lint_are_clean(synthesized) -> None:
    assert synthesized["error"] is None and nag_violations(synthesized["outdir"]) == []
    assert cfn_lint(sorted(synthesized["outdir"].glob("*.template.json"))) == ""


def test_the_shipped_pipeline_uses_the_gate_and_wiring_skips_pipelines_without_it() -> None:
    definition = load_pipeline(REPO / "pipelines" / "train-evaluate.yaml").definition
    assert uses_approval(definition)
    assert not uses_approval(load_pipeline(REPO / "pipelines" / "tune-xgboost.yaml").definition)

    class Pipeline:   # a pipeline without the two Lambdas: nothing is added
        functions: dict[str, Any] = {}

    stack = cdk.Stack(cdk.App(), "Empty")
    approval_wiring(stack, Pipeline(), definition=definition)
    assert Template.from_stack(stack).to_json().get("Resources") is None


def test_fails_without_package_groups() -> None:
    stack = cdk.Stack(cdk.App(), "S")
    with pytest.raises(ValueError, match="needs the model package group"):
        ModelApproval(stack, "A", function=None, state_machine_name="m", package_groups=[])  # type: ignore[arg-type]
