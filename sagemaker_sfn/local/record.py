"""A local run's record on disk: ``.sfn-local/<execution name>/`` and what goes in it.

- :func:`check_execution_name` applies Step Functions' StartExecution name rules, plus the two names
  that are legal there but not safe directory names here (``.`` and ``..``).
- :func:`claim_run_dir` refuses a name already used (``ExecutionAlreadyExists``, as StartExecution
  answers for a name reused within 90 days) unless the caller replaces the old run.
- :func:`write_run_record` writes history.json and output.json atomically (a crash or a full disk
  leaves the previous files intact).
- :class:`EventRecorder` keeps every history event as it is recorded, so an interrupted run still
  has its history: :func:`aborted` ends it with ``ExecutionAborted`` as StopExecution does.
- :func:`first_interrupt_aborts` makes a second Ctrl-C leave immediately while the first one is
  being recorded.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sagemaker_sfn.errors import SagemakerSfnError, UsageError
from sagemaker_sfn.files import write_json_atomic

RUN_DIR = ".sfn-local"
# StartExecution's "name" (AWS Step Functions API reference): 1-80 characters; it must not contain
# white space, brackets < > { } [ ], wildcard characters ? *, special characters " # % \ ^ | ~ ` $ & , ; : /,
# control characters (U+0000-001F, U+007F-009F, U+FFFE-FFFF), surrogates (U+D800-DFFF) or invalid
# characters (U+10FFFF).
_BAD_NAME = re.compile("[\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\U0010ffff]")
AWS_NAME_RULES = ("1-80 characters, none of them white space, brackets < > { } [ ], wildcards ? *, "
                  "the special characters \" # % \\ ^ | ~ ` $ & , ; : /, or control characters "
                  "(StartExecution's name rules)")
ABORT_CAUSE = "Interrupted (Ctrl-C) during `sagemaker-sfn run --local`: the running jobs were stopped."


class ExecutionAlreadyExists(SagemakerSfnError):
    """An execution of that name was already run here (exit 2), as StartExecution answers."""


def default_execution_name(state_machine: str) -> str:
    """``<state machine>-<UTC time to the centisecond>``, at most 80 characters."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")[:-4]
    return f"{state_machine}-{stamp}"[-80:]


def check_execution_name(name: str, *, directory: bool = True) -> str:
    """``name`` if Step Functions would accept it, else UsageError; with ``directory`` (default True,
    a local run's directory name) also refuses ``.`` and ``..``."""
    if not 1 <= len(name) <= 80 or _BAD_NAME.search(name):
        raise UsageError(f"invalid execution name {name!r}: {AWS_NAME_RULES}")
    if directory and name in {".", ".."}:
        raise UsageError(f"invalid execution name {name!r}: Step Functions accepts it, but it would put this run's "
                         f"files outside {RUN_DIR}/<name>/; choose another name")
    return name


def claim_run_dir(root: Path, name: str, *, replace: bool = False) -> Path:
    """``<root>/.sfn-local/<name>``, which must not hold an earlier run unless ``replace`` (default
    False) says to delete it first."""
    run_dir = root / RUN_DIR / name
    if run_dir.exists():
        if not replace:
            raise ExecutionAlreadyExists(
                f"ExecutionAlreadyExists: an execution named '{name}' was already run ({run_dir}); "
                "choose another --name, or add --replace to delete that run's files and run again")
        shutil.rmtree(run_dir)
    return run_dir


def write_run_record(run_dir: Path, *, history: list[dict[str, Any]], result: dict[str, Any],
                     extra_history: Path | None = None) -> None:
    """``history.json`` (GetExecutionHistory events) and ``output.json`` (status, output, error,
    cause and, for a failure, what failed), each written atomically; ``extra_history`` (default
    none) gets the history in GetExecutionHistory's shape, ``{"events": [...]}``."""
    write_json_atomic(run_dir / "history.json", history)
    write_json_atomic(run_dir / "output.json", result)
    if extra_history is not None:
        write_json_atomic(extra_history, {"events": history})


class EventRecorder:
    """An ``on_event`` listener keeping every event, then passing it on to ``forward``."""

    def __init__(self, forward: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.forward = forward

    def __call__(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        if self.forward is not None:
            self.forward(event)


def aborted(events: list[dict[str, Any]], *, cause: str = ABORT_CAUSE) -> dict[str, Any]:
    """The ``ExecutionAborted`` event that ends ``events`` (appended to them and returned), as
    StopExecution records it (ExecutionAbortedEventDetails: optional error and cause)."""
    event = {"timestamp": datetime.now(timezone.utc), "type": "ExecutionAborted", "id": len(events) + 1,
             "previousEventId": len(events), "executionAbortedEventDetails": {"cause": cause}}
    events.append(event)
    return event


def stop_running_jobs(store: Any, *, request_stop: Callable[[str], None], now_millis: int) -> list[str]:
    """Ask every InProgress job in ``store`` to stop and record it ``Stopped`` (as StopTrainingJob and
    friends end a job), so its describe.json says so; returns the names stopped."""
    statuses = {"TrainingJob": "TrainingJobStatus", "ProcessingJob": "ProcessingJobStatus",
                "TransformJob": "TransformJobStatus", "HyperParameterTuningJob": "HyperParameterTuningJobStatus"}
    stopped = []
    for kind, name, record in store.all():
        member = statuses.get(kind)
        if member is None or record.get(member) not in {"InProgress", "Stopping"}:
            continue
        request_stop(name)
        changes: dict[str, Any] = {member: "Stopped", "LastModifiedTime": now_millis}
        if kind == "TrainingJob":
            changes["SecondaryStatus"] = "Stopped"
        store.update(kind, name, **changes)
        stopped.append(name)
    return stopped


@contextmanager
def first_interrupt_aborts(*, message: str = "interrupted again: exiting at once, the run is not recorded") -> Iterator[None]:
    """The first Ctrl-C raises KeyboardInterrupt as usual (the caller stops the jobs and records the
    run); from then on, a second Ctrl-C exits the process at once with status 130. Signals reach only
    the main thread, so elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(signum: int, frame: Any) -> None:
        try:
            sys.stderr.write(f"\n{message}\n")
            sys.stderr.flush()
        finally:
            os._exit(130)

    def first(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, leave)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
