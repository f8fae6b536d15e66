"""Why an execution failed, in words a person can act on, read from its record.

One reader for both sources of an execution record (DESIGN.md "one execution record, two
sources"): a local run's history.json and a deployed run's GetExecutionHistory events have the same
shape, and a failed ``.sync`` SageMaker task's cause is, in both, the job's Describe* response as
JSON (Step Functions reports a failed job that way; the local runner does the same). So
:func:`explain_execution` finds the failing state, its error, and when a SageMaker job failed, the
job's name, status and FailureReason, the exception inside it and where the job's full log is.

Never the whole cause on a terminal: :func:`short_cause` keeps one readable line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

# Describe* response: kind, name member, status member; the kinds a .sync SageMaker task runs.
_JOBS = (("TrainingJob", "TrainingJobName", "TrainingJobStatus"),
         ("ProcessingJob", "ProcessingJobName", "ProcessingJobStatus"),
         ("TransformJob", "TransformJobName", "TransformJobStatus"),
         ("HyperParameterTuningJob", "HyperParameterTuningJobName", "HyperParameterTuningJobStatus"))
_READABLE = {"TrainingJob": "training job", "ProcessingJob": "processing job", "TransformJob": "transform job",
             "HyperParameterTuningJob": "tuning job"}
# CloudWatch Logs groups SageMaker writes each job kind's container output to ("Log Amazon SageMaker
# events with Amazon CloudWatch", SageMaker developer guide); streams are "<job>/algo-1-<epoch>" for
# training and "<job>/<instance>-<epoch>" for processing and transform.
LOG_GROUPS = {"TrainingJob": "/aws/sagemaker/TrainingJobs", "ProcessingJob": "/aws/sagemaker/ProcessingJobs",
              "TransformJob": "/aws/sagemaker/TransformJobs"}
_FAILURE_EVENTS = {"TaskFailed": "taskFailedEventDetails", "TaskTimedOut": "taskTimedOutEventDetails",
                   "TaskStartFailed": "taskStartFailedEventDetails", "TaskSubmitFailed": "taskSubmitFailedEventDetails",
                   "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
                   "LambdaFunctionTimedOut": "lambdaFunctionTimedOutEventDetails",
                   "ActivityFailed": "activityFailedEventDetails", "ActivityTimedOut": "activityTimedOutEventDetails",
                   "ExecutionFailed": "executionFailedEventDetails", "FailStateEntered": "stateEnteredEventDetails"}
_SHORT_CAUSE = 300


@dataclass
class JobFailure:
    kind: str                     # TrainingJob, ProcessingJob, ...
    name: str
    status: str                   # Failed | Stopped
    reason: str                   # FailureReason as recorded ("" when there is none)
    headline: str                 # the exception or first line of the reason
    details: list[str] = field(default_factory=list)   # traceback lines ending with the exception
    log: str | None = None        # where the full output is (a local file, or a CloudWatch stream)
    log_url: str | None = None    # the CloudWatch console page (deployed runs)

    @property
    def readable_kind(self) -> str:
        return _READABLE.get(self.kind, self.kind)


@dataclass
class CaughtFailure:
    """The failure a Catch sent on to the Fail state that ended the execution."""

    state: str                    # the Task (or other state) that failed
    error: str | None
    cause: str | None


@dataclass
class ExecutionFailure:
    state: str | None             # the state whose failure ended the execution, when known
    error: str | None
    cause: str | None
    job: JobFailure | None = None
    caused_by: CaughtFailure | None = None   # a caught failure the ending Fail state's input carries

    def as_json(self) -> dict[str, Any]:
        """For ``--json`` output: failing state, job (kind, name, status, reason, log), error, and
        the caught failure that led there (``caused_by``: state, error) when there is one."""
        out: dict[str, Any] = {"state": self.state, "error": self.error,
                               "job": None if self.job is None else
                               {k: v for k, v in asdict(self.job).items() if v not in (None, [])}}
        if self.caused_by is not None:
            out["caused_by"] = {"state": self.caused_by.state, "error": self.caused_by.error}
        return out


def short_cause(cause: str | None, *, limit: int = _SHORT_CAUSE) -> str:
    """``cause`` on one line of at most ``limit`` characters (default 300)."""
    text = " ".join((cause or "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def job_failure(cause: str | None, *, log_for: Callable[[str, str], Path | None] | None = None,
                region: str | None = None) -> JobFailure | None:
    """The failed SageMaker job a task's ``cause`` describes (a Describe* response as JSON), or None.

    ``log_for(kind, name)``: the job's local log file, if any (default: none); the error lines come
    from it, else from the FailureReason. ``region``: for a deployed job, names its CloudWatch log
    stream and console URL (default None: no CloudWatch location).
    """
    from sagemaker_sfn.local.sagemaker.failure import error_lines, headline, read_log_lines, reason_lines

    if not cause or not cause.lstrip().startswith("{"):
        return None
    try:
        record = json.loads(cause)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    for kind, name_member, status_member in _JOBS:
        if isinstance(record.get(name_member), str) and status_member in record:
            name = record[name_member]
            reason = str(record.get("FailureReason") or "")
            found = JobFailure(kind=kind, name=name, status=str(record.get(status_member)), reason=reason,
                               headline=headline(reason) or str(record.get(status_member)))
            log = log_for(kind, name) if log_for else None
            if log is not None and Path(log).is_file():
                found.log = _shown(Path(log))
                here = f"{Path.cwd()}/"   # local paths in tracebacks, shown relative as the log path is
                found.details = [line.replace(here, "") for line in error_lines(read_log_lines(Path(log)))]
            if not found.details and reason:
                found.details = error_lines(reason_lines(reason))
            if found.details:
                found.headline = found.details[-1]
            if region and kind in LOG_GROUPS:
                found.log, found.log_url = cloudwatch_location(kind, name, region=region)
            return found
    return None


def _cut(line: str, *, limit: int = _SHORT_CAUSE) -> str:
    """``line`` at most ``limit`` characters, its indentation kept (a traceback's source lines)."""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def cloudwatch_location(kind: str, name: str, *, region: str) -> tuple[str, str]:
    """(``<group> <job>/...`` as a person would search it, the CloudWatch console URL of the streams)."""
    group = LOG_GROUPS[kind]
    # The console's hash route encodes "/" in names as "$252F" (a URL-encoded "%2F").
    encoded_group = quote(group, safe="").replace("%", "$25")
    url = (f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logsV2:log-groups/"
           f"log-group/{encoded_group}$3FlogStreamNameFilter$3D{quote(name, safe='')}")
    stream = f"{name}/algo-1-..." if kind == "TrainingJob" else f"{name}/..."
    return f"CloudWatch Logs {group}, stream {stream}", url


def find_log_streams(logs: Any, job: JobFailure) -> list[str]:
    """The job's CloudWatch log streams (``<job>/algo-1-<epoch>``, ...) through ``logs`` (a boto3
    CloudWatch Logs client), newest first; [] when they cannot be listed (no permission, no logs
    yet): the group and stream prefix already say where to look."""
    group = LOG_GROUPS.get(job.kind)
    if group is None:
        return []
    try:
        answer = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=f"{job.name}/", limit=10)
    except Exception:  # noqa: BLE001 - only a better hint is lost; botocore errors vary by cause
        return []
    return [stream["logStreamName"] for stream in answer.get("logStreams", [])]


