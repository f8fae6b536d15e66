"""Evaluation helpers for one state run: paths, payload templates, JSONata bindings, Assign."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sagemaker_sfn.local.interpreter import jsonata_eval
from sagemaker_sfn.local.interpreter.messages import states_error
from sagemaker_sfn.local.interpreter.paths import (PathNotFound, merge_result, render_template, resolve, segments,
                                                   to_json)

if TYPE_CHECKING:
    from sagemaker_sfn.local.interpreter.engine import Engine, Scope

_UNSET: Any = object()


def canonical(path: str) -> str:
    """``$.a.b`` -> ``$['a']['b']``: how AWS echoes a path in 'No results for path' causes."""
    try:
        steps = segments(path)
    except ValueError:
        return path
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f"['{step}']" for step in steps)


def next_of(state: dict[str, Any]) -> str | None:
    return None if state.get("End") else state.get("Next")


@dataclass
class Step:
    """One run of one state."""

    engine: Engine
    scope: Scope
    name: str
    state: dict[str, Any]
    raw_input: Any
    query_language: str
    entered_id: int
    entered_time: datetime
    entered_previous: int = 0
    # What an EvaluationFailed event links to: what preceded Entered (default), or Entered itself
    # for fields evaluated once the state runs (a Wait's Seconds / Timestamp, AWS-recorded).
    evaluation_previous: int | None = None
    retry_count: int = 0
    task_token: str | None = None
    assigned: dict[str, Any] | None = field(default=None)

    @property
    def jsonata(self) -> bool:
        return self.query_language == "JSONata"

    def context(self) -> dict[str, Any]:
        retryable = self.state.get("Type") in ("Task", "Parallel", "Map")
        return self.engine.context(scope=self.scope, state_name=self.name, entered=self.entered_time,
                                   retry_count=self.retry_count if retryable else None, task_token=self.task_token)

    def error_prefix(self) -> str:
        return f"An error occurred while executing the state '{self.name}' (entered at the event id #{self.entered_id}). "

    # -- JSONPath ---------------------------------------------------------------------------------
    def resolve_path(self, path: str, data: Any) -> Any:
        """Read a path; PathNotFound propagates for the caller to word."""
        return resolve(path, data=data, context=self.context(), variables=self.scope.variables)

    def evaluate_value(self, expression: str, data: Any, *, field_name: str) -> Any:
        """A ``.$`` value: an intrinsic function call or a path (input, ``$$`` context or variable)."""
        if expression.startswith("States."):
            return self.intrinsic(expression, data)
        try:
            return self.resolve_path(expression, data)
        except PathNotFound:
            raise states_error("field_path_not_found", path=expression, field=field_name, input=to_json(data)) from None

    def intrinsic(self, expression: str, data: Any) -> Any:
        from sagemaker_sfn.local.interpreter.intrinsics import evaluate_intrinsic

        def resolve_argument(path: str) -> Any:
            try:
                return self.resolve_path(path, data)
            except PathNotFound:
                raise states_error("intrinsic_path_not_found", path=path, input=to_json(data)) from None

        return evaluate_intrinsic(expression, resolve_path=resolve_argument)

    def template(self, template: Any, data: Any) -> Any:
        return render_template(template, evaluate=lambda expression, key: self.evaluate_value(
            expression, data, field_name=key))

    def select_path(self, field_name: str, data: Any) -> Any:
        """InputPath / OutputPath: absent keeps ``data``, null gives ``{}``."""
        if field_name not in self.state:
            return data
        path = self.state[field_name]
        if path is None:
            return {}
        try:
            return self.resolve_path(path, data)
        except PathNotFound:
            raise states_error("path_no_results", path=path, canonical=canonical(path)) from None

    def input_path(self) -> Any:
        return self.select_path("InputPath", self.raw_input) if not self.jsonata else self.raw_input

    def effective_input(self) -> Any:
        """What a Task or Parallel state works on: InputPath then Parameters, or JSONata Arguments
        (the state's input when there are none) — the head Task, Parallel and Pass states share."""
        if self.jsonata:
            if "Arguments" in self.state:
                return self.jsonata_value(self.state["Arguments"], field_name="Arguments")
            return self.raw_input
        effective = self.input_path()
        if "Parameters" in self.state:
            effective = self.template(self.state["Parameters"], effective)
        return effective

    def finish(self, result: Any) -> tuple[Any, str | None]:
        """The state's output and next state from its result: ResultSelector / Assign / ResultPath /
        OutputPath, or JSONata Assign / Output — the tail Task, Parallel and Map states share."""
        if self.jsonata:
            self.assign_jsonata(result=result)
            return self.jsonata_output(result, result=result), next_of(self.state)
        if "ResultSelector" in self.state:
            result = self.template(self.state["ResultSelector"], result)
        self.assign_jsonpath(result)
        output = merge_result(self.state.get("ResultPath", "$"), state_input=self.raw_input, result=result)
        return self.output_path(output), next_of(self.state)

    def output_path(self, data: Any) -> Any:
        return self.select_path("OutputPath", data)

    def assign_jsonpath(self, data: Any, assign: Any = _UNSET) -> None:
        """Evaluate ``Assign`` against ``data`` (the state's result); applied after the state ends."""
        spec = self.state.get("Assign") if assign is _UNSET else assign
        if spec is None:
            return
        self.assigned = self.template(spec, data)

    # -- JSONata ----------------------------------------------------------------------------------
    def bindings(self, *, result: Any = _UNSET, error_output: Any = _UNSET) -> dict[str, Any]:
        states: dict[str, Any] = {"input": self.raw_input, "context": self.context()}
        if result is not _UNSET:
            states["result"] = result
        if error_output is not _UNSET:
            states["errorOutput"] = error_output
        return {**self.scope.variables, "states": states}

    def jsonata_value(self, value: Any, *, field_name: str, **states: Any) -> Any:
        return jsonata_eval.render(value, bindings=self.bindings(**states), field=field_name)

    def assign_jsonata(self, assign: Any = _UNSET, **states: Any) -> None:
        spec = self.state.get("Assign") if assign is _UNSET else assign
        if spec is None:
            return
        self.assigned = self.jsonata_value(spec, field_name="Assign", **states)

    def jsonata_output(self, default: Any, output: Any = _UNSET, **states: Any) -> Any:
        spec = self.state.get("Output", _UNSET) if output is _UNSET else output
        if spec is _UNSET:
            return default
        return self.jsonata_value(spec, field_name="Output", **states)
