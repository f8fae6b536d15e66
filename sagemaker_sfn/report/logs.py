"""A SageMaker job's log: the local run's ``jobs/<job>/logs.txt`` or the job's CloudWatch Logs streams.

``--follow`` keeps reading until the job ends: a local log until its run has written history.json
(the run is over), a CloudWatch stream until the job's Describe* status is terminal and no new
events arrive (GetLogEvents with the forward token, as the AWS CLI's ``logs tail --follow`` does).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from sagemaker_sfn.errors import UsageError
from sagemaker_sfn.report.record import (_DESCRIBE, LOG_GROUPS, STATUS_MEMBER, TERMINAL_JOB_STATUSES, find_log_streams,
                                         runs_root)

POLL_SECONDS = 2.0


def find_local_log(job: str, *, root: Path | None = None) -> Path:
    """The newest local run's ``jobs/<job>/logs.txt``; a UsageError listing what exists otherwise."""
    base = runs_root(root)
    candidates = sorted(base.glob(f"*/jobs/{job}/logs.txt"), key=lambda p: p.stat().st_mtime) if base.is_dir() else []
    if candidates:
        return candidates[-1]
    raise UsageError(f"no local log for job '{job}': expected {base}/<run>/jobs/{job}/logs.txt "
                     "(jobs of deployed executions: add --deployed)")


def print_local(path: Path, *, out: TextIO, follow: bool = False, poll_seconds: float = POLL_SECONDS,
                sleep: Callable[[float], None] = time.sleep) -> None:
    """Print ``path``; with ``follow``, keep printing what is appended until the run has ended."""
    run_dir = path.parent.parent.parent
    with path.open(encoding="utf-8", errors="replace") as handle:
        while True:
            chunk = handle.read()
            if chunk:
                out.write(chunk)
                out.flush()
            if not follow or (run_dir / "history.json").is_file():
                rest = handle.read()
                if rest:
                    out.write(rest)
                return
            sleep(poll_seconds)


def _job_kind(sagemaker: Any, job: str) -> tuple[str, str]:
    """(kind, status) of a deployed job, trying each kind that writes container logs."""
    from sagemaker_sfn.aws import AwsError, call

    for kind in LOG_GROUPS:
        try:
            answer = call(getattr(sagemaker, _DESCRIBE[kind]), **{f"{kind}Name": job})
        except AwsError:
            continue
        return kind, str(answer.get(STATUS_MEMBER[kind], "?"))
    raise UsageError(f"no SageMaker training, processing or transform job named '{job}' in this region "
                     "(a tuning job's logs are its training jobs': `sagemaker-sfn report` lists them)")


def cloudwatch_lines(session: Any, job: str, *, follow: bool = False, poll_seconds: float = POLL_SECONDS,
                     sleep: Callable[[float], None] = time.sleep) -> Iterator[str]:
    """Every message of the job's streams, oldest first; with ``follow``, until the job has ended."""
    from sagemaker_sfn.aws import call

    sagemaker, logs = session.client("sagemaker"), session.client("logs")
    kind, status = _job_kind(sagemaker, job)
    tokens: dict[str, str | None] = {}
    while True:
        source = find_log_streams(logs, kind=kind, job=job)
        new = 0
        for stream in source.streams:
            while True:
                request: dict[str, Any] = {"logGroupName": source.group, "logStreamName": stream, "startFromHead": True}
                if tokens.get(stream):
                    request["nextToken"] = tokens[stream]
                page = call(logs.get_log_events, **request)
                events = page.get("events", [])
                for event in events:
                    new += 1
                    yield str(event.get("message", "")).rstrip("\n")
                same = page.get("nextForwardToken") == tokens.get(stream)
                tokens[stream] = page.get("nextForwardToken")
                if same or not events:
                    break
        if not follow or (status in TERMINAL_JOB_STATUSES and new == 0):
            if not source.streams and not follow:
                raise UsageError(f"job '{job}' ({kind}) has no log streams in {source.group} yet")
            return
        sleep(poll_seconds)
        status = _job_kind(sagemaker, job)[1]
