"""Fields required and forbidden per state type, for JSONPath and JSONata states, and the types of
the simple (non-path) fields."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sagemaker_sfn.validate.findings import Finding, child, error, show, type_name
from sagemaker_sfn.validate.model import StateRef, top_language

RULE = "state-fields"
SECONDS_MAX = 99999999

_COMMON = {"Type", "Comment", "QueryLanguage"}
_FLOW = {"Next", "End"}
_JSONPATH_IO = {"InputPath", "OutputPath"}
_MAP_COMMON = {"ItemProcessor", "Iterator", "ItemSelector", "ItemReader", "ItemBatcher", "ResultWriter",
               "MaxConcurrency", "ToleratedFailurePercentage", "ToleratedFailureCount", "Label",
               "Retry", "Catch", "Assign"}

JSONPATH_FIELDS: dict[str, frozenset[str]] = {name: frozenset(_COMMON | extra) for name, extra in {
    "Pass": _FLOW | _JSONPATH_IO | {"ResultPath", "Parameters", "Result", "Assign"},
    "Task": _FLOW | _JSONPATH_IO | {"ResultPath", "Parameters", "ResultSelector", "Resource", "Retry", "Catch",
                                    "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
                                    "HeartbeatSecondsPath", "Credentials", "Assign"},
    "Choice": _JSONPATH_IO | {"Choices", "Default", "Assign"},
    "Wait": _FLOW | _JSONPATH_IO | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign"},
    "Succeed": _JSONPATH_IO,
    "Fail": {"Error", "Cause", "ErrorPath", "CausePath"},
    "Parallel": _FLOW | _JSONPATH_IO | {"ResultPath", "Parameters", "ResultSelector", "Branches", "Retry",
                                        "Catch", "Assign"},
    "Map": _FLOW | _JSONPATH_IO | _MAP_COMMON | {"ResultPath", "Parameters", "ResultSelector", "ItemsPath",
                                                 "MaxConcurrencyPath", "ToleratedFailurePercentagePath",
                                                 "ToleratedFailureCountPath"},
}.items()}

JSONATA_FIELDS: dict[str, frozenset[str]] = {name: frozenset(_COMMON | extra) for name, extra in {
    "Pass": _FLOW | {"Output", "Assign", "Result"},
    "Task": _FLOW | {"Resource", "Arguments", "Output", "Assign", "Retry", "Catch", "TimeoutSeconds",
                     "HeartbeatSeconds", "Credentials"},
    "Choice": {"Choices", "Default", "Output", "Assign"},
    "Wait": _FLOW | {"Seconds", "Timestamp", "Output", "Assign"},
    "Succeed": {"Output"},
    "Fail": {"Error", "Cause"},
    "Parallel": _FLOW | {"Branches", "Arguments", "Output", "Assign", "Retry", "Catch"},
    "Map": _FLOW | _MAP_COMMON | {"Items", "Output"},
}.items()}

# What a JSONata state uses instead of a JSONPath-only field, for the message.
_JSONATA_INSTEAD = {"Parameters": "Arguments", "ResultSelector": "Output", "ResultPath": "Output or Assign",
                    "InputPath": "Arguments or Items", "OutputPath": "Output", "ItemsPath": "Items",
                    "SecondsPath": "Seconds", "TimestampPath": "Timestamp", "ErrorPath": "Error",
                    "CausePath": "Cause", "TimeoutSecondsPath": "TimeoutSeconds",
                    "HeartbeatSecondsPath": "HeartbeatSeconds", "MaxConcurrencyPath": "MaxConcurrency",
                    "ToleratedFailurePercentagePath": "ToleratedFailurePercentage",
                    "ToleratedFailureCountPath": "ToleratedFailureCount"}
_JSONPATH_INSTEAD = {"Arguments": "Parameters", "Output": "OutputPath or ResultSelector", "Items": "ItemsPath"}

# RFC 3339 as Step Functions accepts it for Wait.Timestamp.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


# "${" not followed by a name and "}" (a DefinitionSubstitutions key is letters, digits and '_').
_UNTERMINATED = re.compile(r"\$\{(?![A-Za-z0-9_]+\})")
_STATES_ARN = re.compile(r"^arn:aws[a-z-]*:states:[a-z0-9-]*:[0-9]*:")


def resource_problem(resource: str) -> str | None:
    """Why a Task's Resource cannot be called, or None. ``${Name}`` parts are filled at deploy time."""
    if _UNTERMINATED.search(resource):
        return (f"Resource {show(resource, limit=90)} has a '${{' without its closing '}}': expected a "
                "placeholder ${Name} (letters, digits, '_')")
    if "${" in resource and not resource.startswith("arn:"):
        return None  # a whole placeholder, e.g. "${ProcessFunctionArn}"
    if not resource.startswith("arn:"):
        return (f"Resource is {show(resource)}: expected an ARN (arn:aws:states:::<service>:<action>, a Lambda "
                "function ARN or an activity ARN)")
    if _STATES_ARN.match(resource) and ":activity:" not in resource and ":stateMachine:" not in resource:
        from sagemaker_sfn.validate.resources import integration_of

        if integration_of({"Type": "Task", "Resource": resource}) is None:
            return (f"Resource {show(resource, limit=90)} is not a service integration Step Functions knows: "
                    "expected arn:aws:states:::<service>:<action> with an optional .sync, .sync:2 or "
                    ".waitForTaskToken suffix")
    return None