def _details(event: dict[str, Any]) -> dict[str, Any]:
    key = _FAILURE_EVENTS.get(event.get("type", ""))
    value = event.get(key) if key else None
    return value if isinstance(value, dict) else {}


def explain_execution(events: Iterable[dict[str, Any]], *, log_for: Callable[[str, str], Path | None] | None = None,
                      region: str | None = None) -> ExecutionFailure | None:
    """Why the execution these history events record did not succeed; None when it did not fail.

    The failing state is the one entered last before the last task failure (or Fail state); the
    job is the SageMaker job that task's cause describes.
    """
    from sagemaker_sfn.report.record import event_details

    events = list(events)
    end = next((e for e in reversed(events) if e.get("type") in
                {"ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}), None)
    if end is None:
        return None
    end_details = event_details(end)
    error, cause = end_details.get("error"), end_details.get("cause")
    state: str | None = None
    task_cause: str | None = None
    last_entered: str | None = None
    failures: list[CaughtFailure] = []   # every task failure so far, in order
    caused_by: CaughtFailure | None = None
    for event in events:
        kind = event.get("type", "")
        if kind.endswith("StateEntered"):
            last_entered = (event.get("stateEnteredEventDetails") or {}).get("name")
            if kind == "FailStateEntered":
                state, task_cause = last_entered, None
                caused_by = _carried(event, failures)
        elif kind in _FAILURE_EVENTS and kind != "ExecutionFailed":
            state = last_entered
            details = _details(event)
            task_cause = details.get("cause")
            failures.append(CaughtFailure(state=last_entered or "", error=details.get("error"), cause=task_cause))
    if state is None:
        state = last_entered
    job = job_failure(task_cause or cause, log_for=log_for, region=region)
    if job is None and caused_by is not None:
        job = job_failure(caused_by.cause, log_for=log_for, region=region)
    return ExecutionFailure(state=state, error=error, cause=cause, job=job, caused_by=caused_by)


def _carried(event: dict[str, Any], failures: list[CaughtFailure]) -> CaughtFailure | None:
    """The task failure a Fail state's input carries: a Catch puts the error output
    (``{"Error", "Cause"}``) at its ResultPath, and the states after it pass it on, as the generated
    pipelines' ``$.error`` reaches ``Failed: <step>``. The newest failure found there, else None (a
    Fail state reached by a Choice, such as a metric gate, carries none)."""
    raw = (event.get("stateEnteredEventDetails") or {}).get("input")
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
    carried: set[tuple[Any, Any]] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "Error" in item and "Cause" in item:
                carried.add((item.get("Error"), item.get("Cause")))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return next((f for f in reversed(failures) if (f.error, f.cause) in carried), None)


def failure_lines(failure: ExecutionFailure, *, width: int = 11, brief: bool = False) -> list[str]:
    """The summary lines for a failure: error and state, then the job, its exception, its log.
    ``brief`` (default False): the failing state instead of the error and cause (shown elsewhere)."""
    def row(label: str, text: str) -> str:
        return f"{label + ':':<{width}}{text}"

    if brief:
        lines = [row("failed state", failure.state)] if failure.state else []
    else:
        lines = [row("error", (failure.error or "-") + (f" in state '{failure.state}'" if failure.state else ""))]
    caught = failure.caused_by
    if caught is not None:
        lines.append(row("caused by", f"{caught.error or '-'} in state '{caught.state}' (caught)"))
    job = failure.job
    if job is not None:
        lines.append(row("job", f"{job.readable_kind} {job.name} {job.status}"))
        if job.details:
            lines.append(row("reason", short_cause(job.details[-1])))
            lines.extend(" " * (width + 2) + _cut(line) for line in job.details[:-1])
        elif job.headline:
            lines.append(row("reason", short_cause(job.headline)))
        if job.log:
            lines.append(row("log", job.log))
        if job.log_url:
            lines.append(row("console", job.log_url))
    elif failure.cause and not brief:
        lines.append(row("cause", short_cause(failure.cause)))
    return lines
