"""Intrinsic functions (``States.Format(...)``, ``States.ArrayGetItem(...)``, ...) for JSONPath states.

:func:`evaluate_intrinsic` parses an expression once (cached: the same Parameters run many times
in a Map) and evaluates it, resolving ``$.a`` / ``$$.b`` / ``$var`` arguments through the
interpreter's ``resolve_path``. A function given wrong arguments or data raises the catchable
``StatesError("States.IntrinsicFailure", cause)`` naming the function and what was wrong. A
malformed or unknown call is a definition error (AWS refuses it at CreateStateMachine), so at run
time it raises ``States.Runtime``, which ``States.ALL`` does not catch. :func:`parse_intrinsic` is
exposed for static checks (a validator can reject a malformed call before anything runs).

The grammar, the names, arity and argument kinds are :mod:`sagemaker_sfn.asl.intrinsic_syntax`,
shared with the validator; this module adds what each function does.

Behaviour follows executions recorded on AWS (../shared/conformance): ``States.MathAdd`` rounds
each argument half up (Java's ``Math.round``), ``States.StringSplit`` splits on any of the
delimiter characters and drops empty strings, ``States.Format`` renders objects as Java maps
(``{a=1, b=[]}``), ``States.StringToJson`` of a blank string is ``null``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sagemaker_sfn.asl.intrinsic_syntax import (FUNCTIONS, HASH_ALGORITHMS, MAX_NESTING, Call,
                                                IntrinsicSyntaxError, Literal, Node, PathArg, call_problem, calls,
                                                depth, is_intrinsic, parse, template_pieces)
from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.messages import states_error
from sagemaker_sfn.local.interpreter.jsonata_eval import type_name

__all__ = ["Call", "IntrinsicSyntaxError", "Literal", "PathArg", "evaluate_intrinsic", "is_intrinsic",
           "parse_intrinsic"]

INTRINSIC_FAILURE = "States.IntrinsicFailure"
MAX_ARRAY_RANGE = 1000     # AWS: ArrayRange "can't contain more than 1000 items"
MAX_STRING_INPUT = 10000   # AWS: Base64Encode/Decode and Hash take at most 10,000 characters

# How a malformed call reads in a States.Runtime cause: the run-time wording of each syntax
# error kind (the validator keeps the grammar's own wording).
_KNOWN = ", ".join(sorted(FUNCTIONS))
_RUNTIME_REASONS = {
    "name": "unknown intrinsic function {name!r} (known: " + _KNOWN + ")",
    "open": "expected '(' after {name}",
    "close": "expected ',' or ')' in the arguments of {name}",
    "separator": "expected ',' or ')' in the arguments of {name}",
    "argument": "expected a string, number, boolean, null, path or intrinsic function",
    "string": "unterminated string literal",
    "number": "invalid number {found!r}",
    "trailing": "unexpected {found!r} after the call",
    "nesting": f"more than {MAX_NESTING} nested intrinsic functions",
}


@lru_cache(maxsize=4096)
def parse_intrinsic(expression: str) -> Call:
    """Parse ``States.Xxx(args)`` and check it as AWS does at creation: known names, arity and at
    most :data:`MAX_NESTING` levels; :class:`IntrinsicSyntaxError` says where and why it is refused."""
    try:
        root = parse(expression)
    except IntrinsicSyntaxError as exc:
        reason = _RUNTIME_REASONS[exc.kind].format(name=exc.name, found=exc.found)
        raise _refused(reason, exc.position, expression, kind=exc.kind) from None
    if depth(root) > MAX_NESTING:
        deepest = _call_at_depth(root, MAX_NESTING + 1)
        raise _refused(_RUNTIME_REASONS["nesting"], deepest.position, expression, kind="nesting")
    for call in calls(root):
        problem = call_problem(call)
        if problem == "unknown":
            reason = _RUNTIME_REASONS["name"].format(name=call.name, found="")
            raise _refused(reason, call.position, expression, kind="unknown")
        if problem == "arity":
            raise IntrinsicSyntaxError(_arity_message(call), kind="arity", position=call.position, text=expression,
                                       name=call.name)
    return root


def _refused(reason: str, position: int, text: str, *, kind: str) -> IntrinsicSyntaxError:
    return IntrinsicSyntaxError(f"{reason} at position {position} in {text!r}", kind=kind, position=position,
                                text=text)


def _call_at_depth(call: Call, level: int) -> Call:
    """The first call, in reading order, ``level`` calls deep: where the text crosses AWS's limit."""
    if level == 1:
        return call
    deeper = next(arg for arg in call.args if isinstance(arg, Call) and depth(arg) >= level - 1)
    return _call_at_depth(deeper, level - 1)


