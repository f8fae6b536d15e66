"""The error inventory (interpreter/messages.py, docs/errors.md): one run producing each entry."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.base import TaskRequest
from sagemaker_sfn.local.integrations.mock import MockIntegration
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.interpreter.messages import MESSAGES, STATE_PREFIX, inventory_markdown, states_error
from sagemaker_sfn.local.mock_config import parse_mock_config

DOCS = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def pass_state(**fields: Any) -> dict:
    return {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True, **fields}}}


def jsonata(state: dict, **top: Any) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {"End": True, **state}}, **top}


def task(**fields: Any) -> dict:
    return {"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                             "End": True, **fields}}}


def map_state(**fields: Any) -> dict:
    return {"StartAt": "S", "States": {"S": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, **fields}}}


class Echo:
    def invoke(self, request: TaskRequest, clock: Any) -> Any:
        return request.parameters


class Slow:
    def invoke(self, request: TaskRequest, clock: Any) -> Any:
        clock.sleep(10)
        return {}


class Broken:
    def invoke(self, request: TaskRequest, clock: Any) -> Any:
        raise KeyError("boom")


def mock(responses: dict, case: dict) -> MockIntegration:
    config = parse_mock_config({"StateMachines": {"m": {"TestCases": {"c": case}}}, "MockedResponses": responses})
    return MockIntegration(config.test_case(state_machine="m", test_case="c"), test_case="c", source="m.json")


# key -> (definition, input, integration, the values the cause is filled with)
CASES: dict[str, tuple[dict, Any, Any, dict]] = {
    "path_no_results": (pass_state(InputPath="$.a"), {}, None, {"path": "$.a", "canonical": "$['a']"}),
    "field_path_not_found": (pass_state(Parameters={"v.$": "$.a"}), {"b": 1}, None,
                             {"path": "$.a", "field": "v.$", "input": '{"b":1}'}),
    "intrinsic_path_not_found": (pass_state(Parameters={"v.$": "States.Array($.a)"}), {}, None,
                                 {"path": "$.a", "input": "{}"}),
    "path_invalid": (pass_state(InputPath="$[?(@.a ==]"), {}, None, None),
    "result_path_invalid": (pass_state(ResultPath="a.b"), {}, None, {"path": "a.b"}),
    "result_path_match_failure": (pass_state(ResultPath="$.a"), [1], None, {"path": "$.a", "input": "[1]"}),
    "seconds_path_not_long": ({"StartAt": "S", "States": {"S": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}},
                              {"s": 1.5}, None, {"path": "$.s", "value": "1.5"}),
    "seconds_path_negative": ({"StartAt": "S", "States": {"S": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}},
                              {"s": -1}, None, {"path": "$.s", "value": "-1"}),
    "timestamp_path_invalid": ({"StartAt": "S", "States": {"S": {"Type": "Wait", "TimestampPath": "$.t",
                                                                 "End": True}}}, {"t": "x"}, None,
                               {"path": "$.t", "value": "x"}),
    "jsonata_seconds_invalid": (jsonata({"Type": "Wait", "Seconds": "{% -1 %}"}), {}, None, {"value": "-1"}),
    "jsonata_timestamp_invalid": (jsonata({"Type": "Wait", "Timestamp": "{% 'x' %}"}), {}, None, {"value": "x"}),
    "no_choice_matched": ({"StartAt": "S", "States": {"S": {"Type": "Choice", "Choices": [
        {"Variable": "$.a", "IsPresent": True, "Next": "S"}]}}}, {}, None, {}),
    "jsonata_condition_not_boolean": (jsonata({"Type": "Choice", "Choices": [{"Condition": "{% 1 %}", "Next": "S"}],
                                               "End": None}), {}, None,
                                      {"expression": "1", "type": "number", "value": "1"}),
    "jsonata_items_not_array": (jsonata({**map_state()["States"]["S"], "Items": "{% 1 %}"}), {}, None,
                                {"expression": "1", "type": "number", "value": "1"}),
    "items_path_not_array": (map_state(ItemsPath="$.a"), {"a": 1}, None, {"path": "$.a", "value": "1"}),
    "jsonata_map_input_not_array": (jsonata(map_state()["States"]["S"]), {"a": 1}, None,
                                    {"type": "object", "value": '{"a":1}'}),
    "item_reader_unsupported": (map_state(ItemReader={"Resource": "arn:aws:states:::s3:getObject"}), [], None, {}),
    "number_path_invalid": (map_state(MaxConcurrencyPath="$.m", ItemsPath="$.i"), {"m": "x", "i": [1]}, None,
                            {"name": "MaxConcurrency", "value": "x", "kind": "integer", "path": "$.m"}),
    "tolerated_count_negative": (map_state(ToleratedFailureCountPath="$.c", ItemsPath="$.i"), {"c": -1, "i": [1]}, None, {}),
    "tolerated_percentage_range": (map_state(ToleratedFailurePercentagePath="$.p", ItemsPath="$.i"), {"p": 101, "i": [1]}, None, {}),
    "tolerated_threshold_exceeded": (map_state(ToleratedFailureCount=1, ItemProcessor={
        "StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}), [1, 2], None, {}),
    "task_seconds_path_invalid": (task(TimeoutSecondsPath="$.t"), {"t": "x"}, Echo(),
                                  {"name": "TimeoutSeconds", "value": "x", "path": "$.t"}),
    "task_resource_unrecognised": (task(Resource="arn:aws:nothing"), {}, Echo(), {"resource": "arn:aws:nothing"}),
    "task_no_integration": (task(), {}, None, {"state_name": "S", "resource": "arn:aws:states:::lambda:invoke"}),
    "task_integration_crashed": (task(), {}, Broken(), {"detail": "KeyError: 'boom'"}),
    "task_timeout": (task(TimeoutSeconds=1), {}, Slow(), {}),
    "task_heartbeat_timeout": (task(Resource="arn:aws:states:::lambda:invoke.waitForTaskToken",
                                    HeartbeatSeconds=1), {}, Slow(), {}),
    "mock_unmocked_state": (task(), {}, mock({"R": {"0": {"Return": 1}}}, {"X": "R"}),
                            {"state_name": "S", "resource": "arn:aws:states:::lambda:invoke", "test_case": "c",
                             "source": "m.json", "mocked": "X"}),
    "mock_responses_exhausted": ({"StartAt": "S", "States": {"S": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
        "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1}]}}}, {},
        mock({"R": {"0": {"Throw": {"Error": "E", "Cause": "c"}}}}, {"S": "R"}),
        {"state_name": "S", "count": 2, "response": "R", "test_case": "c", "last": 0}),
    "data_limit_exceeded": (pass_state(Result="x" * 262_145), {}, None, {"state_name": "S"}),
    "history_limit": ({"StartAt": "S", "States": {"S": {"Type": "Pass", "Next": "S"}}}, {}, None, {"limit": 25000}),
    "program_invalid": ({"StartAt": "S", "States": {"S": {"Type": "Parallel", "End": True, "Branches": [{}]}}}, {},
                        None, {}),
    "state_not_defined": ({"StartAt": "S", "States": {"S": {"Type": "Pass", "Next": "T"}}}, {}, None,
                          {"state_name": "T"}),
    "state_type_unsupported": ({"StartAt": "S", "States": {"S": {"Type": "Nope"}}}, {}, None,
                               {"state_name": "S", "kind": "Nope"}),
    "state_definition_invalid": ({"StartAt": "S", "States": {"S": {"Type": "Choice", "Choices": [{"Next": "S"}]}}},
                                 {}, None, None),
    "branch_crashed": None,   # a crash inside a thread-run branch: see test_branch_crash_is_a_states_runtime
    "jsonata_undefined": (jsonata({"Type": "Pass", "Output": "{% $nothing %}"}), {}, None,
                          {"expression": "$nothing", "field": "Output"}),
    "jsonata_unsupported_result": (jsonata({"Type": "Pass", "Output": "{% function($x){$x} %}"}), {}, None,
                                   {"expression": "function($x){$x}", "field": "Output"}),
    "jsonata_parse_error": (jsonata({"Type": "Pass", "Output": "{% ( %}"}), {}, None, None),
    "jsonata_evaluation_error": (jsonata({"Type": "Pass", "Output": "{% $eval('1') %}"}), {}, None,
                                 {"expression": "$eval('1')", "field": "Output",
                                  "detail": "Attempted to invoke a non-function"}),
    "jsonata_hash_algorithm": (jsonata({"Type": "Pass", "Output": "{% $hash('a', 'SHA-3') %}"}), {}, None, None),
    "intrinsic_invalid_call": (pass_state(Parameters={"v.$": "States.Nope()"}), {}, None, None),
    "intrinsic_invalid_arguments": (pass_state(Parameters={"v.$": "States.ArrayGetItem(States.Array(1), 5)"}), {},
                                    None, {"function": "States.ArrayGetItem",
                                           "detail": "index 5 is out of bounds for an array of length 1"}),
}


def test_docs_errors_md_is_generated_from_the_table():
    assert DOCS.read_text(encoding="utf-8") == inventory_markdown(), (
        "docs/errors.md is stale: python -m sagemaker_sfn.local.interpreter.messages > docs/errors.md")


def test_every_entry_has_a_case_and_a_source():
    assert set(CASES) == set(MESSAGES)
    for message in MESSAGES.values():
        assert message.source.split(":")[0] in ("AWS-recorded", "AWS docs (error-handling.html", "local") or \
            message.source.startswith(("AWS docs", "LocalStack")), message.key


@pytest.mark.parametrize("key", [key for key, case in CASES.items() if case is not None])
def test_each_entry_is_what_a_run_reports(key):
    definition, execution_input, integration, values = CASES[key]
    message = MESSAGES[key]
    result = run_definition(definition, execution_input, integration=integration, clock=VirtualClock())
    assert (result.status, result.error) == ("FAILED", message.error), result.cause
    cause = result.cause or ""
    if message.state_prefix:
        prefix = re.match(r"An error occurred while executing the state '(?P<state>[^']*)' \(entered at the event id "
                          r"#(?P<entered_id>\d+)\)\. ", cause)
        assert prefix, cause
        assert prefix.group(0) == STATE_PREFIX.format(**prefix.groupdict())
        cause = cause[prefix.end():]
    if values is None:   # the cause embeds a library's message: the table's text around it must match
        head = message.cause.split("{")[0]
        assert cause.startswith(head), cause
    else:
        assert cause == message.cause.format(**values)
        expected = states_error(key, **values)
        assert (expected.error, expected.cause or None) == (message.error, cause or None)


def test_branch_crash_is_a_states_runtime():
    from sagemaker_sfn.local.clock import RealClock

    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                          "End": True}}}]}}}

    class Exploding:
        def invoke(self, request: TaskRequest, clock: Any) -> Any:
            raise SystemError("deep")

    result = run_definition(definition, {}, integration=Exploding(), clock=RealClock())
    # The task wraps an integration's crash first (task_integration_crashed); branch_crashed is the
    # thread pool's own guard, reached only by errors outside a state.
    assert (result.error, result.cause) == ("States.TaskFailed", "SystemError: deep")
    assert states_error("branch_crashed", detail="KeyError: 'x'").cause == "KeyError: 'x'"
