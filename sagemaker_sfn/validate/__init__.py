"""Static checks of an ASL definition, each finding tagged with its JSONPath location.

Every rule is a small pure function in its own module (structure, state fields, Retry/Catch,
Choice rules, JSONPath, intrinsic functions, SageMaker parameters, job names, other integrations,
resilience warnings, size) that returns findings and never prints; :func:`validate_definition`
runs them all over every scope, nested Parallel branches and Map processors included.

Before the rules, the shapes pass (:mod:`validate.flow`) follows what is known about each state's
input from the execution input through the machine; its :class:`~validate.flow.Facts` hold every
state's input shape (``input_of(location)``) and the ``data-flow`` findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from sagemaker_sfn.validate.findings import ERROR, WARNING, Finding, error

__all__ = ["ERROR", "WARNING", "Finding", "STATE_RULES", "validate_definition", "has_errors"]


@cache
def _state_rules() -> list[Callable[..., Iterable[Finding]]]:
    from sagemaker_sfn.validate import (choice, fields, integrations, job_names, jsonata_rule, paths, resilience,
                                        retry_catch, sagemaker)

    return [fields.check_fields, retry_catch.check_retry, retry_catch.check_catch, choice.check_choices,
            paths.check_state_paths, paths.check_state_templates, jsonata_rule.check_jsonata, sagemaker.check_sagemaker,
            job_names.check_job_names, integrations.check_integration_parameters, integrations.check_task_token,
            resilience.check_retry_and_catch]


def __getattr__(name: str) -> Any:
    # STATE_RULES is built on first use: importing the rule modules costs more than a small command
    # (generate's summary) that only needs validate.model or validate.resources should pay.
    if name == "STATE_RULES":
        return _state_rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_NO_INPUT = object()


def validate_definition(definition: dict[str, Any], *, source: str | None = None, input_schema: Any = None,
                        example_input: Any = _NO_INPUT) -> list[Finding]:
    """Every finding about ``definition`` (a parsed ASL document): errors first, then warnings, each in
    definition order.

    ``source`` (default None) is the definition's JSON text as it will be sent to Step Functions,
    used for the size limit; without it the compact serialisation of ``definition`` is measured.
    ``input_schema`` (default None: none) is a JSON Schema of the execution input, ``example_input``
    (default: none) an execution input; the data-flow rule follows the input's shape from either
    (the schema wins), and knows nothing about the input without them.
    """
    from sagemaker_sfn.validate import flow, size, structure
    from sagemaker_sfn.validate.input_shape import execution_input_shape
    from sagemaker_sfn.validate.model import all_scopes, states_of

    if not isinstance(definition, dict):
        return [error("$", "structure", f"the definition is {type(definition).__name__}: expected a JSON object")]
    rules = _state_rules()
    findings: list[Finding] = []
    findings.extend(size.check_size(definition, source=source))
    findings.extend(structure.check_top_level(definition))
    scopes = all_scopes(definition)
    findings.extend(structure.check_unique_names(scopes))
    start = execution_input_shape(schema=input_schema, example=None if example_input is _NO_INPUT else example_input,
                                  has_example=example_input is not _NO_INPUT)
    try:
        facts: flow.Facts | None = flow.analyse(definition, scopes, execution_input=start)
    except Exception as exc:  # noqa: BLE001 - a validator bug must not hide the other findings
        facts = None
        findings.append(error("$", "validator", f"the data-flow check could not follow this definition "
                              f"({type(exc).__name__}: {exc}); please report it with the definition"))
    for scope in scopes:
        findings.extend(structure.check_scope(scope))
        for ref in states_of(scope):
            for rule in rules:
                findings.extend(_guarded(rule, ref))
            if facts is not None:
                findings.extend(flow.check_data_flow(ref, facts))
    # Stable order: errors before warnings, each in definition order (locations keep their discovery order).
    order = {ERROR: 0, WARNING: 1}
    return sorted(findings, key=lambda f: order.get(f.severity, 2))


def _guarded(rule: Callable[..., Iterable[Finding]], ref: Any) -> list[Finding]:
    """A rule's findings; a rule that trips over a shape nobody foresaw reports it instead of crashing
    the command (the rest of the definition is still checked)."""
    try:
        return list(rule(ref))
    except Exception as exc:  # noqa: BLE001 - a validator bug must not hide the other findings
        name = rule.__module__.rsplit(".", 1)[-1]
        return [error(ref.location, "validator", f"the {name} check could not read this state "
                      f"({type(exc).__name__}: {exc}); please report it with the definition")]


def has_errors(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    """True when a finding is an error; ``strict`` (default False) counts warnings too."""
    return any(f.severity == ERROR or (strict and f.severity == WARNING) for f in findings)
