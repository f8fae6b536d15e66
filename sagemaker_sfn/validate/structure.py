"""Scope-level structure: StartAt, transition targets, reachability, a reachable terminal state,
unique state names, top-level fields."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from sagemaker_sfn.validate.findings import Finding, child, error, show, type_name, warning
from sagemaker_sfn.validate.model import Scope, StateRef, states_of

RULE = "structure"
STATE_NAME_MAX = 80  # Step Functions rejects longer state names
TOP_LEVEL_FIELDS = frozenset({"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"})
# Parallel branches and Map processors: ProcessorConfig belongs to ItemProcessor only.
NESTED_FIELDS = frozenset({"Comment", "StartAt", "States", "ProcessorConfig", "QueryLanguage"})
TIMEOUT_MAX = 99999999
_NEXT_TYPES = ("Pass", "Task", "Wait", "Parallel", "Map")  # a tuple: Type may be any JSON value


def check_top_level(definition: dict[str, Any]) -> Iterator[Finding]:
    """Fields of the definition object itself."""
    for key in definition:
        if key not in TOP_LEVEL_FIELDS:
            yield error(child("$", key), RULE, f"unknown top-level field '{key}': expected only "
                        f"{', '.join(sorted(TOP_LEVEL_FIELDS))}")
    if "Version" in definition and definition["Version"] != "1.0":
        yield error("$.Version", RULE, f"Version is {show(definition['Version'])}: expected \"1.0\"")
    if "TimeoutSeconds" in definition:
        value = definition["TimeoutSeconds"]
        if type(value) is not int or not 1 <= value <= TIMEOUT_MAX:
            yield error("$.TimeoutSeconds", RULE,
                        f"TimeoutSeconds is {show(value)}: expected an integer from 1 to {TIMEOUT_MAX}")
    if "QueryLanguage" in definition and definition["QueryLanguage"] not in ("JSONPath", "JSONata"):
        yield error("$.QueryLanguage", RULE,
                    f"QueryLanguage is {show(definition['QueryLanguage'])}: expected \"JSONPath\" or \"JSONata\"")


def transitions(ref: StateRef) -> Iterator[tuple[str, Any]]:
    """(location, target) of every transition a state makes: Next, Default, Choices[].Next, Catch[].Next."""
    state = ref.state
    # Next on a Choice, Succeed or Fail state is reported by state-fields; following it would add noise.
    if "Next" in state and state.get("Type") in _NEXT_TYPES:
        yield child(ref.location, "Next"), state["Next"]
    if "Default" in state and state.get("Type") == "Choice":
        yield child(ref.location, "Default"), state["Default"]
    for list_key in ("Choices", "Catch"):
        items = state.get(list_key)
        if isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict) and "Next" in item:
                    yield child(child(child(ref.location, list_key), index), "Next"), item["Next"]


def is_terminal(state: dict[str, Any]) -> bool:
    return state.get("Type") in ("Succeed", "Fail") or state.get("End") is True


def check_scope(scope: Scope) -> Iterator[Finding]:
    """StartAt and States exist, every transition lands on a state of the same scope, every state is
    reachable from StartAt, and a terminal state is reachable."""
    body, loc = scope.body, scope.location
    states = body.get("States")
    if not isinstance(states, dict) or not states:
        found = "missing" if states is None else f"{type_name(states)} {show(states)}"
        yield error(child(loc, "States"), RULE, f"States is {found}: expected an object with at least one state")
        return
    if scope.nested:
        processor = scope.location.endswith((".ItemProcessor", ".Iterator"))
        for key in body:
            if key == "QueryLanguage" and processor:
                yield error(child(loc, key), RULE, "QueryLanguage is not a field of ItemProcessor or Iterator: "
                            "expected it on the states inside (or on the Map state for its own fields)")
            elif key not in NESTED_FIELDS:
                yield error(child(loc, key), RULE, f"unknown field '{key}' in a nested state machine: expected only "
                            f"{', '.join(sorted(NESTED_FIELDS))}")
    start = body.get("StartAt")
    if not isinstance(start, str):
        found = "missing" if start is None else show(start)
        yield error(child(loc, "StartAt"), RULE, f"StartAt is {found}: expected the name of a state in this "
                    f"States object ({_names(states)})")
    elif start not in states:
        yield error(child(loc, "StartAt"), RULE, f"StartAt names '{start}', which is not a state here: expected "
                    f"one of {_names(states)}")

    refs = list(states_of(scope))
    graph: dict[str, list[str]] = {}
    for ref in refs:
        if len(ref.name) > STATE_NAME_MAX:
            yield error(ref.location, RULE, f"state name is {len(ref.name)} characters: expected at most {STATE_NAME_MAX}")
        targets = []
        for where, target in transitions(ref):
            if not isinstance(target, str):
                yield error(where, RULE, f"transition target is {type_name(target)} {show(target)}: expected a state name")
            elif target not in states:
                yield error(where, RULE, f"'{target}' is not a state in this scope: expected one of {_names(states)}"
                            + (" (a nested state machine cannot jump outside its branch)" if scope.nested else ""))
            else:
                targets.append(target)
        graph[ref.name] = targets
    for name, state in states.items():
        if not isinstance(state, dict):
            yield error(child(child(loc, "States"), name), RULE, f"state is {type_name(state)}: expected an object")

    if not isinstance(start, str) or start not in states:
        return
    reached = _reachable(graph, [start])
    for ref in refs:
        if ref.name not in reached:
            yield error(ref.location, RULE, f"state '{ref.name}' is not reachable from StartAt '{start}': "
                        "expected every state to be the target of a transition")
    # States from which some terminal state can be reached (walk the edges backwards).
    reverse: dict[str, list[str]] = {}
    for name, targets in graph.items():
        for target in targets:
            reverse.setdefault(target, []).append(name)
    can_finish = _reachable(reverse, [ref.name for ref in refs if is_terminal(ref.state)])
    if start not in can_finish:
        yield error(child(loc, "StartAt"), RULE, "no terminal state is reachable from StartAt: expected a path to "
                    "a Succeed or Fail state or a state with \"End\": true")
        return
    for ref in refs:
        if ref.name in reached and ref.name not in can_finish:
            yield warning(ref.location, RULE, f"no terminal state is reachable from '{ref.name}': the execution "
                          "loops until it times out or exceeds 25,000 history events")


def check_unique_names(scopes: list[Scope]) -> Iterator[Finding]:
    """State names must be unique across the whole definition, nested branches included."""
    seen: dict[str, str] = {}
    for scope in scopes:
        for ref in states_of(scope):
            if ref.name in seen:
                yield error(ref.location, RULE, f"state name '{ref.name}' is already used at {seen[ref.name]}: "
                            "expected names unique across the whole state machine")
            else:
                seen[ref.name] = ref.location


def _reachable(graph: dict[str, list[str]], roots: list[str]) -> set[str]:
    seen = set(roots)
    queue = deque(roots)
    while queue:
        for target in graph.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _names(states: dict[str, Any], *, limit: int = 8) -> str:
    names = [f"'{name}'" for name in states]
    return ", ".join(names[:limit]) + (f", ... ({len(names)} states)" if len(names) > limit else "")
