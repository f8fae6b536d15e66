"""``sagemaker-sfn history``: an execution's events, one readable line each."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

HELP = "show an execution's event history"
DESCRIPTION = """\
Print the event history of a Step Functions execution: one line per event with its time, type,
state name and, for failures, the error and cause. --json prints the raw events instead.

example:
  sagemaker-sfn history arn:aws:states:us-east-1:123456789012:execution:tune-xgboost:run-1
"""

TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
_CAUSE_CHARS = 300  # long causes (whole SageMaker responses) would bury the timeline


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sagemaker_sfn.commands.start import add_common_aws_arguments

    parser.add_argument("execution_arn", metavar="EXECUTION_ARN")
    parser.add_argument("--json", action="store_true", help="print the raw events as JSON")
    add_common_aws_arguments(parser)


def check_execution_arn(arn: str) -> None:
    """A UsageError (exit 2) for anything but an execution ARN, before any AWS call."""
    from sagemaker_sfn.errors import UsageError

    if ":execution:" not in arn:
        raise UsageError(f"{arn} is not an execution ARN "
                         "(expected arn:<partition>:states:<region>:<account>:execution:<machine>:<name>)")


def iter_events(stepfunctions: Any, execution_arn: str) -> Iterator[dict[str, Any]]:
    """Every event of the execution, oldest first, across pages."""
    from sagemaker_sfn.aws import call

    request: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = call(stepfunctions.get_execution_history, **request)
        yield from page["events"]
        if not page.get("nextToken"):
            return
        request["nextToken"] = page["nextToken"]


def _clock(value: Any) -> str:
    return value.strftime("%H:%M:%S") if isinstance(value, datetime) else str(value)


def _details(event: dict[str, Any]) -> dict[str, Any]:
    # Every event type keeps its details under "<camelCaseType>EventDetails".
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def describe_event(event: dict[str, Any]) -> str:
    """``12:00:03  TaskFailed  Train  States.TaskFailed: cause...``."""
    details = _details(event)
    parts = [_clock(event.get("timestamp")), event["type"]]
    if details.get("name"):
        parts.append(details["name"])
    if details.get("resourceType"):
        parts.append(f"{details['resourceType']}:{details.get('resource', '')}")
    if details.get("error") or details.get("cause"):
        cause = str(details.get("cause", ""))
        cause = cause if len(cause) <= _CAUSE_CHARS else cause[:_CAUSE_CHARS] + "..."
        parts.append(f"{details.get('error', '')}: {cause}".strip(": "))
    return "  ".join(parts)


def follow(stepfunctions: Any, execution_arn: str, *, poll_seconds: float, out: TextIO,
           timeout: float | None = None) -> str:
    """Print each new event until the execution ends; return its final status, or its current one
    (RUNNING) when ``timeout`` seconds (default None: no limit) passed first.

    Each poll re-reads the history and prints events newer than the last one shown: simple, and
    cheap next to SageMaker jobs that run for minutes (histories hold at most 25,000 events).
    """
    from sagemaker_sfn.aws import call

    seen = 0
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        # Status first: events read after a terminal status include the final ones.
        status = call(stepfunctions.describe_execution, executionArn=execution_arn)["status"]
        for event in iter_events(stepfunctions, execution_arn):
            if event["id"] > seen:
                seen = event["id"]
                print(describe_event(event), file=out, flush=True)
        if status in TERMINAL:
            print(f"execution {status}", file=out, flush=True)
            return status
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return status
            time.sleep(min(poll_seconds, left))
        else:
            time.sleep(poll_seconds)


def print_failure(stepfunctions: Any, execution_arn: str, *, region: str | None, out: TextIO, width: int = 11,
                  brief: bool = False, logs: Any = None) -> None:
    """Why a deployed execution did not succeed: failing state, error, and for a SageMaker job its
    FailureReason and CloudWatch log stream (read from the same kind of history a local run keeps).
    ``brief`` (default False) leaves out the error and cause lines (already shown by ``status``);
    ``logs`` (a CloudWatch Logs client, default None) names the job's actual log streams."""
    from sagemaker_sfn.failures import LOG_GROUPS, explain_execution, failure_lines, find_log_streams

    failure = explain_execution(iter_events(stepfunctions, execution_arn), region=region)
    if failure is not None and failure.job is not None and logs is not None:
        streams = find_log_streams(logs, failure.job)
        if streams:
            failure.job.log = f"CloudWatch Logs {LOG_GROUPS[failure.job.kind]}, stream {', '.join(streams)}"
    if failure is not None:
        print("\n".join(failure_lines(failure, width=width, brief=brief)), file=out, flush=True)


def run(args: argparse.Namespace) -> int:
    from sagemaker_sfn.aws import client

    check_execution_arn(args.execution_arn)
    stepfunctions = client("stepfunctions", region=args.region, profile=args.profile)
    events = list(iter_events(stepfunctions, args.execution_arn))
    if args.json:
        print(json.dumps(events, indent=2, default=str))
    else:
        for event in events:
            print(describe_event(event))
    return 0
