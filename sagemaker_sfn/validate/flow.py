"""The shapes pass: what is known about every state's input, followed from the execution input
through every state, edge, branch and iteration, and the data-flow findings met on the way
(rule ``data-flow``).

Semantics followed (Amazon States Language, "Input and output processing"): InputPath selects the
effective input; Parameters (or a Pass state's Result) build the request or result; a Task's result
is its integration's answer (botocore output shapes: ``Describe*`` for SageMaker ``.sync``, the
called operation's response otherwise); ResultSelector reshapes it; ResultPath writes it into the
state's *raw* input (absent: replaces it; null: discards it); OutputPath selects the output. A
catcher's edge carries the input with ``{Error, Cause}`` at its ResultPath. A Map's result is the
array of its iterations' outputs, a Parallel's the array of its branches' outputs. A state's input
is the join of what arrives on every edge into it: a field that some edges lack is *maybe* present.

Only certainties are reported: an error when a reference fails on every path into the state (or a
value's type can never be what the consumer takes), a warning when it certainly fails on some paths
only, nothing where the shape is not known (a Lambda's payload, an undeclared execution input).
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sagemaker_sfn.validate import shape_sources as sources
from sagemaker_sfn.validate import shapes as S
from sagemaker_sfn.validate.findings import Finding, error, location_of, show, warning
from sagemaker_sfn.validate.model import Scope, StateRef, nested_scopes, states_of
from sagemaker_sfn.validate.resources import integration_of
from sagemaker_sfn.validate.task_results import sync_hint, task_result

RULE = "data-flow"
_MAX_VISITS = 4                # re-evaluations of a state in a loop before its input is widened to unknown
_VARIABLE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
_JSONATA_REFERENCE = re.compile(r"^\s*\$(states\.input|states\b[\w.]*|[A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$")
# Fields of a JSONata state whose expressions must yield a value (Comment is never evaluated).
_JSONATA_EVALUATED = ("Output", "Arguments", "Assign", "Items", "ItemSelector", "Timestamp", "Seconds")

class Facts:
    """What the pass learnt: each state's input shape (by location) and the data-flow findings."""

    def __init__(self) -> None:
        self.inputs: dict[str, S.Shape] = {}
        self.findings: dict[str, list[Finding]] = {}

    def input_of(self, location: str) -> S.Shape:
        """The shape of the input of the state at ``location`` (UNKNOWN if never reached)."""
        return self.inputs.get(location, S.UNKNOWN)


def analyse(definition: dict[str, Any], scopes: list[Scope], *, execution_input: S.Shape = S.UNKNOWN) -> Facts:
    """``scopes``: every scope of ``definition``, the top level first (model.all_scopes)."""
    facts = Facts()
    analysis = _Analysis(facts, execution_input)
    analysis.variables = sources.variables([ref for scope in scopes for ref in analysis.refs(scope).values()])
    top = scopes[0]
    analysis.scope(top, execution_input)
    return facts


# --- the pass ----------------------------------------------------------------------------------------

class _State:
    """One evaluation of one state: its findings, kept only from the last evaluation."""

    __slots__ = ("ref", "findings")

    def __init__(self, ref: StateRef) -> None:
        self.ref = ref
        self.findings: list[Finding] = []

    def problem(self, severity: str, path: tuple[str | int, ...], message: str) -> None:
        location = location_of(self.ref.location, path)
        build = error if severity == "error" else warning
        self.findings.append(build(location, RULE, message))


