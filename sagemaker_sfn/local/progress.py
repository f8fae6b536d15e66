"""Live progress of a local run, drawn from the execution's history events as they are recorded.

:class:`Progress` is the interpreter's ``on_event`` listener. It prints one line per thing a
person follows (a state entered or left, a task failure, a retry, a caught error, a Map iteration)
with the simulated time since the start, indenting inside Map and Parallel states, and counts
states and retries for the summary. With ``out=None`` it prints nothing and only counts.

Jobs report their own progress ("training job X: Completed (validation:rmse = 0.2)") on the
``sagemaker_sfn.local`` logger, from worker threads; :class:`JobLogHandler` prints those lines
through the same :class:`Progress`, indented under the state that is running, so the two streams
interleave in one readable order.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

_CONTAINER_START = {"MapStateStarted", "ParallelStateStarted"}
_CONTAINER_END = {"MapStateSucceeded", "MapStateFailed", "MapStateAborted",
                  "ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted"}
_SCHEDULED = {"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"}
_FAILED = {"TaskFailed": "taskFailedEventDetails", "TaskTimedOut": "taskTimedOutEventDetails",
           "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
           "LambdaFunctionTimedOut": "lambdaFunctionTimedOutEventDetails",
           "ActivityFailed": "activityFailedEventDetails", "ActivityTimedOut": "activityTimedOutEventDetails",
           "TaskStartFailed": "taskStartFailedEventDetails", "TaskSubmitFailed": "taskSubmitFailedEventDetails"}
_MAX_CAUSE = 160   # one readable line; the full cause is in history.json


@dataclass
class _Entry:
    state: str
    attempts: int = 0
    last_error: str | None = None


@dataclass
class RunStats:
    states_run: int = 0
    retries: int = 0
    task_failures: int = 0
    caught: int = 0
    retries_by_state: dict[str, int] = field(default_factory=dict)


def _short(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= _MAX_CAUSE else text[: _MAX_CAUSE - 3] + "..."


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Progress:
    """Event listener; ``out`` is where lines go (default None: count only, print nothing)."""

    def __init__(self, *, out: TextIO | None = None, jobs_dir: Path | None = None) -> None:
        self.out = out
        # Where local jobs keep their logs (<jobs_dir>/<job>/logs.txt), to show a failed job's own
        # error lines (default None: only what the task's cause says).
        self.jobs_dir = jobs_dir
        self.stats = RunStats()
        self._start: datetime | None = None
        self._depth = 0
        self._label: dict[int, str] = {}         # event id -> "[2]" label of its Map iteration
        self._entries: dict[str, _Entry] = {}    # label -> state being run on that branch
        self._pending_catch: dict[str, str] = {} # label -> error that left the last state
        self._parallel: dict[int, int] = {}      # ParallelStateStarted id -> branches seen so far
        self._base: dict[str, str] = {}          # state name -> label where it was entered
        self._open: list[str] = []               # labels of the Map/Parallel states running
        # Job log lines arrive from worker threads while the interpreter emits events: one line at a time.
        self._print_lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        self.on_event(event)

    def _line(self, event: dict[str, Any], label: str, text: str) -> None:
        if self.out is None:
            return
        stamp = event.get("timestamp")
        elapsed = (stamp - self._start).total_seconds() if isinstance(stamp, datetime) and self._start else 0.0
        prefix = "  " * self._depth + (f"{label} " if label else "")
        with self._print_lock:
            print(f"[{_clock(elapsed)}] {prefix}{text}", file=self.out, flush=True)

    def job_line(self, text: str) -> None:
        """A job's own progress line, stamped now and indented under the running state."""
        if self.out is None:
            return
        elapsed = 0.0
        if self._start is not None:
            now = datetime.now(self._start.tzinfo)
            elapsed = max(0.0, (now - self._start).total_seconds())
        with self._print_lock:
            print(f"[{_clock(elapsed)}] {'  ' * self._depth}    {text}", file=self.out, flush=True)

    def _failed_job(self, cause: str | None) -> Any:
        if self.out is None:
            return None
        from sagemaker_sfn.failures import job_failure

        jobs_dir = self.jobs_dir
        return job_failure(cause, log_for=(lambda kind, name: jobs_dir / name / "logs.txt") if jobs_dir else None)

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type", "")
        if self._start is None and isinstance(event.get("timestamp"), datetime):
            self._start = event["timestamp"]
        previous = event.get("previousEventId") or 0
        label = self._label.get(previous, "")
        if previous in self._parallel and kind.endswith("StateEntered"):
            # The first event of each branch points at ParallelStateStarted: number the branches.
            self._parallel[previous] += 1
            label = f"{self._open[-1] if self._open else ''}(branch {self._parallel[previous]})"
        if kind == "MapIterationStarted":
            # AWS links an iteration to the previous iteration's last event, so the label comes
            # from the Map state itself, not from the previous event.
            details = event.get("mapIterationStartedEventDetails") or {}
            base = self._base.get(details.get("name", ""), self._open[-1] if self._open else "")
            label = f"{base}[{details.get('index')}]"
        elif kind in _CONTAINER_END:
            label = self._open.pop() if self._open else ""
        elif kind.endswith("StateExited"):
            name = (event.get("stateExitedEventDetails") or {}).get("name", "")
            if kind in {"MapStateExited", "ParallelStateExited"} and name in self._base:
                label = self._base[name]
        elif kind.endswith("StateEntered"):
            self._base[(event.get("stateEnteredEventDetails") or {}).get("name", "")] = label
        if kind in _CONTAINER_START:
            self._open.append(label)
        self._label[event.get("id", 0)] = label

        if kind in _CONTAINER_END:
            self._depth = max(0, self._depth - 1)
        elif kind.endswith("StateEntered"):
            name = (event.get("stateEnteredEventDetails") or {}).get("name", "?")
            self.stats.states_run += 1
            caught = self._pending_catch.pop(label, None)
            if caught:
                self.stats.caught += 1
                self._line(event, label, f"caught {caught} -> {name}")
            self._entries[label] = _Entry(state=name)
            self._line(event, label, f"> {name} ({kind[: -len('StateEntered')]})")
        elif kind in _SCHEDULED:
            entry = self._entries.get(label)
            if entry is not None:
                entry.attempts += 1
                if entry.attempts > 1:
                    self.stats.retries += 1
                    self.stats.retries_by_state[entry.state] = self.stats.retries_by_state.get(entry.state, 0) + 1
                    self._line(event, label, f"  retry {entry.attempts - 1} of {entry.state} after {entry.last_error}")
        elif kind in {"TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded"}:
            entry = self._entries.get(label)
            if entry is not None:
                entry.last_error = None
        elif kind in {"MapStateFailed", "ParallelStateFailed"}:
            entry = self._entries.get(label)
            if entry is not None:
                entry.last_error = "States.BranchFailed" if kind.startswith("Parallel") else "the Map's failure"
        elif kind in _FAILED:
            details = event.get(_FAILED[kind]) or {}
            error = details.get("error") or ("States.Timeout" if kind.endswith("TimedOut") else "unknown error")
            self.stats.task_failures += 1
            entry = self._entries.get(label)
            if entry is not None:
                entry.last_error = error
            job = self._failed_job(details.get("cause"))
            if job is not None:
                # A failed job's cause is its whole Describe response: show what failed and why.
                self._line(event, label, f"  task failed: {error}: {job.readable_kind} {job.name} {job.status}"
                           + (f": {_short(job.headline)}" if job.headline else ""))
                for line in job.details[:-1]:
                    self._line(event, label, f"      {_short(line)}")
            else:
                cause = _short(details.get("cause"))
                self._line(event, label, f"  task failed: {error}" + (f": {cause}" if cause else ""))
        elif kind.endswith("StateExited"):
            name = (event.get("stateExitedEventDetails") or {}).get("name", "?")
            entry = self._entries.pop(label, None)
            if entry is not None and entry.last_error:
                # Left after a failure without failing the execution: a Catch took it.
                self._pending_catch[label] = entry.last_error
            self._line(event, label, f"< {name}")
        elif kind == "MapStateStarted":
            length = (event.get("mapStateStartedEventDetails") or {}).get("length")
            self._line(event, label, f"  map over {length} item(s)")
        elif kind in {"MapIterationFailed", "MapIterationAborted"}:
            self._line(event, label, "  iteration " + ("failed" if kind.endswith("Failed") else "aborted"))
        elif kind in {"ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}:
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), {}) or {}
            error = details.get("error", kind[len("Execution"):].upper())
            job = self._failed_job(details.get("cause"))
            cause = (f"{job.readable_kind} {job.name} {job.status}: {_short(job.headline)}" if job is not None
                     else _short(details.get("cause")))
            self._line(event, label, f"execution {kind[len('Execution'):].lower()}: {error}"
                       + (f": {cause}" if cause else ""))
        if kind in _CONTAINER_START:
            self._depth += 1
            if kind == "ParallelStateStarted":
                self._parallel[event.get("id", 0)] = 0


class JobLogHandler(logging.Handler):
    """Sends ``sagemaker_sfn.local`` log records (jobs' progress) to :meth:`Progress.job_line`."""

    def __init__(self, progress: Progress, *, level: int = logging.INFO) -> None:
        super().__init__(level=level)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.progress.job_line(record.getMessage())
        except Exception:  # a broken pipe on stdout must not fail the job that logged
            self.handleError(record)


def count_history(events: list[dict[str, Any]]) -> RunStats:
    """Replay a finished history through a silent :class:`Progress` to get its counts."""
    progress = Progress(out=None)
    for event in events:
        progress.on_event(event)
    return progress.stats
