"""JSONPath syntax everywhere a JSONPath state takes a path, and ``.$`` fields of payload templates
(Parameters, ResultSelector, ItemSelector, Credentials, Assign, ...) checked as paths or intrinsic
function calls instead of literal values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sagemaker_sfn.validate import intrinsics
from sagemaker_sfn.validate.findings import Finding, child, error, show, type_name, warning
from sagemaker_sfn.validate.jsonpath import path_problem
from sagemaker_sfn.validate.model import StateRef

RULE = "jsonpath"
INTRINSIC_RULE = "intrinsic-functions"

# field -> reference path required (True) or any path (False); null is allowed where marked.
_STATE_PATHS: dict[str, bool] = {
    "InputPath": False, "OutputPath": False, "ResultPath": True, "ItemsPath": True,
    "SecondsPath": True, "TimestampPath": True, "TimeoutSecondsPath": True, "HeartbeatSecondsPath": True,
    "MaxConcurrencyPath": True, "ToleratedFailureCountPath": True, "ToleratedFailurePercentagePath": True,
}
_NULLABLE = frozenset({"InputPath", "OutputPath", "ResultPath"})
# Fields that must read the state's input: ResultPath writes into it; the Map number fields are
# refused with "Value is not a Reference Path" for $$ (floci-io/floci#3733, measured on AWS: only
# ItemsPath of the Map fields accepts the context object).
_NO_CONTEXT = frozenset({"ResultPath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
                         "ToleratedFailurePercentagePath", "MaxItemsPath", "MaxItemsPerBatchPath",
                         "MaxInputBytesPerBatchPath"})
_TEMPLATES = ("Parameters", "ResultSelector", "ItemSelector", "Credentials", "Assign")
_LOOKS_LIKE_PATH = re.compile(r"^\$\$?\.[A-Za-z_]")


def check_state_paths(ref: StateRef) -> Iterator[Finding]:
    """InputPath, OutputPath, ResultPath, ItemsPath, ...Path fields and Fail's ErrorPath/CausePath."""
    if ref.jsonata:
        return  # JSONata states have no path fields (state-fields reports them)
    state, loc = ref.state, ref.location
    for key, reference in _STATE_PATHS.items():
        if key not in state:
            continue
        value = state[key]
        if value is None and key in _NULLABLE:
            continue
        # ResultPath writes into the input: a context path or a variable cannot be a target.
        problem = path_problem(value, reference=reference, context=key not in _NO_CONTEXT, variables=key != "ResultPath")
        if problem:
            kind = "a reference path" if reference else "a path"
            yield error(child(loc, key), RULE, f"{key}: {problem}" + ("" if "expected" in problem else f": expected {kind}"))
    for key in ("ErrorPath", "CausePath"):
        if key in state:
            yield from _path_or_intrinsic(state[key], child(loc, key), key, reference=True)
    for key in ("ItemReader", "ResultWriter"):
        config = state.get(key)
        if isinstance(config, dict) and isinstance(config.get("Parameters"), dict):
            yield from check_template(config["Parameters"], child(child(loc, key), "Parameters"))
        reader = config.get("ReaderConfig") if isinstance(config, dict) else None
        if isinstance(reader, dict) and "MaxItemsPath" in reader:
            yield from _path_or_intrinsic(reader["MaxItemsPath"], child(child(child(loc, key), "ReaderConfig"),
                                                                        "MaxItemsPath"), "MaxItemsPath",
                                          reference=True, intrinsic=False)
    batcher = state.get("ItemBatcher")
    if isinstance(batcher, dict):
        for key in ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"):
            if key in batcher:
                yield from _path_or_intrinsic(batcher[key], child(child(loc, "ItemBatcher"), key), key,
                                              reference=True, intrinsic=False)
        if isinstance(batcher.get("BatchInput"), dict):
            yield from check_template(batcher["BatchInput"], child(child(loc, "ItemBatcher"), "BatchInput"))


def check_state_templates(ref: StateRef) -> Iterator[Finding]:
    """Payload templates of a JSONPath state: every ``Key.$`` holds a valid path or intrinsic call."""
    if ref.jsonata:
        return
    for key in _TEMPLATES:
        value = ref.state.get(key)
        if isinstance(value, dict):
            yield from check_template(value, child(ref.location, key))
    for key in ("Catch", "Choices"):
        items = ref.state.get(key)
        if isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("Assign"), dict):
                    yield from check_template(item["Assign"], child(child(child(ref.location, key), index), "Assign"))


def check_template(template: Any, location: str) -> Iterator[Finding]:
    """Walk a payload template; iterative so deep templates cost no recursion."""
    pending: list[tuple[Any, str]] = [(template, location)]
    while pending:
        value, loc = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                where = child(loc, key)
                if isinstance(key, str) and key.endswith(".$"):
                    yield from _path_or_intrinsic(item, where, key, reference=False)
                elif isinstance(item, str) and _LOOKS_LIKE_PATH.match(item) and " " not in item:
                    yield warning(where, RULE, f"'{key}' holds the literal string {show(item)}, which looks like "
                                  f"a path: name the field '{key}.$' to read the value at that path")
                else:
                    pending.append((item, where))
        elif isinstance(value, list):
            pending.extend((item, child(loc, index)) for index, item in enumerate(value))


def _path_or_intrinsic(value: Any, location: str, key: str, *, reference: bool,
                       intrinsic: bool = True) -> Iterator[Finding]:
    """``intrinsic`` (default True) accepts an intrinsic call; the Map limit fields (no intrinsics)
    do not accept the context object either."""
    if not isinstance(value, str):
        yield error(location, RULE, f"'{key}' is {type_name(value)} {show(value)}: expected a string holding a "
                    "JSONPath" + (" or an intrinsic function call" if intrinsic else ""))
        return
    if intrinsic and intrinsics.looks_like_intrinsic(value):
        for problem in intrinsics.problems(value):
            yield error(location, INTRINSIC_RULE, problem)
        return
    problem = path_problem(value, reference=reference, context=key not in _NO_CONTEXT)
    if problem:
        suffix = "" if "expected" in problem else ": expected a JSONPath" + (" or an intrinsic function call" if intrinsic else "")
        yield error(location, RULE, f"'{key}': {problem}{suffix}")
