"""The `deploy` and `approval` step types in pipeline files: where their failures go, option errors."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_sfn.errors import PipelineError
from sagemaker_sfn.pipeline import build_pipeline

CONFIG = {"ProductionVariants": [{"VariantName": "AllTraffic", "ModelName.$": "$.ModelName",
                                  "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}]}
DEPLOY = {"name": "Deploy", "type": "deploy", "endpoint_name": "churn", "endpoint_config": CONFIG}
APPROVE = {"name": "Approve", "type": "approval", "model_package": "$.ModelPackageArn"}
FAILURES = ("Deploy: endpoint failed", "Deploy: rolled back", "Deploy: timed out", "Deploy: lookup failed")


def states(*steps: dict[str, Any]) -> dict[str, Any]:
    return build_pipeline({"name": "p", "steps": list(steps)}, file="p.yaml").definition["States"]


def test_top_level_failures_take_the_failure_path_and_results_default_to_the_step_name() -> None:
    built = states(APPROVE, DEPLOY)
    assert {built[s]["Next"] for s in FAILURES} == {"Notify failure: Deploy"}
    assert built["Approve: timed out"]["Next"] == "Notify failure: Approve"
    assert "Deploy: failed" not in built and "Approve: failed" not in built
    assert (built["Approve"]["ResultPath"], built["Approve"]["Next"]) == ("$.Approve", "Deploy")
    assert (built["Deploy: deployed"]["ResultPath"], built["Deploy: deployed"]["End"]) == ("$.Deploy", True)


def test_in_a_branch_failures_end_in_the_steps_own_fail_state() -> None:
    built = states({"name": "Release", "type": "parallel", "branches": [[APPROVE, DEPLOY]]})
    branch = built["Release"]["Branches"][0]["States"]
    assert {branch[s]["Next"] for s in FAILURES} == {"Deploy: failed"}
    assert branch["Deploy: failed"] == {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}
    assert branch["Approve: timed out"]["Next"] == "Approve: failed"


def test_catch_false_at_top_level_ends_in_the_steps_own_fail_state() -> None:
    built = states({**DEPLOY, "catch": False, "result_path": "$.Release"})
    assert built["Deploy: timed out"]["Next"] == "Deploy: failed"
    assert built["Deploy: deployed"]["ResultPath"] == "$.Release"


@pytest.mark.parametrize(("step", "field", "message"), [
    ({**DEPLOY, "endpoint_nmae": "x"}, "endpoint_nmae", r"did you mean 'endpoint_name'"),
    ({"name": "Deploy", "type": "deploy", "endpoint_config": CONFIG}, "endpoint_name", "missing; expected a string"),
    ({**DEPLOY, "poll_seconds": "30"}, "poll_seconds", "expected an integer"),
    ({**APPROVE, "model_package": None}, "model_package", "expected a string"),
    ({**APPROVE, "timeout": 5}, "timeout", "allowed: .*timeout_seconds"),
])
def test_fails_bad_options_name_the_field(step: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(PipelineError, match=message) as error:
        states(step)
    assert error.value.field == field


def test_fails_when_a_generated_state_name_is_taken() -> None:
    with pytest.raises(PipelineError, match="state name 'Deploy: wait' is already used"):
        states({"name": "Deploy: wait", "type": "pass"}, DEPLOY)
