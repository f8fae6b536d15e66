"""Rules measured against public corpora (asl-validator's and statelint's test definitions, AWS's
answers to CreateStateMachine): Distributed Map sub-objects, Map limit paths, QueryLanguage in nested
machines, JSONata top-level references, Resource placeholders, Map Parameters + ItemSelector,
Credentials."""

from __future__ import annotations

from typing import Any

from validate_helpers import found, machine

PROCESSOR = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I",
             "States": {"I": {"Type": "Pass", "End": True}}}
READER = "arn:aws:states:::s3:getObject"


def distributed(**fields: Any) -> dict[str, Any]:
    return machine({"M": {"Type": "Map", "ItemProcessor": PROCESSOR, "End": True, **fields}})


def test_fails_reader_config_with_both_max_items_fields_and_over_the_limit() -> None:
    definition = distributed(ItemReader={"Resource": READER, "ReaderConfig": {
        "InputType": "CSV", "MaxItems": 100_000_001, "MaxItemsPath": "$.n"},
        "Parameters": {"Bucket": "b", "Key": "k"}})
    assert found(definition, "state-fields") == [
        ("error", "$.States.M.ItemReader.ReaderConfig", "both MaxItems and MaxItemsPath are set: expected at most one"),
        ("error", "$.States.M.ItemReader.ReaderConfig.MaxItems",
         "MaxItems is 100000001: expected an integer from 0 to 100,000,000")]


def test_reader_config_within_limits_passes() -> None:
    definition = distributed(ItemReader={"Resource": READER, "ReaderConfig": {"InputType": "CSV", "MaxItems": 100_000_000},
                                         "Parameters": {"Bucket": "b", "Key": "k"}})
    assert found(definition, "state-fields") == []


def test_fails_item_batcher_shapes() -> None:
    assert found(distributed(ItemsPath="$.items", ItemBatcher=5), "state-fields") == [
        ("error", "$.States.M.ItemBatcher", "ItemBatcher is integer: expected an object")]
    assert found(distributed(ItemsPath="$.items", ItemBatcher={"BatchInput": {"a": 1}}), "state-fields") == [
        ("error", "$.States.M.ItemBatcher", "ItemBatcher needs a batch size: expected MaxItemsPerBatch or "
                                            "MaxInputBytesPerBatch (or their ...Path)")]
    assert found(distributed(ItemsPath="$.items", ItemBatcher={
        "MaxItemsPerBatch": 10, "MaxItemsPerBatchPath": "$.n", "MaxInputBytesPerBatch": 300_000}), "state-fields") == [
        ("error", "$.States.M.ItemBatcher", "both MaxItemsPerBatch and MaxItemsPerBatchPath are set: expected at most one"),
        ("error", "$.States.M.ItemBatcher.MaxInputBytesPerBatch",
         "MaxInputBytesPerBatch is 300000: expected an integer from 0 to 262,144")]


def test_fails_result_writer_parameters_not_an_object() -> None:
    definition = distributed(ItemsPath="$.items", ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                                                "Parameters": "bucket"})
    assert found(definition, "state-fields") == [
        ("error", "$.States.M.ResultWriter.Parameters", "Parameters is string: expected an object")]


def test_fails_map_limit_paths_reading_the_context_object() -> None:
    definition = distributed(ItemsPath="$$.Execution.Input.items", MaxConcurrencyPath="$$.Execution.Input.n",
                             ItemBatcher={"MaxItemsPerBatchPath": "$$.Execution.Input.b"})
    assert found(definition, "jsonpath") == [
        ("error", "$.States.M.MaxConcurrencyPath", "MaxConcurrencyPath: '$$.Execution.Input.n' is a context-object "
                                                   "path: expected a path into the state's input"),
        ("error", "$.States.M.ItemBatcher.MaxItemsPerBatchPath", "'MaxItemsPerBatchPath': '$$.Execution.Input.b' is "
                                                                 "a context-object path: expected a path into the state's input")]


