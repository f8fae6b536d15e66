"""What is statically known about a JSON value flowing through a state machine: its possible JSON
types, an object's fields (each always present, maybe present, or not known), an array's items, a
scalar's constant value, and where the value came from (for messages).

A shape only ever says what is *certain*: anything not known is :data:`UNKNOWN`, and every check
built on shapes stays silent about it. Output shapes of AWS APIs come from botocore's models
(:func:`from_botocore`), read lazily: a model shape's members are turned into shapes only when a
path reads them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

OBJECT, ARRAY, STRING, INTEGER, NUMBER, BOOLEAN, NULL = "object", "array", "string", "integer", "number", "boolean", "null"
ALL_TYPES = frozenset({OBJECT, ARRAY, STRING, INTEGER, NUMBER, BOOLEAN, NULL})

# Presence of a field in an object shape.
ALWAYS = 2     # on every path into the state
UNSURE = 1     # not known (an open object on some path): never reported
MAYBE = 0      # certainly missing on some path: a reference to it resolves on some paths only

_MAX_DEPTH = 12          # deeper shapes are cut to UNKNOWN: loops that nest the input must converge
_NO_VALUE = object()


class Shape:
    """Immutable. ``types`` is the set of JSON types the value may have (all of them when unknown);
    ``fields`` maps an object's known field names to (shape, presence), None when not known;
    ``closed`` says no other field exists; ``item`` is every array item's shape, ``items`` the
    shapes of a fixed-length array (a Parallel's result, a literal array); ``value`` a constant."""

    __slots__ = ("types", "_fields", "closed", "_item", "items", "value", "origin")

    def __init__(self, types: frozenset[str], *, fields: dict[str, tuple[Shape, int]] | Callable[[], dict[str, tuple[Shape, int]]] | None = None,
                 closed: bool = False, item: Shape | None = None, items: tuple[Shape, ...] | None = None,
                 value: Any = _NO_VALUE, origin: str = "") -> None:
        self.types = types
        self._fields = fields
        self.closed = closed
        self._item = item
        self.items = items
        self.value = value
        self.origin = origin

    @property
    def fields(self) -> dict[str, tuple[Shape, int]] | None:
        if callable(self._fields):  # a botocore structure: members read on first use
            self._fields = self._fields()
        return self._fields

    @property
    def item(self) -> Shape | None:
        """Every item's shape (for a fixed-length array: the join of its items, on first use)."""
        if self._item is None and self.items:
            self._item = join_all(self.items)
        return self._item

    @property
    def known(self) -> bool:
        return self.types != ALL_TYPES

    @property
    def has_value(self) -> bool:
        return self.value is not _NO_VALUE

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Shape) and _key(self, 0) == _key(other, 0))

    def __hash__(self) -> int:  # pragma: no cover - shapes are compared, not hashed
        return id(self)

    def __repr__(self) -> str:
        return f"Shape({describe(self)})"


UNKNOWN = Shape(ALL_TYPES)


def _key(shape: Shape, depth: int) -> Any:
    if depth > _MAX_DEPTH or shape is UNKNOWN:
        return "?"
    if callable(shape._fields):
        return ("lazy", id(shape))  # botocore shapes are cached per model shape: identity is equality
    fields = None if shape._fields is None else tuple(sorted((k, p, _key(s, depth + 1)) for k, (s, p) in shape._fields.items()))
    return (tuple(sorted(shape.types)), fields, shape.closed,
            None if shape.items is not None or shape._item is None else _key(shape._item, depth + 1),
            None if shape.items is None else tuple(_key(s, depth + 1) for s in shape.items),
            repr(shape.value) if shape.has_value else None)


def scalar(kind: str, *, value: Any = _NO_VALUE, origin: str = "") -> Shape:
    return Shape(frozenset({kind}), value=value, origin=origin)


def obj(fields: dict[str, tuple[Shape, int]], *, closed: bool = True, origin: str = "") -> Shape:
    return Shape(frozenset({OBJECT}), fields=fields, closed=closed, origin=origin)


