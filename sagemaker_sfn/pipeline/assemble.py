"""Steps in order -> states wired together; a pipeline document -> :class:`Pipeline`.

Default flow: each step goes to the next one in its list; the last one ends its scope (the state
machine, a Parallel branch or a Map iteration). ``next:`` jumps, ``end: true`` stops early.
"""

from __future__ import annotations

import re
from typing import Any

from sagemaker_sfn.asl.states import State, state_machine
from sagemaker_sfn.errors import DefinitionError, PipelineError
from sagemaker_sfn.pipeline.cache import cache_steps
from sagemaker_sfn.pipeline.context import BuildContext
from sagemaker_sfn.pipeline.model import Pipeline
from sagemaker_sfn.pipeline.spec import StepSpec, found
from sagemaker_sfn.pipeline.steps import BUILDERS, TERMINAL_TYPES, Scope
from sagemaker_sfn.suggest import did_you_mean

TOP_LEVEL = ("name", "description", "input", "input_schema", "trigger", "steps", "timeout_seconds", "defaults", "placeholders",
             "on_failure")
# on_failure: what a top-level step's failure does by default (a step's own `catch:` still wins).
#   notify  Catch -> "Notify failure: <step>" (SNS) -> "Failed: <step>" (Fail)
#   stop    no Catch: the execution fails in the step itself, so RedriveExecution, which "continues
#           the failed execution from the unsuccessful step" (API reference), re-runs that step;
#           after a caught failure it would re-run the Fail state and fail again. Deployed, the
#           pipeline's EventBridge rule (constructs/triggers.py, OnExecutionFailed) still announces
#           the failed execution on the failure topic.
ON_FAILURE = ("notify", "stop")
# A pipeline's name is its state machine's name, its stack's name suffix, its S3 prefix and the start
# of its job names: the intersection of those rules is 1-80 letters, digits and hyphens (CloudFormation
# stack names allow no '_', nor do SageMaker job names). The CDK app checks the same pattern.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,79}$")
NAME_RULE = "1-80 letters, digits or '-', starting with a letter or digit"


def build_sequence(steps: list[Any], *, scope: Scope, where: str = "steps") -> tuple[str, dict[str, State]]:
    """Build ``steps`` (a list of step mappings) in one scope; returns (StartAt, States)."""
    ctx = scope.ctx
    specs: list[StepSpec] = []
    for i, raw in enumerate(steps):
        if not isinstance(raw, dict):
            raise ctx.error(f"{where}[{i}] must be a mapping with name and type, found {found(raw)}")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ctx.error(f"{where}[{i}] needs a name (a non-empty string), found {found(name)}", field="name")
        spec = StepSpec(raw, file=ctx.file, name=name)
        kind = raw.get("type")
        if not isinstance(kind, str) or kind not in BUILDERS:
            raise spec.error(f"unknown step type {kind!r}{did_you_mean(str(kind), BUILDERS)}; "
                             f"expected one of {', '.join(BUILDERS)}", field="type")
        ctx.claim(name, step=name)
        specs.append(spec)
    names = [s.name for s in specs]
    states: dict[str, State] = {}
    for i, spec in enumerate(specs):
        following = names[i + 1] if i + 1 < len(names) else None
        next_name = _next_of(spec, following)
        try:
            built = BUILDERS[spec.raw["type"]](spec, next_name, scope)
        except ValueError as exc:
            raise spec.error(str(exc)) from exc
        states.update(built)
    _check_targets(specs, states, ctx)
    return names[0], states


def _next_of(spec: StepSpec, following: str | None) -> str | None:
    explicit = spec.take("next", (str,))
    end = spec.take("end", (bool,), default=False)
    if spec.raw["type"] in TERMINAL_TYPES:
        if explicit is not None or end:
            raise spec.error(f"a {spec.raw['type']} step does not take next/end "
                             "(its rules or its kind decide where it goes)", field="next" if explicit else "end")
        return following
    if explicit is not None and end:
        raise spec.error("give either next or end: true, not both", field="next")
    if end:
        return None
    return explicit if explicit is not None else following


def _check_targets(specs: list[StepSpec], states: dict[str, State], ctx: BuildContext) -> None:
    """Every transition must name a state of the same scope (or the failure path, at top level)."""
    known = set(states) | set(ctx.failure_states)
    for spec in specs:
        for field, target in _targets(spec):
            if target not in known:
                raise spec.error(f"no step named {target!r} here; steps in this scope: {', '.join(sorted(states))}",
                                 field=field)


def _targets(spec: StepSpec) -> list[tuple[str, str]]:
    raw = spec.raw
    out = [("next", raw["next"])] if isinstance(raw.get("next"), str) else []
    for key in ("if_true", "if_false", "default"):
        if isinstance(raw.get(key), str):
            out.append((key, raw[key]))
    for key in ("choices", "catch"):
        for item in raw.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("Next"), str):
                out.append((key, item["Next"]))
    return out


