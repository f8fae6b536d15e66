"""A Map state in DISTRIBUTED mode: a Map Run of child executions, as AWS runs and records it.

(https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html)

- Items come from ``ItemsPath`` / ``Items`` or an ``ItemReader`` (see :mod:`.item_reader`); the
  ``ItemSelector`` applies to each item, then ``ItemBatcher`` groups them.
- Each item (or batch) runs as a **child execution** with its own history (ExecutionStarted ...
  ExecutionSucceeded / ExecutionFailed / ExecutionAborted) and context: ``$$.Execution`` is the child
  execution, no ``$$.Map``; the parent's variables are not visible (pass them in with ItemSelector).
  Its ARN is ``arn:aws:states:<region>:<account>:execution:<machine>/<Label or state name>:<uuid>``
  and the Map Run's ``arn:aws:states:<region>:<account>:mapRun:<machine>/<Label or state name>:<uuid>``
  (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html).
- The parent's history holds MapStateStarted, MapRunStarted, then MapRunSucceeded or MapRunFailed
  (with ``error`` / ``cause``), as recorded executions in tests/local/conformance show.
- ``ToleratedFailureCount`` / ``ToleratedFailurePercentage`` (or their ``Path``): more failed
  children than tolerated fail the Map Run with ``States.ExceedToleratedFailureThreshold``.
- ``ResultWriter`` with ``Resource: arn:aws:states:::s3:putObject`` writes
  ``<Prefix>/<map run id>/SUCCEEDED_0.json`` / ``FAILED_0.json`` (arrays of the children's
  DescribeExecution-like records) and ``manifest.json``; the state's result is then
  ``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``; a failed write is
  ``States.ResultWriterFailed``. ``WriterConfig.Transformation`` (NONE / COMPACT / FLATTEN) shapes the
  results (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html).

Every Map Run is kept on the execution (``ExecutionResult.map_runs``) with its children's
descriptions and histories, so ``run`` can save them beside the parent's history.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sagemaker_sfn.local.clock import Clock
from sagemaker_sfn.local.integrations.base import TaskFailure
from sagemaker_sfn.local.interpreter import item_reader
from sagemaker_sfn.local.interpreter.engine import (CancelToken, Cancelled, Engine, Failure,
                                                    HistoryLimitExceeded, Scope, TimedOut)
from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.history import History, iso, iso_events, with_outcome
from sagemaker_sfn.local.interpreter.paths import to_json
from sagemaker_sfn.local.interpreter.step import Step

EXCEEDED = "States.ExceedToleratedFailureThreshold"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"


@dataclass
class ChildExecution:
    """One child execution of a Map Run: DescribeExecution's fields and its own history."""

    name: str
    execution_arn: str
    state_machine_arn: str
    input: Any
    start_date: datetime
    stop_date: datetime | None = None
    status: str = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "executionArn": self.execution_arn, "stateMachineArn": self.state_machine_arn, "name": self.name,
            "status": self.status, "startDate": iso(self.start_date),
            "input": to_json(self.input), "inputDetails": {"included": True}}
        if self.stop_date is not None:
            described["stopDate"] = iso(self.stop_date)
        return with_outcome(described, status=self.status, output=self.output, error=self.error, cause=self.cause)

    def history_json(self) -> list[dict[str, Any]]:
        return iso_events(self.history)

    def result_record(self) -> dict[str, Any]:
        """The record ResultWriter exports for this child (PascalCase, as in SUCCEEDED_0.json)."""
        record: dict[str, Any] = {
            "ExecutionArn": self.execution_arn, "Input": to_json(self.input), "InputDetails": {"Included": True},
            "Name": self.name, "RedriveCount": 0, "StartDate": iso(self.start_date),
            "StateMachineArn": self.state_machine_arn, "Status": self.status,
            "StopDate": iso(self.stop_date or self.start_date)}
        if self.status == "SUCCEEDED":
            record["Output"] = to_json(self.output)
            record["OutputDetails"] = {"Included": True}
            record["RedriveStatus"] = "NOT_REDRIVABLE"
            record["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
        else:
            record["RedriveStatus"] = "REDRIVABLE"
            if self.error is not None:
                record["Error"] = self.error
            if self.cause is not None:
                record["Cause"] = self.cause
        return dict(sorted(record.items()))


@dataclass
class MapRun:
    """One Map Run (DescribeMapRun's fields) and its child executions."""

    map_run_arn: str
    execution_arn: str
    state_name: str
    start_date: datetime
    max_concurrency: int
    tolerated_failure_count: int
    tolerated_failure_percentage: float
    item_count: int = 0
    status: str = "RUNNING"
    stop_date: datetime | None = None
    results_written: int = 0
    children: list[ChildExecution] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.map_run_arn.rsplit(":", 1)[-1]

    def counts(self) -> dict[str, int]:
        by_status = {status: sum(1 for child in self.children if child.status == status)
                     for status in ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")}
        return {"pending": self.item_count - len(self.children), "running": by_status["RUNNING"],
                "succeeded": by_status["SUCCEEDED"], "failed": by_status["FAILED"],
                "timedOut": by_status["TIMED_OUT"], "aborted": by_status["ABORTED"], "total": self.item_count,
                "resultsWritten": self.results_written}

    def describe(self) -> dict[str, Any]:
        counts = self.counts()
        described = {"mapRunArn": self.map_run_arn, "executionArn": self.execution_arn, "status": self.status,
                     "startDate": iso(self.start_date), "maxConcurrency": self.max_concurrency,
                     "toleratedFailurePercentage": self.tolerated_failure_percentage,
                     "toleratedFailureCount": self.tolerated_failure_count,
                     "itemCounts": counts, "executionCounts": counts, "redriveCount": 0}
        if self.stop_date is not None:
            described["stopDate"] = iso(self.stop_date)
        return described


def map_runs_of(engine: Engine) -> list[MapRun]:
    """The Map Runs recorded so far for the execution ``engine`` runs (child engines share the root's)."""
    root = getattr(engine, "_map_run_root", engine)
    runs = root.__dict__.setdefault("_map_runs", [])
    return runs


_RUNS_LOCK = threading.Lock()


def run_distributed_map(step: Step) -> tuple[Any, str | None]:
    from sagemaker_sfn.local.interpreter.parallel import _add, _items, _number_field
    from sagemaker_sfn.local.interpreter.states import _as_failure

    state, engine = step.state, step.engine
    processor = state.get("ItemProcessor") or state.get("Iterator") or {}
    label = state.get("Label") or step.name
    try:
        if "ItemReader" in state:
            effective = step.input_path()
            items = item_reader.read_items(step, effective=effective)
        else:
            effective, items = _items(step)
    except item_reader.ReaderFailed as exc:
        # The Map Run starts, then fails reading (the Map Run is where AWS reports the reader).
        map_run_arn = _map_run_arn(engine, label)
        _add(step, "MapStateStarted", length=0)
        _add(step, "MapRunStarted", mapRunArn=map_run_arn)
        _add(step, "MapRunFailed", error=exc.error, cause=exc.cause)
        raise Failure(exc.error, exc.cause, state_failed_event="MapStateFailed") from None
    except StatesError as exc:
        failure = _as_failure(step, exc)
        failure.state_failed_event = "MapStateFailed"
        raise failure from None
    max_concurrency = int(_number_field(step, "MaxConcurrency", kind="integer", default=0))
    _add(step, "MapStateStarted", length=len(items))
    tolerated_count = _number_field(step, "ToleratedFailureCount", kind="integer", default=0)
    if tolerated_count < 0:
        raise StatesError("States.Runtime", "ToleratedFailureCount cannot be negative.")
    tolerated_percentage = _number_field(step, "ToleratedFailurePercentage", kind="float", default=0)
    if not 0 <= tolerated_percentage <= 100:
        raise StatesError("States.Runtime", "ToleratedFailurePercentage must be between 0 and 100.")
    try:
        inputs = _child_inputs(step, items, effective=effective)
        if "ItemBatcher" in state:
            inputs = item_reader.batch_items(step, inputs, effective=effective)
    except StatesError as exc:
        failure = _as_failure(step, exc)
        failure.state_failed_event = "MapStateFailed"
        raise failure from None

    map_run_arn = _map_run_arn(engine, label)
    run = MapRun(map_run_arn=map_run_arn, execution_arn=engine.execution_arn, state_name=step.name,
                 start_date=step.scope.clock.now(), max_concurrency=max_concurrency,
                 tolerated_failure_count=int(tolerated_count), tolerated_failure_percentage=float(tolerated_percentage),
                 item_count=len(inputs))
    with _RUNS_LOCK:
        map_runs_of(engine).append(run)
    run_started = _add(step, "MapRunStarted", mapRunArn=map_run_arn)

    child_machine = f"{engine.state_machine_name}/{label}"
    child_machine_arn = engine.state_machine_arn.rsplit(":", 1)[0] + f":{child_machine}"
    arn_prefix = engine.execution_arn.split(":execution:")[0] + f":execution:{child_machine}:"
    # Names drawn up front, in item order: reproducible whatever order threads finish in.
    names = [engine.new_token() for _ in inputs]
    program_ql = processor.get("QueryLanguage", step.query_language)
    children: list[ChildExecution | None] = [None] * len(inputs)
    failures = [0]
    lock = threading.Lock()

    def make_scope(index: int, clock: Clock, cancel: CancelToken) -> Scope:
        return Scope(variables={}, clock=clock, cancel=cancel, cursor=0, query_language=program_ql)

    def job(index: int):
        def run_child(scope: Scope) -> Any:
            child = ChildExecution(name=names[index], execution_arn=arn_prefix + names[index],
                                   state_machine_arn=child_machine_arn, input=inputs[index],
                                   start_date=scope.clock.now())
            children[index] = child
            return _run_child(engine, child, processor, scope=scope, machine=child_machine)
        return run_child

    tolerant = bool(tolerated_count) or bool(tolerated_percentage)

    def exceeded(count: int) -> bool:
        if not tolerant:
            return count > 0
        by_count = ("ToleratedFailureCount" in state or "ToleratedFailureCountPath" in state) and count > tolerated_count
        by_pct = (("ToleratedFailurePercentage" in state or "ToleratedFailurePercentagePath" in state) and inputs
                  and count * 100.0 / len(inputs) > tolerated_percentage)
        return bool(by_count or by_pct)

    def stop(index: int, exc: BaseException) -> bool:
        with lock:
            failures[0] += 1
            return exceeded(failures[0])

    outcomes = engine.run_children([job(i) for i in range(len(inputs))], make_scope=make_scope, scope=step.scope,
                                   max_concurrency=max_concurrency, stop_on_failure=stop)
    run.children = [child for child in children if child is not None]
    step.scope.cursor = run_started
    for ok, value in outcomes:
        if not ok and isinstance(value, (TimedOut, HistoryLimitExceeded)):
            run.status, run.stop_date = "FAILED", step.scope.clock.now()
            raise value
    if step.scope.cancel.is_set():
        run.status, run.stop_date = "ABORTED", step.scope.clock.now()
        raise Cancelled()
    failed = [value for ok, value in outcomes if not ok]
    map_failed = bool(failed) and (not tolerant or exceeded(len(failed)) or
                                   any(not isinstance(value, Failure) for value in failed))
    results = [value if ok else {"Error": value.error, "Cause": value.cause} for ok, value in outcomes
               if ok or isinstance(value, Failure)]
    if map_failed:
        if tolerant:
            error, cause = EXCEEDED, "The specified tolerated failure threshold was exceeded"
        else:
            first = next((value for value in failed if isinstance(value, Failure)), None)
            error, cause = (first.error, first.cause) if first else ("States.Runtime", "a child execution was aborted")
        _add(step, "MapRunFailed", **{k: v for k, v in (("error", error), ("cause", cause)) if v is not None})
        run.status, run.stop_date = "FAILED", step.scope.clock.now()
        raise Failure(error, cause, state_failed_event="MapStateFailed")
    writer = state.get("ResultWriter")
    try:
        if writer and ("Resource" in writer):
            result: Any = _write_results(step, run, writer, effective=effective)
        else:
            transformation = ((writer or {}).get("WriterConfig") or {}).get("Transformation", "COMPACT")
            result = _transform(results, run, transformation)
    except StatesError as exc:
        _add(step, "MapRunFailed", error=exc.error, cause=exc.cause or "")
        run.status, run.stop_date = "FAILED", step.scope.clock.now()
        raise Failure(exc.error, exc.cause, state_failed_event="MapStateFailed") from None
    _add(step, "MapRunSucceeded")
    run.status, run.stop_date = "SUCCEEDED", step.scope.clock.now()
    _add(step, "MapStateSucceeded", move=False)
    # MapStateExited links to MapRunStarted, as every AWS recording since November 2024 does (see the
    # same rule in parallel.run_map and ../shared/conformance's distributed Map histories).
    step.scope.cursor = run_started
    return step.finish(result)


def _map_run_arn(engine: Engine, label: str) -> str:
    return engine.state_machine_arn.replace(":stateMachine:", ":mapRun:") + f"/{label}:{engine.new_token()}"


def _child_inputs(step: Step, items: list[Any], *, effective: Any) -> list[Any]:
    """Each item through ItemSelector (``$$.Map.Item`` set), evaluated in the parent execution."""
    state = step.state
    key = "ItemSelector" if "ItemSelector" in state else ("Parameters" if "Parameters" in state else None)
    if key is None:
        return list(items)
    selected = []
    for index, item in enumerate(items):
        scope = step.scope.child(clock=step.scope.clock, cancel=step.scope.cancel, cursor=step.scope.cursor,
                                 query_language=step.query_language, map_item={"Index": index, "Value": item})
        item_step = dataclasses.replace(step, scope=scope)
        if step.jsonata:
            selected.append(item_step.jsonata_value(state[key], field_name=key))
        else:
            selected.append(item_step.template(state[key], effective))
    return selected


def _run_child(engine: Engine, child: ChildExecution, processor: dict[str, Any], *, scope: Scope,
               machine: str) -> Any:
    """One child execution: its own engine (context, history), the parent's integration and clock."""
    history = History(clock=scope.clock)
    child_engine = dataclasses.replace(
        engine, definition=processor, execution_input=child.input, execution_name=child.name,
        execution_arn=child.execution_arn, state_machine_name=machine, state_machine_arn=child.state_machine_arn,
        clock=scope.clock, history=history, start=child.start_date)
    child_engine.__dict__["_map_run_root"] = getattr(engine, "_map_run_root", engine)
    history.add("ExecutionStarted", previous=0, executionStartedEventDetails={
        "input": to_json(child.input), "inputDetails": {"truncated": False}, "roleArn": engine.role_arn})
    try:
        output = child_engine.run_program(processor, child.input, scope=scope)
    except Failure as exc:
        child.status, child.error, child.cause = "FAILED", exc.error, exc.cause
        details = {k: v for k, v in (("error", exc.error), ("cause", exc.cause)) if v is not None}
        history.add("ExecutionFailed", previous=len(history.events), executionFailedEventDetails=details)
        raise
    except StatesError as exc:
        child.status, child.error, child.cause = "FAILED", exc.error, exc.cause
        history.add("ExecutionFailed", previous=len(history.events),
                    executionFailedEventDetails={"error": exc.error, "cause": exc.cause or ""})
        raise Failure(exc.error, exc.cause) from None
    except Cancelled:
        child.status = "ABORTED"
        history.add("ExecutionAborted", previous=len(history.events), executionAbortedEventDetails={})
        raise
    except TimedOut:
        child.status = "TIMED_OUT"
        history.add("ExecutionTimedOut", previous=len(history.events), executionTimedOutEventDetails={})
        raise
    finally:
        child.stop_date = scope.clock.now()
        child.history = history.events
    child.status, child.output = "SUCCEEDED", output
    history.add("ExecutionSucceeded", previous=scope.cursor, executionSucceededEventDetails={
        "output": to_json(output), "outputDetails": {"truncated": False}})
    return output


# -- results ---------------------------------------------------------------------------------------
def _transform(results: list[Any], run: MapRun, transformation: str) -> Any:
    if transformation == "COMPACT":
        return results
    if transformation == "FLATTEN":
        flat: list[Any] = []
        for value in results:
            flat.extend(value if isinstance(value, list) else [value])
        return flat
    if transformation == "NONE":
        return [child.result_record() for child in run.children]
    raise StatesError("States.Runtime", f"ResultWriter.WriterConfig.Transformation '{transformation}' is not one of "
                      "NONE, COMPACT, FLATTEN")


def _write_results(step: Step, run: MapRun, writer: dict[str, Any], *, effective: Any) -> dict[str, Any]:
    resource = str(writer.get("Resource", ""))
    if not resource.endswith(":s3:putObject"):
        raise StatesError("States.Runtime", f"ResultWriter Resource '{resource}' is not arn:aws:states:::s3:putObject")
    if step.jsonata:
        params = step.jsonata_value(writer.get("Arguments", {}), field_name="Arguments")
    else:
        params = step.template(writer.get("Parameters", {}), effective)
    if not isinstance(params, dict) or not params.get("Bucket"):
        raise StatesError("States.Runtime", "ResultWriter needs Parameters (Arguments) with a Bucket")
    config = writer.get("WriterConfig") or {}
    transformation = config.get("Transformation", "NONE")
    output_type = config.get("OutputType", "JSON")
    if output_type not in ("JSON", "JSONL"):
        raise StatesError("States.Runtime", f"ResultWriter.WriterConfig.OutputType '{output_type}' is not JSON or JSONL")
    bucket, prefix = str(params["Bucket"]), str(params.get("Prefix", ""))
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    base = f"{prefix}{run.run_id}/"
    extension = "json" if output_type == "JSON" else "jsonl"
    files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status in ("SUCCEEDED", "FAILED"):
        chosen = [child for child in run.children
                  if (child.status == status if status == "SUCCEEDED" else child.status != "SUCCEEDED")]
        if not chosen:
            continue
        if status == "SUCCEEDED" and transformation != "NONE":
            records: list[Any] = _transform([child.output for child in chosen], run, transformation)
        else:
            # A failed child's record is always written whole (AWS: as with Transformation NONE).
            records = [child.result_record() for child in chosen]
        body = (json.dumps(records, separators=(",", ":")) if output_type == "JSON"
                else "".join(json.dumps(record, separators=(",", ":")) + "\n" for record in records))
        key = f"{base}{status}_0.{extension}"
        _put(step, bucket, key, body)
        files[status].append({"Key": key, "Size": len(body.encode())})
        run.results_written += len(chosen)
    manifest = {"DestinationBucket": bucket, "MapRunArn": run.map_run_arn, "ResultFiles": files}
    manifest_key = f"{base}manifest.json"
    _put(step, bucket, manifest_key, json.dumps(manifest, indent=2))
    return {"MapRunArn": run.map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}


def _put(step: Step, bucket: str, key: str, body: str) -> None:
    try:
        item_reader.s3_call(step, "putObject", {"Bucket": bucket, "Key": key, "Body": body})
    except TaskFailure as exc:
        raise StatesError(RESULT_WRITER_FAILED, f"cannot write s3://{bucket}/{key}: {exc.error}"
                          + (f": {exc.cause}" if exc.cause else "")) from None


__all__ = ["ChildExecution", "MapRun", "map_runs_of", "run_distributed_map"]
