"""JSONata for ASL (``QueryLanguage: JSONata``), on the jsonata-python package.

Strings written ``{% expr %}`` are expressions; ``$states`` (input, result, errorOutput, context)
and the execution's variables are bound. AWS adds ``$partition``, ``$range``, ``$hash``, ``$random``,
``$uuid`` and ``$parse`` to the standard library; they are registered here.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import threading
from functools import lru_cache
import uuid
from typing import Any

from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.messages import states_error
from sagemaker_sfn.local.interpreter.paths import to_json

_cache = threading.local()  # compiled expressions are not safe to share between threads

# jsonata-python defines functions AWS's environment does not: ``$eval`` (AWS: "Use $parse() instead
# of $eval", transforming-data.html) and ``$clone`` (not in the JSONata function library, jsonata.org).
# Unbound here, calling them fails as any undefined function does in JSONata: T1006 "Attempted to
# invoke a non-function", worded as jsonata_evaluation_error.
UNSUPPORTED_FUNCTIONS = ("eval", "clone")
# What AWS adds to the JSONata library (transforming-data.html, "JSONata functions provided by Step Functions").
AWS_FUNCTIONS = ("partition", "range", "hash", "random", "uuid", "parse")


class Undefined:
    """JSONata's ``undefined`` (no value), distinct from JSON ``null``."""

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = Undefined()


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and len(value) >= 4


def expression_text(value: str) -> str:
    return value[2:-2].strip()


def _partition(array: Any, size: Any) -> list:
    return [array[i:i + int(size)] for i in range(0, len(array), int(size))]


def _range(start: Any, end: Any, step: Any) -> Any:
    values = list(range(int(start), int(end) + (1 if step > 0 else -1), int(step)))
    # A one-item JSONata sequence is its item (AWS returns 1 for $range(1, 9, 9)).
    return values[0] if len(values) == 1 else values


def _hash(data: Any, algorithm: Any) -> str:
    name = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    if algorithm not in name:
        raise states_error("jsonata_hash_algorithm", algorithm=algorithm)
    return hashlib.new(name[algorithm], str(data).encode()).hexdigest()


def _random(seed: Any = None) -> float:
    return random.Random(seed).random() if seed is not None else random.random()


def _parse(text: Any) -> Any:
    return json.loads(text)


def _compile(text: str) -> Any:
    compiled = getattr(_cache, "expressions", None)
    if compiled is None:
        compiled = _cache.expressions = {}
    if text not in compiled:
        import jsonata  # imported lazily: only JSONata machines pay for it
        expression = jsonata.Jsonata(text)
        expression.set_output_convert_nulls(False)  # keep null apart from undefined
        expression.register_lambda("partition", _partition)
        expression.register_lambda("range", _range)
        expression.register_lambda("hash", _hash)
        expression.register_lambda("random", _random)
        expression.register_lambda("uuid", lambda: str(uuid.uuid4()))
        expression.register_lambda("parse", _parse)
        for name in UNSUPPORTED_FUNCTIONS:
            expression.assign(name, None)
        compiled[text] = expression
    return compiled[text]


def _to_jsonata(value: Any) -> Any:
    """JSON null as jsonata-python's null marker (a bare None would read as undefined)."""
    from jsonata.utils import Utils
    if value is None:
        return Utils.NULL_VALUE
    if isinstance(value, dict):
        return {key: _to_jsonata(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_jsonata(item) for item in value]
    return value


def _to_plain(value: Any) -> Any:
    """jsonata-python's result as plain JSON values (its null marker -> None, integral floats -> int)."""
    from jsonata.utils import Utils
    if value is None:
        return UNDEFINED
    if value is Utils.NULL_VALUE or type(value).__name__ == "NullValue":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if isinstance(value, dict):
        return {key: plain for key, item in value.items()
                if (plain := _to_plain(item)) is not UNDEFINED}
    if isinstance(value, list):
        return [plain for item in value if (plain := _to_plain(item)) is not UNDEFINED]
    if isinstance(value, (int, str)):
        return value
    raise _Unsupported()


_NAME = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=4096)
def _names_in(text: str) -> frozenset[str]:
    return frozenset(_NAME.findall(text))


def _referenced(text: str, bindings: dict[str, Any]) -> dict[str, Any]:
    """The bindings the expression names (``$states``, ``$myVar``). Only they are converted to
    jsonata-python's values: converting every workflow variable and the whole state input for each
    expression was most of an expression's cost. Nothing reaches a variable without naming it, as
    ``$eval`` is not available in Step Functions (UNSUPPORTED_FUNCTIONS)."""
    names = _names_in(text)
    return {name: value for name, value in bindings.items() if name in names}


class _Unsupported(Exception):
    """A function or other non-JSON value came out of an expression."""


def evaluate(text: str, *, bindings: dict[str, Any], field: str) -> Any:
    """Evaluate one expression; UNDEFINED when it yields nothing.

    Errors are ``States.QueryEvaluationError`` with AWS's wording (the caller adds the state prefix).
    """
    try:
        expression = _compile(text)
    except Exception as exc:
        raise states_error("jsonata_parse_error", expression=text, field=field, detail=exc) from None
    try:
        raw = expression.evaluate(None, _to_jsonata(_referenced(text, bindings)))
    except StatesError:
        raise
    except Exception as exc:
        raise states_error("jsonata_evaluation_error", expression=text, field=field, detail=exc) from None
    try:
        return _to_plain(raw)
    except _Unsupported:
        raise states_error("jsonata_unsupported_result", expression=text, field=field) from None


def render(value: Any, *, bindings: dict[str, Any], field: str) -> Any:
    """Evaluate every ``{% %}`` string inside ``value`` (objects and arrays walked).

    An expression that yields nothing is an error naming the field (``Output/result``), as AWS reports.
    """
    if is_expression(value):
        text = expression_text(value)
        result = evaluate(text, bindings=bindings, field=field)
        if result is UNDEFINED:
            raise states_error("jsonata_undefined", expression=text, field=field)
        return result
    if isinstance(value, dict):
        return {key: render(item, bindings=bindings, field=f"{field}/{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, bindings=bindings, field=f"{field}[{index}]") for index, item in enumerate(value)]
    return value


def type_name(value: Any) -> str:
    """JSON type names as AWS words them in 'Expected ..., but was ...' causes."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


__all__ = ["UNDEFINED", "evaluate", "render", "is_expression", "expression_text", "type_name", "to_json"]
