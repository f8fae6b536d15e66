"""Data flow, state types and results of the local interpreter (whole outputs compared)."""

from __future__ import annotations

from datetime import timedelta

from interpreter_support import START, Scripted

from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.interpreter import run_definition

LAMBDA = "arn:aws:states:::lambda:invoke"


def test_pass_result_path_creates_missing_objects_and_output_path_selects(clock: VirtualClock) -> None:
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": {"v": 1}, "ResultPath": "$.deep.inner", "Next": "B"},
        "B": {"Type": "Pass", "Result": "ignored", "ResultPath": None, "Next": "C"},
        "C": {"Type": "Pass", "InputPath": "$.deep", "Parameters": {"copy.$": "$.inner.v", "const": "k"},
              "ResultPath": "$.params", "OutputPath": "$.params", "End": True}}}
    result = run_definition(definition, {"keep": True}, clock=clock)
    assert (result.status, result.output, result.error, result.cause) == (
        "SUCCEEDED", {"copy": 1, "const": "k"}, None, None)


def test_task_result_selector_and_result_path_merge_into_input(clock: VirtualClock) -> None:
    integration = Scripted({"Train": [{"TrainingJobStatus": "Completed", "ModelArtifacts": {"S3": "s3://m"}}]})
    definition = {"StartAt": "Train", "States": {"Train": {
        "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
        "Parameters": {"TrainingJobName.$": "States.Format('job-{}', $.run)", "Retry.$": "$$.State.RetryCount"},
        "ResultSelector": {"model.$": "$.ModelArtifacts.S3"}, "ResultPath": "$.training", "End": True}}}
    result = run_definition(definition, {"run": 7}, integration=integration, clock=clock)
    assert result.output == {"run": 7, "training": {"model": "s3://m"}}
    request = integration.requests[0]
    assert (request.parameters, request.ref.service, request.ref.action, request.ref.pattern) == (
        {"TrainingJobName": "job-7", "Retry": 0}, "sagemaker", "createTrainingJob", "sync")


def test_missing_path_fails_with_aws_wording(clock: VirtualClock) -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "$.nope"}, "End": True}}}
    result = run_definition(definition, {"a": 1}, clock=clock)
    assert (result.status, result.error, result.cause) == (
        "FAILED", "States.Runtime",
        "An error occurred while executing the state 'P' (entered at the event id #2). The JSONPath '$.nope' "
        "specified for the field 'x.$' could not be found in the input '{\"a\":1}'")


def test_choice_operators_string_matches_escapes_and_default(clock: VirtualClock) -> None:
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.name", "IsString": True},
                     {"Variable": "$.name", "StringMatches": "log-*.txt\\*"}], "Next": "Star"},
            {"Variable": "$.name", "StringMatches": "log-*.txt", "Next": "Log"},
            {"Not": {"Variable": "$.count", "IsPresent": True}, "Next": "NoCount"},
            {"Variable": "$.count", "NumericGreaterThanPath": "$.limit", "Next": "Over"}],
            "Default": "Other"},
        "Star": {"Type": "Pass", "Result": "star", "End": True},
        "Log": {"Type": "Pass", "Result": "log", "End": True},
        "NoCount": {"Type": "Pass", "Result": "no-count", "End": True},
        "Over": {"Type": "Pass", "Result": "over", "End": True},
        "Other": {"Type": "Pass", "Result": "other", "End": True}}}
    outputs = [run_definition(definition, value, clock=VirtualClock(start=START)).output for value in (
        {"name": "log-1.txt"}, {"name": "log-a.txt*", "count": 1}, {"name": "log-a.txtX"},
        {"name": "x", "count": 5, "limit": 3}, {"name": "x", "count": "5", "limit": 3})]
    # "*" is any run, "\\*" a literal star; a string "5" is not numeric so NumericGreaterThanPath is false.
    assert outputs == ["log", "star", "no-count", "over", "other"]


def test_choice_without_match_or_default_fails(clock: VirtualClock) -> None:
    definition = {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
        {"Variable": "$.x", "BooleanEquals": True, "Next": "C"}]}}}
    result = run_definition(definition, {"x": False}, clock=clock)
    assert (result.status, result.error, result.cause) == ("FAILED", "States.NoChoiceMatched", "No Matches!")


def test_fail_state_error_and_cause_paths(clock: VirtualClock) -> None:
    definition = {"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.e",
                                                   "CausePath": "States.Format('bad {}', $.c)"}}}
    result = run_definition(definition, {"e": "Custom.Error", "c": 42}, clock=clock)
    assert (result.status, result.output, result.error, result.cause) == ("FAILED", None, "Custom.Error", "bad 42")


