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


def fail_state_warning(events: Any) -> str | None:
    """A warning when the execution's last state entered is a Fail state, None otherwise.

    A redrive "continues the failed execution from the unsuccessful step" (AWS Step Functions API
    reference, RedriveExecution): after a Catch routed the error to a Fail state (the generated
    pipelines' default `Notify failure: <step>` -> `Failed: <step>`), that step is the Fail state, so
    the redriven execution fails again at once. ``events``: the history, in either order."""
    entered = [e for e in events if str(e.get("type", "")).endswith("StateEntered")]
    if not entered:
        return None
    last = max(entered, key=lambda e: e.get("id", 0))
    if last.get("type") != "FailStateEntered":
        return None
    name = (last.get("stateEnteredEventDetails") or {}).get("name", "?")
    return (f"warning: the execution ended in the Fail state '{name}', after its error was caught; a redrive "
            "continues from that state and fails again (RedriveExecution continues from the unsuccessful step). "
            "To run the failed step again, start a new execution (cached steps are reused); to make a "
            "pipeline's failures redrivable, set `on_failure: stop` in its pipeline file.")


def last_events(stepfunctions: Any, execution_arn: str, *, count: int = 20) -> list[dict[str, Any]]:
    """The execution's newest ``count`` history events (one GetExecutionHistory call); [] when they
    cannot be read (the warnings they feed never stop a redrive)."""
    from sagemaker_sfn.aws import AwsError, call

    try:
        return call(stepfunctions.get_execution_history, executionArn=execution_arn, reverseOrder=True,
                    maxResults=count).get("events", [])
    except AwsError:
        return []


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
