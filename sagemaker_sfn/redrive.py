"""RedriveExecution for executions on AWS: restart a failed, timed-out or aborted execution from
the state that did not finish, and optionally follow it.

Step Functions answers ``ExecutionNotRedrivable`` with its reason (a SUCCEEDED or RUNNING
execution, past the 14-day redrivable period, history at the event limit...); the same rules run
locally in :mod:`sagemaker_sfn.local.interpreter.redrive`.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

from sagemaker_sfn.commands.history import TERMINAL, describe_event, iter_events


def redrive(stepfunctions: Any, execution_arn: str) -> dict[str, Any]:
    """Call RedriveExecution; returns the execution as DescribeExecution shows it just before.

    AwsError (from :func:`sagemaker_sfn.aws.call`) carries AWS's reason when it refuses."""
    from sagemaker_sfn.aws import call

    before = call(stepfunctions.describe_execution, executionArn=execution_arn)
    call(stepfunctions.redrive_execution, executionArn=execution_arn)
    return before


def follow_redrive(stepfunctions: Any, execution_arn: str, *, before: dict[str, Any], poll_seconds: float,
                   out: TextIO) -> str:
    """Print the events the redrive adds (from ExecutionRedriven on) until the execution ends again.

    DescribeExecution may still show the old terminal status for a moment after RedriveExecution
    returns: the redrive counts as started once ``redriveCount`` went up."""
    from sagemaker_sfn.aws import call

    seen = max((event["id"] for event in iter_events(stepfunctions, execution_arn)
                if event["type"] != "ExecutionRedriven"), default=0)
    count = before.get("redriveCount", 0)
    while True:
        described = call(stepfunctions.describe_execution, executionArn=execution_arn)
        started = described.get("redriveCount", 0) > count
        events = [e for e in iter_events(stepfunctions, execution_arn) if e["id"] > seen]
        redriven = next((e["id"] for e in events if e["type"] == "ExecutionRedriven"), None)
        if redriven is not None:
            seen = redriven - 1
            for event in (e for e in events if e["id"] >= redriven):
                seen = event["id"]
                print(describe_event(event), file=out, flush=True)
        if started and described["status"] in TERMINAL:
            print(f"execution {described['status']}", file=out, flush=True)
            return described["status"]
        time.sleep(poll_seconds)