def test_map_query_language_does_not_apply_to_its_states() -> None:
    # The Map state is JSONata (its Items is an expression); the state inside inherits the machine's JSONPath.
    definition = machine({"M": {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% [1, 2] %}", "End": True,
                                "ItemProcessor": {"StartAt": "I", "States": {
                                    "I": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}}}}})
    assert found(definition, "state-fields") == [
        ("error", "$.States.M.ItemProcessor.States.I.Output", "'Output' is only allowed in a JSONata state: use "
                  "OutputPath or ResultSelector or set \"QueryLanguage\": \"JSONata\"")]


def test_fails_query_language_on_item_processor() -> None:
    definition = machine({"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "QueryLanguage": "JSONata", "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}})
    assert found(definition, "structure") == [
        ("error", "$.States.M.ItemProcessor.QueryLanguage", "QueryLanguage is not a field of ItemProcessor or "
                  "Iterator: expected it on the states inside (or on the Map state for its own fields)")]


def test_fails_jsonpath_state_nested_in_a_jsonata_machine() -> None:
    definition = machine({"P": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "B", "States": {
        "B": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}}]}}, QueryLanguage="JSONata")
    assert found(definition, "state-fields") == [
        ("error", "$.States.P.Branches[0].States.B.QueryLanguage", "a JSONPath state in a JSONata state machine: "
                  "expected the top-level QueryLanguage to be JSONPath (the default) when any state uses JSONPath")]


def test_fails_jsonata_top_level_reference() -> None:
    definition = machine({"E": {"Type": "Pass", "Output": {"v": "{% phone %}", "n": "{% $count(items) %}",
                                                             "ok": "{% $states.input.phone %}"}, "End": True}},
                         QueryLanguage="JSONata")
    assert found(definition, "jsonata") == [
        ("error", "$.States.E.Output.n", "{% $count(items) %} reads 'items' at the top level, which Step Functions "
                  "refuses (UNSUPPORTED_JSONATA_EXPRESSION): expected $states.input.items or a variable $items"),
        ("error", "$.States.E.Output.v", "{% phone %} reads 'phone' at the top level, which Step Functions refuses "
                  "(UNSUPPORTED_JSONATA_EXPRESSION): expected $states.input.phone or a variable $phone")]


def test_relative_jsonata_names_are_not_top_level() -> None:
    definition = machine({"E": {"Type": "Pass", "Output": {
        "a": "{% $states.input.items[price > 5].name %}", "b": "{% $map($states.input.l, function($v) { $v.x }) %}",
        "c": "{% ($x := 1; $x + 1) %}", "d": "{% $states.input.items{category: price} %}"}, "End": True}},
        QueryLanguage="JSONata")
    assert found(definition, "jsonata") == []


def test_fails_unterminated_placeholder_in_resource() -> None:
    definition = machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                                "Parameters": {"FunctionName": "f"}},
                          "U": {"Type": "Task", "Resource": "${ProcessFunctionArn", "End": True}}, start="T")
    definition["States"]["T"]["Next"] = "U"
    del definition["States"]["T"]["End"]
    assert found(definition, "state-fields") == [
        ("error", "$.States.U.Resource", "Resource \"${ProcessFunctionArn\" has a '${' without its closing '}': "
                  "expected a placeholder ${Name} (letters, digits, '_')")]


def test_fails_map_with_both_parameters_and_item_selector() -> None:
    definition = machine({"M": {"Type": "Map", "End": True, "Parameters": {"a.$": "$"}, "ItemSelector": {"a.$": "$"},
                                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}})
    assert found(definition, "state-fields") == [
        ("error", "$.States.M", "both Parameters and ItemSelector are set on a Map state: expected only ItemSelector "
                  "(Parameters is its deprecated name)")]


def test_fails_credentials_not_an_object() -> None:
    definition = machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                                "Parameters": {"FunctionName": "f"}, "Credentials": "arn:aws:iam::123456789012:role/r"}})
    assert found(definition, "state-fields") == [
        ("error", "$.States.T.Credentials", "Credentials is string \"arn:aws:iam::123456789012:role/r\": expected an object")]
