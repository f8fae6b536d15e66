"""JSONata expressions (``"{% ... %}"``) parse (jsonata-python, cached), appear only in JSONata
states, and JSONata states do not rely on JSONPath-style ``Key.$`` fields."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sagemaker_sfn.validate.fields import is_jsonata
from sagemaker_sfn.validate.findings import Finding, error, location_of, warning
from sagemaker_sfn.validate.model import StateRef

RULE = "jsonata"
_NESTED = frozenset({"ItemProcessor", "Iterator", "Branches"})  # separate scopes, checked on their own
# Never evaluated: a Comment holding "{% ... %}" is documentation, not an expression.
_SKIPPED = _NESTED | {"Comment"}


def syntax_problem(expression: str) -> str | None:
    """Why the text between ``{%`` and ``%}`` is not a JSONata expression, or None."""
    return _parsed(expression)[1]


@lru_cache(maxsize=4096)
def _parsed(expression: str) -> tuple[Any, str | None]:
    """(syntax tree, None) or (None, why it does not parse); one parse per distinct expression."""
    from jsonata import Jsonata

    try:
        return Jsonata(expression).ast, None
    except Exception as exc:  # jsonata-python raises JException, and plain errors on odd input
        return None, str(exc) or type(exc).__name__


def check_jsonata(ref: StateRef) -> Iterator[Finding]:
    # Locations are built only for the nodes with a finding (see location_of): this walk visits every
    # value of every state, and in a JSONPath state almost none of them is a "{%" string.
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(value, (key,)) for key, value in ref.state.items()
                                                       if key not in _SKIPPED]
    if not ref.jsonata and not _may_hold_expression(pending):
        return  # a JSONPath state's only findings here are "{%" strings: none in its serialisation
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            if value.startswith("{%"):
                yield from _string(value, location_of(ref.location, path), jsonata=ref.jsonata)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key == "Comment" and isinstance(item, str) and len(path) == 2 and path[0] in ("Choices", "Retry", "Catch"):
                    continue  # a choice rule's, retrier's or catcher's Comment
                if ref.jsonata and isinstance(key, str) and key.endswith(".$"):
                    yield warning(location_of(ref.location, (*path, key)), RULE, f"'{key}' in a JSONata state is a "
                                  f"literal field name, not a path: expected \"{key[:-2]}\": \"{{% ... %}}\"")
                pending.append((item, (*path, key)))
        elif isinstance(value, list):
            pending.extend((item, (*path, index)) for index, item in enumerate(value))


def _may_hold_expression(values: list[tuple[Any, tuple[str | int, ...]]]) -> bool:
    """Whether a string starting with "{%" may be among ``values`` (json.dumps runs in C: far cheaper
    than walking every value in Python, which dominated large definitions)."""
    import json

    try:
        return '"{%' in json.dumps([value for value, _ in values])
    except (TypeError, ValueError, RecursionError):
        return True


def _string(value: str, loc: str, *, jsonata: bool) -> Iterator[Finding]:
    # Only a string that is exactly "{%...%}" is evaluated; AWS passes " {% x %} " on unchanged.
    if not value.startswith("{%"):
        return
    if not jsonata:
        if is_jsonata(value):
            yield warning(loc, RULE, "a JSONata expression in a JSONPath state is passed on as a literal string: "
                          "expected \"QueryLanguage\": \"JSONata\" on the state or the state machine")
        return
    if not is_jsonata(value):
        yield warning(loc, RULE, "starts with '{%' but does not end with '%}', so it is a literal string, not "
                      "an expression: expected \"{% expression %}\"")
        return
    problem = syntax_problem(value[2:-2])
    if problem:
        yield error(loc, RULE, f"not a valid JSONata expression ({problem}): {value[:80]}")
        return
    for name in top_level_references(value[2:-2]):
        yield error(loc, RULE, f"{value[:80]} reads '{name}' at the top level, which Step Functions refuses "
                    f"(UNSUPPORTED_JSONATA_EXPRESSION): expected $states.input.{name} or a variable ${name}")


@lru_cache(maxsize=4096)
def top_level_references(expression: str) -> tuple[str, ...]:
    """Names a JSONata expression reads from the context item at its top level (``phone``,
    ``$count(items)``): Step Functions evaluates expressions without a context item and refuses the
    definition ("UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not
    supported", as recorded in floci-io/floci#2670). Names inside a path after its first step, in
    filters, sort and group stages, and in function bodies are relative, and not reported."""
    root = _parsed(expression)[0]
    if root is None:
        return ()  # a syntax error, reported by the caller
    found: list[str] = []
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, (list, tuple)):
            pending.extend(node)
            continue
        kind = getattr(node, "type", None)
        if kind is None:
            continue
        if kind == "name":
            found.append(str(node.value))
            continue
        if kind == "path":
            steps = getattr(node, "steps", None) or []
            if steps:
                pending.append(steps[0])  # later steps are relative to the first one
            continue
        if kind == "lambda":
            continue  # a function body is evaluated against its call's arguments
        for attribute in ("lhs", "rhs", "lhs_object", "expressions", "arguments", "condition", "then", "_else",
                          "expression"):
            value = getattr(node, attribute, None)
            if value is not None and not isinstance(value, (str, int, float, bool)):
                pending.append(value)
    return tuple(dict.fromkeys(found))