def is_jsonata(value: object) -> bool:
    """A JSONata expression string: ``{% ... %}``."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def check_fields(ref: StateRef) -> Iterator[Finding]:
    """Type is known; no field foreign to the type or query language; required fields present."""
    state, loc = ref.state, ref.location
    kind = state.get("Type")
    tables = JSONATA_FIELDS if ref.jsonata else JSONPATH_FIELDS
    if not isinstance(kind, str) or kind not in tables:
        found = "missing" if kind is None else show(kind)
        yield error(child(loc, "Type"), RULE, f"Type is {found}: expected one of {', '.join(tables)}")
        return
    if "QueryLanguage" in state and state["QueryLanguage"] not in ("JSONPath", "JSONata"):
        yield error(child(loc, "QueryLanguage"), RULE, f"QueryLanguage is {show(state['QueryLanguage'])}: "
                    "expected \"JSONPath\" or \"JSONata\"")
    if state.get("QueryLanguage") == "JSONPath" and top_language(ref.scope) == "JSONata":
        yield error(child(loc, "QueryLanguage"), RULE, "a JSONPath state in a JSONata state machine: expected "
                    "the top-level QueryLanguage to be JSONPath (the default) when any state uses JSONPath")
    allowed = tables[kind]
    for key in state:
        if key in allowed:
            continue
        if ref.jsonata and key in _JSONATA_INSTEAD and key in JSONPATH_FIELDS[kind]:
            why = f"not allowed in a JSONata state: use {_JSONATA_INSTEAD[key]}"
        elif not ref.jsonata and key in _JSONPATH_INSTEAD and key in JSONATA_FIELDS[kind]:
            why = f"only allowed in a JSONata state: use {_JSONPATH_INSTEAD[key]} or set \"QueryLanguage\": \"JSONata\""
        else:
            why = f"not a field of a {kind} state: expected only {', '.join(sorted(allowed))}"
        yield error(child(loc, key), RULE, f"'{key}' is {why}")
    yield from _flow(ref, kind)
    yield from _required(ref, kind)


def _flow(ref: StateRef, kind: str) -> Iterator[Finding]:
    state, loc = ref.state, ref.location
    if kind not in ("Pass", "Task", "Wait", "Parallel", "Map"):
        return
    has_next, has_end = "Next" in state, "End" in state
    if has_end and state["End"] is not True:
        yield error(child(loc, "End"), RULE, f"End is {show(state['End'])}: expected true (or remove it and set Next)")
    if has_next and has_end:
        yield error(loc, RULE, "both Next and End are set: expected exactly one of them")
    elif not has_next and not has_end:
        yield error(loc, RULE, f"a {kind} state needs Next or \"End\": true: neither is set")


def _required(ref: StateRef, kind: str) -> Iterator[Finding]:
    state, loc = ref.state, ref.location
    if kind == "Task":
        resource = state.get("Resource")
        if not isinstance(resource, str) or not resource:
            found = "missing" if resource is None else show(resource)
            yield error(child(loc, "Resource"), RULE, f"Resource is {found}: expected an ARN string")
        elif problem := resource_problem(resource):
            yield error(child(loc, "Resource"), RULE, problem)
        yield from _seconds(ref, "TimeoutSeconds", minimum=1)
        yield from _seconds(ref, "HeartbeatSeconds", minimum=1)
        for key in ("TimeoutSeconds", "HeartbeatSeconds"):
            if key in state and f"{key}Path" in state:
                yield error(loc, RULE, f"both {key} and {key}Path are set: expected at most one")
        timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
        if type(timeout) is int and type(heartbeat) is int and heartbeat >= timeout:
            yield error(child(loc, "HeartbeatSeconds"), RULE, f"HeartbeatSeconds is {heartbeat}: expected less "
                        f"than TimeoutSeconds ({timeout})")
    elif kind == "Choice":
        choices = state.get("Choices")
        if not isinstance(choices, list) or not choices:
            found = "missing" if choices is None else show(choices)
            yield error(child(loc, "Choices"), RULE, f"Choices is {found}: expected a non-empty array of choice rules")
    elif kind == "Wait":
        keys = ("Seconds", "Timestamp") if ref.jsonata else ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")
        present = [k for k in keys if k in state]
        if len(present) != 1:
            found = ", ".join(present) if present else "none"
            yield error(loc, RULE, f"a Wait state needs exactly one of {', '.join(keys)}: found {found}")
        yield from _seconds(ref, "Seconds", minimum=0)
        stamp = state.get("Timestamp")
        if stamp is not None and not is_jsonata(stamp) and not (isinstance(stamp, str) and _TIMESTAMP.match(stamp)):
            yield error(child(loc, "Timestamp"), RULE, f"Timestamp is {show(stamp)}: expected an RFC 3339 "
                        "timestamp such as \"2026-01-31T12:00:00Z\"")
    elif kind == "Fail":
        for key in ("Error", "Cause"):
            value = state.get(key)
            if value is not None and not isinstance(value, str):
                yield error(child(loc, key), RULE, f"{key} is {type_name(value)} {show(value)}: expected a string")
            if key in state and f"{key}Path" in state:
                yield error(loc, RULE, f"both {key} and {key}Path are set: expected at most one")
    elif kind == "Parallel":
        branches = state.get("Branches")
        if not isinstance(branches, list) or not branches:
            found = "missing" if branches is None else show(branches)
            yield error(child(loc, "Branches"), RULE, f"Branches is {found}: expected a non-empty array of state machines")
        else:
            for index, branch in enumerate(branches):
                if not isinstance(branch, dict):
                    yield error(child(child(loc, "Branches"), index), RULE,
                                f"branch is {type_name(branch)}: expected an object with StartAt and States")
    elif kind == "Map":
        yield from _map(ref)
    if "Comment" in state and not isinstance(state["Comment"], str):
        yield error(child(loc, "Comment"), RULE, f"Comment is {type_name(state['Comment'])}: expected a string")
    # Pass and Task states take Parameters of any JSON type (the AWS maintainers of the States Language
    # service: aws/amazon-states-language-service); the other states need an object.
    for key in ("Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials"):
        if key == "Parameters" and kind in ("Pass", "Task"):
            continue
        if key in state and not isinstance(state[key], dict) and not (ref.jsonata and is_jsonata(state[key])):
            yield error(child(loc, key), RULE, f"{key} is {type_name(state[key])} {show(state[key])}: expected an object")
    if "Arguments" in state and not isinstance(state["Arguments"], dict) and not is_jsonata(state["Arguments"]):
        yield error(child(loc, "Arguments"), RULE, f"Arguments is {type_name(state['Arguments'])} "
                    f"{show(state['Arguments'])}: expected an object or a JSONata expression \"{{% ... %}}\"")


def _map(ref: StateRef) -> Iterator[Finding]:
    state, loc = ref.state, ref.location
    present = [k for k in ("ItemProcessor", "Iterator") if k in state]
    if len(present) != 1:
        found = "both" if present else "neither"
        yield error(loc, RULE, f"a Map state needs exactly one of ItemProcessor or Iterator: found {found}")
    for key in present:
        if not isinstance(state[key], dict):
            yield error(child(loc, key), RULE, f"{key} is {type_name(state[key])}: expected an object with StartAt and States")
    processor = state.get("ItemProcessor")
    if isinstance(processor, dict) and "ProcessorConfig" in processor:
        config = processor["ProcessorConfig"]
        where = child(child(loc, "ItemProcessor"), "ProcessorConfig")
        mode = config.get("Mode", "INLINE") if isinstance(config, dict) else None
        if mode not in ("INLINE", "DISTRIBUTED"):
            yield error(where, RULE, f"ProcessorConfig.Mode is {show(mode)}: expected \"INLINE\" or \"DISTRIBUTED\"")
        elif mode == "DISTRIBUTED" and config.get("ExecutionType") not in ("STANDARD", "EXPRESS"):
            yield error(child(where, "ExecutionType"), RULE, f"ExecutionType is {show(config.get('ExecutionType'))}: "
                        "expected \"STANDARD\" or \"EXPRESS\" for a DISTRIBUTED Map")
    for key, low, high in (("MaxConcurrency", 0, None), ("ToleratedFailureCount", 0, None),
                           ("ToleratedFailurePercentage", 0, 100)):
        if key not in state or (ref.jsonata and is_jsonata(state[key])):
            continue
        value = state[key]
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        integral = type(value) is int or (key == "ToleratedFailurePercentage" and numeric)
        if not integral or value < low or (high is not None and value > high):
            expected = f"a number from {low} to {high}" if high is not None else f"an integer >= {low}"
            yield error(child(loc, key), RULE, f"{key} is {show(value)}: expected {expected}")
        if f"{key}Path" in state:
            yield error(loc, RULE, f"both {key} and {key}Path are set: expected at most one")
    for key in ("ItemReader", "ResultWriter"):
        config = state.get(key)
        if config is None:
            continue
        if not isinstance(config, dict) or not isinstance(config.get("Resource"), str):
            yield error(child(loc, key), RULE, f"{key} is {show(config)}: expected an object with a Resource ARN")
    if "Parameters" in state and "ItemSelector" in state:
        yield error(loc, RULE, "both Parameters and ItemSelector are set on a Map state: expected only ItemSelector "
                    "(Parameters is its deprecated name)")
    yield from _distributed(ref)


# Distributed Map limits (AWS "ItemReader", "ItemBatcher"; CreateStateMachine's answers quoted in
# floci-io/floci#3733: "There should only be one of the following fields: [MaxItems, MaxItemsPath]",
# "Minimum value is 0", ReaderConfig.MaxItems "Maximum value is 100000000").
MAX_ITEMS = 100_000_000
MAX_BATCH_BYTES = 262_144   # MaxInputBytesPerBatch: at most 256 KiB (a state's payload limit)


def _distributed(ref: StateRef) -> Iterator[Finding]:
    state, loc = ref.state, ref.location
    reader = state.get("ItemReader")
    config = reader.get("ReaderConfig") if isinstance(reader, dict) else None
    if config is not None:
        where = child(child(loc, "ItemReader"), "ReaderConfig")
        if not isinstance(config, dict):
            yield error(where, RULE, f"ReaderConfig is {type_name(config)}: expected an object")
        else:
            yield from _limit(config, where, "MaxItems", 0, MAX_ITEMS, ref)
    if "ItemBatcher" in state:
        batcher, where = state["ItemBatcher"], child(loc, "ItemBatcher")
        if not isinstance(batcher, dict):
            yield error(where, RULE, f"ItemBatcher is {type_name(batcher)}: expected an object")
            return
        yield from _limit(batcher, where, "MaxItemsPerBatch", 0, None, ref)
        yield from _limit(batcher, where, "MaxInputBytesPerBatch", 0, MAX_BATCH_BYTES, ref)
        if not any(k in batcher for k in ("MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                                           "MaxInputBytesPerBatchPath")):
            yield error(where, RULE, "ItemBatcher needs a batch size: expected MaxItemsPerBatch or "
                        "MaxInputBytesPerBatch (or their ...Path)")
        if "BatchInput" in batcher and not isinstance(batcher["BatchInput"], dict) and not is_jsonata(batcher["BatchInput"]):
            yield error(child(where, "BatchInput"), RULE, f"BatchInput is {type_name(batcher['BatchInput'])}: expected an object")
    writer = state.get("ResultWriter")
    if isinstance(writer, dict):
        for key in ("Parameters", "WriterConfig"):
            if key in writer and not isinstance(writer[key], dict) and not is_jsonata(writer[key]):
                yield error(child(child(loc, "ResultWriter"), key), RULE,
                            f"{key} is {type_name(writer[key])}: expected an object")


def _limit(holder: dict, where: str, key: str, low: int, high: int | None, ref: StateRef) -> Iterator[Finding]:
    """A literal limit and its ...Path twin: at most one of them, the literal an integer in range."""
    if key in holder and f"{key}Path" in holder:
        yield error(where, RULE, f"both {key} and {key}Path are set: expected at most one")
    if key not in holder or (ref.jsonata and is_jsonata(holder[key])):
        return
    value = holder[key]
    if type(value) is not int or value < low or (high is not None and value > high):
        expected = f"an integer from {low:,} to {high:,}" if high is not None else f"an integer >= {low}"
        yield error(child(where, key), RULE, f"{key} is {show(value)}: expected {expected}")


def _seconds(ref: StateRef, key: str, *, minimum: int) -> Iterator[Finding]:
    if key not in ref.state:
        return
    value = ref.state[key]
    if ref.jsonata and is_jsonata(value):
        return
    if type(value) is not int or not minimum <= value <= SECONDS_MAX:
        yield error(child(ref.location, key), RULE,
                    f"{key} is {show(value)}: expected an integer from {minimum} to {SECONDS_MAX}")
