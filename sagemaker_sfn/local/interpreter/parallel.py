"""Parallel and Map states: branches / iterations, their events and failure semantics."""

from __future__ import annotations

import threading
from typing import Any

from sagemaker_sfn.local.clock import Clock
from sagemaker_sfn.local.interpreter import jsonata_eval
from sagemaker_sfn.local.interpreter.engine import (CancelToken, Cancelled, Failure, HistoryLimitExceeded, Scope,
                                                    TimedOut)
from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.history import History
from sagemaker_sfn.local.interpreter.messages import states_error
from sagemaker_sfn.local.interpreter.paths import PathNotFound, to_json
from sagemaker_sfn.local.interpreter.step import Step, canonical


def _add(step: Step, event: str, *, previous: int | None = None, clock: Clock | None = None,
         move: bool = True, **details: Any) -> int:
    key = event[0].lower() + event[1:] + "EventDetails"
    scope = step.scope
    event_id = scope.log(step.engine).add(event, previous=scope.cursor if previous is None else previous,
                                       clock=clock or scope.clock, **({key: details} if details else {}))
    if move:
        scope.cursor = event_id
    return event_id


def _raise_first(outcomes: list[tuple[bool, Any]], *, event: str) -> None:
    for ok, value in outcomes:
        if not ok and isinstance(value, (TimedOut, HistoryLimitExceeded)):
            raise value
    for ok, value in outcomes:
        if not ok and isinstance(value, Failure):
            raise Failure(value.error, value.cause, state_failed_event=event)


# -- Parallel --------------------------------------------------------------------------------------
def run_parallel(step: Step) -> tuple[Any, str | None]:
    state, engine = step.state, step.engine
    branch_input = step.effective_input()
    started = _add(step, "ParallelStateStarted")
    branches = state.get("Branches", [])

    def make_scope(index: int, clock: Clock, cancel: CancelToken) -> Scope:
        program_ql = branches[index].get("QueryLanguage", step.query_language)
        return step.scope.child(clock=clock, cancel=cancel, cursor=started, query_language=program_ql)

    last: list[int] = [started]

    def job(index: int):
        def run(scope: Scope) -> Any:
            try:
                return engine.run_program(branches[index], branch_input, scope=scope)
            finally:
                last[0] = max(last[0], scope.cursor)
        return run

    outcomes = engine.run_children([job(i) for i in range(len(branches))], make_scope=make_scope, scope=step.scope,
                                   max_concurrency=0, stop_on_failure=lambda index, exc: True, interleave=True)
    step.scope.cursor = last[0]
    if any(not ok for ok, _ in outcomes):
        _raise_first(outcomes, event="ParallelStateFailed")
        raise Cancelled()
    # ParallelStateExited links to the last branch event, as ParallelStateSucceeded does (AWS-recorded
    # histories: ../shared/conformance test_parallel_state*), not to ParallelStateSucceeded.
    _add(step, "ParallelStateSucceeded", move=False)
    return step.finish([value for _, value in outcomes])


# -- Map -------------------------------------------------------------------------------------------
def _items(step: Step) -> tuple[Any, list]:
    """(the effective input, the items to iterate)."""
    state = step.state
    if "ItemReader" in state:
        raise states_error("item_reader_unsupported")
    if step.jsonata:
        if "Items" in state:
            spec = state["Items"]
            items = step.jsonata_value(spec, field_name="Items")
            if not isinstance(items, list):
                text = jsonata_eval.expression_text(spec) if jsonata_eval.is_expression(spec) else to_json(spec)
                raise states_error("jsonata_items_not_array", expression=text,
                                   type=jsonata_eval.type_name(items), value=to_json(items))
            return step.raw_input, items
        items = step.raw_input
    else:
        effective = step.input_path()
        path = state.get("ItemsPath", "$")
        try:
            items = step.resolve_path(path, effective)
        except PathNotFound:
            raise states_error("path_no_results", path=path, canonical=canonical(path)) from None
        if not isinstance(items, list):
            raise states_error("items_path_not_array", path=path, value=to_json(items))
        return effective, items
    if not isinstance(items, list):
        raise states_error("jsonata_map_input_not_array", type=jsonata_eval.type_name(items), value=to_json(items))
    return step.raw_input, items


