"""RedriveExecution for executions on AWS: restart a failed, timed-out or aborted execution from
the state that did not finish, and optionally follow it.

Step Functions answers ``ExecutionNotRedrivable`` with its reason (a SUCCEEDED or RUNNING
execution, past the 14-day redrivable period, history at the event limit...); the same rules run
locally in :mod:`sagemaker_sfn.local.interpreter.redrive`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, TextIO

from sagemaker_sfn.commands.history import TERMINAL, describe_event, iter_events


def redrive(stepfunctions: Any, execution_arn: str) -> dict[str, Any]:
    """Call RedriveExecution; returns the execution as DescribeExecution shows it just before.

    AwsError (from :func:`sagemaker_sfn.aws.call`) carries AWS's reason when it refuses."""
    from sagemaker_sfn.aws import call

    before = call(stepfunctions.describe_execution, executionArn=execution_arn)
    call(stepfunctions.redrive_execution, executionArn=execution_arn)
    return before


def code_changed_warning(stepfunctions: Any, execution_arn: str, *, code_dir: Path) -> str | None:
    """A warning when ``code_dir`` (the project's examples/) no longer matches the code the
    execution's definition pins (code/sha256-<hash>/..., :mod:`sagemaker_sfn.code_pin`); None when it
    does, when the definition pins nothing, or when the definition cannot be read.

    The definition is the one the execution started with (DescribeStateMachineForExecution), the one
    a redrive runs: "Redriven executions use the same state machine definition and execution ARN as
    the original execution attempt" (AWS Step Functions API reference, RedriveExecution)."""
    from sagemaker_sfn.aws import AwsError, call
    from sagemaker_sfn.code_pin import redrive_code_warning, stale_pins

    if not code_dir.is_dir():
        return None
    try:
        described = call(stepfunctions.describe_state_machine_for_execution, executionArn=execution_arn)
        definition = json.loads(described["definition"])
    except (AwsError, KeyError, ValueError):
        return None   # only a warning: never stops a redrive AWS accepted
    # A deployed definition names the bucket itself, not ${DataBucket}.
    return redrive_code_warning(stale_pins(definition, code_dir, bucket_token=None), folder=code_dir.name)


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