def array(item: Shape | None = None, *, items: tuple[Shape, ...] | None = None, origin: str = "") -> Shape:
    return Shape(frozenset({ARRAY}), item=item, items=items, origin=origin)


def literal(value: Any, *, origin: str = "", depth: int = 0) -> Shape:
    """The exact shape of a JSON value."""
    if depth > _MAX_DEPTH:
        return UNKNOWN
    if isinstance(value, dict):
        return obj({k: (literal(v, origin=origin, depth=depth + 1), ALWAYS) for k, v in value.items()}, origin=origin)
    if isinstance(value, list):
        return array(items=tuple(literal(v, origin=origin, depth=depth + 1) for v in value), origin=origin)
    return scalar(json_type(value), value=value, origin=origin)


_SCALARS: dict[tuple[type, Any], Shape] = {}


def lazy_literal(value: Any, *, origin: str = "") -> Shape:
    """The exact shape of a JSON value, an object's fields built on first read."""
    if isinstance(value, dict):
        def fields() -> dict[str, tuple[Shape, int]]:
            return {k: (lazy_literal(v, origin=origin), ALWAYS) for k, v in value.items()}
        return Shape(frozenset({OBJECT}), fields=fields, closed=True, origin=origin)
    if isinstance(value, list):
        return array(items=tuple(lazy_literal(v, origin=origin) for v in value), origin=origin)
    if origin or isinstance(value, float):
        return scalar(json_type(value), value=value, origin=origin)
    key = (type(value), value)
    shape = _SCALARS.get(key)
    if shape is None:
        if len(_SCALARS) > 4096:
            _SCALARS.clear()
        shape = _SCALARS[key] = scalar(json_type(value), value=value)
    return shape


def json_type(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        return ARRAY
    return OBJECT


# --- join: what is known about a value that arrives along one of several paths --------------------

def join_all(shapes: Iterator[Shape] | tuple[Shape, ...] | list[Shape]) -> Shape:
    result: Shape | None = None
    for shape in shapes:
        result = shape if result is None else join(result, shape)
    return UNKNOWN if result is None else result


def join(a: Shape, b: Shape, depth: int = 0) -> Shape:
    if a is b:
        return a
    if a is UNKNOWN or b is UNKNOWN or depth > _MAX_DEPTH:
        return UNKNOWN
    types = a.types | b.types
    if types == ALL_TYPES:
        return UNKNOWN
    fields: dict[str, tuple[Shape, int]] | None = None
    closed = False
    if OBJECT in types:
        fa = a.fields if OBJECT in a.types else {}
        fb = b.fields if OBJECT in b.types else {}
        if fa is not None and fb is not None:
            ca = a.closed or OBJECT not in a.types
            cb = b.closed or OBJECT not in b.types
            closed = ca and cb
            fields = {}
            for name in fa.keys() | fb.keys():
                sa, sb = fa.get(name), fb.get(name)
                if sa is not None and sb is not None:
                    fields[name] = (join(sa[0], sb[0], depth + 1), min(sa[1], sb[1]))
                else:
                    present, other_closed = (sa, cb) if sa is not None else (sb, ca)
                    # Missing on a closed object: certainly absent on that path. On an open one: unknown.
                    fields[name] = (present[0] if other_closed else UNKNOWN, MAYBE if other_closed else UNSURE)
    item = items = None
    if ARRAY in types:
        ia = a.item if ARRAY in a.types else None
        ib = b.item if ARRAY in b.types else None
        if ARRAY in a.types and ARRAY in b.types:
            item = join(ia, ib, depth + 1) if ia is not None and ib is not None else None
            if a.items is not None and b.items is not None and len(a.items) == len(b.items):
                items = tuple(join(x, y, depth + 1) for x, y in zip(a.items, b.items))
        else:
            item, items = (ia, a.items) if ARRAY in a.types else (ib, b.items)
    value = a.value if a.has_value and b.has_value and a.value == b.value and type(a.value) is type(b.value) else _NO_VALUE
    origin = a.origin if a.origin == b.origin else ""
    return Shape(types, fields=fields, closed=closed, item=item, items=items, value=value, origin=origin)


# --- paths -----------------------------------------------------------------------------------------

_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^'\\]*)'\]|\[\"([^\"\\]*)\"\]")


