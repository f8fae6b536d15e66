"""JSONata expressions: syntax, where they are evaluated, ``.$`` keys in JSONata states."""

from validate_helpers import found, machine


def pass_state(output: object, *, language: str = "JSONata") -> dict[str, object]:
    return machine({"A": {"Type": "Pass", "QueryLanguage": language, "Output": output, "End": True}})


def test_valid_expressions_and_literals() -> None:
    assert found(pass_state({"a": "{% $states.input.x + 1 %}", "b": " {% not evaluated %} ",
                             "c": ["{% $states.context.Execution.Name %}"]})) == []


def test_fails_syntax_error_with_location() -> None:
    assert found(pass_state({"list": [1, "{% $states.input.x > %}"]}), "jsonata") == [
        ("error", "$.States.A.Output.list[1]", "not a valid JSONata expression (Unexpected end of expression): "
                                               "{% $states.input.x > %}")]


def test_warns_unterminated_expression_and_dollar_keys() -> None:
    assert found(pass_state({"x.$": "$.a", "y": "{% $states.input"}), "jsonata") == [
        ("warning", "$.States.A.Output['x.$']", "'x.$' in a JSONata state is a literal field name, not a path: "
                                                "expected \"x\": \"{% ... %}\""),
        ("warning", "$.States.A.Output.y", "starts with '{%' but does not end with '%}', so it is a literal string, "
                                           "not an expression: expected \"{% expression %}\""),
    ]


def test_warns_expression_in_jsonpath_state() -> None:
    definition = machine({"A": {"Type": "Pass", "Parameters": {"x": "{% $states.input %}"}, "End": True}})
    assert found(definition, "jsonata") == [
        ("warning", "$.States.A.Parameters.x", "a JSONata expression in a JSONPath state is passed on as a literal "
                                               "string: expected \"QueryLanguage\": \"JSONata\" on the state or the "
                                               "state machine")]


def test_comments_are_never_evaluated() -> None:
    definition = machine({"P": {"Type": "Pass", "Comment": "{% not evaluated %}", "Next": "C"},
                          "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "S",
                                                               "Comment": "{% neither %}"}], "Default": "S"},
                          "S": {"Type": "Succeed"}})
    assert found(definition, "jsonata") == []