def _arity_message(call: Call) -> str:
    signature = FUNCTIONS[call.name]
    low, high = signature.min_args, signature.max_args
    expected = f"at least {low}" if high is None else str(low) if low == high else f"{low} to {high}"
    return f"{call.name} takes {expected} argument(s), got {len(call.args)}"


def evaluate_intrinsic(expression: str, *, resolve_path: Callable[[str], Any]) -> Any:
    """Evaluate an intrinsic call; ``resolve_path("$.a")`` supplies path arguments (no default).

    Raises ``StatesError("States.IntrinsicFailure", cause)`` for wrong arguments and
    ``StatesError("States.Runtime", cause)`` for a malformed call; errors raised by
    ``resolve_path`` (a path that matches nothing) pass through.
    """
    try:
        node = parse_intrinsic(expression)
    except IntrinsicSyntaxError as exc:
        raise states_error("intrinsic_invalid_call", detail=exc) from None
    return _evaluate(node, resolve_path)


def _evaluate(node: Node, resolve_path: Callable[[str], Any]) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, PathArg):
        return resolve_path(node.path)
    first = node.args[0] if node.args else None
    if node.name == "States.Format" and isinstance(first, Literal) and isinstance(first.value, str):
        # Only the template as written tells escaped braces from "{}" placeholders.
        rest = [_evaluate(arg, resolve_path) for arg in node.args[1:]]
        return _format_pieces(template_pieces(first.source), rest)
    values = [_evaluate(arg, resolve_path) for arg in node.args]
    signature = FUNCTIONS[node.name]
    for position, value in enumerate(values, start=1):
        _check_kind(node.name, position, value, signature.kind(position))
    return _IMPLEMENTATIONS[node.name](*values)


# --- argument checks ------------------------------------------------------------------------

def _fail(function: str, message: str) -> StatesError:
    return states_error("intrinsic_invalid_arguments", function=function, detail=message)