@lru_cache(maxsize=8192)
def steps_of(tail: str) -> tuple[str | int, ...] | None:
    """``.a['b'][0]`` -> ['a', 'b', 0]; None when the path is not a plain reference path (wildcards,
    filters, functions...: what it selects is not followed)."""
    steps: list[str | int] = []
    pos = 0
    while pos < len(tail):
        match = _STEP.match(tail, pos)
        if match is None:
            return None
        name, index, quoted, double = match.groups()
        steps.append(int(index) if index is not None else name if name is not None else quoted if quoted is not None else double)
        pos = match.end()
    return tuple(steps)


# Outcomes of following a path.
FOUND = "found"        # resolves on every path into the state (as far as is known)
SOMETIMES = "sometimes"  # certainly fails on some paths
NEVER = "never"        # fails on every path
UNKNOWABLE = "unknown"  # nothing is known


class Resolution:
    __slots__ = ("outcome", "shape", "at", "parent", "missing")

    def __init__(self, outcome: str, shape: Shape, *, at: int = 0, parent: Shape | None = None,
                 missing: str | int | None = None) -> None:
        self.outcome = outcome   # FOUND, SOMETIMES, NEVER or UNKNOWABLE
        self.shape = shape       # the value's shape where it resolves
        self.at = at             # for NEVER/SOMETIMES: how many steps resolved before the failing one
        self.parent = parent     # the shape the failing step was taken in
        self.missing = missing   # the failing step


def resolve(shape: Shape, steps: tuple[str | int, ...]) -> Resolution:
    """Follow ``steps`` into ``shape``."""
    outcome = FOUND
    first_bad: Resolution | None = None
    for position, step in enumerate(steps):
        if shape is UNKNOWN:
            return Resolution(UNKNOWABLE if outcome == FOUND else outcome, UNKNOWN, at=position) if first_bad is None else first_bad
        if isinstance(step, int):
            if ARRAY not in shape.types:
                return Resolution(NEVER, UNKNOWN, at=position, parent=shape, missing=step)
            if shape.items is not None:
                if step >= len(shape.items):
                    if shape.types == {ARRAY}:
                        return Resolution(NEVER, UNKNOWN, at=position, parent=shape, missing=step)
                    return Resolution(UNKNOWABLE, UNKNOWN)
                next_shape = shape.items[step]
            else:
                # The length of an array is rarely known: an index is never reported.
                return Resolution(UNKNOWABLE, UNKNOWN)
            if shape.types != {ARRAY} and outcome == FOUND:
                outcome, first_bad = SOMETIMES, Resolution(SOMETIMES, UNKNOWN, at=position, parent=shape, missing=step)
            shape = next_shape
            continue
        if OBJECT not in shape.types:
            return Resolution(NEVER, UNKNOWN, at=position, parent=shape, missing=step)
        fields = shape.fields
        entry = fields.get(step) if fields is not None else None
        if entry is None:
            if fields is None or not shape.closed:
                return first_bad or Resolution(UNKNOWABLE, UNKNOWN)
            return Resolution(NEVER, UNKNOWN, at=position, parent=shape, missing=step)
        if (entry[1] == MAYBE or shape.types != {OBJECT}) and first_bad is None:
            outcome = SOMETIMES
            first_bad = Resolution(SOMETIMES, UNKNOWN, at=position, parent=shape, missing=step)
        shape = entry[0]
    if first_bad is not None:
        first_bad.shape = shape
        return first_bad
    return Resolution(outcome, shape)


