"""How rules see a definition: every state machine scope (the top level, each Parallel branch, each
Map processor) and every state in it, with its JSONPath location and effective query language."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sagemaker_sfn.validate.findings import child

JSONPATH = "JSONPath"
JSONATA = "JSONata"


@dataclass(frozen=True)
class Scope:
    """One set of states that transition among themselves (``States`` + ``StartAt``)."""

    location: str            # "$", "$.States.Fan.Branches[0]", "$.States.Each.ItemProcessor"
    body: dict[str, Any]     # the object holding StartAt and States
    query_language: str      # inherited by states that do not set their own
    nested: bool             # False only for the top level
    holder: StateRef | None = None   # the Parallel or Map state holding a nested scope


@dataclass(frozen=True)
class StateRef:
    name: str
    state: dict[str, Any]
    location: str            # "$.States.Train"
    query_language: str      # the state's own QueryLanguage, else its scope's
    scope: Scope

    @property
    def type(self) -> str | None:
        value = self.state.get("Type")
        return value if isinstance(value, str) else None

    @property
    def jsonata(self) -> bool:
        return self.query_language == JSONATA


def _language(value: Any, default: str) -> str:
    return value if value in (JSONPATH, JSONATA) else default


def states_of(scope: Scope) -> Iterator[StateRef]:
    """The states directly in ``scope`` (not in nested branches); skips malformed entries."""
    states = scope.body.get("States")
    if not isinstance(states, dict):
        return
    base = child(scope.location, "States")
    for name, state in states.items():
        if isinstance(state, dict):
            yield StateRef(name=name, state=state, location=child(base, name),
                           query_language=_language(state.get("QueryLanguage"), scope.query_language),
                           scope=scope)


def nested_scopes(ref: StateRef) -> Iterator[Scope]:
    """The scopes a Parallel (``Branches``) or Map (``ItemProcessor`` / ``Iterator``) state holds."""
    # A nested machine's states inherit the language of the scope around the Map/Parallel state, not
    # that state's own QueryLanguage (which applies to the state's own fields only; issue 11, AWS's
    # measured answers). QueryLanguage is not a field of ItemProcessor/Iterator (structure reports it).
    if ref.type == "Parallel" and isinstance(ref.state.get("Branches"), list):
        for index, branch in enumerate(ref.state["Branches"]):
            if isinstance(branch, dict):
                yield Scope(location=child(child(ref.location, "Branches"), index), body=branch,
                            query_language=_language(branch.get("QueryLanguage"), ref.scope.query_language),
                            nested=True, holder=ref)
    elif ref.type == "Map":
        for key in ("ItemProcessor", "Iterator"):
            body = ref.state.get(key)
            if isinstance(body, dict):
                yield Scope(location=child(ref.location, key), body=body,
                            query_language=ref.scope.query_language,
                            nested=True, holder=ref)


def top_language(scope: Scope) -> str:
    """The state machine's own (top-level) query language."""
    while scope.holder is not None:
        scope = scope.holder.scope
    return scope.query_language


def enclosing_states(ref: StateRef) -> Iterator[StateRef]:
    """The Parallel / Map states around ``ref``, innermost first."""
    holder = ref.scope.holder
    while holder is not None:
        yield holder
        holder = holder.scope.holder


def top_scope(definition: dict[str, Any]) -> Scope:
    return Scope(location="$", body=definition,
                 query_language=_language(definition.get("QueryLanguage"), JSONPATH), nested=False)


def all_scopes(definition: dict[str, Any]) -> list[Scope]:
    """Every scope, outermost first (iterative: deeply nested definitions must not hit recursion limits)."""
    result: list[Scope] = []
    pending = [top_scope(definition)]
    while pending:
        scope = pending.pop(0)
        result.append(scope)
        for ref in states_of(scope):
            pending.extend(nested_scopes(ref))
    return result


def all_states(scopes: list[Scope]) -> list[StateRef]:
    return [ref for scope in scopes for ref in states_of(scope)]
