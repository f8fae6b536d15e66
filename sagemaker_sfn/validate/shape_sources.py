"""Where shapes come from besides the execution input and task results: literal values, intrinsic
function results (their documented types), JSONata constants, workflow variables (``Assign``), the
context object ``$$`` and a catcher's error output."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sagemaker_sfn.validate import shapes as S
from sagemaker_sfn.validate.model import StateRef

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

ERROR_OBJECT = S.obj({"Error": (S.scalar(S.STRING), S.ALWAYS), "Cause": (S.scalar(S.STRING), S.ALWAYS)},
                     origin="the error output of a catcher ({Error, Cause})")
# Intrinsic functions' result types (AWS "Intrinsic functions" reference).
INTRINSIC_TYPES: dict[str, frozenset[str]] = {
    "States.Format": frozenset({S.STRING}), "States.JsonToString": frozenset({S.STRING}),
    "States.Array": frozenset({S.ARRAY}), "States.ArrayPartition": frozenset({S.ARRAY}),
    "States.ArrayContains": frozenset({S.BOOLEAN}), "States.ArrayRange": frozenset({S.ARRAY}),
    "States.ArrayLength": frozenset({S.INTEGER}), "States.ArrayUnique": frozenset({S.ARRAY}),
    "States.Base64Encode": frozenset({S.STRING}), "States.Base64Decode": frozenset({S.STRING}),
    "States.Hash": frozenset({S.STRING}), "States.JsonMerge": frozenset({S.OBJECT}),
    "States.MathRandom": frozenset({S.INTEGER}), "States.MathAdd": frozenset({S.INTEGER}),
    "States.StringSplit": frozenset({S.ARRAY}), "States.UUID": frozenset({S.STRING}),
}


def variables(refs: list[StateRef]) -> dict[str, S.Shape]:
    """Every workflow variable -> the join of every value assigned to it anywhere (states, catchers,
    choice rules). Flow-insensitive: where a variable is read, it holds one of these."""
    found: dict[str, S.Shape] = {}
    for ref in refs:
        holders = [ref.state]
        for key in ("Catch", "Choices"):
            if isinstance(ref.state.get(key), list):
                holders.extend(item for item in ref.state[key] if isinstance(item, dict))
        for holder in holders:
            assign = holder.get("Assign")
            if not isinstance(assign, dict):
                continue
            for key, item in assign.items():
                if not isinstance(key, str):
                    continue
                name, shape = (key[:-2], dynamic_type(item)) if key.endswith(".$") else (key, assigned(item))
                found[name] = S.join(found[name], shape) if name in found else shape
    return found


def assigned(value: Any) -> S.Shape:
    if isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
        return jsonata_constant(value[2:-2])
    if isinstance(value, (dict, list)) and "{%" in repr(value):
        return S.UNKNOWN
    return S.literal(value)


def dynamic_type(value: Any) -> S.Shape:
    if isinstance(value, str) and value.startswith("States."):
        name = value.split("(", 1)[0].strip()
        types = INTRINSIC_TYPES.get(name)
        return S.Shape(types) if types else S.UNKNOWN
    return S.UNKNOWN


def jsonata_constant(expression: str) -> S.Shape:
    """The value of a JSONata expression that reads nothing (a literal such as ``true`` or
    ``{'a': 1}``), else UNKNOWN."""
    if "$" in expression or "(" in expression or len(expression) > 200:
        return S.UNKNOWN
    try:
        from jsonata import Jsonata

        value = Jsonata(expression).evaluate(None)
    except Exception:  # noqa: BLE001 - not a constant we can evaluate: unknown
        return S.UNKNOWN
    if value is None:
        # jsonata-python answers None for both null and undefined: only the literal null is known.
        return S.literal(None) if expression.strip() == "null" else S.UNKNOWN
    if isinstance(value, (dict, list, str, int, float, bool)):
        return S.literal(value)
    return S.UNKNOWN


def context(execution_input: S.Shape, *, map_item: S.Shape | None = None) -> S.Shape:
    """The context object ``$$`` (AWS "Accessing execution data from the Context object"): its top-level
    members are documented; the members below them stay open (AWS adds some, e.g. RedriveCount)."""
    text = S.scalar(S.STRING)
    execution = S.obj({"Id": (text, S.ALWAYS), "Input": (execution_input, S.ALWAYS), "Name": (text, S.ALWAYS),
                       "RoleArn": (text, S.ALWAYS), "StartTime": (text, S.ALWAYS)}, closed=False)
    fields: dict[str, tuple[S.Shape, int]] = {
        "Execution": (execution, S.ALWAYS),
        "State": (S.obj({"EnteredTime": (text, S.ALWAYS), "Name": (text, S.ALWAYS),
                         "RetryCount": (S.scalar(S.INTEGER), S.ALWAYS)}, closed=False), S.ALWAYS),
        "StateMachine": (S.obj({"Id": (text, S.ALWAYS), "Name": (text, S.ALWAYS)}, closed=False), S.ALWAYS),
        "Task": (S.obj({"Token": (text, S.ALWAYS)}, closed=False), S.UNSURE),
        "Map": (S.UNKNOWN, S.UNSURE),
    }
    if map_item is not None:
        item = S.obj({"Index": (S.scalar(S.INTEGER), S.ALWAYS), "Value": (map_item, S.ALWAYS)}, closed=False)
        fields["Map"] = (S.obj({"Item": (item, S.ALWAYS)}, closed=False), S.ALWAYS)
    return S.obj(fields, closed=True, origin="the context object")


def jsonata_template(value: Any) -> S.Shape:
    if isinstance(value, str):
        if value.startswith("{%") and value.endswith("%}"):
            return jsonata_constant(value[2:-2])
        return S.literal(value)
    if isinstance(value, dict):
        return S.obj({k: (jsonata_template(v), S.ALWAYS) for k, v in value.items() if isinstance(k, str)})
    if isinstance(value, list):
        return S.array(items=tuple(jsonata_template(v) for v in value))
    return S.literal(value)


def is_timestamp(value: Any) -> bool:
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return False
    text = value.replace("Z", "+00:00")
    if "." in text:
        head, _, tail = text.partition(".")
        digits = re.match(r"\d+", tail).group(0)  # type: ignore[union-attr]
        text = f"{head}.{digits[:6].ljust(6, '0')}{tail[len(digits):]}"
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
