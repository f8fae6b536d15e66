"""SageMaker ``Parameters`` checked against botocore's service model of the called API: required
members, types, enums, string patterns and lengths, numeric ranges, list lengths, unknown fields.

``Key.$`` members are checked only for their name here (the jsonpath rule checks their paths);
strings holding a ``${Name}`` placeholder skip enum, pattern and length checks because their final
value is known only at deploy time; JSONata ``{% %}`` values are known only at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sagemaker_sfn.validate.fields import is_jsonata
from sagemaker_sfn.validate.findings import Finding, child, error, show, type_name
from sagemaker_sfn.validate.model import StateRef
from sagemaker_sfn.validate.resources import integration_of, request_of

RULE = "sagemaker-parameters"
INTEGRATION_RULE = "sagemaker-integration"

# Step Functions' optimized SageMaker integration: these APIs, .sync only for the job-creating ones,
# no .waitForTaskToken. Anything else goes through arn:aws:states:::aws-sdk:sagemaker:<action>.
OPTIMIZED = frozenset({"CreateEndpoint", "CreateEndpointConfig", "CreateHyperParameterTuningJob",
                       "CreateLabelingJob", "CreateModel", "CreateProcessingJob", "CreateTrainingJob",
                       "CreateTransformJob", "UpdateEndpoint"})
SYNC = frozenset({"CreateHyperParameterTuningJob", "CreateLabelingJob", "CreateProcessingJob",
                  "CreateTrainingJob", "CreateTransformJob"})
# Members the job-names rule owns (it explains the SageMaker naming limits better than a pattern).
NAME_MEMBERS: dict[str, str] = {
    "CreateTrainingJob": "TrainingJobName", "CreateProcessingJob": "ProcessingJobName",
    "CreateTransformJob": "TransformJobName", "CreateHyperParameterTuningJob": "HyperParameterTuningJobName",
    "CreateLabelingJob": "LabelingJobName", "CreateModel": "ModelName", "CreateEndpointConfig": "EndpointConfigName",
}
_PLACEHOLDER = "${"
# botocore's (Smithy's) numeric types: ``integer`` is a 32-bit signed integer, ``long`` a 64-bit one
# (Smithy IDL "Simple types"; the SageMaker API rejects larger values at request validation).
TYPE_RANGES: dict[str, tuple[int, int]] = {"integer": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1)}


def number_range(shape: Any) -> tuple[float, float]:
    """The values a numeric botocore shape takes: its model's min/max within its type's range."""
    low, high = TYPE_RANGES.get(shape.type_name, (float("-inf"), float("inf")))
    meta = shape.metadata
    if meta.get("min") is not None:
        low = max(low, meta["min"])
    if meta.get("max") is not None:
        high = min(high, meta["max"])
    return low, high


def service_model() -> Any:
    """botocore's SageMaker model, loaded on the first SageMaker task and kept for the process."""
    from sagemaker_sfn.validate.service_models import service_model as load

    return load("sagemaker")


@lru_cache(maxsize=1024)
def _pattern(text: str) -> re.Pattern[str] | None:
    """botocore patterns are Java regexes; the few Python cannot compile (\\p{L}...) are skipped."""
    try:
        return re.compile(text)
    except re.error:
        return None


def check_sagemaker(ref: StateRef) -> Iterator[Finding]:
    integration = integration_of(ref.state)
    if integration is None or integration.service != "sagemaker":
        return
    resource_at = child(ref.location, "Resource")
    model = service_model()
    operation = integration.operation
    if operation not in model.operation_names:
        yield error(resource_at, INTEGRATION_RULE, f"SageMaker has no API '{integration.action}': expected an "
                    "operation such as createTrainingJob (see the SageMaker API reference)")
        return
    if not integration.sdk:
        if operation not in OPTIMIZED:
            yield error(resource_at, INTEGRATION_RULE, f"'{integration.action}' is not an optimized SageMaker "
                        f"integration: expected arn:aws:states:::aws-sdk:sagemaker:{integration.action}")
            return
        if integration.pattern.startswith("sync") and operation not in SYNC:
            yield error(resource_at, INTEGRATION_RULE, f"{integration.action} does not support .sync: expected "
                        f"one of {', '.join(sorted(SYNC))} or no suffix")
        if integration.pattern == "waitForTaskToken":
            yield error(resource_at, INTEGRATION_RULE, "the SageMaker integration does not support "
                        ".waitForTaskToken: expected .sync or no suffix")
    elif integration.pattern:
        yield error(resource_at, INTEGRATION_RULE, f"AWS SDK integrations do not support .{integration.pattern}: "
                    "expected no suffix (or the optimized arn:aws:states:::sagemaker:... form)")
    request = request_of(ref.state, jsonata=ref.jsonata)
    shape = model.input_shape(operation)
    if request is None:
        if shape.required_members:
            key = "Arguments" if ref.jsonata else "Parameters"
            yield error(ref.location, RULE, f"{operation} needs {key} with {', '.join(shape.required_members)}: "
                        f"no {key} is set")
        return
    key, value = request
    if is_jsonata(value):
        return
    skip = NAME_MEMBERS.get(operation)
    yield from check_value(value, shape, child(ref.location, key), skip_member=skip, jsonata=ref.jsonata)