class _Analysis:
    def __init__(self, facts: Facts, execution_input: S.Shape) -> None:
        self.facts = facts
        self.execution_input = execution_input
        self.variables: dict[str, S.Shape] = {}
        self.context = sources.context(execution_input)
        # Per definition, by id() of a JSON node (the definition is not changed while it is analysed).
        self._dynamic: dict[int, bool] = {}
        self._literals: dict[int, S.Shape] = {}
        self._refs: dict[int, dict[str, StateRef]] = {}
        self._resolved: dict[tuple[int, tuple[str | int, ...]], tuple[S.Shape, S.Resolution]] = {}

    def has_dynamic(self, value: Any, depth: int = 0) -> bool:
        """Whether a template subtree holds a ``Key.$`` anywhere (else it is a literal)."""
        key = id(value)
        found = self._dynamic.get(key)
        if found is not None:
            return found
        found = depth > 12
        if not found and isinstance(value, dict):
            for name, item in value.items():
                if (isinstance(name, str) and name.endswith(".$")) or (
                        isinstance(item, (dict, list)) and self.has_dynamic(item, depth + 1)):
                    found = True
                    break
        elif not found and isinstance(value, list):
            for item in value:
                if isinstance(item, (dict, list)) and self.has_dynamic(item, depth + 1):
                    found = True
                    break
        self._dynamic[key] = found
        return found

    def literal(self, value: Any) -> S.Shape:
        """A literal subtree's shape, built on first read and the same object on every evaluation (so a
        loop's inputs compare equal)."""
        key = id(value)
        shape = self._literals.get(key)
        if shape is None:
            shape = self._literals[key] = S.lazy_literal(value)
        return shape

    def literal_with_origin(self, value: Any, name: str) -> S.Shape:
        key = -id(value)  # a Pass Result: same cache, its own origin for messages
        shape = self._literals.get(key)
        if shape is None:
            shape = self._literals[key] = S.lazy_literal(value, origin=f"the Result of '{name}'")
        return shape

    def refs(self, scope: Scope) -> dict[str, StateRef]:
        key = id(scope.body)
        found = self._refs.get(key)
        if found is None:
            found = self._refs[key] = {ref.name: ref for ref in states_of(scope)}
        return found

    def scope(self, scope: Scope, start_input: S.Shape) -> S.Shape:
        """Evaluate every state of ``scope`` reachable from StartAt; the join of its terminal outputs."""
        refs = self.refs(scope)
        start = scope.body.get("StartAt")
        if start not in refs:
            return S.UNKNOWN
        # States run in reverse post-order: in a machine without loops every state is evaluated once,
        # after all its predecessors; a loop's states are evaluated again while their input grows.
        order = _reverse_postorder(refs, start)
        inputs: dict[str, S.Shape] = {start: start_input}
        visits: dict[str, int] = {}
        pending = [(order[start], start)]
        queued = {start}
        terminal_outputs: dict[str, S.Shape] = {}
        while pending:
            name = heapq.heappop(pending)[1]
            queued.discard(name)
            ref = refs[name]
            visits[name] = visits.get(name, 0) + 1
            state_input = inputs[name]
            if visits[name] > _MAX_VISITS:
                state_input = inputs[name] = S.UNKNOWN
            self.facts.inputs[ref.location] = state_input
            record = _State(ref)
            edges, terminal = self.state(ref, state_input, record)
            self.facts.findings[ref.location] = record.findings
            if terminal is not None:
                terminal_outputs[name] = terminal
            for target, shape in edges:
                target_ref = refs.get(target)
                if target_ref is None:
                    continue
                if target_ref.state.get("Type") == "Fail" and "ErrorPath" not in target_ref.state \
                        and "CausePath" not in target_ref.state:
                    shape = S.UNKNOWN  # nothing reads a plain Fail state's input: no join to pay for
                old = inputs.get(target)
                new = shape if old is None else S.join(old, shape)
                # Comparing shapes costs: only a state already evaluated (a loop) needs to know.
                if old is None or target in queued or not (new == old):
                    inputs[target] = new
                    if target not in queued:
                        heapq.heappush(pending, (order.get(target, len(order)), target))
                        queued.add(target)
        outputs = list(terminal_outputs.values())
        return S.join_all(outputs) if outputs else S.UNKNOWN

    # One state: its outgoing edges (target, output shape) and its output when it ends the scope.
    def state(self, ref: StateRef, state_input: S.Shape, record: _State) -> tuple[list[tuple[str, S.Shape]], S.Shape | None]:
        state, kind = ref.state, ref.type
        if ref.jsonata:
            return self._jsonata_state(ref, state_input, record)
        if kind == "Fail":
            for key in ("ErrorPath", "CausePath"):
                if isinstance(state.get(key), str) and not state[key].startswith("States."):
                    self.read(state[key], state_input, record, (key,), what=key)
            return [], None
        effective = self.input_path(state, state_input, record)
        if kind in ("Choice", "Wait", "Succeed"):
            if kind == "Wait":
                self._wait(state, effective, record)
            output = self.output_path(state, effective, record)
            if kind == "Choice":
                self._choice(ref, effective, record)
                edges = [(rule.get("Next"), output) for rule in state.get("Choices") or [] if isinstance(rule, dict)]
                if isinstance(state.get("Default"), str):
                    edges.append((state["Default"], output))
                return [(t, s) for t, s in edges if isinstance(t, str)], None
            if kind == "Succeed":
                return [], output
            return self._next(state, output)
        if kind == "Pass":
            if "Result" in state:
                result = S.lazy_literal(state["Result"], origin=f"the Result of '{ref.name}'") \
                    if not isinstance(state["Result"], (dict, list)) else self.literal_with_origin(state["Result"], ref.name)
            elif isinstance(state.get("Parameters"), dict):
                result = self.template(state["Parameters"], effective, record, ("Parameters",))
            elif "Parameters" in state:
                result = S.lazy_literal(state["Parameters"])  # Parameters of any JSON type: a literal
            else:
                result = effective
        elif kind == "Task":
            if isinstance(state.get("Parameters"), dict):
                # The request itself flows nowhere: only its reads (and, for SageMaker, their types) matter.
                self._request(ref, effective, record)
            for key in ("TimeoutSecondsPath", "HeartbeatSecondsPath"):
                if isinstance(state.get(key), str):
                    # Which input these read (raw or after InputPath) is not documented: a finding needs
                    # the path to fail on both.
                    probe = _State(ref)
                    self.read(state[key], state_input, probe, (key,), what=key)
                    data = state_input if not probe.findings else effective
                    self._number_path(key, state[key], data, record, integer=True, low=1)
            result = task_result(ref)
            result = self.result_selector(state, result, record)
        elif kind == "Map":
            result = self._map(ref, state_input, effective, record)
            result = self.result_selector(state, result, record)
        elif kind == "Parallel":
            branch_input = effective
            if isinstance(state.get("Parameters"), dict):
                branch_input = self.template(state["Parameters"], effective, record, ("Parameters",))
            outputs = tuple(self.scope(scope, branch_input) for scope in nested_scopes(ref))
            result = S.array(items=outputs, origin=f"the result of Parallel '{ref.name}'")
            result = self.result_selector(state, result, record)
        else:
            return [], None
        output = self.result_path(state, state_input, result, record)
        output = self.output_path(state, output, record)
        edges, terminal = self._next(state, output)
        for index, catcher in enumerate(state.get("Catch") or []):
            if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
                caught = self.result_path(catcher, state_input, sources.ERROR_OBJECT, record, ("Catch", index))
                edges.append((catcher["Next"], caught))
        return edges, terminal

    @staticmethod
    def _next(state: dict[str, Any], output: S.Shape) -> tuple[list[tuple[str, S.Shape]], S.Shape | None]:
        if isinstance(state.get("Next"), str):
            return [(state["Next"], output)], None
        return [], output if state.get("End") is True else None

    # --- JSONata states: only what is certain without evaluating expressions ----------------------
    def _jsonata_state(self, ref: StateRef, state_input: S.Shape, record: _State) -> tuple[list[tuple[str, S.Shape]], S.Shape | None]:
        state, kind = ref.state, ref.type
        self._jsonata_references(state, state_input, record)
        for key, wanted in (("Items", "array"), ("Timestamp", "timestamp"), ("Seconds", "seconds")):
            value = state.get(key)
            if isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and kind in ("Map", "Wait"):
                shape = self._jsonata_shape(value[2:-2], state_input, _State(ref), ())
                self._check_kind(shape, key, wanted, record, (key,), f"{key} {value.strip()}")
        if kind in ("Map", "Parallel"):
            for scope in nested_scopes(ref):
                self.scope(scope, S.UNKNOWN)
        if kind == "Fail":
            return [], None
        if "Output" in state:
            output = sources.jsonata_template(state["Output"])
        elif kind in ("Pass", "Wait", "Choice", "Succeed"):
            output = state_input
        elif kind == "Task":
            output = task_result(ref)
        else:
            output = S.UNKNOWN
        if kind == "Choice":
            edges = [(rule.get("Next"), output) for rule in state.get("Choices") or [] if isinstance(rule, dict)]
            if isinstance(state.get("Default"), str):
                edges.append((state["Default"], output))
            return [(t, s) for t, s in edges if isinstance(t, str)], None
        if kind == "Succeed":
            return [], output
        edges, terminal = self._next(state, output)
        for catcher in state.get("Catch") or []:
            if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
                edges.append((catcher["Next"], sources.jsonata_template(catcher["Output"]) if "Output" in catcher else state_input))
        return edges, terminal

    def _jsonata_references(self, state: dict[str, Any], state_input: S.Shape, record: _State) -> None:
        """Expressions that are one plain reference (``$name.a.b``, ``$states.input.a``) in the fields
        that fail on an undefined value (AWS: "returned nothing (undefined)", States.QueryEvaluationError)."""
        pending: list[tuple[Any, tuple[str | int, ...]]] = [(state[key], (key,)) for key in _JSONATA_EVALUATED if key in state]
        while pending:
            value, path = pending.pop()
            if isinstance(value, str):
                if value.startswith("{%") and value.endswith("%}") and "$" in value:
                    self._jsonata_shape(value[2:-2], state_input, record, path)
            elif isinstance(value, dict):
                pending.extend((item, (*path, key)) for key, item in value.items())
            elif isinstance(value, list):
                pending.extend((item, (*path, index)) for index, item in enumerate(value))

    def _jsonata_shape(self, expression: str, state_input: S.Shape, record: _State, path: tuple[str | int, ...]) -> S.Shape:
        match = _JSONATA_REFERENCE.match(expression)
        if match is None:
            return sources.jsonata_constant(expression)
        root_name, tail = match.group(1), match.group(2)
        shown = expression.strip()
        if root_name == "states.input":
            root, label = state_input, "the state's input ($states.input)"
        elif root_name.startswith("states"):
            return S.UNKNOWN
        elif root_name not in self.variables:
            record.problem("error", path, f"{{% {shown} %}} reads ${root_name}, which no state assigns: the "
                           "expression returns nothing and the state fails (States.QueryEvaluationError)")
            return S.UNKNOWN
        else:
            root, label = self.variables[root_name], f"variable ${root_name}"
        steps = S.steps_of(tail) or ()
        found = S.resolve(root, steps)
        # JSONata maps a field step over an array and yields nothing for a scalar: only a field missing
        # from a value that is certainly an object (and closed) is reported.
        if found.outcome == S.NEVER and found.parent is not None and found.parent.types == {S.OBJECT} \
                and isinstance(found.missing, str):
            record.problem("error", path, f"{{% {shown} %}} returns nothing: {_reason(found, label, '$' + tail, steps)} "
                           "(States.QueryEvaluationError)")
            return S.UNKNOWN
        return found.shape if found.outcome == S.FOUND else S.UNKNOWN

    def _check_kind(self, shape: S.Shape, key: str, wanted: str, record: _State, path: tuple[str | int, ...],
                    what: str) -> None:
        if not shape.known:
            return
        if wanted == "array":
            if S.ARRAY not in shape.types:
                record.problem("error", path, f"{what} is {_describe_value(shape)}: expected an array")
        elif wanted == "timestamp":
            if S.STRING not in shape.types:
                record.problem("error", path, f"{what} is {_describe_value(shape)}: expected an RFC 3339 timestamp string")
            elif shape.has_value and not sources.is_timestamp(shape.value):
                record.problem("error", path, f"{what} is {show(shape.value)}, not an RFC 3339 timestamp: expected "
                               "a string such as \"2026-01-31T12:00:00Z\" (date, 'T', time and offset)")
        elif wanted == "seconds":
            if not shape.types & {S.INTEGER, S.NUMBER}:
                record.problem("error", path, f"{what} is {_describe_value(shape)}: expected a non-negative integer")

    # --- JSONPath input and output processing ---------------------------------------------------
    def input_path(self, state: dict[str, Any], state_input: S.Shape, record: _State) -> S.Shape:
        if "InputPath" not in state:
            return state_input
        path = state["InputPath"]
        if path is None:
            return S.obj({})
        return self.read(path, state_input, record, ("InputPath",), what="InputPath") if isinstance(path, str) else S.UNKNOWN

    def output_path(self, state: dict[str, Any], output: S.Shape, record: _State) -> S.Shape:
        if "OutputPath" not in state:
            return output
        path = state["OutputPath"]
        if path is None:
            return S.obj({})
        return self.read(path, output, record, ("OutputPath",), what="OutputPath") if isinstance(path, str) else S.UNKNOWN

    def result_selector(self, state: dict[str, Any], result: S.Shape, record: _State) -> S.Shape:
        if isinstance(state.get("ResultSelector"), dict):
            return self.template(state["ResultSelector"], result, record, ("ResultSelector",),
                                 root_label="the task's result")
        return result

    def result_path(self, holder: dict[str, Any], state_input: S.Shape, result: S.Shape, record: _State,
                    path: tuple[str | int, ...] = ()) -> S.Shape:
        if "ResultPath" not in holder:
            return result
        target = holder["ResultPath"]
        if target is None:
            return state_input
        if not isinstance(target, str) or not target.startswith("$") or target.startswith("$$"):
            return S.UNKNOWN
        steps = S.steps_of(target[1:])
        if steps is None:
            return S.UNKNOWN
        written = S.assign(state_input, steps, result)
        if written is None:
            record.problem("error", (*path, "ResultPath"), f"ResultPath {target} cannot be written: the state's input "
                           f"is {_describe_value(state_input)} there, not an object (States.ResultPathMatchFailure)")
            return S.UNKNOWN
        return written

    # --- references ---------------------------------------------------------------------------------
    def read(self, path: str, data: S.Shape, record: _State, where: tuple[str | int, ...], *, what: str,
             root_label: str = "the state's input", context: S.Shape | None = None,
             error_on_never: bool = True) -> S.Shape:
        """The shape at ``path`` (a path, a context path or a variable path), recording a finding when it
        certainly does not resolve."""
        if path.startswith("$$"):
            root, tail, label = (context or self.context), path[2:], "the context object $$"
        elif (match := _VARIABLE.match(path)) is not None:
            name = match.group(1)
            if name not in self.variables:
                return S.UNKNOWN
            root, tail, label = self.variables[name], path[match.end():], f"variable ${name}"
        elif path.startswith("$"):
            root, tail, label = data, path[1:], root_label
        else:
            return S.UNKNOWN
        steps = S.steps_of(tail)
        if steps is None:
            return S.UNKNOWN
        # The same reads recur ($$.Execution.Name in every job name): one resolution per (root, path).
        # The root is kept in the entry, so its id() cannot be reused by another shape meanwhile.
        entry = self._resolved.get((id(root), steps))
        if entry is None:
            entry = self._resolved[(id(root), steps)] = (root, S.resolve(root, steps))
        found = entry[1]
        if found.outcome == S.NEVER:
            record.problem("error" if error_on_never else "warning", where,
                           f"{what} {path}{_which(what)} never resolves{'' if error_on_never else ' whenever it is evaluated'}: "
                           f"{_reason(found, label, path, steps)}")
            return S.UNKNOWN
        if found.outcome == S.SOMETIMES:
            record.problem("warning", where, f"{what} {path}{_which(what)} resolves on some paths into the state only: "
                           f"{_reason(found, label, path, steps)}")
        return found.shape

    def template(self, template: dict[str, Any], data: S.Shape, record: _State, where: tuple[str | int, ...], *,
                 root_label: str = "the state's input", context: S.Shape | None = None, depth: int = 0) -> S.Shape:
        """A payload template (Parameters, ResultSelector, ItemSelector) evaluated on ``data``."""
        fields: dict[str, tuple[S.Shape, int]] = {}
        for key, value in template.items():
            if not isinstance(key, str):
                continue
            at = (*where, key)
            if key.endswith(".$") and isinstance(value, str):
                fields[key[:-2]] = (self.dynamic(value, data, record, at, key, root_label=root_label, context=context), S.ALWAYS)
            else:
                fields[key] = (self._template_value(value, data, record, at, root_label, context, depth), S.ALWAYS)
        return S.obj(fields)

    def _template_value(self, value: Any, data: S.Shape, record: _State, at: tuple[str | int, ...], root_label: str,
                        context: S.Shape | None, depth: int) -> S.Shape:
        if depth > 12:
            return S.UNKNOWN
        if not isinstance(value, (dict, list)):
            return S.literal(value)
        if not self.has_dynamic(value):
            return self.literal(value)
        if isinstance(value, dict):
            return self.template(value, data, record, at, root_label=root_label, context=context, depth=depth + 1)
        if isinstance(value, list):
            return S.array(items=tuple(self._template_value(item, data, record, (*at, index), root_label, context, depth + 1)
                                       for index, item in enumerate(value)))
        return S.literal(value)

    def dynamic(self, value: str, data: S.Shape, record: _State, where: tuple[str | int, ...], key: str, *,
                root_label: str, context: S.Shape | None) -> S.Shape:
        if value.startswith("States."):
            self._intrinsic_paths(value, data, record, where, key, root_label=root_label, context=context)
            return sources.dynamic_type(value)
        return self.read(value, data, record, where, what=f"'{key}' reads", root_label=root_label, context=context)

    def _intrinsic_paths(self, value: str, data: S.Shape, record: _State, where: tuple[str | int, ...], key: str, *,
                         root_label: str, context: S.Shape | None) -> None:
        for name, path in _intrinsic_path_args(value):
            self.read(path, data, record, where, what=f"'{key}' ({name}) reads", root_label=root_label, context=context)

    # --- state-specific fields ----------------------------------------------------------------------
    def _wait(self, state: dict[str, Any], effective: S.Shape, record: _State) -> None:
        if isinstance(state.get("SecondsPath"), str):
            self._number_path("SecondsPath", state["SecondsPath"], effective, record, integer=True, low=0)
        if isinstance(state.get("TimestampPath"), str):
            shape = self.read(state["TimestampPath"], effective, record, ("TimestampPath",), what="TimestampPath")
            self._check_kind(shape, "TimestampPath", "timestamp", record, ("TimestampPath",),
                             f"TimestampPath {state['TimestampPath']}")

    def _number_path(self, key: str, path: str, data: S.Shape, record: _State, *, integer: bool, low: float,
                     high: float | None = None) -> None:
        shape = self.read(path, data, record, (key,), what=key)
        if not shape.known:
            return
        kind = "an integer" if integer else "a number"
        wanted = f"{kind} >= {low}" if high is None else f"{kind} from {low} to {high}"
        # AWS also reads numeric strings ("5") in these fields.
        if not shape.types & {S.INTEGER, S.NUMBER, S.STRING}:
            record.problem("error", (key,), f"{key} {path} is {_describe_value(shape)}: expected {wanted}")
            return
        if not shape.has_value:
            return
        value = shape.value
        if isinstance(value, str):
            if not _NUMBER.match(value.strip()):
                record.problem("error", (key,), f"{key} {path} is the string {show(value)}: expected {wanted}")
                return
            value = float(value) if not re.match(r"^-?\d+$", value.strip()) else int(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        if integer and isinstance(value, float) and not value.is_integer():
            record.problem("error", (key,), f"{key} {path} is {show(shape.value)}: expected {wanted}")
        elif value < low or (high is not None and value > high):
            record.problem("error", (key,), f"{key} {path} is {show(shape.value)}: expected {wanted}")

    def _choice(self, ref: StateRef, effective: S.Shape, record: _State) -> None:
        for index, rule in enumerate(ref.state.get("Choices") or []):
            if not isinstance(rule, dict):
                continue
            # A rule that tests IsPresent guards its own reads; only the first rule is always evaluated
            # (rules after it run only when the ones before do not match).
            if "IsPresent" in repr(rule):
                continue
            for path, where, first in _choice_variables(rule, ("Choices", index)):
                self.read(path, effective, record, where, what="Variable", error_on_never=index == 0 and first)

    def _map(self, ref: StateRef, state_input: S.Shape, effective: S.Shape, record: _State) -> S.Shape:
        state = ref.state
        for key, integer, high in (("MaxConcurrencyPath", True, None), ("ToleratedFailureCountPath", True, None),
                                   ("ToleratedFailurePercentagePath", False, 100)):
            if isinstance(state.get(key), str):
                self._number_path(key, state[key], state_input, record, integer=integer, low=0, high=high)
        item = S.UNKNOWN
        if "ItemReader" not in state:
            items = effective
            if isinstance(state.get("ItemsPath"), str):
                items = self.read(state["ItemsPath"], effective, record, ("ItemsPath",), what="ItemsPath")
                self._check_kind(items, "ItemsPath", "array", record, ("ItemsPath",), f"ItemsPath {state['ItemsPath']}")
            elif items.known and S.ARRAY not in items.types:
                record.problem("error", (), f"the Map's input is {_describe_value(items)} and it has no ItemsPath: "
                               "expected an array, or ItemsPath naming one")
            if S.ARRAY in items.types and items.types == {S.ARRAY} and items.item is not None:
                item = items.item
        selector_key = "ItemSelector" if "ItemSelector" in state else "Parameters" if "Parameters" in state else None
        if selector_key and isinstance(state[selector_key], dict):
            context = sources.context(self.execution_input, map_item=item)
            iteration_input = self.template(state[selector_key], effective, record, (selector_key,), context=context)
        else:
            iteration_input = item
        outputs = [self.scope(scope, iteration_input) for scope in nested_scopes(ref)]
        if "ResultWriter" in state:
            return S.UNKNOWN
        return S.array(outputs[0] if outputs else S.UNKNOWN, origin=f"the result of Map '{ref.name}'")

    def _request(self, ref: StateRef, effective: S.Shape, record: _State) -> None:
        """A Task's Parameters: every ``Key.$`` read (findings), and for a SageMaker API the type of
        each read value whose shape is known against the API's member (botocore's input shape)."""
        integration = integration_of(ref.state)
        if integration is None or integration.service != "sagemaker":
            self.reads(ref.state["Parameters"], effective, record, ("Parameters",))
            return
        known: list[tuple[tuple[str | int, ...], str, S.Shape]] = []
        self.reads(ref.state["Parameters"], effective, record, ("Parameters",), known=known)
        if not known:
            return
        from sagemaker_sfn.validate.service_models import service_model

        model = service_model("sagemaker")
        if integration.operation not in model.operation_names:
            return
        request = model.input_shape(integration.operation)
        for where, path, shape in known:
            member = _member_at(request, where[1:])
            if member is not None:
                _check_member(shape, member, str(where[-1])[:-2], path, record, where, integration.operation)

    def reads(self, template: Any, data: S.Shape, record: _State, where: tuple[str | int, ...], *,
              known: list[tuple[tuple[str | int, ...], str, S.Shape]] | None = None) -> None:
        """The references of a template whose result is not needed: findings only, and (into
        ``known``) where each read value's shape is known. One iterative walk: request templates are
        large and mostly literal."""
        pending: list[tuple[Any, tuple[str | int, ...]]] = [(template, where)]
        while pending:
            node, at = pending.pop()
            if isinstance(node, dict):
                for key, item in node.items():
                    if isinstance(key, str) and key.endswith(".$"):
                        if isinstance(item, str):
                            place = (*at, key)
                            shape = self.dynamic(item, data, record, place, key, root_label="the state's input",
                                                 context=None)
                            if known is not None and shape.known:
                                known.append((place, item, shape))
                    elif isinstance(item, (dict, list)):
                        pending.append((item, (*at, key)))
            elif isinstance(node, list):
                for index, item in enumerate(node):
                    if isinstance(item, (dict, list)):
                        pending.append((item, (*at, index)))


def _member_at(shape: Any, path: tuple[str | int, ...]) -> Any:
    """The botocore member shape a request template path (``('ResourceConfig', 'InstanceCount.$')``)
    names, or None."""
    for step in path:
        if shape is None:
            return None
        if isinstance(step, int):
            shape = shape.member if shape.type_name == "list" else None
        elif shape.type_name == "structure":
            shape = shape.members.get(step[:-2] if step.endswith(".$") else step)
        elif shape.type_name == "map":
            shape = shape.value
        else:
            return None
    return shape


@lru_cache(maxsize=4096)
def _intrinsic_path_args(text: str) -> tuple[tuple[str, str], ...]:
    """(function name, path) of every path argument of an intrinsic call, nested calls included; none
    for a call that does not parse (the intrinsic-functions rule reports it)."""
    from sagemaker_sfn.asl.intrinsic_syntax import IntrinsicSyntaxError, PathArg, calls, parse

    try:
        root = parse(text)
    except IntrinsicSyntaxError:
        return ()
    return tuple((call.name, arg.path) for call in calls(root) for arg in call.args if isinstance(arg, PathArg))


def _reverse_postorder(refs: dict[str, StateRef], start: str) -> dict[str, int]:
    """State name -> its position in reverse post-order from ``start`` (iterative DFS)."""
    post: list[str] = []
    seen = {start}
    stack: list[tuple[str, Iterator[Any]]] = [(start, iter(_successors(refs[start].state)))]
    while stack:
        name, successors = stack[-1]
        for target in successors:
            if isinstance(target, str) and target in refs and target not in seen:
                seen.add(target)
                stack.append((target, iter(_successors(refs[target].state))))
                break
        else:
            stack.pop()
            post.append(name)
    return {name: index for index, name in enumerate(reversed(post))}


def _successors(state: dict[str, Any]) -> list[Any]:
    found = [state["Next"]] if "Next" in state else []
    if "Default" in state:
        found.append(state["Default"])
    for key in ("Choices", "Catch"):
        items = state.get(key)
        if isinstance(items, list):
            found.extend(item.get("Next") for item in items if isinstance(item, dict))
    return found


def _choice_variables(rule: dict[str, Any], where: tuple[str | int, ...], first: bool = True) -> Iterator[tuple[str, tuple[str | int, ...], bool]]:
    if isinstance(rule.get("Variable"), str):
        yield rule["Variable"], (*where, "Variable"), first
    for operator in ("And", "Or"):
        if isinstance(rule.get(operator), list):
            for index, item in enumerate(rule[operator]):
                if isinstance(item, dict):
                    yield from _choice_variables(item, (*where, operator, index), first and index == 0)
    if isinstance(rule.get("Not"), dict):
        yield from _choice_variables(rule["Not"], (*where, "Not"), first)


_ACCEPTS = {"string": {S.STRING}, "integer": {S.INTEGER, S.NUMBER}, "long": {S.INTEGER, S.NUMBER},
            "float": {S.INTEGER, S.NUMBER}, "double": {S.INTEGER, S.NUMBER}, "boolean": {S.BOOLEAN},
            "structure": {S.OBJECT}, "map": {S.OBJECT}, "list": {S.ARRAY}, "timestamp": {S.STRING, S.INTEGER, S.NUMBER},
            "blob": {S.STRING}}
_KIND_WORDS = {"string": "a string", "integer": "an integer", "long": "an integer", "float": "a number",
               "double": "a number", "boolean": "true or false", "structure": "an object", "map": "an object",
               "list": "an array", "timestamp": "a timestamp", "blob": "a base64 string"}


def _check_member(found: S.Shape, member: Any, name: str, path: str, record: _State, where: tuple[str | int, ...],
                  operation: str) -> None:
    if not found.known:
        return
    accepted = _ACCEPTS.get(member.type_name)
    if accepted is None:
        return
    if not found.types & accepted:
        record.problem("error", where, f"'{name}' gets {path}, which is {_describe_value(found)}: {operation} "
                       f"expects {_KIND_WORDS[member.type_name]} ({member.name}); Step Functions does not convert types")
        return
    if member.type_name in ("integer", "long") and found.has_value and isinstance(found.value, (int, float)) \
            and not isinstance(found.value, bool):
        from sagemaker_sfn.validate.sagemaker import number_range

        low, high = number_range(member)
        if not low <= found.value <= high:
            record.problem("error", where, f"'{name}' gets {path} = {show(found.value)}: {member.name} takes "
                           f"{low:,} to {high:,}")


# --- messages --------------------------------------------------------------------------------------------

def _describe_value(shape: S.Shape) -> str:
    text = S.describe(shape)
    if shape.has_value:
        text += f" ({show(shape.value)})"
    return text


def _reason(found: S.Resolution, label: str, path: str, steps: tuple[str | int, ...]) -> str:
    parent = found.parent if found.parent is not None else S.UNKNOWN
    root = path[: len(path) - len(_tail_text(steps))] if steps else path
    where = label if found.at == 0 else S.path_text(root, steps[: found.at])
    origin = f" ({parent.origin})" if parent.origin and found.at > 0 else ""
    missing = found.missing
    if isinstance(missing, int):
        if S.ARRAY not in parent.types:
            return f"{where}{origin} is {_describe_value(parent)}, not an array"
        count = len(parent.items or ())
        return f"{where}{origin} has {count} item{'s' if count != 1 else ''}"
    if S.OBJECT not in parent.types:
        return f"{where}{origin} is {_describe_value(parent)}, not an object"
    fields = parent.fields or {}
    if missing in fields:  # present on some paths only
        return f"{where}{origin} lacks '{missing}' on some paths into the state"
    hint = difflib.get_close_matches(str(missing), list(fields), n=1)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    extra = sync_hint(parent, str(missing))
    return (f"{where}{origin} has no field '{missing}'{suggestion}: it has {S.field_names(parent)}"
            + (f". {extra}" if extra else ""))


def _which(what: str) -> str:
    return ", which" if what.endswith("reads") else ""


def _tail_text(steps: tuple[str | int, ...]) -> str:
    return S.path_text("", steps)


def check_data_flow(ref: StateRef, facts: Facts) -> list[Finding]:
    """The data-flow findings of one state (recorded by :func:`analyse`)."""
    return facts.findings.get(ref.location, [])


__all__ = ["Facts", "RULE", "analyse", "check_data_flow"]