def test_wait_states_advance_the_virtual_clock(clock: VirtualClock) -> None:
    definition = {"StartAt": "W1", "States": {
        "W1": {"Type": "Wait", "Seconds": 30, "Next": "W2"},
        "W2": {"Type": "Wait", "SecondsPath": "$.s", "Next": "W3"},
        "W3": {"Type": "Wait", "Timestamp": "2024-01-01T01:00:00Z", "End": True}}}
    result = run_definition(definition, {"s": 90}, clock=clock)
    exits = [event["timestamp"] - START for event in result.history if event["type"] == "WaitStateExited"]
    assert exits == [timedelta(seconds=30), timedelta(seconds=120), timedelta(hours=1)]
    assert (result.status, result.stop_date) == ("SUCCEEDED", START + timedelta(hours=1))


def test_execution_timeout_seconds_times_out(clock: VirtualClock) -> None:
    definition = {"TimeoutSeconds": 5, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    result = run_definition(definition, {}, clock=clock)
    assert (result.status, result.output, result.error, result.stop_date) == (
        "TIMED_OUT", None, None, START + timedelta(seconds=5))
    assert result.history[-1]["type"] == "ExecutionTimedOut"


def test_context_object_fields(clock: VirtualClock) -> None:
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA,
                                                   "Parameters": {"ctx.$": "$$"}, "End": True}}}
    integration = Scripted({"T": [{"ok": True}]})
    run_definition(definition, {"in": 1}, state_machine_name="sm", execution_name="ex-1", integration=integration,
                   clock=clock, region="eu-west-1", account="111122223333")
    assert integration.requests[0].parameters["ctx"] == {
        "Execution": {"Id": "arn:aws:states:eu-west-1:111122223333:execution:sm:ex-1", "Input": {"in": 1},
                      "Name": "ex-1", "RoleArn": "arn:aws:iam::111122223333:role/service-role/StepFunctions-sm-role",
                      "StartTime": "2024-01-01T00:00:00.000Z", "RedriveCount": 0},
        "StateMachine": {"Id": "arn:aws:states:eu-west-1:111122223333:stateMachine:sm", "Name": "sm"},
        "State": {"EnteredTime": "2024-01-01T00:00:00.000Z", "Name": "T", "RetryCount": 0}}


def test_wait_for_task_token_passes_token_in_context_and_request(clock: VirtualClock) -> None:
    definition = {"StartAt": "Approve", "States": {"Approve": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"MessageBody": {"token.$": "$$.Task.Token"}}, "HeartbeatSeconds": 600, "End": True}}}
    integration = Scripted({"Approve": [{"approved": True}]})
    result = run_definition(definition, {}, integration=integration, clock=clock)
    request = integration.requests[0]
    assert result.output == {"approved": True}
    assert request.task_token and request.parameters == {"MessageBody": {"token": request.task_token}}
    assert (request.heartbeat_seconds, request.ref.pattern) == (600.0, "waitForTaskToken")


def test_task_without_integration_names_the_state(clock: VirtualClock) -> None:
    definition = {"StartAt": "Train", "States": {"Train": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
    result = run_definition(definition, {}, clock=clock)
    assert (result.status, result.error, result.cause) == (
        "FAILED", "States.Runtime",
        "An error occurred while executing the state 'Train' (entered at the event id #2). No integration answers "
        "Task state 'Train' (arn:aws:states:::lambda:invoke) in this run")


def test_jsonata_arguments_output_assign_and_context(clock: VirtualClock) -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"factor": "{% $states.input.f %}"}, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": LAMBDA,
                 "Arguments": {"n": "{% $states.input.n * $factor %}", "state": "{% $states.context.State.Name %}"},
                 "Output": {"doubled": "{% $states.result.value %}", "factor": "{% $factor %}"}, "End": True}}}
    integration = Scripted({"Call": [{"value": 84}]})
    result = run_definition(definition, {"n": 21, "f": 2}, integration=integration, clock=clock)
    assert integration.requests[0].parameters == {"n": 42, "state": "Call"}
    assert result.output == {"doubled": 84, "factor": 2}


def test_jsonata_undefined_output_field_is_query_evaluation_error(clock: VirtualClock) -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Output": {"x": "{% $states.input.missing %}"}, "End": True}}}
    result = run_definition(definition, {}, clock=clock)
    assert (result.error, result.cause) == (
        "States.QueryEvaluationError",
        "An error occurred while executing the state 'P' (entered at the event id #2). The JSONata expression "
        "'$states.input.missing' specified for the field 'Output/x' returned nothing (undefined).")


def test_variables_assigned_in_map_iterations_stay_inside(clock: VirtualClock) -> None:
    definition = {"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"seen": "outer"}, "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "In", "States": {
            "In": {"Type": "Pass", "Assign": {"seen": "inner"}, "Parameters": {"outer.$": "$seen", "v.$": "$"},
                   "End": True}}}, "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"results.$": "$", "seen.$": "$seen"}, "End": True}}}
    result = run_definition(definition, {"items": [1, 2]}, clock=clock)
    assert result.output == {"results": [{"outer": "outer", "v": 1}, {"outer": "outer", "v": 2}], "seen": "outer"}


