"""Pipeline-level request defaults and custom placeholders (``defaults:`` and ``placeholders:``).

``defaults:`` holds members of SageMaker requests (``RoleArn``, ``ResourceConfig``,
``StoppingCondition``, ``OutputDataConfig``, ``Tags``, ``VpcConfig``, ...) given once for the whole
file. Each job step inherits the members its own API's request has (read from botocore's SageMaker
model, never retyped): a training step gets ``ResourceConfig``, a processing step does not; a tuning
step gets them inside ``TrainingJobDefinition`` (``Tags`` stays at its top level). What a step's
``request`` says wins: mappings are merged member by member, anything else (lists, strings) is
replaced whole, and ``Key.$`` in the step replaces a default ``Key`` (and the other way round).

``placeholders:`` declares the file's own ``${Name}`` placeholders beside the conventional ones
(docs/CONVENTIONS.md): ``Name: {description: ..., local: <value for local runs, optional>}``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sagemaker_sfn.errors import PipelineError
from sagemaker_sfn.suggest import did_you_mean

# Step type -> the SageMaker operation whose request the step's `request` is.
JOB_OPERATIONS = {
    "training": "CreateTrainingJob",
    "tuning": "CreateHyperParameterTuningJob",
    "processing": "CreateProcessingJob",
    "clarify": "CreateProcessingJob",
    "transform": "CreateTransformJob",
}
# In a tuning request the job settings live in TrainingJobDefinition (HyperParameterTrainingJobDefinition).
TUNING_DEFINITION = "TrainingJobDefinition"
PLACEHOLDER_NAME = re.compile(r"^[A-Za-z0-9_]+$")


@lru_cache(maxsize=None)
def _members(shape_name: str) -> frozenset[str]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    return frozenset(model.shape_for(shape_name).members)


def request_members(operation: str) -> frozenset[str]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    return frozenset(model.operation_model(operation).input_shape.members)


def known_default_members() -> set[str]:
    names: set[str] = set()
    for operation in set(JOB_OPERATIONS.values()):
        names |= request_members(operation)
    return names | set(_members("HyperParameterTrainingJobDefinition"))


def check_defaults(value: Any, *, file: str) -> dict[str, Any]:
    """``defaults:`` validated: a mapping whose keys are members of some job request."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PipelineError("expected a mapping of SageMaker request members (RoleArn, ResourceConfig, ...)",
                            file=file, field="defaults")
    known = known_default_members()
    for key in value:
        if str(key).removesuffix(".$") not in known:
            raise PipelineError(f"'{key}' is not a member of any job request (CreateTrainingJob, "
                                f"CreateProcessingJob, CreateTransformJob, CreateHyperParameterTuningJob)"
                                f"{did_you_mean(str(key), sorted(known))}", file=file, field=f"defaults.{key}")
    return value


def merge(default: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` over ``default`` (see the module doc)."""
    result = copy.deepcopy(default)
    for key, value in override.items():
        twin = key[:-2] if key.endswith(".$") else f"{key}.$"
        result.pop(twin, None)
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _only(defaults: dict[str, Any], members: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in defaults.items() if k.removesuffix(".$") in members}


def apply_defaults(step_type: str, request: dict[str, Any] | None, defaults: dict[str, Any]) -> dict[str, Any] | None:
    """The request a step of ``step_type`` gets: ``defaults`` its API accepts, under its own ``request``."""
    operation = JOB_OPERATIONS.get(step_type)
    if not defaults or operation is None:
        return request
    request = request or {}
    top = request_members(operation)
    if step_type != "tuning":
        return merge(_only(defaults, top), request)
    definition_members = _members("HyperParameterTrainingJobDefinition")
    result = merge(_only({k: v for k, v in defaults.items() if k.removesuffix(".$") not in definition_members}, top),
                   request)
    inner = _only(defaults, definition_members)
    if inner and "TrainingJobDefinitions" not in request:
        result[TUNING_DEFINITION] = merge(inner, request.get(TUNING_DEFINITION) or {})
    elif inner:
        result["TrainingJobDefinitions"] = [merge(inner, d) if isinstance(d, dict) else d
                                            for d in request["TrainingJobDefinitions"]]
    return result


@dataclass(frozen=True)
class Placeholder:
    """A pipeline's own ``${Name}``: what it means, and its value in local runs (None: none given)."""

    description: str
    local: str | None = None


def check_placeholders(value: Any, *, file: str) -> dict[str, Placeholder]:
    """``placeholders:`` validated."""
    from sagemaker_sfn.local.bindings import local_value
    from sagemaker_sfn.errors import DefinitionError

    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PipelineError("expected a mapping of Name: {description, local}", file=file, field="placeholders")
    declared: dict[str, Placeholder] = {}
    for name, spec in value.items():
        where = f"placeholders.{name}"
        if not isinstance(name, str) or not PLACEHOLDER_NAME.match(name):
            raise PipelineError("a placeholder name is letters, digits and _ (used as ${Name})", file=file, field=where)
        try:
            local_value(name)
        except DefinitionError:
            pass
        else:
            raise PipelineError(f"${{{name}}} is a conventional placeholder (docs/CONVENTIONS.md); it needs no "
                                "declaration", file=file, field=where)
        if not isinstance(spec, dict) or set(spec) - {"description", "local"}:
            raise PipelineError("expected a mapping with description (required) and local (optional)",
                                file=file, field=where)
        description = spec.get("description")
        if not isinstance(description, str) or not description.strip():
            raise PipelineError("needs a description (what the value is, where it comes from at deploy time)",
                                file=file, field=f"{where}.description")
        local = spec.get("local")
        if local is not None and (isinstance(local, bool) or not isinstance(local, (str, int, float))):
            raise PipelineError("expected a string (the value local runs use)", file=file, field=f"{where}.local")
        declared[name] = Placeholder(description=description.strip(), local=None if local is None else str(local))
    return declared
