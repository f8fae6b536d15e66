"""JSONPath syntax in path fields and in ``Key.$`` payload-template fields."""

import pytest
from validate_helpers import found, machine

from sagemaker_sfn.validate.jsonpath import path_problem


@pytest.mark.parametrize("path", ["$", "$.a", "$.a-b[0]['c d']", "$$.Execution.Name", "$$", "$myVar.x",
                                  "$.a[*].b", "$..x", "$.a[?(@.x > 1)]", "$.a[1:3]", "$.items.length()"])
def test_accepted_paths(path: str) -> None:
    assert path_problem(path) is None


def test_reference_paths_reject_what_selects_several_nodes() -> None:
    assert path_problem("$.a['b'][0].c", reference=True) is None
    assert path_problem("$..x", reference=True) == ("'$..x' is not a reference path ('..'): expected a path to a "
                                                    "single node, using only .field, ['field'] and [index]")
    assert path_problem("$.a[?(@.b)]", reference=True) == (
        "'$.a[?(@.b)]' is not a reference path (a filter): expected a path to a single node, using only .field, "
        "['field'] and [index]")


def test_valid_state_paths() -> None:
    definition = machine({"A": {"Type": "Pass", "InputPath": "$.in", "ResultPath": None,
                                "Parameters": {"x.$": "$.a[0]", "ctx.$": "$$.Execution.Id", "lit": "text",
                                               "nested": {"y.$": "States.UUID()"}}, "Next": "W"},
                          "W": {"Type": "Wait", "SecondsPath": "$.wait", "OutputPath": None, "End": True}})
    assert found(definition) == []


def test_fails_state_path_fields() -> None:
    definition = machine({"A": {"Type": "Pass", "InputPath": "in", "ResultPath": "$$.Execution", "Next": "M"},
                          "M": {"Type": "Map", "ItemsPath": "$.items[*]", "ItemProcessor": {
                              "StartAt": "I", "States": {"I": {"Type": "Pass", "OutputPath": "$.a[", "End": True}}},
                              "Next": "F"},
                          "F": {"Type": "Fail", "ErrorPath": "$.e..x"}})
    assert found(definition, "jsonpath") == [
        ("error", "$.States.A.InputPath", "InputPath: 'in' does not start with '$': expected a JSONPath such as "
                                          "\"$.field\""),
        ("error", "$.States.A.ResultPath", "ResultPath: '$$.Execution' is a context-object path: expected a path "
                                           "into the state's input"),
        ("error", "$.States.M.ItemsPath", "ItemsPath: '$.items[*]' is not a reference path (a wildcard): expected a "
                                          "path to a single node, using only .field, ['field'] and [index]"),
        ("error", "$.States.F.ErrorPath", "'ErrorPath': '$.e..x' is not a reference path ('..'): expected a path to "
                                          "a single node, using only .field, ['field'] and [index]"),
        ("error", "$.States.M.ItemProcessor.States.I.OutputPath", "OutputPath: '$.a[' is not valid JSONPath (Parse "
                  "error near the end of string!): expected a path"),
    ]


def test_fails_dollar_keys_in_templates() -> None:
    definition = machine({"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                                "Parameters": {"a.$": 3, "b": {"c.$": "no-dollar"}, "list": [{"d.$": "$.x y"}]},
                                "ResultSelector": {"r": "$.Payload"}, "End": True}})
    assert found(definition, "jsonpath") == [
        ("error", "$.States.A.Parameters['a.$']", "'a.$' is integer 3: expected a string holding a JSONPath or an "
                                                  "intrinsic function call"),
        ("error", "$.States.A.Parameters.list[0]['d.$']", "'d.$': '$.x y' is not valid JSONPath (Parse error at 1:4 "
                  "near token y (ID)): expected a JSONPath or an intrinsic function call"),
        ("error", "$.States.A.Parameters.b['c.$']", "'c.$': 'no-dollar' does not start with '$': expected a JSONPath "
                                                    "such as \"$.field\""),
        ("warning", "$.States.A.ResultSelector.r", "'r' holds the literal string \"$.Payload\", which looks like a "
                    "path: name the field 'r.$' to read the value at that path"),
    ]


def test_jsonata_states_skip_path_rules() -> None:
    definition = machine({"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"x.$": "not a path"},
                                "End": True}})
    assert found(definition, "jsonpath") == []
