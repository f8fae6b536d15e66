"""The data-flow rule: wiring mistakes between states, planted into the shipped templates and into
small machines, each asserted by location and message; and silence wherever the shape is unknown."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from validate_helpers import machine, training_parameters

from sagemaker_sfn.validate import validate_definition

ROOT = Path(__file__).resolve().parents[2]
RULE = "data-flow"


def template(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "asl_templates" / f"{name}.asl.json").read_text(encoding="utf-8"))


def flow(definition: dict[str, Any], **kwargs: Any) -> list[tuple[str, str, str]]:
    return [(f.severity, f.location, f.message) for f in validate_definition(definition, **kwargs) if f.rule == RULE]


# --- mistakes planted into the shipped templates ------------------------------------------------------

def test_fails_typo_in_a_path_the_previous_step_wrote() -> None:
    definition = template("tune-xgboost")
    definition["States"]["CreateBestModel"]["Parameters"]["PrimaryContainer"]["ModelDataUrl.$"] = "$.Tunning.ModelDataUrl"
    assert flow(definition, example_input={}) == [(
        "error", "$.States.CreateBestModel.Parameters.PrimaryContainer['ModelDataUrl.$']",
        "'ModelDataUrl.$' reads $.Tunning.ModelDataUrl, which never resolves: the state's input has no field "
        "'Tunning' (did you mean 'Tuning'?): it has Dataset, Tuning")]


def test_without_a_declared_input_only_written_fields_are_known() -> None:
    # Without an input shape, '$.Tunning' might be in the execution input: nothing is said (never
    # guess). What ResultPath wrote at $.Tuning is known, so a typo inside it is found.
    definition = template("tune-xgboost")
    container = definition["States"]["CreateBestModel"]["Parameters"]["PrimaryContainer"]
    container["ModelDataUrl.$"] = "$.Tunning.ModelDataUrl"
    assert flow(definition) == []
    container["ModelDataUrl.$"] = "$.Tuning.ModelDataUri"
    assert flow(definition) == [(
        "error", "$.States.CreateBestModel.Parameters.PrimaryContainer['ModelDataUrl.$']",
        "'ModelDataUrl.$' reads $.Tuning.ModelDataUri, which never resolves: $.Tuning has no field 'ModelDataUri' "
        "(did you mean 'ModelDataUrl'?): it has HyperParameterTuningJobName, BestTrainingJobName, "
        "BestObjectiveValue, ModelDataUrl")]


def test_fails_result_selector_reading_a_field_the_api_never_returns() -> None:
    definition = template("tune-xgboost")
    selector = definition["States"]["TuneHyperparameters"]["ResultSelector"]
    selector["ModelDataUrl.$"] = "$.BestTrainingJob.ModelArtifacts.S3ModelArtifacts"
    [(severity, location, message)] = flow(definition, example_input={})
    assert (severity, location) == ("error", "$.States.TuneHyperparameters.ResultSelector['ModelDataUrl.$']")
    assert message.startswith(
        "'ModelDataUrl.$' reads $.BestTrainingJob.ModelArtifacts.S3ModelArtifacts, which never resolves: "
        "$.BestTrainingJob (DescribeHyperParameterTuningJob's response (what createHyperParameterTuningJob.sync "
        "returns)) has no field 'ModelArtifacts': it has TrainingJobDefinitionName, TrainingJobName,")


def test_fails_model_artifacts_after_request_response_create_training_job() -> None:
    # aws-cdk's own integ test (sagemaker/integ.call-sagemaker) builds a model this way.
    definition = template("train-evaluate")
    train = definition["States"]["Train"]
    train["Resource"] = "arn:aws:states:::sagemaker:createTrainingJob"
    found = flow(definition, example_input={"InputBucket": "b", "InputKey": "k", "MseThreshold": 6.0})
    assert [location for _, location, _ in found] == ["$.States.Train.ResultSelector['TrainingJobName.$']",
                                                      "$.States.Train.ResultSelector['ModelDataUrl.$']"]
    assert found[1] == (
        "error", "$.States.Train.ResultSelector['ModelDataUrl.$']",
        "'ModelDataUrl.$' reads $.ModelArtifacts.S3ModelArtifacts, which never resolves: the task's result has no "
        "field 'ModelArtifacts': it has TrainingJobArn, SdkHttpMetadata, SdkResponseMetadata. createTrainingJob "
        "without .sync answers as soon as the job is created, with its ARN only: use createTrainingJob.sync to "
        "wait for the job and receive its description (DescribeTrainingJob)")


def test_fails_string_into_a_sagemaker_integer() -> None:
    definition = template("train-evaluate")
    resources = definition["States"]["Train"]["Parameters"]["ResourceConfig"]
    resources.pop("InstanceCount")
    resources["InstanceCount.$"] = "$.Instances"
    found = flow(definition, example_input={"InputBucket": "b", "InputKey": "k", "MseThreshold": 6.0,
                                            "Instances": "2"})
    assert found == [(
        "error", "$.States.Train.Parameters.ResourceConfig['InstanceCount.$']",
        "'InstanceCount' gets $.Instances, which is a string (\"2\"): CreateTrainingJob expects an integer "
        "(TrainingInstanceCount); Step Functions does not convert types")]


def test_fails_integer_beyond_32_bits_from_the_input() -> None:
    definition = template("train-evaluate")
    resources = definition["States"]["Train"]["Parameters"]["ResourceConfig"]
    resources.pop("InstanceCount")
    resources["InstanceCount.$"] = "$.Instances"
    found = flow(definition, example_input={"InputBucket": "b", "InputKey": "k", "MseThreshold": 6.0,
                                            "Instances": 99999999999999999999})
    assert found == [("error", "$.States.Train.Parameters.ResourceConfig['InstanceCount.$']",
                      "'InstanceCount' gets $.Instances = 99999999999999999999: TrainingInstanceCount takes 0 to "
                      "2,147,483,647")]


def test_fails_catcher_error_object_field_that_does_not_exist() -> None:
    definition = template("tune-xgboost")
    notify = definition["States"]["Notify failure: CreateBestModel"]
    [message_key] = [k for k in notify["Parameters"] if k.startswith("Message")]
    notify["Parameters"].pop(message_key)
    notify["Parameters"]["Message.$"] = "$.error.Reason"
    assert flow(definition, example_input={}) == [(
        "error", "$.States['Notify failure: CreateBestModel'].Parameters['Message.$']",
        "'Message.$' reads $.error.Reason, which never resolves: $.error (the error output of a catcher "
        "({Error, Cause})) has no field 'Reason': it has Error, Cause")]


def test_shipped_templates_with_their_example_inputs_have_no_data_flow_findings() -> None:
    import yaml

    for path in sorted((ROOT / "pipelines").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        definition = template(path.stem)
        assert flow(definition, example_input=doc.get("input", {}), input_schema=doc.get("input_schema")) == [], path


# --- each source of shape and each consumer ---------------------------------------------------------------

def test_warns_reference_present_on_some_edges_only() -> None:
    definition = machine({
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.mode", "StringEquals": "a", "Next": "A"}], "Default": "B"},
        "A": {"Type": "Pass", "Result": "x", "ResultPath": "$.extra", "Next": "J"},
        "B": {"Type": "Pass", "Next": "J"},
        "J": {"Type": "Pass", "Parameters": {"v.$": "$.extra"}, "End": True},
    })
    assert flow(definition, example_input={"mode": "a"}) == [(
        "warning", "$.States.J.Parameters['v.$']",
        "'v.$' reads $.extra, which resolves on some paths into the state only: the state's input lacks 'extra' "
        "on some paths into the state")]


def test_fails_context_object_typo_and_reads_execution_input() -> None:
    definition = machine({"P": {"Type": "Pass", "Parameters": {"n.$": "$$.Execution.Nam", "id.$": "$$.Exection.Id",
                                                              "i.$": "$$.Execution.Input.missing"}, "End": True}})
    found = flow(definition, example_input={"present": 1})
    assert [(s, loc) for s, loc, _ in found] == [("error", "$.States.P.Parameters['id.$']"),
                                                  ("error", "$.States.P.Parameters['i.$']")]
    assert "the context object $$ has no field 'Exection' (did you mean 'Execution'?)" in found[0][2]
    assert "has no field 'missing'" in found[1][2]


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("ItemsPath", {"items": {"a": 1}}, "ItemsPath $.items is an object: expected an array"),
    ("MaxConcurrencyPath", {"items": [], "n": "many"}, "MaxConcurrencyPath $.n is the string \"many\": expected an integer >= 0"),
    ("ToleratedFailurePercentagePath", {"items": [], "n": 150}, "ToleratedFailurePercentagePath $.n is 150: expected a number from 0 to 100"),
])
def test_fails_map_fields_of_the_wrong_type(field: str, value: dict[str, Any], expected: str) -> None:
    state = {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
             "End": True}
    if field != "ItemsPath":
        state[field] = "$.n"
    assert flow(machine({"M": state}), example_input=value) == [("error", f"$.States.M.{field}", expected)]


def test_fails_non_timestamp_constant_into_timestamp_path_and_negative_seconds() -> None:
    definition = machine({"W": {"Type": "Wait", "TimestampPath": "$.at", "Next": "V"},
                          "V": {"Type": "Wait", "SecondsPath": "$.wait", "End": True}})
    assert flow(definition, example_input={"at": "2026-13-01T00:00:00Z", "wait": -1}) == [
        ("error", "$.States.W.TimestampPath", "TimestampPath $.at is \"2026-13-01T00:00:00Z\", not an RFC 3339 "
                  "timestamp: expected a string such as \"2026-01-31T12:00:00Z\" (date, 'T', time and offset)"),
        ("error", "$.States.V.SecondsPath", "SecondsPath $.wait is -1: expected an integer >= 0")]


def test_fails_result_path_into_a_non_object() -> None:
    definition = machine({"A": {"Type": "Pass", "Result": [1, 2], "Next": "B"},
                          "B": {"Type": "Pass", "Result": 1, "ResultPath": "$.x", "End": True}})
    assert flow(definition) == [("error", "$.States.B.ResultPath", "ResultPath $.x cannot be written: the state's "
                                 "input is an array there, not an object (States.ResultPathMatchFailure)")]


def test_map_and_parallel_results_are_arrays_of_their_outputs() -> None:
    definition = machine({
        "M": {"Type": "Map", "ItemsPath": "$.items", "ItemSelector": {"v.$": "$$.Map.Item.Value.name"},
              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Parameters": {"got.$": "$.v"}, "End": True}}},
              "ResultPath": "$.mapped", "Next": "P"},
        "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "B0", "States": {"B0": {"Type": "Pass", "Result": {"a": 1}, "End": True}}},
            {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Result": {"b": 2}, "End": True}}}],
              "ResultSelector": {"a.$": "$[0].a", "b.$": "$[1].a"}, "End": True},
    })
    assert flow(definition, example_input={"items": [{"name": "n"}]}) == [(
        "error", "$.States.P.ResultSelector['b.$']",
        "'b.$' reads $[1].a, which never resolves: $[1] (the Result of 'B1') has no field 'a': it has b")]


def test_fails_choice_variable_missing_from_the_first_rule_only_warns_later_rules() -> None:
    definition = machine({"C": {"Type": "Choice", "Choices": [
        {"Variable": "$.colour", "StringEquals": "red", "Next": "S"},
        {"Variable": "$.size", "NumericGreaterThan": 1, "Next": "S"},
        {"And": [{"Variable": "$.size", "IsPresent": True}, {"Variable": "$.size", "NumericGreaterThan": 1}], "Next": "S"}],
        "Default": "S"}, "S": {"Type": "Succeed"}})
    found = flow(definition, example_input={"shape": "round"})
    assert [(s, loc) for s, loc, _ in found] == [("error", "$.States.C.Choices[0].Variable"),
                                                  ("warning", "$.States.C.Choices[1].Variable")]
    assert found[1][2].startswith("Variable $.size never resolves whenever it is evaluated")


def test_jsonata_undefined_variable_and_wrongly_typed_items() -> None:
    definition = machine({
        "A": {"Type": "Pass", "Assign": {"flag": "{% true %}"}, "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $flag %}", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
              "Next": "O"},
        "O": {"Type": "Pass", "Output": {"r": "{% $doesNotExist %}"}, "End": True},
    }, QueryLanguage="JSONata")
    assert flow(definition) == [
        ("error", "$.States.M.Items", "Items {% $flag %} is a boolean (true): expected an array"),
        ("error", "$.States.O.Output.r", "{% $doesNotExist %} reads $doesNotExist, which no state assigns: the "
                                         "expression returns nothing and the state fails (States.QueryEvaluationError)")]


def test_input_schema_declares_the_input() -> None:
    schema = {"type": "object", "properties": {"bucket": {"type": "string"}, "count": {"type": "integer"}},
              "required": ["bucket"], "additionalProperties": False}
    definition = machine({"P": {"Type": "Pass", "Parameters": {"b.$": "$.bucket", "c.$": "$.count", "k.$": "$.key"},
                                "End": True}})
    assert [(s, loc) for s, loc, _ in flow(definition, input_schema=schema)] == [("error", "$.States.P.Parameters['k.$']")]
    # An open schema (additionalProperties not false) says nothing about other fields.
    assert flow(definition, input_schema={**schema, "additionalProperties": True}) == []
    # The schema wins over an example.
    assert flow(definition, input_schema={**schema, "additionalProperties": True}, example_input={}) == []


def test_unknown_shapes_are_never_guessed() -> None:
    definition = machine({
        "L": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "ResultSelector": {"x.$": "$.Payload.anything"},
              "ResultPath": "$.l", "Next": "F"},
        "F": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "ResultPath": "$.f", "Next": "W"},
        "W": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "HeartbeatSeconds": 60,
              "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}, "ResultPath": "$.w", "Next": "P"},
        "P": {"Type": "Pass", "Parameters": {"a.$": "$.f.whatever", "b.$": "$.w.any", "c.$": "$.l.x", "d.$": "$.input.field",
                                              "e.$": "$.items[3]"}, "End": True},
    })
    assert flow(definition) == []
    # The Lambda envelope itself is known: a typo in it is not.
    broken = copy.deepcopy(definition)
    broken["States"]["L"]["ResultSelector"] = {"x.$": "$.Paylod.anything"}
    [(severity, location, message)] = flow(broken)
    assert (severity, location) == ("error", "$.States.L.ResultSelector['x.$']")
    assert "has no field 'Paylod' (did you mean 'Payload'?)" in message


def test_loops_converge() -> None:
    definition = machine({
        "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.n", "Next": "Step"},
        "Step": {"Type": "Pass", "Parameters": {"prev.$": "$", "n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Step"}], "Default": "Done"},
        "Done": {"Type": "Succeed"},
    })
    assert flow(definition, example_input={}) == []


# --- generate reports data-flow findings in the pipeline's terms -----------------------------------

def test_generate_locates_data_flow_errors_by_step_and_field(tmp_path: Path) -> None:
    from sagemaker_sfn.pipeline import load_pipeline
    from sagemaker_sfn.pipeline.checks import pipeline_findings

    text = (ROOT / "pipelines" / "tune-xgboost.yaml").read_text(encoding="utf-8")
    text = text.replace("ModelDataUrl.$: $.Tuning.ModelDataUrl", "ModelDataUrl.$: $.Tunning.ModelDataUrl")
    (tmp_path / "pipelines").mkdir()
    path = tmp_path / "pipelines" / "tune-xgboost.yaml"
    path.write_text(text, encoding="utf-8")
    [finding] = [f for f in pipeline_findings(load_pipeline(path)) if "Tunning" in f.message]
    assert (finding.step, finding.field, finding.severity) == (
        "CreateBestModel", "request.PrimaryContainer['ModelDataUrl.$']", "error")


def test_generate_follows_the_input_schema(tmp_path: Path) -> None:
    from sagemaker_sfn.pipeline import load_pipeline
    from sagemaker_sfn.pipeline.checks import pipeline_findings

    text = (ROOT / "pipelines" / "train-evaluate.yaml").read_text(encoding="utf-8")
    schema = ("input_schema:\n  type: object\n  additionalProperties: false\n  required: [InputBucket, InputKey]\n"
              "  properties:\n    InputBucket: {type: string}\n    InputKey: {type: string}\n"
              "    MseThreshold: {type: string}\n")
    text = text.replace("trigger:\n", schema + "trigger:\n", 1)
    (tmp_path / "pipelines").mkdir()
    path = tmp_path / "pipelines" / "train-evaluate.yaml"
    path.write_text(text, encoding="utf-8")
    findings = [f for f in pipeline_findings(load_pipeline(path)) if f.severity == "error"]
    assert findings == []  # the schema matches how the pipeline reads its input
    broken = text.replace("InputKey: {type: string}", "InputKeyName: {type: string}").replace(
        "required: [InputBucket, InputKey]", "required: [InputBucket]")
    path.write_text(broken, encoding="utf-8")
    errors = [f for f in pipeline_findings(load_pipeline(path)) if f.severity == "error"]
    assert errors and all(f.step == "Preprocess" and "InputKey" in f.message for f in errors)


def test_generate_refuses_an_integer_beyond_32_bits(tmp_path: Path) -> None:
    from sagemaker_sfn.pipeline import load_pipeline
    from sagemaker_sfn.pipeline.checks import pipeline_findings

    text = (ROOT / "pipelines" / "tune-xgboost.yaml").read_text(encoding="utf-8")
    text = text.replace("InstanceCount: 1\n          InstanceType: ml.m5.large\n          VolumeSizeInGB",
                        "InstanceCount: 99999999999999999999\n          InstanceType: ml.m5.large\n          VolumeSizeInGB")
    assert "99999999999999999999" in text
    (tmp_path / "pipelines").mkdir()
    path = tmp_path / "pipelines" / "tune-xgboost.yaml"
    path.write_text(text, encoding="utf-8")
    errors = [(f.step, f.field, f.message) for f in pipeline_findings(load_pipeline(path)) if f.severity == "error"]
    assert errors == [("TuneHyperparameters", "request.TrainingJobDefinition.ResourceConfig.InstanceCount",
                       "99999999999999999999 is out of range for TrainingInstanceCount, a 32-bit integer: expected "
                       "0 to 2,147,483,647")]


def test_pass_parameters_of_any_json_type_are_its_result() -> None:
    definition = machine({"P": {"Type": "Pass", "Parameters": "text", "Next": "Q"},
                          "Q": {"Type": "Pass", "Parameters": {"a.$": "$.a"}, "End": True}})
    assert flow(definition) == [("error", "$.States.Q.Parameters['a.$']",
                                 "'a.$' reads $.a, which never resolves: the state's input is a string (\"text\"), "
                                 "not an object")]


def test_task_timeout_paths_are_reported_only_when_missing_from_both_inputs() -> None:
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
            "InputPath": "$.job", "End": True}
    found = flow(machine({"T": {**task, "TimeoutSecondsPath": "$.limit"}}), example_input={"job": {}, "limit": 60})
    assert found == []
    found = flow(machine({"T": {**task, "TimeoutSecondsPath": "$.limits"}}), example_input={"job": {}, "limit": 60})
    assert [(s, loc) for s, loc, _ in found] == [("error", "$.States.T.TimeoutSecondsPath")]
    found = flow(machine({"T": {**task, "HeartbeatSecondsPath": "$.limit"}}), example_input={"job": {}, "limit": "soon"})
    assert found == [("error", "$.States.T.HeartbeatSecondsPath",
                      "HeartbeatSecondsPath $.limit is the string \"soon\": expected an integer >= 1")]


def test_train_then_deploy_chain_reads_the_training_description() -> None:
    # The common hand-written chain: training (.sync, result replaces the input) -> model from the job's
    # description -> endpoint config -> endpoint. Only the paid job's missing Retry/Catch is warned about.
    role = "arn:aws:iam::123456789012:role/SageMakerRole"
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"
    train = training_parameters()
    train["TrainingJobName.$"] = "$.job"
    definition = machine({
        "Train": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync", "Parameters": train,
                  "Next": "Model"},
        "Model": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModel", "ResultPath": "$.created",
                  "Parameters": {"ModelName.$": "$.TrainingJobName", "ExecutionRoleArn": role, "PrimaryContainer": {
                      "Image": image, "ModelDataUrl.$": "$.ModelArtifacts.S3ModelArtifacts"}}, "Next": "Config"},
        "Config": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createEndpointConfig", "ResultPath": "$.created",
                   "Parameters": {"EndpointConfigName.$": "$.TrainingJobName", "ProductionVariants": [{
                       "VariantName": "AllTraffic", "ModelName.$": "$.TrainingJobName", "InitialInstanceCount": 1,
                       "InstanceType": "ml.m5.large"}]}, "Next": "Endpoint"},
        "Endpoint": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createEndpoint", "End": True,
                     "Parameters": {"EndpointConfigName.$": "$.created.EndpointConfigArn", "EndpointName.$": "$.TrainingJobName"}},
    })
    found = [(f.severity, f.rule, f.location) for f in validate_definition(definition, example_input={"job": "j-1", "eta": "0.2"})]
    assert found == [("warning", "sagemaker-resilience", "$.States.Train"), ("warning", "sagemaker-resilience", "$.States.Train")]
    # Had the model step replaced the input (no ResultPath), the next steps' reads would all fail.
    del definition["States"]["Model"]["ResultPath"]
    errors = [f.location for f in validate_definition(definition, example_input={"job": "j-1", "eta": "0.2"}) if f.severity == "error"]
    assert errors == ["$.States.Config.Parameters['EndpointConfigName.$']",
                      "$.States.Config.Parameters.ProductionVariants[0]['ModelName.$']",
                      "$.States.Endpoint.Parameters['EndpointName.$']"]
