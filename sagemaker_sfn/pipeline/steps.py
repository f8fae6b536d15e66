"""One builder per step ``type``: a step mapping in, its states (name -> ASL state) out.

A builder receives the state to go to afterwards (``next_name``; None ends the scope) and the
:class:`Scope` it lives in. The first state it returns is named after the step, so ``next:`` and
Choice rules can target any step by its name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sagemaker_sfn.asl import states as asl
from sagemaker_sfn.asl.paths import result_key
from sagemaker_sfn.asl.states import State
from sagemaker_sfn.pipeline.cache import JOB_TYPES, take_cache
from sagemaker_sfn.pipeline.context import BuildContext
from sagemaker_sfn.pipeline.spec import StepSpec
from sagemaker_sfn.sagemaker import (clarify, create_endpoint, create_endpoint_config,
                                     create_hyper_parameter_tuning_job, create_model, create_model_package,
                                     create_processing_job, create_training_job, create_transform_job,
                                     deploy_endpoint, update_endpoint)
from sagemaker_sfn.asl.policies import DEFAULT
from sagemaker_sfn.tasks import approval, callback, lambda_invoke, metric_gate, sns_publish


@dataclass
class Scope:
    """Where steps are built: the whole machine (``nested`` False) or a Parallel branch / Map."""

    ctx: BuildContext
    nested: bool
    in_map: bool = False   # inside a Map iteration: generated job names must be random (see names.job_name)

    def default_catch(self, step: str) -> list[dict[str, Any]] | None:
        # Inside a branch a Catch cannot leave the branch: the enclosing Parallel/Map catches.
        # `on_failure: stop`: none at all, so a redrive re-runs the failed step (pipeline.assemble).
        return None if self.nested or self.ctx.on_failure == "stop" else self.ctx.failure_catch(step)


Builder = Callable[[StepSpec, "str | None", Scope], dict[str, State]]
TASK_OPTIONS = ("retry", "catch", "result_path", "result_selector", "comment", "next", "end")
# A step built as states of its own shapes its result itself: no result_selector.
GENERATED_STEP_OPTIONS = ("retry", "catch", "result_path", "comment", "next", "end")


def _transition(next_name: str | None) -> dict[str, Any]:
    return {"next": next_name} if next_name is not None else {"end": True}


def _retry(spec: StepSpec) -> Any:
    value = spec.take("retry", (list, bool))
    if value is None or value is True:
        return DEFAULT
    if value is False or value == []:
        return None
    _check_items(spec, "retry", value, "ErrorEquals")
    return value


def _generated_step_options(spec: StepSpec, scope: Scope) -> tuple[Any, list[dict[str, Any]] | None, str]:
    """(retry, catch, result key) of a step built as states of its own (function, notebook, quality
    and clarify checks): the key is ``result_path`` without ``$.``, default the step's name."""
    catch = _catch(spec, scope)
    retry = _retry(spec)
    result_path = spec.take("result_path", (str,))
    return retry, catch, (result_path or f"$.{result_key(spec.name)}").removeprefix("$.")


def _claim_generated(spec: StepSpec, scope: Scope, states: dict[str, State], *,
                     options: tuple[str, ...]) -> dict[str, State]:
    """Reserve the names of the states after the step's first (its own name is claimed already)
    and refuse options other than the task options and the step type's ``options``."""
    for name in list(states)[1:]:
        scope.ctx.claim(name, step=spec.name)
    spec.finish(allowed=GENERATED_STEP_OPTIONS + options)
    return states


def _catch(spec: StepSpec, scope: Scope) -> list[dict[str, Any]] | None:
    value = spec.take("catch", (list, bool))
    if value is None or value is True:
        return scope.default_catch(spec.name)
    if value is False or value == []:
        return None
    _check_items(spec, "catch", value, "ErrorEquals", "Next")
    return value


def _check_items(spec: StepSpec, field: str, items: list[Any], *required: str) -> None:
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise spec.error(f"item {i} must be a mapping (ASL {field.capitalize()} entry)", field=field)
        for key in required:
            if key not in item:
                raise spec.error(f"item {i} needs {key}", field=field)


def _common(spec: StepSpec, scope: Scope, *, default_result: bool = True) -> dict[str, Any]:
    options: dict[str, Any] = {
        "retry": _retry(spec),
        "catch": _catch(spec, scope),
        "result_selector": spec.take("result_selector", (dict,)),
        "comment": spec.take("comment", (str,)),
        "result_path": spec.take("result_path", (str, type(None))),
    }
    if options["result_path"] is None and default_result and not spec.has("result_path"):
        options["result_path"] = f"$.{result_key(spec.name)}"
    return options


