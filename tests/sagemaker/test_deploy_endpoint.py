"""The deploy step: whole rendered states, and mocked runs of every path (create, update, Failed,
rolled back, timeout, lookup error, throttled polls) with AWS's retry counts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.mock import MockIntegration
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.mock_config import parse_mock_config
from sagemaker_sfn.local.progress import count_history
from sagemaker_sfn.sagemaker.deploy_endpoint import MAX_POLLS, deploy_states, state_names

HASH = "States.Hash(States.Format('{}@{}', $$.Execution.Id, $$.State.EnteredTime), 'MD5')"
TAG = {"Key": "sfn:execution-arn", "Value.$": "$$.Execution.Id"}
RETRY: list[dict[str, Any]] = [
    {"ErrorEquals": ["SageMaker.ResourceLimitExceededException"], "IntervalSeconds": 60, "MaxAttempts": 2000,
     "BackoffRate": 1.5, "MaxDelaySeconds": 300, "JitterStrategy": "FULL"},
    {"ErrorEquals": ["SageMaker.AmazonSageMakerException"], "IntervalSeconds": 2, "MaxAttempts": 5,
     "BackoffRate": 2.0, "MaxDelaySeconds": 30, "JitterStrategy": "FULL"},
    {"ErrorEquals": ["SageMaker.ThrottlingException", "ThrottlingException"], "IntervalSeconds": 1,
     "MaxAttempts": 8, "BackoffRate": 2.0, "MaxDelaySeconds": 60, "JitterStrategy": "FULL"},
]

VARIANT = {"VariantName": "AllTraffic", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
DESCRIBE_RETRY = [{"ErrorEquals": ["SageMaker.ThrottlingException", "ThrottlingException"], "IntervalSeconds": 1,
                   "MaxAttempts": 8, "BackoffRate": 2.0, "MaxDelaySeconds": 60, "JitterStrategy": "FULL"}]
NOT_FOUND = ["SageMaker.SageMakerException", "SageMaker.AmazonSageMakerException",
             "SageMaker.ResourceNotFoundException"]


def named(prefix: str) -> str:
    return f"States.Format('{prefix}-{{}}-{{}}', {HASH}, $$.State.RetryCount)"


def failure_passes(p: str, target: str, *, polls: int = 121, poll: int = 30, timeout: int = 3600) -> dict[str, Any]:
    endpoint, config = f"{p}.Endpoint.EndpointName", f"{p}.EndpointConfig.EndpointConfigName"
    describe = f"States.JsonToString({p}.Endpoint)"
    return {
        "Deploy: endpoint failed": {"Type": "Pass", "Parameters": {
            "Error": "Deploy.EndpointFailed",
            "Cause.$": f"States.Format('Endpoint {{}} is Failed after deploying endpoint config {{}} (FailureReason in "
                       f"the DescribeEndpoint response): {{}}', {endpoint}, {config}, {describe})"},
            "ResultPath": "$.error", "Next": target},
        "Deploy: rolled back": {"Type": "Pass", "Parameters": {
            "Error": "Deploy.RolledBack",
            "Cause.$": f"States.Format('Endpoint {{}} rolled back: endpoint config {{}} is live, not {{}} (FailureReason "
                       f"in the DescribeEndpoint response): {{}}', {endpoint}, {p}.Endpoint.EndpointConfigName, {config}, "
                       f"{describe})"},
            "ResultPath": "$.error", "Next": target},
        "Deploy: timed out": {"Type": "Pass", "Parameters": {
            "Error": "Deploy.Timeout",
            "Cause.$": f"States.Format('Endpoint {{}} is still {{}} after {{}} polls {poll} s apart (timeout_seconds "
                       f"{timeout}); SageMaker goes on deploying endpoint config {{}}', {endpoint}, "
                       f"{p}.Endpoint.EndpointStatus, {p}.Deployment.Polls, {config})"},
            "ResultPath": "$.error", "Next": target},
        "Deploy: lookup failed": {"Type": "Pass", "Parameters": {"Error.$": f"{p}.Lookup.Error",
                                                                 "Cause.$": f"{p}.Lookup.Cause"},
                                  "ResultPath": "$.error", "Next": target},
    }


def loop(p: str, *, endpoint: dict[str, str], polls: int = 121, poll: int = 30, timeout: int = 3600,
         catch: list[dict[str, Any]] | None = None, end: dict[str, Any]) -> dict[str, Any]:
    extra = {"Catch": catch} if catch else {}
    status, config = f"{p}.Endpoint.EndpointStatus", f"{p}.EndpointConfig.EndpointConfigName"
    return {
        "Deploy: wait": {"Type": "Wait", "Seconds": poll, "Next": "Deploy: status"},
        "Deploy: status": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
                           "Parameters": endpoint, "ResultPath": f"{p}.Endpoint", "Retry": DESCRIBE_RETRY, **extra,
                           "Next": "Deploy: count"},
        "Deploy: count": {"Type": "Pass", "Parameters": {
            "Operation.$": f"{p}.Deployment.Operation",
            "PreviousEndpointConfigName.$": f"{p}.Deployment.PreviousEndpointConfigName",
            "PreviousEndpointStatus.$": f"{p}.Deployment.PreviousEndpointStatus",
            "Polls.$": f"States.MathAdd({p}.Deployment.Polls, 1)"}, "ResultPath": f"{p}.Deployment",
            "Next": "Deploy: in service?"},
        "Deploy: in service?": {"Type": "Choice", "Comment": f"InService on the new config: done; Failed or back on "
                                f"the old config: fail; at most {polls} polls, {poll} s apart ({timeout} s)",
                                "Choices": [
            {"And": [{"Variable": status, "StringEquals": "InService"},
                     {"Variable": f"{p}.Endpoint.EndpointConfigName", "StringEqualsPath": config}],
             "Next": "Deploy: deployed"},
            {"Variable": status, "StringEquals": "Failed", "Next": "Deploy: endpoint failed"},
            {"Variable": status, "StringEquals": "InService", "Next": "Deploy: rolled back"},
            {"Variable": f"{p}.Deployment.Polls", "NumericGreaterThanEquals": polls, "Next": "Deploy: timed out"}],
            "Default": "Deploy: wait"},
        "Deploy: deployed": {"Type": "Pass", "Comment": "Which endpoint config is live, and which one served before "
                             "(kept: nothing is deleted)", "Parameters": {
            "EndpointName.$": f"{p}.Endpoint.EndpointName", "EndpointArn.$": f"{p}.Endpoint.EndpointArn",
            "EndpointStatus.$": status, "EndpointConfigName.$": f"{p}.Endpoint.EndpointConfigName",
            "Operation.$": f"{p}.Deployment.Operation",
            "PreviousEndpointConfigName.$": f"{p}.Deployment.PreviousEndpointConfigName",
            "Polls.$": f"{p}.Deployment.Polls", **end.pop("result", {})}, "ResultPath": p, **end},
    }


def test_basic_existing_model_nested_scope_ends_in_its_own_fail_state() -> None:
    config = {"ProductionVariants": [{**VARIANT, "ModelName": "churn-v1"}]}
    states = deploy_states(name="Deploy", endpoint_name="churn", endpoint_config=config, result_path="$.Deploy",
                           end=True)
    p = "$.Deploy"
    assert states == {
        "Deploy": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createEndpointConfig",
                   "Parameters": {**config, "EndpointConfigName.$": named("deploy-config"), "Tags": [TAG]},
                   "ResultSelector": {"EndpointConfigName.$": "States.ArrayGetItem(States.StringSplit("
                                                             "$.EndpointConfigArn, '/'), 1)"},
                   "ResultPath": f"{p}.EndpointConfig", "Retry": RETRY, "Next": "Deploy: find endpoint"},
        "Deploy: find endpoint": {
            "Type": "Task", "Comment": "Does the endpoint exist? Update it if so, create it if not.",
            "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint", "Parameters": {"EndpointName": "churn"},
            "ResultSelector": {"Operation": "update", "PreviousEndpointConfigName.$": "$.EndpointConfigName",
                               "PreviousEndpointStatus.$": "$.EndpointStatus", "Polls": 0},
            "ResultPath": f"{p}.Deployment", "Retry": DESCRIBE_RETRY,
            "Catch": [{"ErrorEquals": NOT_FOUND, "ResultPath": f"{p}.Lookup", "Next": "Deploy: endpoint missing?"}],
            "Next": "Deploy: update endpoint"},
        "Deploy: endpoint missing?": {"Type": "Choice", "Choices": [
            {"Variable": f"{p}.Lookup.Cause", "StringMatches": "*Could not find endpoint*",
             "Next": "Deploy: create endpoint"}], "Default": "Deploy: lookup failed"},
        "Deploy: create endpoint": {
            "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createEndpoint",
            "Parameters": {"EndpointName": "churn", "EndpointConfigName.$": f"{p}.EndpointConfig.EndpointConfigName",
                           "Tags": [TAG]},
            "ResultSelector": {"Operation": "create", "PreviousEndpointConfigName": None,
                               "PreviousEndpointStatus": None, "Polls": 0},
            "ResultPath": f"{p}.Deployment", "Retry": RETRY, "Next": "Deploy: status"},
        "Deploy: update endpoint": {
            "Type": "Task", "Resource": "arn:aws:states:::sagemaker:updateEndpoint",
            "Parameters": {"EndpointName": "churn", "EndpointConfigName.$": f"{p}.EndpointConfig.EndpointConfigName"},
            "Retry": RETRY, "Next": "Deploy: status", "ResultPath": None},
        **loop(p, endpoint={"EndpointName": "churn"}, end={"End": True}),
        **failure_passes(p, "Deploy: failed"),
        "Deploy: failed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
    }


def test_complex_model_alarms_deployment_config_and_failure_path() -> None:
    catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Notify failure: Deploy"}]
    model = {"ExecutionRoleArn": "${SageMakerRoleArn}",
             "PrimaryContainer": {"Image": "${XGBoostImageUri}", "ModelDataUrl.$": "$.Train.ModelDataUrl"}}
    canary = {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {
        "Type": "CANARY", "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10}, "WaitIntervalInSeconds": 600}}}
    config = {"ProductionVariants": [VARIANT, {**VARIANT, "VariantName": "Shadow", "ModelName": "baseline"}],
              "Tags": [{"Key": "team", "Value": "ml"}]}
    states = deploy_states(name="Deploy", endpoint_name="churn", model=model, endpoint_config=config,
                           update={"DeploymentConfig": canary, "RetainAllVariantProperties": False},
                           alarms=["churn-5xx", "churn-latency"], poll_seconds=60, timeout_seconds=1800,
                           name_prefix="churn", result_path="$.Release", failure_next="Notify failure: Deploy",
                           catch=catch, comment="Ship it", next="SmokeTest")
    p = "$.Release"
    assert list(states)[0] == "Deploy" and "Deploy: failed" not in states
    assert states["Deploy"] == {
        "Type": "Task", "Comment": "Ship it", "Resource": "arn:aws:states:::sagemaker:createModel",
        "Parameters": {**model, "ModelName.$": named("churn-model"), "Tags": [TAG]},
        "ResultSelector": {"ModelName.$": "States.ArrayGetItem(States.StringSplit($.ModelArn, '/'), 1)"},
        "ResultPath": f"{p}.Model", "Retry": RETRY, "Catch": catch, "Next": "Deploy: endpoint config"}
    assert states["Deploy: endpoint config"]["Parameters"] == {
        "ProductionVariants": [{**VARIANT, "ModelName.$": f"{p}.Model.ModelName"},
                               {**VARIANT, "VariantName": "Shadow", "ModelName": "baseline"}],
        "Tags": [{"Key": "team", "Value": "ml"}, TAG], "EndpointConfigName.$": named("churn-config")}
    assert states["Deploy: find endpoint"]["Catch"] == [
        {"ErrorEquals": NOT_FOUND, "ResultPath": f"{p}.Lookup", "Next": "Deploy: endpoint missing?"}, *catch]
    assert states["Deploy: update endpoint"] == {
        "Type": "Task", "Resource": "arn:aws:states:::sagemaker:updateEndpoint", "Parameters": {
            "DeploymentConfig": {**canary, "AutoRollbackConfiguration": {
                "Alarms": [{"AlarmName": "churn-5xx"}, {"AlarmName": "churn-latency"}]}},
            "RetainAllVariantProperties": False, "EndpointName": "churn",
            "EndpointConfigName.$": f"{p}.EndpointConfig.EndpointConfigName"},
        "Retry": RETRY, "Catch": catch, "Next": "Deploy: status", "ResultPath": None}
    expected_loop = loop(p, endpoint={"EndpointName": "churn"}, polls=31, poll=60, timeout=1800, catch=catch,
                         end={"Next": "SmokeTest", "result": {"ModelName.$": f"{p}.Model.ModelName"}})
    assert {k: states[k] for k in expected_loop} == expected_loop
    expected_failures = failure_passes(p, "Notify failure: Deploy", polls=31, poll=60, timeout=1800)
    assert {k: states[k] for k in expected_failures} == expected_failures


def test_jsonpath_endpoint_name_and_random_names_in_a_map() -> None:
    states = deploy_states(name="Deploy", endpoint_name="$.EndpointName", result_path="$.Deploy", random_name=True,
                           endpoint_config={"ProductionVariants": [{**VARIANT, "ModelName.$": "$.Model"}]}, retry=None)
    for state in ("Deploy: find endpoint", "Deploy: status"):
        assert states[state]["Parameters"] == {"EndpointName.$": "$.EndpointName"}
    assert states["Deploy: create endpoint"]["Parameters"]["EndpointName.$"] == "$.EndpointName"
    assert "Retry" not in states["Deploy"] and "Retry" not in states["Deploy: create endpoint"]
    assert states["Deploy"]["Parameters"]["EndpointConfigName.$"] == \
        "States.Format('deploy-config-{}', States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 4))"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"poll_seconds": 0}, r"poll_seconds must be a positive integer"),
    ({"timeout_seconds": 100_000, "poll_seconds": 10}, rf"10001 polls; at most {MAX_POLLS} fit .* raise poll_seconds to at least 111"),
    ({"endpoint_config": {"ProductionVariants": [VARIANT]}}, r"ProductionVariants\[0\] needs ModelName"),
    ({"endpoint_config": {}}, r"endpoint_config needs ProductionVariants"),
    ({"model": {"ModelName": "x"}}, r"model must not set ModelName"),
    ({"endpoint_config": {"EndpointConfigName": "c", "ProductionVariants": [VARIANT]}}, r"must not set EndpointConfigName"),
    ({"update": {"EndpointName": "e"}}, r"update must not set EndpointName"),
    ({"alarms": [""]}, r"alarms must be 1-10 CloudWatch alarm names"),
    ({"alarms": ["a"], "update": {"DeploymentConfig": {"AutoRollbackConfiguration": {}}}}, r"not both"),
    ({"result_path": "Deploy"}, r"result_path must be a path below \$"),
])
def test_fails_bad_deploy(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"name": "Deploy", "endpoint_name": "e", "result_path": "$.Deploy",
                            "endpoint_config": {"ProductionVariants": [{**VARIANT, "ModelName": "m"}]}, **kwargs}
    with pytest.raises(ValueError, match=message):
        deploy_states(**args)


def test_state_names_fit_80_characters() -> None:
    assert all(len(n) <= 80 for n in state_names("D" * 80).values())


# --- mocked runs ----------------------------------------------------------------------------------

ARN = "arn:aws:sagemaker:us-east-1:123456789012"
NOT_FOUND_THROW = {"Throw": {"Error": "SageMaker.SageMakerException", "Cause": 'Could not find endpoint '
                             f'"{ARN}:endpoint/churn". (Service: SageMaker, Status Code: 400, Request ID: 1)'}}


def describe(status: str, config: str = "deploy-config-new", **extra: Any) -> dict[str, Any]:
    return {"Return": {"EndpointName": "churn", "EndpointArn": f"{ARN}:endpoint/churn", "EndpointConfigName": config,
                       "EndpointStatus": status, "CreationTime": 1700000000000, "LastModifiedTime": 1700000000000,
                       **extra}}


def machine(**kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"name": "Deploy", "endpoint_name": "churn", "result_path": "$.Deploy",
                            "model": {"ExecutionRoleArn": "arn:aws:iam::123456789012:role/sm",
                                      "PrimaryContainer": {"Image": "img", "ModelDataUrl.$": "$.ModelDataUrl"}},
                            "endpoint_config": {"ProductionVariants": [VARIANT]}, "end": True, **kwargs}
    states = deploy_states(**args)
    return {"StartAt": "Deploy", "States": states}


def run(responses: dict[str, dict[str, Any]], **kwargs: Any) -> tuple[Any, MockIntegration]:
    config = parse_mock_config({"StateMachines": {"m": {"TestCases": {"t": {s: s for s in responses}}}},
                                "MockedResponses": responses})
    mock = MockIntegration(config.test_case(state_machine="m", test_case="t"))
    result = run_definition(machine(**kwargs), {"ModelDataUrl": "s3://b/model.tar.gz"}, state_machine_name="m",
                            execution_name="e", integration=mock, clock=VirtualClock())
    return result, mock


def path_of(result: Any) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in result.history if e["type"].endswith("StateEntered")]


CREATED = {"Deploy": {"0": {"Return": {"ModelArn": f"{ARN}:model/deploy-model-abc-0"}}},
           "Deploy: endpoint config": {"0": {"Return": {"EndpointConfigArn": f"{ARN}:endpoint-config/deploy-config-new"}}}}
POLL = ["Deploy: status", "Deploy: count", "Deploy: in service?"]
WAIT = ["Deploy: wait"]


def test_run_creates_a_missing_endpoint_and_polls_until_in_service() -> None:
    result, mock = run({**CREATED, "Deploy: find endpoint": {"0": NOT_FOUND_THROW},
                        "Deploy: create endpoint": {"0": {"Return": {"EndpointArn": f"{ARN}:endpoint/churn"}}},
                        "Deploy: status": {"0-1": describe("Creating"), "2": describe("InService")}})
    assert result.status == "SUCCEEDED", result.cause
    assert path_of(result) == ["Deploy", "Deploy: endpoint config", "Deploy: find endpoint", "Deploy: endpoint missing?",
                               "Deploy: create endpoint", *(POLL + WAIT) * 2, *POLL, "Deploy: deployed"]
    assert result.output["Deploy"] == {
        "EndpointName": "churn", "EndpointArn": f"{ARN}:endpoint/churn", "EndpointStatus": "InService",
        "EndpointConfigName": "deploy-config-new", "Operation": "create", "PreviousEndpointConfigName": None,
        "Polls": 3, "ModelName": "deploy-model-abc-0"}
    calls = {c.state_name: c.parameters for c in mock.calls}
    assert calls["Deploy: create endpoint"]["EndpointConfigName"] == "deploy-config-new"
    assert calls["Deploy: endpoint config"]["ProductionVariants"][0]["ModelName"] == "deploy-model-abc-0"
    assert (result.stop_date - result.start_date).total_seconds() == 60   # two 30 s waits, simulated


def test_run_updates_an_existing_endpoint_and_reports_both_configs() -> None:
    result, mock = run({**CREATED, "Deploy: find endpoint": {"0": describe("InService", "deploy-config-old")},
                        "Deploy: update endpoint": {"0": {"Return": {"EndpointArn": f"{ARN}:endpoint/churn"}}},
                        "Deploy: status": {"0": describe("Updating", "deploy-config-old"), "1": describe("InService")}},
                       alarms=["churn-5xx"])
    assert result.status == "SUCCEEDED", result.cause
    assert "Deploy: create endpoint" not in path_of(result)
    assert {k: result.output["Deploy"][k] for k in ("Operation", "EndpointConfigName", "PreviousEndpointConfigName",
                                                     "Polls")} == {
        "Operation": "update", "EndpointConfigName": "deploy-config-new",
        "PreviousEndpointConfigName": "deploy-config-old", "Polls": 2}
    update = next(c.parameters for c in mock.calls if c.state_name == "Deploy: update endpoint")
    assert update == {"EndpointName": "churn", "EndpointConfigName": "deploy-config-new",
                      "DeploymentConfig": {"AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "churn-5xx"}]}}}


def test_run_fails_with_the_failure_reason_when_the_endpoint_fails() -> None:
    reason = "The primary container for production variant AllTraffic did not pass the ping health check."
    result, _ = run({**CREATED, "Deploy: find endpoint": {"0": NOT_FOUND_THROW},
                     "Deploy: create endpoint": {"0": {"Return": {"EndpointArn": f"{ARN}:endpoint/churn"}}},
                     "Deploy: status": {"0": describe("Creating"), "1": describe("Failed", FailureReason=reason)}})
    assert (result.status, result.error) == ("FAILED", "Deploy.EndpointFailed")
    assert path_of(result)[-2:] == ["Deploy: endpoint failed", "Deploy: failed"]
    assert result.cause.startswith("Endpoint churn is Failed after deploying endpoint config deploy-config-new")
    assert json.loads(result.cause.split("response): ", 1)[1])["FailureReason"] == reason


def test_run_fails_when_an_update_rolls_back() -> None:
    result, _ = run({**CREATED, "Deploy: find endpoint": {"0": describe("InService", "deploy-config-old")},
                     "Deploy: update endpoint": {"0": {"Return": {"EndpointArn": f"{ARN}:endpoint/churn"}}},
                     "Deploy: status": {"0": describe("Updating", "deploy-config-old"),
                                        "1": describe("InService", "deploy-config-old",
                                                      FailureReason="Alarm churn-5xx went to ALARM")}})
    assert (result.status, result.error) == ("FAILED", "Deploy.RolledBack")
    assert "endpoint config deploy-config-old is live, not deploy-config-new" in result.cause


def test_run_times_out_after_the_poll_budget() -> None:
    result, mock = run({**CREATED, "Deploy: find endpoint": {"0": NOT_FOUND_THROW},
                        "Deploy: create endpoint": {"0": {"Return": {"EndpointArn": f"{ARN}:endpoint/churn"}}},
                        "Deploy: status": {"0-5": describe("Creating")}}, poll_seconds=60, timeout_seconds=300)
    assert (result.status, result.error) == ("FAILED", "Deploy.Timeout")
    assert mock.invocations("Deploy: status") == 6
    assert result.cause == ("Endpoint churn is still Creating after 6 polls 60 s apart (timeout_seconds 300); "
                            "SageMaker goes on deploying endpoint config deploy-config-new")
    assert (result.stop_date - result.start_date).total_seconds() == 300


def test_run_fails_with_the_lookup_error_when_it_is_not_a_missing_endpoint() -> None:
    denied = {"Throw": {"Error": "SageMaker.SageMakerException", "Cause": "User is not authorized to perform: "
                        "sagemaker:DescribeEndpoint (Service: SageMaker, Status Code: 400, Request ID: 1)"}}
    result, _ = run({**CREATED, "Deploy: find endpoint": {"0": denied}})
    assert (result.status, result.error, result.cause) == ("FAILED", "SageMaker.SageMakerException",
                                                           denied["Throw"]["Cause"])
    assert path_of(result)[-3:] == ["Deploy: endpoint missing?", "Deploy: lookup failed", "Deploy: failed"]


def test_run_retries_throttled_polls_and_create_errors_with_the_default_policies() -> None:
    throttled = {"Throw": {"Error": "SageMaker.ThrottlingException", "Cause": "Rate exceeded"}}
    transient = {"Throw": {"Error": "SageMaker.AmazonSageMakerException", "Cause": "InternalFailure"}}
    result, mock = run({**CREATED, "Deploy: find endpoint": {"0": throttled, "1": NOT_FOUND_THROW},
                        "Deploy: create endpoint": {"0-1": transient,
                                                    "2": {"Return": {"EndpointArn": f"{ARN}:endpoint/churn"}}},
                        "Deploy: status": {"0-7": throttled, "8": describe("InService")}})
    assert result.status == "SUCCEEDED", result.cause
    assert count_history(result.history).retries_by_state == {
        "Deploy: find endpoint": 1, "Deploy: create endpoint": 2, "Deploy: status": 8}
    # A not-found is never retried: it is the answer that decides create vs update.
    assert mock.invocations("Deploy: find endpoint") == 2


def test_run_throttling_past_the_retry_budget_fails_the_step() -> None:
    throttled = {"Throw": {"Error": "SageMaker.ThrottlingException", "Cause": "Rate exceeded"}}
    result, mock = run({**CREATED, "Deploy: find endpoint": {"0": NOT_FOUND_THROW},
                        "Deploy: create endpoint": {"0": {"Return": {"EndpointArn": f"{ARN}:endpoint/churn"}}},
                        "Deploy: status": {"0-8": throttled}})
    assert (result.status, result.error) == ("FAILED", "SageMaker.ThrottlingException")
    assert mock.invocations("Deploy: status") == 9   # 1 + MaxAttempts 8


@pytest.mark.parametrize("kwargs", [{}, {"alarms": ["churn-5xx"], "update": {"RetainAllVariantProperties": True},
                                         "endpoint_name": "$.EndpointName", "random_name": True}])
def test_rendered_machines_pass_the_validator(kwargs: dict[str, Any]) -> None:
    from sagemaker_sfn.validate import validate_definition

    findings = validate_definition(machine(**kwargs))
    assert [f"{f.location}: {f.message}" for f in findings if getattr(f, "severity", "error") == "error"] == []