def _show(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _check_kind(function: str, position: int, value: Any, kind: str) -> None:
    """Argument ``position`` against its kind in the shared table (``any`` takes everything)."""
    if kind == "any":
        return
    if kind in ("number", "integer"):
        # A literal such as 1e999 reads as infinity: no integer, and math.floor would overflow.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                kind == "integer" and (not math.isfinite(value) or value != math.floor(value))):
            raise _fail(function, f"argument {position} must be a{'n' if kind == 'integer' else ''} {kind}, "
                                  f"got {type_name(value)} {_show(value)}")
    elif type_name(value) != kind:
        raise _fail(function, f"argument {position} must be a {kind}, got {type_name(value)} {_show(value)}")


def _java_round(value: float) -> int:
    """Java's Math.round: half rounds up (towards positive infinity), as AWS does."""
    return int(math.floor(value + 0.5))


def _json_equal(left: Any, right: Any) -> bool:
    """JSON equality: 1 == 1.0 but true != 1, and containers compare element-wise."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_json_equal(a, b) for a, b in zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


def _java_text(value: Any) -> str:
    """How States.Format renders an argument: Java's toString of the parsed JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return _show(value)
    if isinstance(value, list):
        return "[" + ", ".join(_java_text(v) for v in value) + "]"
    return "{" + ", ".join(f"{k}={_java_text(v)}" for k, v in value.items()) + "}"


# --- the functions --------------------------------------------------------------------------

def _format(template: str, *args: Any) -> str:
    return _format_pieces(template.split("{}"), list(args))


def _format_pieces(pieces: list[str], args: list[Any]) -> str:
    if len(pieces) - 1 != len(args):
        raise _fail("States.Format", f"the format string has {len(pieces) - 1} placeholder(s) '{{}}' but "
                                     f"{len(args)} value(s) were given")
    out = [pieces[0]]
    for value, piece in zip(args, pieces[1:]):
        out.append(_java_text(value))
        out.append(piece)
    return "".join(out)


def _string_to_json(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail("States.StringToJson", f"the string is not valid JSON ({exc.msg} at column {exc.colno}): "
                                           f"{_show(text)}") from None


def _json_to_string(value: Any) -> str:
    return _show(value)


def _array(*values: Any) -> list[Any]:
    return list(values)


# Argument kinds are checked against the shared table before a function runs (_evaluate), so
# each function below receives the JSON kinds FUNCTIONS declares and checks only the values.

def _array_partition(array: list[Any], size: int | float) -> list[list[Any]]:
    chunk = int(size)
    if chunk <= 0:
        raise _fail("States.ArrayPartition", f"the chunk size (argument 2) must be greater than 0, got {chunk}")
    return [array[i:i + chunk] for i in range(0, len(array), chunk)]


def _array_contains(array: list[Any], value: Any) -> bool:
    return any(_json_equal(item, value) for item in array)


def _array_range(first: int | float, last: int | float, step: int | float) -> list[int]:
    name = "States.ArrayRange"
    start, stop, inc = int(first), int(last), int(step)
    if inc == 0:
        raise _fail(name, "the step (argument 3) must not be 0")
    count = max(0, (stop - start) // inc + 1)
    if count > MAX_ARRAY_RANGE:
        raise _fail(name, f"the range would hold {count} items; at most {MAX_ARRAY_RANGE} are allowed")
    return [start + i * inc for i in range(count)]


def _array_get_item(array: list[Any], index: int | float) -> Any:
    position = int(index)
    if not 0 <= position < len(array):
        raise _fail("States.ArrayGetItem", f"index {position} is out of bounds for an array of length {len(array)}")
    return array[position]


def _array_length(array: list[Any]) -> int:
    return len(array)


def _array_unique(array: list[Any]) -> list[Any]:
    unique: list[Any] = []
    for item in array:
        if not any(_json_equal(item, seen) for seen in unique):
            unique.append(item)
    return unique


def _check_length(name: str, text: str) -> None:
    if len(text) > MAX_STRING_INPUT:
        raise _fail(name, f"the input string has {len(text)} characters; at most {MAX_STRING_INPUT} are allowed")


def _base64_encode(text: str) -> str:
    _check_length("States.Base64Encode", text)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(text: str) -> str:
    name = "States.Base64Decode"
    _check_length(name, text)
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise _fail(name, f"the string is not valid base64-encoded UTF-8: {_show(text)}") from None


def _hash(data: Any, algorithm: str) -> str:
    name = "States.Hash"
    if data is None:
        raise _fail(name, "argument 1 (the data to hash) must not be null")
    text = data if isinstance(data, str) else _show(data)
    _check_length(name, text)
    if algorithm not in HASH_ALGORITHMS:
        raise _fail(name, f"unsupported algorithm {_show(algorithm)}; expected one of "
                          f"{', '.join(HASH_ALGORITHMS)}")
    # "SHA-256" -> hashlib's "sha256"
    return hashlib.new(algorithm.replace("-", "").lower(), text.encode("utf-8")).hexdigest()


def _json_merge(first: dict[str, Any], second: dict[str, Any], deep: bool) -> dict[str, Any]:
    if deep:
        raise _fail("States.JsonMerge", "only shallow merging is supported: argument 3 must be false")
    return {**first, **second}


def _math_random(start: int | float, end: int | float, seed: int | float | None = None) -> int:
    low, high = _java_round(start), _java_round(end)
    if low >= high:
        raise _fail("States.MathRandom", f"the start ({low}) must be less than the end ({high})")
    rng = random.Random(int(seed)) if seed is not None else random
    return rng.randrange(low, high)


def _math_add(first: int | float, second: int | float) -> int:
    return _java_round(first) + _java_round(second)


def _string_split(text: str, delimiters: str) -> list[str]:
    parts = [text]
    for char in delimiters:
        parts = [piece for part in parts for piece in part.split(char)]
    return [part for part in parts if part]


def _uuid() -> str:
    return str(uuid.uuid4())


# What each function of the shared table (FUNCTIONS) does.
_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "States.Format": _format,
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": _array,
    "States.ArrayPartition": _array_partition,
    "States.ArrayContains": _array_contains,
    "States.ArrayRange": _array_range,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayLength": _array_length,
    "States.ArrayUnique": _array_unique,
    "States.Base64Encode": _base64_encode,
    "States.Base64Decode": _base64_decode,
    "States.Hash": _hash,
    "States.JsonMerge": _json_merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _string_split,
    "States.UUID": _uuid,
}