def _finish(spec: StepSpec, states: dict[str, State], *extra: str, options: tuple[str, ...] = TASK_OPTIONS) -> dict[str, State]:
    spec.finish(allowed=options + extra)
    first = states[spec.name]
    if spec.has("result_path") and spec.raw["result_path"] is None:
        first["ResultPath"] = None   # explicit null: discard the result, keep the input
    return states


def _request(spec: StepSpec, scope: Scope | None = None) -> dict[str, Any]:
    """The step's request, under the pipeline's `defaults:` for a job step (pipeline.defaults)."""
    request = spec.take("request", (dict,), required=True)
    if scope is None:
        return request
    from sagemaker_sfn.pipeline.defaults import apply_defaults

    return apply_defaults(spec.raw["type"], request, scope.ctx.defaults)


def _sagemaker(module: Any, function: str, *, name: bool = True) -> Builder:
    def build(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
        options = _common(spec, scope)
        extra: dict[str, Any] = {"integration": spec.take("integration", (str,))}
        if name:
            extra["name_prefix"] = spec.take("name_prefix", (str,))
            extra["step_name"] = spec.name
            extra["random_name"] = scope.in_map
        take_cache(spec, scope.ctx)
        state = getattr(module, function)(request=_request(spec, scope), **extra, **options, **_transition(next_name))
        cache = ("cache",) if spec.raw.get("type") in JOB_TYPES else ()
        return _finish(spec, {spec.name: state}, "request", "integration", *cache, *(("name_prefix",) if name else ()))
    return build


def _register_model(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    options = _common(spec, scope)
    state = create_model_package.register_model_step(
        request=_request(spec), approval_status=spec.take("approval_status", (str,)),
        integration=spec.take("integration", (str,)), **options, **_transition(next_name))
    return _finish(spec, {spec.name: state}, "request", "approval_status", "integration")


def _clarify(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    options = _common(spec, scope)
    state = clarify.clarify_step(
        analysis_config_uri=spec.take("analysis_config", (str,), required=True),
        dataset_uri=spec.take("dataset", (str,), required=True),
        output_uri=spec.take("output", (str,), required=True),
        overrides=_clarify_overrides(spec, scope), integration=spec.take("integration", (str,)),
        name_prefix=spec.take("name_prefix", (str,)), step_name=spec.name, random_name=scope.in_map,
        **options, **_transition(next_name))
    return _finish(spec, {spec.name: state}, "analysis_config", "dataset", "output", "request", "integration",
                   "name_prefix")


def _clarify_overrides(spec: StepSpec, scope: Scope) -> dict[str, Any] | None:
    from sagemaker_sfn.pipeline.defaults import apply_defaults

    return apply_defaults("clarify", spec.take("request", (dict,)), scope.ctx.defaults)


def _lambda(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    options = _common(spec, scope)
    if not spec.has("result_selector"):
        options["result_selector"] = DEFAULT
    state = lambda_invoke.lambda_step(
        function_arn=spec.take("function", (str,), required=True), payload=spec.take("payload", (dict, list, str)),
        integration=spec.take("integration", (str,)), timeout_seconds=spec.take("timeout_seconds", (int,)),
        **options, **_transition(next_name))
    return _finish(spec, {spec.name: state}, "function", "payload", "integration", "timeout_seconds")


def _sns(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    options = _common(spec, scope, default_result=False)
    options.pop("result_selector")
    state = sns_publish.sns_step(
        topic_arn=spec.take("topic", (str,), default=sns_publish.FAILURE_TOPIC),
        message=spec.take("message", (str, dict), required=True), subject=spec.take("subject", (str,)),
        **options, **_transition(next_name))
    return _finish(spec, {spec.name: state}, "topic", "message", "subject",
                   options=tuple(o for o in TASK_OPTIONS if o != "result_selector"))


def _callback(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    options = _common(spec, scope)
    options.pop("result_selector")
    retry = options.pop("retry")
    state = callback.callback_step(
        message=spec.take("message", (dict,)), queue_url=spec.take("queue", (str,), default=callback.QUEUE),
        timeout_seconds=spec.take("timeout_seconds", (int,), default=86400),
        heartbeat_seconds=spec.take("heartbeat_seconds", (int,)),
        retry=None if retry is DEFAULT else retry, **options, **_transition(next_name))
    return _finish(spec, {spec.name: state}, "message", "queue", "timeout_seconds", "heartbeat_seconds",
                   options=tuple(o for o in TASK_OPTIONS if o != "result_selector"))


def _metric_gate(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    if_true = spec.take("if_true", (str,)) or next_name
    if if_true is None:
        raise spec.error("the gate is the last step: say where a passing gate goes", field="if_true")
    catch = _catch(spec, scope)
    scope.ctx.claim(metric_gate.choice_state_name(spec.name), step=spec.name)
    states = metric_gate.metric_gate_states(
        name=spec.name, bucket=spec.take("bucket", (str,), required=True), key=spec.take("key", (str,), required=True),
        metric=spec.take("metric", (str,), required=True), operator=spec.take("operator", (str,), default="<="),
        threshold=spec.take("threshold", (float,)), threshold_path=spec.take("threshold_path", (str,)),
        if_true=if_true, if_false=spec.take("if_false", (str,), required=True),
        result_path=spec.take("result_path", (str,)), retry=_retry(spec), catch=catch,
        comment=spec.take("comment", (str,)))
    return _finish(spec, states, "bucket", "key", "metric", "operator", "threshold", "threshold_path", "if_true",
                   "if_false", options=("retry", "catch", "result_path", "comment"))


def _failure_target(catch: list[dict[str, Any]] | None) -> str | None:
    """Where a multi-state step sends a failure it detects itself: the catcher of every error
    (the failure path at top level), else None (the step ends in its own Fail state)."""
    for catcher in catch or []:
        if "States.ALL" in catcher.get("ErrorEquals", []):
            return catcher["Next"]
    return None


def _deploy(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    catch = _catch(spec, scope)
    result_path = spec.take("result_path", (str,)) or f"$.{result_key(spec.name)}"
    states = deploy_endpoint.deploy_states(
        name=spec.name, endpoint_name=spec.take("endpoint_name", (str,), required=True),
        endpoint_config=spec.take("endpoint_config", (dict,), required=True), model=spec.take("model", (dict,)),
        update=spec.take("update", (dict,)), alarms=spec.take("alarms", (list,)),
        poll_seconds=spec.take("poll_seconds", (int,), default=deploy_endpoint.DEFAULT_POLL_SECONDS),
        timeout_seconds=spec.take("timeout_seconds", (int,), default=deploy_endpoint.DEFAULT_TIMEOUT_SECONDS),
        name_prefix=spec.take("name_prefix", (str,)), result_path=result_path, failure_next=_failure_target(catch),
        retry=_retry(spec), catch=catch, random_name=scope.in_map, comment=spec.take("comment", (str,)),
        **_transition(next_name))
    for state_name in states:
        if state_name != spec.name:
            scope.ctx.claim(state_name, step=spec.name)
    return _finish(spec, states, "endpoint_name", "endpoint_config", "model", "update", "alarms", "poll_seconds",
                   "timeout_seconds", "name_prefix", options=("retry", "catch", "result_path", "comment", "next", "end"))


def _approval(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    catch = _catch(spec, scope)
    result_path = spec.take("result_path", (str,)) or f"$.{result_key(spec.name)}"
    states = approval.approval_states(
        name=spec.name, model_package_arn=spec.take("model_package", (str,), required=True),
        function_arn=spec.take("function", (str,), default=approval.FUNCTION),
        timeout_seconds=spec.take("timeout_seconds", (int,), default=approval.DEFAULT_TIMEOUT_SECONDS),
        result_path=result_path, failure_next=_failure_target(catch), retry=_retry(spec), catch=catch,
        comment=spec.take("comment", (str,)), **_transition(next_name))
    for state_name in states:
        if state_name != spec.name:
            scope.ctx.claim(state_name, step=spec.name)
    return _finish(spec, states, "model_package", "function", "timeout_seconds",
                   options=("retry", "catch", "result_path", "comment", "next", "end"))


def _pass(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    state = asl.pass_(parameters=spec.take("parameters", (dict,)), result=spec.take("result", (dict, list, str, int, float, bool)),
                      result_path=spec.take("result_path", (str, type(None))), comment=spec.take("comment", (str,)),
                      **_transition(next_name))
    return _finish(spec, {spec.name: state}, "parameters", "result", options=("result_path", "comment", "next", "end"))


def _choice(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    choices = spec.take("choices", (list,), required=True)
    _check_items(spec, "choices", choices, "Next")
    state = asl.choice(choices=choices, default=spec.take("default", (str,)), comment=spec.take("comment", (str,)))
    return _finish(spec, {spec.name: state}, "choices", "default", options=("comment",))


def _wait(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    try:
        state = asl.wait(seconds=spec.take("seconds", (int,)), seconds_path=spec.take("seconds_path", (str,)),
                         timestamp=spec.take("timestamp", (str,)), timestamp_path=spec.take("timestamp_path", (str,)),
                         comment=spec.take("comment", (str,)), **_transition(next_name))
    except ValueError as exc:
        raise spec.error(str(exc), field="seconds") from exc
    return _finish(spec, {spec.name: state}, "seconds", "seconds_path", "timestamp", "timestamp_path",
                   options=("comment", "next", "end"))


def _parallel(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    from sagemaker_sfn.pipeline.assemble import build_sequence

    branches = spec.take("branches", (list,), required=True)
    if not branches:
        raise spec.error("needs at least one branch", field="branches")
    rendered = []
    for i, steps in enumerate(branches):
        if not isinstance(steps, list) or not steps:
            raise spec.error(f"branch {i} must be a non-empty list of steps", field="branches")
        start, states = build_sequence(steps, scope=Scope(ctx=scope.ctx, nested=True, in_map=scope.in_map),
                                       where=f"branches[{i}]")
        rendered.append(asl.branch(start_at=start, states=states))
    options = _common(spec, scope)
    retry = options.pop("retry")
    state = asl.parallel(branches=rendered, retry=None if retry is DEFAULT else retry, **options,
                         **_transition(next_name))
    return _finish(spec, {spec.name: state}, "branches")


def _map(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    from sagemaker_sfn.pipeline.assemble import build_sequence

    steps = spec.take("steps", (list,), required=True)
    if not steps:
        raise spec.error("needs at least one step", field="steps")
    start, states = build_sequence(steps, scope=Scope(ctx=scope.ctx, nested=True, in_map=True), where="steps")
    options = _common(spec, scope)
    retry = options.pop("retry")
    state = asl.map_(processor=asl.branch(start_at=start, states=states),
                     items_path=spec.take("items_path", (str,)), item_selector=spec.take("item_selector", (dict,)),
                     max_concurrency=spec.take("max_concurrency", (int,)), retry=None if retry is DEFAULT else retry,
                     **options, **_transition(next_name))
    return _finish(spec, {spec.name: state}, "steps", "items_path", "item_selector", "max_concurrency")


def _succeed(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    return _finish(spec, {spec.name: asl.succeed(comment=spec.take("comment", (str,)))}, options=("comment",))


def _fail(spec: StepSpec, next_name: str | None, scope: Scope) -> dict[str, State]:
    state = asl.fail(error=spec.take("error", (str,)), cause=spec.take("cause", (str,)),
                     comment=spec.take("comment", (str,)))
    return _finish(spec, {spec.name: state}, "error", "cause", options=("comment",))


BUILDERS: dict[str, Builder] = {
    "training": _sagemaker(create_training_job, "training_step"),
    "tuning": _sagemaker(create_hyper_parameter_tuning_job, "tuning_step"),
    "transform": _sagemaker(create_transform_job, "transform_step"),
    "processing": _sagemaker(create_processing_job, "processing_step"),
    "clarify": _clarify,
    "model": _sagemaker(create_model, "model_step"),
    "endpoint-config": _sagemaker(create_endpoint_config, "endpoint_config_step"),
    "endpoint": _sagemaker(create_endpoint, "endpoint_step", name=False),
    "update-endpoint": _sagemaker(update_endpoint, "update_endpoint_step", name=False),
    "register-model": _register_model,
    "deploy": _deploy,
    "approval": _approval,
    "lambda": _lambda,
    "sns": _sns,
    "callback": _callback,
    "metric-gate": _metric_gate,
    "pass": _pass,
    "choice": _choice,
    "wait": _wait,
    "parallel": _parallel,
    "map": _map,
    "succeed": _succeed,
    "fail": _fail,
}
from sagemaker_sfn.pipeline.emr_step import build_emr  # noqa: E402  (it reuses the helpers above)

from sagemaker_sfn.pipeline.function_step import build_function  # noqa: E402
from sagemaker_sfn.pipeline.quality_check_step import build_quality_check  # noqa: E402
from sagemaker_sfn.pipeline.clarify_check_step import build_clarify_check  # noqa: E402
from sagemaker_sfn.pipeline.notebook_step import build_notebook  # noqa: E402

BUILDERS["emr"] = build_emr
BUILDERS["function"] = build_function
BUILDERS["quality-check"] = build_quality_check
BUILDERS["clarify-check"] = build_clarify_check
BUILDERS["notebook"] = build_notebook

# Types whose states never continue: `next`/`end` make no sense on them.
TERMINAL_TYPES = {"choice", "succeed", "fail", "metric-gate"}