def test_describe_and_history_json_shapes(clock: VirtualClock) -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    seen: list[dict] = []
    result = run_definition(definition, {"a": 1}, state_machine_name="sm", execution_name="e", clock=clock,
                            on_event=seen.append)
    assert result.describe() == {
        "executionArn": "arn:aws:states:us-east-1:123456789012:execution:sm:e",
        "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:sm", "name": "e",
        "status": "SUCCEEDED", "startDate": START, "stopDate": START, "input": '{"a":1}',
        "inputDetails": {"included": True}, "output": '{"a":1}', "outputDetails": {"included": True},
        "redriveCount": 0}
    stamp = "2024-01-01T00:00:00.000Z"
    assert result.history_json() == [
        {"timestamp": stamp, "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
         "executionStartedEventDetails": {"input": '{"a":1}', "inputDetails": {"truncated": False},
                                          "roleArn": "arn:aws:iam::123456789012:role/service-role/StepFunctions-sm-role"}},
        {"timestamp": stamp, "type": "PassStateEntered", "id": 2, "previousEventId": 0,
         "stateEnteredEventDetails": {"name": "P", "input": '{"a":1}', "inputDetails": {"truncated": False}}},
        {"timestamp": stamp, "type": "PassStateExited", "id": 3, "previousEventId": 2,
         "stateExitedEventDetails": {"name": "P", "output": '{"a":1}', "outputDetails": {"truncated": False}}},
        {"timestamp": stamp, "type": "ExecutionSucceeded", "id": 4, "previousEventId": 3,
         "executionSucceededEventDetails": {"output": '{"a":1}', "outputDetails": {"truncated": False}}}]
    assert seen == result.history


def test_map_item_selector_with_context_and_batching(clock: VirtualClock) -> None:
    definition = {"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.rows", "ItemSelector": {
                  "index.$": "$$.Map.Item.Index", "row.$": "$$.Map.Item.Value", "tag.$": "$.tag"},
              "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
              "ResultPath": "$.out", "Next": "B"},
        "B": {"Type": "Map", "ItemsPath": "$.rows", "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"b": 1}},
              "ItemProcessor": {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": True}}},
              "ResultPath": "$.batches", "End": True}}}
    result = run_definition(definition, {"rows": ["a", "b", "c"], "tag": "t"}, clock=clock)
    assert result.output == {
        "rows": ["a", "b", "c"], "tag": "t",
        "out": [{"index": 0, "row": "a", "tag": "t"}, {"index": 1, "row": "b", "tag": "t"},
                {"index": 2, "row": "c", "tag": "t"}],
        "batches": [{"Items": ["a", "b"], "BatchInput": {"b": 1}}, {"Items": ["c"], "BatchInput": {"b": 1}}]}


def test_jsonata_map_items_and_item_selector(clock: VirtualClock) -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "Items": "{% $states.input.values %}",
        "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}", "sq": "{% $states.context.Map.Item.Value * "
                                                                          "$states.context.Map.Item.Value %}"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "Output": {"total": "{% $sum($states.result.sq) %}", "items": "{% $states.result %}"}, "End": True}}}
    result = run_definition(definition, {"values": [1, 2, 3]}, clock=clock)
    assert result.output == {"total": 14, "items": [{"i": 0, "sq": 1}, {"i": 1, "sq": 4}, {"i": 2, "sq": 9}]}


def test_map_with_real_clock_runs_items_concurrently_and_keeps_order() -> None:
    from sagemaker_sfn.local.clock import RealClock

    integration = Scripted({"Work": [{"n": n} for n in range(6)]})
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 3,
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": LAMBDA,
                                                                 "ResultPath": "$.r", "End": True}}},
        "End": True}}}
    seen: list[int] = []
    result = run_definition(definition, [{"i": i} for i in range(6)], integration=integration, clock=RealClock(),
                            on_event=lambda event: seen.append(event["id"]))
    assert result.status == "SUCCEEDED"
    assert [item["i"] for item in result.output] == list(range(6))  # results in item order, whatever ran first
    assert seen == list(range(1, len(result.history) + 1))
    assert [e["type"] for e in result.history].count("MapIterationSucceeded") == 6


def test_item_reader_without_an_integration_is_a_clear_error(clock: VirtualClock) -> None:
    # Reading S3 needs the run's integration (tests/local/test_distributed_map.py reads local S3).
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                      "Parameters": {"Bucket": "b", "Key": "k.csv"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}}
    result = run_definition(definition, {}, clock=clock)
    assert (result.status, result.error, result.cause) == (
        "FAILED", "States.Runtime",
        "An error occurred while executing the state 'M' (entered at the event id #2). the Map state 'M' reads or "
        "writes S3 (getObject) but the run has no integration to answer S3 calls")


def test_task_results_become_plain_json(clock: VirtualClock) -> None:
    from datetime import datetime, timezone
    from decimal import Decimal

    created = datetime(2024, 1, 1, 0, 0, 1, tzinfo=timezone.utc)
    integration = Scripted({"T": [{"CreationTime": created, "Score": Decimal("0.5"), "Count": Decimal("3")}]})
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
    result = run_definition(definition, {}, integration=integration, clock=clock)
    assert result.output == {"CreationTime": 1704067201000, "Score": 0.5, "Count": 3}
