"""``sagemaker-sfn status``: where an execution stands."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sagemaker_sfn.outcomes import EXIT_STATUS_HELP

HELP = "show an execution's status, input, output or error"
DESCRIPTION = """\
Describe a Step Functions execution: status, state machine, start and stop times, and its
output (when it succeeded) or error and cause (when it did not). --json prints the raw response.

When the execution failed, the failing state, its error and, for a SageMaker job, the job's
FailureReason and CloudWatch log stream are shown (from the execution's history).

""" + EXIT_STATUS_HELP + """
  (RUNNING counts as 0 here: the execution has not ended.)

example:
  sagemaker-sfn status arn:aws:states:us-east-1:123456789012:execution:tune-xgboost:run-1
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sagemaker_sfn.commands.start import add_common_aws_arguments

    parser.add_argument("execution_arn", metavar="EXECUTION_ARN")
    parser.add_argument("--json", action="store_true", help="print the DescribeExecution response as JSON")
    add_common_aws_arguments(parser)


def format_execution(execution: dict[str, Any]) -> str:
    """The lines ``status`` prints for a DescribeExecution response."""
    lines = [f"status:         {execution['status']}",
             f"execution:      {execution['executionArn']}",
             f"state machine:  {execution['stateMachineArn']}",
             f"started:        {execution.get('startDate')}"]
    if execution.get("stopDate"):
        lines.append(f"stopped:        {execution['stopDate']}")
    if execution.get("error") or execution.get("cause"):
        from sagemaker_sfn.failures import short_cause

        lines.append(f"error:          {execution.get('error', '')}")
        lines.append(f"cause:          {short_cause(execution.get('cause'))}")
    if execution.get("output") is not None:
        lines.append(f"output:         {execution['output']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import sys

    from sagemaker_sfn.aws import call, client
    from sagemaker_sfn.commands.history import check_execution_arn, print_failure
    from sagemaker_sfn.outcomes import exit_code_for

    check_execution_arn(args.execution_arn)
    stepfunctions = client("stepfunctions", region=args.region, profile=args.profile)
    execution = call(stepfunctions.describe_execution, executionArn=args.execution_arn)
    if args.json:
        execution = {k: v for k, v in execution.items() if k != "ResponseMetadata"}
        print(json.dumps(execution, indent=2, default=str))
    else:
        print(format_execution(execution))
        if execution["status"] in {"FAILED", "TIMED_OUT", "ABORTED"}:
            print_failure(stepfunctions, args.execution_arn, region=_region_of(args.execution_arn), out=sys.stdout,
                          width=16, brief=True, logs=client("logs", region=args.region, profile=args.profile))
    return exit_code_for(execution["status"])


def _region_of(arn: str) -> str | None:
    """The region field of an ARN (arn:partition:service:region:...)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None