def check_value(value: Any, shape: Any, loc: str, *, skip_member: str | None = None,
                jsonata: bool = False) -> Iterator[Finding]:
    """``value`` against a botocore shape. ``skip_member`` (default None) is a top-level member to leave
    to another rule; ``jsonata`` (default False) treats ``{% %}`` strings as run-time values."""
    if jsonata and is_jsonata(value):
        return
    kind = shape.type_name
    if kind == "structure":
        yield from _structure(value, shape, loc, skip_member=skip_member, jsonata=jsonata)
    elif kind == "list":
        if not isinstance(value, list):
            yield error(loc, RULE, f"found {type_name(value)} {show(value)}: expected an array of {shape.member.name}")
            return
        yield from _size(len(value), shape, loc, "items")
        for index, item in enumerate(value):
            yield from check_value(item, shape.member, child(loc, index), jsonata=jsonata)
    elif kind == "map":
        if not isinstance(value, dict):
            yield error(loc, RULE, f"found {type_name(value)} {show(value)}: expected an object ({shape.name})")
            return
        yield from _size(len(value), shape, loc, "entries")
        for key, item in value.items():
            bare = key[:-2] if key.endswith(".$") else key
            yield from _scalar(bare, shape.key, child(loc, key))  # keys have limits too (HyperParameterKey)
            if not key.endswith(".$"):
                yield from check_value(item, shape.value, child(loc, key), jsonata=jsonata)
    else:
        yield from _scalar(value, shape, loc)


def _structure(value: Any, shape: Any, loc: str, *, skip_member: str | None, jsonata: bool) -> Iterator[Finding]:
    if not isinstance(value, dict):
        yield error(loc, RULE, f"found {type_name(value)} {show(value)}: expected an object ({shape.name})")
        return
    members = shape.members
    present: set[str] = set()
    for key, item in value.items():
        dynamic = key.endswith(".$")
        name = key[:-2] if dynamic else key
        if name not in members:
            yield error(child(loc, key), RULE, f"unknown field '{name}' in {shape.name}: expected one of "
                        f"{_list(members)}")
            continue
        if name in present:
            yield error(child(loc, key), RULE, f"'{name}' is given both as '{name}' and '{name}.$': expected one")
        present.add(name)
        if not dynamic and name != skip_member:
            yield from check_value(item, members[name], child(loc, key), jsonata=jsonata)
    for name in shape.required_members:
        if name not in present:
            yield error(loc, RULE, f"missing required field '{name}' of {shape.name}: expected {name} "
                        f"({_describe(members[name])})")


def _scalar(value: Any, shape: Any, loc: str) -> Iterator[Finding]:
    kind, meta = shape.type_name, shape.metadata
    if kind == "string":
        if not isinstance(value, str):
            yield error(loc, RULE, f"found {type_name(value)} {show(value)}: expected a string ({shape.name})")
            return
        if _PLACEHOLDER in value:
            return  # filled at deploy time: its final length and format are unknown here
        if shape.enum and value not in shape.enum:
            yield error(loc, RULE, f"{show(value)} is not a valid {shape.name}: expected one of {_list(shape.enum)}")
            return
        size_problems = list(_size(len(value), shape, loc, "characters"))
        if size_problems:  # one finding per value: a wrong length usually breaks the pattern too
            yield from size_problems
            return
        pattern = meta.get("pattern")
        compiled = _pattern(pattern) if pattern else None
        if compiled is not None and not compiled.fullmatch(value):
            yield error(loc, RULE, f"{show(value)} does not match the {shape.name} pattern: expected {pattern}")
    elif kind in ("integer", "long", "float", "double"):
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not numeric or (kind in ("integer", "long") and not isinstance(value, int)):
            wanted = "an integer" if kind in ("integer", "long") else "a number"
            yield error(loc, RULE, f"found {type_name(value)} {show(value)}: expected {wanted} ({shape.name})")
            return
        low, high = meta.get("min"), meta.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            yield error(loc, RULE, f"{value} is out of range for {shape.name}: expected {_range(low, high)}")
        elif kind in TYPE_RANGES and not TYPE_RANGES[kind][0] <= value <= TYPE_RANGES[kind][1]:
            bits = 32 if kind == "integer" else 64
            low, high = number_range(shape)
            yield error(loc, RULE, f"{value} is out of range for {shape.name}, a {bits}-bit integer: expected "
                        f"{low:,} to {high:,}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            yield error(loc, RULE, f"found {type_name(value)} {show(value)}: expected true or false ({shape.name})")
    elif kind == "timestamp":
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            yield error(loc, RULE, f"found {type_name(value)} {show(value)}: expected a timestamp string")
    elif kind == "blob":
        if not isinstance(value, str):
            yield error(loc, RULE, f"found {type_name(value)} {show(value)}: expected a base64 string")


def _size(size: int, shape: Any, loc: str, unit: str) -> Iterator[Finding]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and size < low) or (high is not None and size > high):
        yield error(loc, RULE, f"{size} {unit} is outside {shape.name}'s limits: expected {_range(low, high)} {unit}")


def _range(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f">= {low}" if low is not None else f"<= {high}"


def _describe(shape: Any) -> str:
    if shape.type_name == "structure":
        return f"an object {shape.name}"
    if shape.type_name == "list":
        return f"an array of {shape.member.name}"
    return f"{shape.type_name} {shape.name}"


def _list(names: Any, *, limit: int = 12) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