def build_pipeline(doc: Any, *, file: str, expected_name: str | None = None) -> Pipeline:
    """A parsed pipeline document -> :class:`Pipeline`. ``expected_name`` (default None): the file
    stem the ``name`` must equal."""
    if not isinstance(doc, dict):
        raise PipelineError(f"expected a mapping with {', '.join(TOP_LEVEL[:2])} and steps, found {found(doc)}", file=file)
    unknown = sorted(set(doc) - set(TOP_LEVEL))
    if unknown:
        raise PipelineError(f"unknown top-level key; allowed: {', '.join(TOP_LEVEL)}", file=file, field=unknown[0])
    name = doc.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise PipelineError(f"expected {NAME_RULE} (it names the state machine, its CloudFormation stack and its "
                            f"S3 prefix), found {found(name)}", file=file, field="name")
    if expected_name is not None and name != expected_name:
        raise PipelineError(f"{name!r} differs from the file name {expected_name!r}: "
                            f"pipelines/<name>.yaml must hold pipeline <name>", file=file, field="name")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise PipelineError(f"expected a string, found {found(description)}", file=file, field="description")
    example_input = doc.get("input", {})
    if not isinstance(example_input, dict):
        raise PipelineError(f"expected a mapping (the example execution input), found {found(example_input)}",
                            file=file, field="input")
    # A JSON Schema of the execution input: validate's data-flow rule follows its shape (else the example's).
    input_schema = doc.get("input_schema")
    if input_schema is not None and not isinstance(input_schema, dict):
        raise PipelineError(f"expected a mapping (a JSON Schema of the execution input), found {found(input_schema)}",
                            file=file, field="input_schema")
    trigger_prefix = _trigger(doc.get("trigger"), file=file)
    timeout = doc.get("timeout_seconds")
    if timeout is not None and (not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 1):
        raise PipelineError(f"expected a positive integer, found {found(timeout)}", file=file, field="timeout_seconds")
    steps = doc.get("steps")
    if not isinstance(steps, list) or not steps:
        raise PipelineError(f"expected a non-empty list of steps, found {found(steps)}", file=file, field="steps")
    from sagemaker_sfn.pipeline.defaults import check_defaults, check_placeholders

    declared = check_placeholders(doc.get("placeholders"), file=file)
    on_failure = doc.get("on_failure", "notify")
    if on_failure not in ON_FAILURE:
        raise PipelineError(f"expected one of {', '.join(ON_FAILURE)} (notify: each step's failure is published "
                            f"to the failure topic, then a Fail state ends the run; stop: the run fails in the step, "
                            f"which a redrive re-runs), found {found(on_failure)}", file=file, field="on_failure")
    ctx = BuildContext(file=file, pipeline=name, defaults=check_defaults(doc.get("defaults"), file=file),
                       on_failure=on_failure)
    start, states = build_sequence(steps, scope=Scope(ctx=ctx, nested=False))
    states.update(ctx.failure_states)
    definition = state_machine(start_at=start, states=states, comment=description or None, timeout_seconds=timeout)
    definition = cache_steps(definition, ctx)
    _check_placeholders(definition, example_input, file=file, declared=set(declared))
    return Pipeline(name=name, description=description, example_input=example_input,
                    trigger_prefix=trigger_prefix, definition=definition, placeholders=declared,
                    input_schema=input_schema)


def _trigger(trigger: Any, *, file: str) -> str | None:
    if trigger is None:
        return None
    if not isinstance(trigger, dict) or set(trigger) - {"s3_prefix"}:
        raise PipelineError("expected a mapping with s3_prefix only", file=file, field="trigger")
    prefix = trigger.get("s3_prefix")
    if not isinstance(prefix, str) or not prefix or prefix.startswith("/"):
        raise PipelineError(f"expected a key prefix in the data bucket such as 'my-pipeline/input/', found {found(prefix)}",
                            file=file, field="trigger.s3_prefix")
    return prefix


def _check_placeholders(definition: dict[str, Any], example_input: dict[str, Any], *, file: str,
                        declared: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Only the conventional ``${Name}`` placeholders (docs/CONVENTIONS.md) and the file's declared
    ones (``placeholders:``) may appear."""
    from sagemaker_sfn.local.bindings import local_value
    from sagemaker_sfn.project import placeholders_in

    for where, value in (("steps", definition["States"]), ("input", example_input)):
        for name in sorted(placeholders_in(value) - declared):
            try:
                local_value(name)
            except DefinitionError as exc:
                step = _step_using(definition["States"], f"${{{name}}}") if where == "steps" else None
                raise PipelineError(f"{exc}, or declare it under placeholders: (with a description)", file=file,
                                    step=step, field=None if step else where) from exc


def _step_using(states: dict[str, State], text: str) -> str | None:
    import json
    for name, state in states.items():
        if text in json.dumps(state):
            return name
    return None
