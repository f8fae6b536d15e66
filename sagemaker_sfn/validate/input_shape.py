"""The execution input's shape, from what the user declares: a JSON Schema (a pipeline file's
``input_schema:``), else an example input (a pipeline's ``input:``, ``validate --input``), else
nothing is known."""

from __future__ import annotations

from typing import Any

from sagemaker_sfn.validate import shapes as S

_SCHEMA_TYPES = {"object": S.OBJECT, "array": S.ARRAY, "string": S.STRING, "integer": S.INTEGER,
                 "number": S.NUMBER, "boolean": S.BOOLEAN, "null": S.NULL}
_ORIGIN = "the execution input"


def execution_input_shape(*, schema: Any = None, example: Any = None, has_example: bool = False) -> S.Shape:
    """``schema`` (a JSON Schema object, default None) wins over ``example`` (a JSON value, used when
    ``has_example``, default False): an example is exactly what the execution receives."""
    if isinstance(schema, dict):
        return from_schema(schema)
    if has_example:
        return S.literal(example, origin=_ORIGIN)
    return S.UNKNOWN


def from_schema(schema: dict[str, Any], depth: int = 0) -> S.Shape:
    """A JSON Schema (draft 7 / 2020-12 keywords: type, properties, required, additionalProperties,
    items, enum, const) as a shape. Keywords that combine schemas (anyOf, oneOf, allOf, $ref, if)
    make the value unknown: the checker never guesses."""
    if depth > 12 or not isinstance(schema, dict) or any(k in schema for k in ("anyOf", "oneOf", "allOf", "$ref", "if", "not")):
        return S.UNKNOWN
    if "const" in schema:
        return S.literal(schema["const"], origin=_ORIGIN)
    kind = schema.get("type")
    if isinstance(kind, str):
        kinds = [kind]
    elif isinstance(kind, list) and all(isinstance(k, str) for k in kind):
        kinds = kind
    elif "properties" in schema:
        kinds = ["object"]
    else:
        return S.UNKNOWN
    types = frozenset(_SCHEMA_TYPES[k] for k in kinds if k in _SCHEMA_TYPES)
    if not types:
        return S.UNKNOWN
    if S.NUMBER in types:
        types = types | {S.INTEGER}
    fields = None
    closed = False
    if S.OBJECT in types:
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        required = set(schema.get("required") or []) if isinstance(schema.get("required"), list) else set()
        fields = {name: (from_schema(sub, depth + 1), S.ALWAYS if name in required else S.UNSURE)
                  for name, sub in properties.items()}
        # Absent or true additionalProperties: other fields may come. patternProperties: too.
        closed = schema.get("additionalProperties") is False and "patternProperties" not in schema
    item = None
    if S.ARRAY in types and isinstance(schema.get("items"), dict):
        item = from_schema(schema["items"], depth + 1)
    return S.Shape(types, fields=fields, closed=closed, item=item, origin=_ORIGIN)