def _number_field(step: Step, name: str, *, kind: str, default: float) -> float:
    """MaxConcurrency / ToleratedFailureCount / ToleratedFailurePercentage, literal, Path or JSONata."""
    state = step.state
    if f"{name}Path" in state and not step.jsonata:
        path = state[f"{name}Path"]
        try:
            value = step.resolve_path(path, step.raw_input)
        except PathNotFound:
            raise states_error("path_no_results", path=path, canonical=canonical(path)) from None
        if isinstance(value, str):
            # AWS parses numeric strings ("1" is a valid MaxConcurrencyPath value).
            try:
                value = int(value) if kind == "integer" else float(value)
            except ValueError:
                pass
        valid = not isinstance(value, bool) and (isinstance(value, int) if kind == "integer"
                                                 else isinstance(value, (int, float)))
        if not valid:
            shown = value if isinstance(value, str) else to_json(value)
            raise states_error("number_path_invalid", name=name, value=shown, kind=kind, path=path)
        return value
    if name in state:
        value = state[name]
        if step.jsonata and isinstance(value, str):
            value = step.jsonata_value(value, field_name=name)
        return value
    return default


def run_map(step: Step) -> tuple[Any, str | None]:
    state, engine = step.state, step.engine
    try:
        effective, items = _items(step)
    except StatesError as exc:
        from sagemaker_sfn.local.interpreter.states import _as_failure
        failure = _as_failure(step, exc)  # logs EvaluationFailed first, as AWS does
        failure.state_failed_event = "MapStateFailed"
        raise failure from None
    processor = state.get("ItemProcessor") or state.get("Iterator") or {}
    # AWS checks MaxConcurrency before starting, the tolerated failure settings after.
    max_concurrency = int(_number_field(step, "MaxConcurrency", kind="integer", default=0))
    started = _add(step, "MapStateStarted", length=len(items))
    tolerated_count = _number_field(step, "ToleratedFailureCount", kind="integer", default=0)
    if tolerated_count < 0:
        raise states_error("tolerated_count_negative")
    tolerated_percentage = _number_field(step, "ToleratedFailurePercentage", kind="float", default=0)
    if not 0 <= tolerated_percentage <= 100:
        raise states_error("tolerated_percentage_range")
    batcher = state.get("ItemBatcher")
    if batcher:
        size = int(batcher.get("MaxItemsPerBatch", len(items) or 1))
        batch_input = batcher.get("BatchInput")
        items = [{"Items": items[i:i + size], **({"BatchInput": batch_input} if batch_input is not None else {})}
                 for i in range(0, len(items), size)]
    selector_key = "ItemSelector" if "ItemSelector" in state else ("Parameters" if "Parameters" in state else None)
    program_ql = processor.get("QueryLanguage", step.query_language)
    # A distributed Map runs each item as a child execution: its events are not in this history.
    distributed = (processor.get("ProcessorConfig") or {}).get("Mode") == "DISTRIBUTED"
    if distributed:
        map_run_arn = (engine.state_machine_arn.replace(":stateMachine:", ":mapRun:") +
                       f"/{step.name}:{engine.new_token()}")
        _add(step, "MapRunStarted", mapRunArn=map_run_arn)
        started = step.scope.cursor
    cursor = [started]
    last_done = [started]  # AWS links MapStateSucceeded to the last MapIterationSucceeded
    failures = [0]
    lock = threading.Lock()

    def make_scope(index: int, clock: Clock, cancel: CancelToken) -> Scope:
        item_scope = step.scope.child(clock=clock, cancel=cancel, cursor=0 if distributed else cursor[0],
                                      query_language=program_ql, map_item={"Index": index, "Value": items[index]},
                                      history=History(clock=clock) if distributed else None)
        return item_scope

    def job(index: int):
        def run(scope: Scope) -> Any:
            item_step = Step(engine=engine, scope=scope, name=step.name, state=state, raw_input=step.raw_input,
                             query_language=step.query_language, entered_id=step.entered_id,
                             entered_time=step.entered_time, retry_count=step.retry_count)
            scope.cursor = scope.log(engine).add("MapIterationStarted", previous=scope.cursor, clock=scope.clock,
                                              mapIterationStartedEventDetails={"index": index, "name": step.name})
            try:
                if selector_key is None:
                    item_input = items[index]
                elif step.jsonata:
                    item_input = item_step.jsonata_value(state[selector_key], field_name=selector_key)
                else:
                    item_input = item_step.template(state[selector_key], effective)
                value = engine.run_program(processor, item_input, scope=scope)
            except StatesError as exc:
                failure = exc if isinstance(exc, Failure) else Failure(exc.error, step.error_prefix() + (exc.cause or ""))
                scope.log(engine).add("MapIterationFailed", previous=scope.cursor, clock=scope.clock,
                                   mapIterationFailedEventDetails={"index": index, "name": step.name})
                if not distributed:
                    with lock:
                        cursor[0] = scope.cursor
                raise failure from None
            except Cancelled:
                scope.log(engine).add("MapIterationAborted", previous=scope.cursor, clock=scope.clock,
                                   mapIterationAbortedEventDetails={"index": index, "name": step.name})
                raise
            done = scope.log(engine).add("MapIterationSucceeded", previous=scope.cursor, clock=scope.clock,
                                         mapIterationSucceededEventDetails={"index": index, "name": step.name})
            if not distributed:
                with lock:
                    cursor[0] = scope.cursor
                    last_done[0] = done
            return value
        return run

    tolerant = bool(tolerated_count) or bool(tolerated_percentage)

    def exceeded(count: int) -> bool:
        if not tolerant:
            return count > 0
        over_count = "ToleratedFailureCount" in state or "ToleratedFailureCountPath" in state
        over_pct = "ToleratedFailurePercentage" in state or "ToleratedFailurePercentagePath" in state
        by_count = over_count and count > tolerated_count
        by_pct = over_pct and items and count * 100.0 / len(items) > tolerated_percentage
        return bool(by_count or by_pct)

    def stop(index: int, exc: BaseException) -> bool:
        with lock:
            failures[0] += 1
            return exceeded(failures[0])

    outcomes = engine.run_children([job(i) for i in range(len(items))], make_scope=make_scope, scope=step.scope,
                                   max_concurrency=max_concurrency, stop_on_failure=stop)
    step.scope.cursor = cursor[0]
    for ok, value in outcomes:
        # The execution's end (timeout, history quota) or an enclosing cancel outranks item failures.
        if not ok and isinstance(value, (TimedOut, HistoryLimitExceeded)):
            raise value
    if step.scope.cancel.is_set():
        raise Cancelled()
    failed = [value for ok, value in outcomes if not ok]
    map_failed = bool(failed) and (not tolerant or exceeded(len(failed)) or
                                   any(not isinstance(value, Failure) for value in failed))
    if distributed:
        _add(step, "MapRunFailed" if map_failed else "MapRunSucceeded")
    if map_failed:
        if tolerant:
            exceeded_error = states_error("tolerated_threshold_exceeded")
            raise Failure(exceeded_error.error, exceeded_error.cause, state_failed_event="MapStateFailed")
        _raise_first(outcomes, event="MapStateFailed")
        raise Cancelled()
    if not distributed and items:
        step.scope.cursor = last_done[0]
    _add(step, "MapStateSucceeded", move=False)
    if distributed:
        # MapStateExited links to MapRunStarted: every AWS recording since November 2024 does
        # (../shared/conformance: test_map_state_config_distributed_items_path_from_previous, 2025-01-09;
        # test_map_state_nested_config_distributed, 2024-12-13; ...); earlier ones linked MapRunSucceeded.
        step.scope.cursor = started
    results = [value if ok else {"Error": value.error, "Cause": value.cause} for ok, value in outcomes]
    return step.finish(results)
