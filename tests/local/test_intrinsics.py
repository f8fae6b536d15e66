"""Intrinsic functions: parser, each function's results and AWS's argument checks.

Expected values come from the AWS documentation and from executions recorded on AWS
(../shared/conformance), which :func:`test_recorded_on_aws` replays directly.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

import pytest

from sagemaker_sfn.asl.intrinsic_syntax import FUNCTIONS
from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.intrinsics import (
    Call, IntrinsicSyntaxError, Literal, PathArg, evaluate_intrinsic, is_intrinsic, parse_intrinsic,
)

from conformance import CORPUS as CONFORMANCE  # noqa: E402  (found beside the clone or its main checkout)


def resolver(data: dict[str, Any]):
    """A minimal path resolver over dotted names: what the interpreter provides in real runs."""
    def resolve(path: str) -> Any:
        if path.startswith("$$."):
            node, parts = data["$$"], path[3:].split(".")
        elif path.startswith("$."):
            node, parts = data["$"], path[2:].split(".")
        elif path == "$":
            return data["$"]
        else:
            name, *parts = path[1:].split(".")
            node = data["vars"][name]
        for part in parts:
            node = node[part]
        return node
    return resolve


def ev(expression: str, value: Any = None, **extra: Any) -> Any:
    return evaluate_intrinsic(expression, resolve_path=resolver({"$": value, "$$": extra.get("ctx", {}),
                                                                 "vars": extra.get("vars", {})}))


def fails(expression: str, value: Any = None) -> StatesError:
    with pytest.raises(StatesError) as info:
        ev(expression, value)
    assert info.value.error == "States.IntrinsicFailure"
    return info.value


# --- parser --------------------------------------------------------------------------------

def test_parses_nested_calls_literals_and_paths():
    assert parse_intrinsic("States.Format('a{}b', States.ArrayGetItem($.x[0], -1), 1.5, true, null, $$.Execution.Id, $v)") == Call(
        "States.Format", (Literal("a{}b"), Call("States.ArrayGetItem", (PathArg("$.x[0]"), Literal(-1))),
                          Literal(1.5), Literal(True), Literal(None), PathArg("$$.Execution.Id"), PathArg("$v")))


def test_parses_escapes_in_strings():
    assert ev(r"States.Format('it\'s \{\} {}', 'x')") == "it's {} x"
    assert ev(r"States.StringToJson('{\"a\": \"b\"}')") == {"a": "b"}
    assert ev(r"States.Array('back\\slash')") == ["back\\slash"]


def test_path_with_bracketed_comma_is_one_argument():
    assert parse_intrinsic("States.Array($['a,b'], $.c)").args == (PathArg("$['a,b']"), PathArg("$.c"))


@pytest.mark.parametrize("expression, message", [
    ("States.Nope(1)", "unknown intrinsic function 'States.Nope'"),
    ("States.Array(1", "expected ',' or '\\)'"),
    ("States.Array('open)", "unterminated string literal"),
    ("States.Array(1) extra", "unexpected 'extra' after the call at position 16"),
    ("States.Array(@)", "expected a string, number, boolean, null, path or intrinsic function"),
    ("States.ArrayLength($.a, $.b)", "States.ArrayLength takes 1 argument\\(s\\), got 2"),
    ("States.JsonMerge($.a, $.b)", "States.JsonMerge takes 3 argument\\(s\\), got 2"),
    ("States.MathRandom(1)", "States.MathRandom takes 2 to 3 argument\\(s\\), got 1"),
    ("States.UUID(1)", "States.UUID takes 0 argument\\(s\\), got 1"),
    ("States.Format()", "States.Format takes at least 1 argument\\(s\\), got 0"),
])
def test_fails_malformed_expressions(expression, message):
    with pytest.raises(IntrinsicSyntaxError, match=message):
        parse_intrinsic(expression)
    with pytest.raises(StatesError) as info:
        ev(expression)
    assert (info.value.error, info.value.cause.startswith("Invalid intrinsic function call: ")) == (
        "States.Runtime", True)


KNOWN = ", ".join(sorted(FUNCTIONS))


@pytest.mark.parametrize("expression, message", [
    ("States.Nope(1)", f"unknown intrinsic function 'States.Nope' (known: {KNOWN}) at position 0 in 'States.Nope(1)'"),
    ("States.(1)", f"unknown intrinsic function 'States.' (known: {KNOWN}) at position 0 in 'States.(1)'"),
    ("States.UUID", "expected '(' after States.UUID at position 11 in 'States.UUID'"),
    ("States.Array(1", "expected ',' or ')' in the arguments of States.Array at position 14 in 'States.Array(1'"),
    ("States.Array(1;", "expected ',' or ')' in the arguments of States.Array at position 14 in 'States.Array(1;'"),
    ("States.Array(@)", "expected a string, number, boolean, null, path or intrinsic function at position 13 in "
                        "'States.Array(@)'"),
    ("States.Array('x", "unterminated string literal at position 15 in \"States.Array('x\""),
    ("States.Array(1-2)", "invalid number '1-2' at position 13 in 'States.Array(1-2)'"),
    ("States.Array(1) extra", "unexpected 'extra' after the call at position 16 in 'States.Array(1) extra'"),
    ("States.Array(" * 11 + ")" * 11,
     "more than 10 nested intrinsic functions at position 130 in " + repr("States.Array(" * 11 + ")" * 11)),
    ("States.Array(States.UUID(1))", "States.UUID takes 0 argument(s), got 1"),
])
def test_malformed_call_messages_at_run_time(expression, message):
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse_intrinsic(expression)
    assert str(info.value) == message


# A value of the wrong JSON kind for each typed argument of the shared table.
_WRONG = {"string": ("1", "number 1"), "array": ("'a'", 'string "a"'), "object": ("1", "number 1"),
          "boolean": ("'x'", 'string "x"'), "number": ("'1'", 'string "1"'), "integer": ("1.5", "number 1.5")}
_RIGHT = {"string": "'s'", "array": "States.Array(1)", "object": "States.StringToJson('{}')", "boolean": "false",
          "number": "1", "integer": "2", "any": "1"}
KIND_CASES = [(signature.name, position, kind) for signature in FUNCTIONS.values()
              for position, kind in enumerate(signature.kinds, start=1) if kind != "any"]


@pytest.mark.parametrize("name, position, kind", KIND_CASES, ids=[f"{n}-{p}" for n, p, _ in KIND_CASES])
def test_fails_each_typed_argument_of_the_shared_table(name, position, kind):
    signature = FUNCTIONS[name]
    args = [_RIGHT[signature.kind(i)] for i in range(1, len(signature.kinds) + 1)]
    args[position - 1], shown = _WRONG[kind]
    article = "an" if kind == "integer" else "a"   # the wording AWS-recorded tests were written against
    assert fails(f"{name}({', '.join(args)})").cause == (
        f"Invalid arguments in {name}: argument {position} must be {article} {kind}, got {shown}")


def test_fails_infinite_number_where_an_integer_is_expected():
    assert fails("States.ArrayGetItem(States.Array(1), 1e999)").cause == (
        "Invalid arguments in States.ArrayGetItem: argument 2 must be an integer, got number Infinity")


def test_fails_nesting_deeper_than_ten():
    nested = "States.Array(" * 11 + ")" * 11
    with pytest.raises(IntrinsicSyntaxError, match="more than 10 nested"):
        parse_intrinsic(nested)
    assert json.dumps(ev("States.Array(" * 10 + ")" * 10)) == "[" * 10 + "]" * 10


def test_is_intrinsic():
    assert is_intrinsic(" States.UUID()") and not is_intrinsic("$.States") and not is_intrinsic(3)


# --- functions -----------------------------------------------------------------------------

def test_format_renders_values_like_aws():
    obj = {"Arg1": 1, "Arg2": []}
    assert ev("States.Format('{} {} {} {} {} {}', $.a, $.b, $.c, $.d, $.e, $.f)",
              {"a": None, "b": 1.1, "c": True, "d": obj, "e": [1, "x", None], "f": "s"}) \
        == "null 1.1 true {Arg1=1, Arg2=[]} [1, x, null] s"


def test_format_template_from_variable():
    assert ev("States.Format($t, $$.Map.Item.Value)", ctx={"Map": {"Item": {"Value": "Pikachu"}}},
              vars={"t": "It's {}!"}) == "It's Pikachu!"


def test_fails_format_placeholder_count():
    assert fails("States.Format('{} and {}', 1)").cause == (
        "Invalid arguments in States.Format: the format string has 2 placeholder(s) '{}' but 1 value(s) were given")


def test_string_to_json_and_back():
    assert [ev("States.StringToJson($)", s) for s in ["", " ", "null", "-0", "1.1", "[1, \"a\"]"]] == [
        None, None, None, 0, 1.1, [1, "a"]]
    assert ev("States.JsonToString($)", {"Arg1": 1, "Arg2": [], "s": "é"}) == '{"Arg1":1,"Arg2":[],"s":"é"}'
    assert ev("States.JsonToString($)", "HelloWorld") == '"HelloWorld"'


def test_fails_string_to_json_on_invalid_json():
    assert fails("States.StringToJson($)", "{nope").cause == (
        'Invalid arguments in States.StringToJson: the string is not valid JSON '
        '(Expecting property name enclosed in double quotes at column 2): "{nope"')
    assert fails("States.StringToJson($)", 5).cause == (
        "Invalid arguments in States.StringToJson: argument 1 must be a string, got number 5")


def test_arrays():
    data = {"a": [1, 2, 3, 4, 5, 6, 7], "d": [1, 2, 2, True, 1.0, None, None, {"x": [1]}, {"x": [1]}]}
    assert ev("States.Array('a', 1, $.a)", data) == ["a", 1, data["a"]]
    assert ev("States.ArrayPartition($.a, 3)", data) == [[1, 2, 3], [4, 5, 6], [7]]
    assert ev("States.ArrayContains($.a, 5)", data) is True
    assert ev("States.ArrayContains($.d, $.x)", {"d": [1], "x": True}) is False
    assert ev("States.ArrayRange(1, 9, 2)") == [1, 3, 5, 7, 9]
    assert ev("States.ArrayRange(9, 1, -4)") == [9, 5, 1]
    assert ev("States.ArrayRange(5, 1, 1)") == []
    assert ev("States.ArrayGetItem($.a, 6)", data) == 7
    assert ev("States.ArrayLength($.a)", data) == 7
    assert ev("States.ArrayUnique($.d)", data) == [1, 2, True, None, {"x": [1]}]


@pytest.mark.parametrize("expression, cause", [
    ("States.ArrayPartition($.a, 0)", "the chunk size (argument 2) must be greater than 0, got 0"),
    ("States.ArrayPartition($.s, 1)", 'argument 1 must be a array, got string "x"'),
    ("States.ArrayRange(1, 2, 0)", "the step (argument 3) must not be 0"),
    ("States.ArrayRange(1, 1000, 1.5)", "argument 3 must be an integer, got number 1.5"),
    ("States.ArrayRange(0, 1000, 1)", "the range would hold 1001 items; at most 1000 are allowed"),
    ("States.ArrayGetItem($.a, 3)", "index 3 is out of bounds for an array of length 3"),
    ("States.ArrayGetItem($.a, -1)", "index -1 is out of bounds for an array of length 3"),
    ("States.ArrayGetItem($.a, '1')", 'argument 2 must be an integer, got string "1"'),
    ("States.ArrayLength($.o)", 'argument 1 must be a array, got object {"k":1}'),
])
def test_fails_array_arguments(expression, cause):
    data = {"a": [1, 2, 3], "s": "x", "o": {"k": 1}}
    assert fails(expression, data).cause == f"Invalid arguments in {expression.split('(')[0]}: {cause}"


def test_base64_round_trip():
    assert ev("States.Base64Encode($)", "Data to encode") == "RGF0YSB0byBlbmNvZGU="
    assert ev("States.Base64Decode($)", "RGF0YSB0byBlbmNvZGU=") == "Data to encode"
    assert ev("States.Base64Decode(States.Base64Encode('héllo'))") == "héllo"


def test_fails_base64_inputs():
    assert fails("States.Base64Decode($)", "not base64!").cause == (
        'Invalid arguments in States.Base64Decode: the string is not valid base64-encoded UTF-8: "not base64!"')
    assert fails("States.Base64Encode($)", "x" * 10001).cause == (
        "Invalid arguments in States.Base64Encode: the input string has 10001 characters; at most 10000 are allowed")


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"])
def test_hash(algorithm):
    name = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}[algorithm]
    assert ev("States.Hash($.d, $.a)", {"d": "input data", "a": algorithm}) == hashlib.new(name, b"input data").hexdigest()


def test_fails_hash_algorithm():
    assert fails("States.Hash('x', 'SHA-3')").cause == (
        'Invalid arguments in States.Hash: unsupported algorithm "SHA-3"; expected one of MD5, SHA-1, SHA-256, SHA-384, SHA-512')


def test_json_merge_is_shallow():
    assert ev("States.JsonMerge($.a, $.b, false)", {"a": {"x": {"p": 1}, "y": 1}, "b": {"x": {"q": 2}}}) == {
        "x": {"q": 2}, "y": 1}


def test_fails_json_merge():
    assert fails("States.JsonMerge($.a, $.a, true)", {"a": {}}).cause == (
        "Invalid arguments in States.JsonMerge: only shallow merging is supported: argument 3 must be false")
    assert fails("States.JsonMerge($.a, 1, false)", {"a": {}}).cause == (
        "Invalid arguments in States.JsonMerge: argument 2 must be a object, got number 1")


def test_math_add_rounds_each_argument_half_up():
    pairs = [(1.49, 1.5, 3), (1.5, 1.51, 4), (-1.49, -1.5, -2), (-1.5, -1.51, -3), (-0.5, 0.5, 1),
             (2.5, 0, 3), (-2.5, 0, -2), (-9, 3, -6)]
    assert [ev("States.MathAdd($.a, $.b)", {"a": a, "b": b}) for a, b, _ in pairs] == [r for *_, r in pairs]


def test_fails_math_add_on_strings():
    assert fails("States.MathAdd('1', 2)").cause == (
        'Invalid arguments in States.MathAdd: argument 1 must be a number, got string "1"')


def test_math_random_in_range_and_seeded():
    values = {ev("States.MathRandom(1, 4)") for _ in range(200)}
    assert values == {1, 2, 3}
    assert ev("States.MathRandom(0, 999, 3)") == ev("States.MathRandom(0, 999, 3)")
    assert fails("States.MathRandom(5, 5)").cause == (
        "Invalid arguments in States.MathRandom: the start (5) must be less than the end (5)")


def test_string_split_on_any_delimiter_character():
    assert ev("States.StringSplit($.s, $.d)", {"s": "This.is+a,test=string", "d": ".+,="}) == [
        "This", "is", "a", "test", "string"]
    assert ev("States.StringSplit(', , ,', ',')") == [" ", " "]
    assert ev("States.StringSplit(',,,', ',')") == []


def test_uuid_is_version_4():
    value = ev("States.UUID()")
    assert uuid.UUID(value).version == 4 and value != ev("States.UUID()")


def test_path_errors_pass_through():
    with pytest.raises(KeyError):
        ev("States.ArrayLength($.missing)", {})


# --- replay of AWS-recorded executions ----------------------------------------------------

def _recorded_cases() -> list[tuple[str, str, Any, Any]]:
    """Single-Pass-state executions ``{"FunctionResult.$": <intrinsic>}`` with a comparable output."""
    cases = []
    for file in sorted(CONFORMANCE.glob("*intrinsic_functions*")):
        record = json.loads(file.read_text())
        states = record["definition"]["States"]
        params = next(iter(states.values())).get("Parameters", {}) if len(states) == 1 else {}
        expression = params.get("FunctionResult.$", "")
        expected = record["expected"]
        if (not is_intrinsic(expression) or expected["status"] != "SUCCEEDED"
                or re.search(r"<|RandomNumberGenerated", json.dumps(expected))):
            continue
        cases.append((record["name"], expression, record["input"], expected["output"]["FunctionResult"]))
    return cases


RECORDED = _recorded_cases()


def test_recorded_corpus_is_present():
    assert len(RECORDED) >= 80


@pytest.mark.parametrize("name, expression, execution_input, expected", RECORDED, ids=[c[0] for c in RECORDED])
def test_recorded_on_aws(name, expression, execution_input, expected):
    result = evaluate_intrinsic(expression, resolve_path=resolver({"$": execution_input, "$$": {
        "Execution": {"Input": execution_input}}, "vars": {}}))
    assert json.dumps(result) == json.dumps(expected)