def assign(target: Shape, steps: tuple[str | int, ...], value: Shape, depth: int = 0) -> Shape | None:
    """``target`` with ``value`` written at ``steps`` (ResultPath); missing objects on the way are
    created, as Step Functions does. None when the write certainly fails (a step into a non-object)."""
    if not steps:
        return value
    if depth > _MAX_DEPTH:
        return UNKNOWN
    step = steps[0]
    if isinstance(step, int):
        return UNKNOWN
    if OBJECT not in target.types:
        return None
    fields = target.fields
    if fields is None:
        # Other fields are not known (an unknown input, which must be an object for the write to
        # succeed): the written one is.
        inner_target = UNKNOWN
        new_fields: dict[str, tuple[Shape, int]] = {}
    else:
        entry = fields.get(step)
        inner_target = entry[0] if entry is not None else obj({}, origin=target.origin)
        new_fields = dict(fields)
    inner = assign(inner_target, steps[1:], value, depth + 1)
    if inner is None:
        return None
    new_fields[step] = (inner, ALWAYS)
    return Shape(frozenset({OBJECT}), fields=new_fields, closed=target.closed and fields is not None, origin=target.origin)


# --- botocore ------------------------------------------------------------------------------------

_BOTO_TYPES = {"structure": OBJECT, "map": OBJECT, "list": ARRAY, "string": STRING, "integer": INTEGER,
               "long": INTEGER, "float": NUMBER, "double": NUMBER, "boolean": BOOLEAN, "blob": STRING,
               # Step Functions serialises a response's timestamps as numbers or strings.
               "timestamp": None}
_boto_cache: dict[tuple[int, str], Shape] = {}


def from_botocore(model_shape: Any, *, origin: str, extra: dict[str, tuple[Shape, int]] | None = None) -> Shape:
    """A botocore model shape as a Shape (cached per model shape; members built on first read).
    A structure lists every member the API can return: members outside it are never returned;
    a member the model does not mark as always present is still not reported (outputs rarely mark
    ``required``), so members count as present. ``extra`` adds fields Step Functions itself adds."""
    key = (id(model_shape), origin + repr(sorted(extra)) if extra else origin)
    cached = _boto_cache.get(key)
    if cached is not None:
        return cached
    kind = model_shape.type_name
    if kind == "structure":
        def members() -> dict[str, tuple[Shape, int]]:
            found = {name: (from_botocore(member, origin=origin), ALWAYS) for name, member in model_shape.members.items()}
            if extra:
                found.update(extra)
            return found
        shape = Shape(frozenset({OBJECT}), fields=members, closed=True, origin=origin)
    elif kind == "list":
        shape = Shape(frozenset({ARRAY}), item=from_botocore(model_shape.member, origin=origin), origin=origin)
    elif kind == "map":
        shape = Shape(frozenset({OBJECT}), origin=origin)
    else:
        json_kind = _BOTO_TYPES.get(kind)
        if json_kind is None:
            shape = Shape(frozenset({STRING, INTEGER, NUMBER}), origin=origin)
        elif json_kind == INTEGER:
            shape = Shape(frozenset({INTEGER}), origin=origin)
        elif json_kind == NUMBER:
            shape = Shape(frozenset({INTEGER, NUMBER}), origin=origin)
        else:
            shape = Shape(frozenset({json_kind}), origin=origin)
    _boto_cache[key] = shape
    return shape


# --- messages --------------------------------------------------------------------------------------

def describe(shape: Shape) -> str:
    """'an object', 'a string', 'a string or null', 'unknown'."""
    if shape is UNKNOWN or not shape.known:
        return "unknown"
    names = sorted({INTEGER: "an integer", NUMBER: "a number", STRING: "a string", OBJECT: "an object",
                    ARRAY: "an array", BOOLEAN: "a boolean", NULL: "null"}[t] for t in shape.types)
    if INTEGER in shape.types and NUMBER in shape.types:
        names.remove("an integer")
    return " or ".join(names)


def field_names(shape: Shape, *, limit: int = 10) -> str:
    fields = shape.fields or {}
    names = [name + ("" if presence != MAYBE else " (on some paths)") for name, (_, presence) in fields.items()]
    if not names:
        return "no fields"
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def path_text(root: str, steps: tuple[str | int, ...]) -> str:
    out = root
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", step) else f"['{step}']")
    return out
