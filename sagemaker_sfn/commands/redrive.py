"""``sagemaker-sfn redrive``: restart a deployed execution from the state that did not finish."""

from __future__ import annotations

import argparse
import sys

HELP = "restart a failed deployed execution from its failed state (RedriveExecution)"
DESCRIPTION = """\
Redrive a Step Functions execution that FAILED, TIMED_OUT or was ABORTED in the last 14 days: it
continues from the state that did not finish, with the same definition and input; states that
succeeded are not run again, and its history continues after an ExecutionRedriven event.

Fix the cause first (data, a quota, a permission): the definition itself cannot change, and it names
its code content-addressed (code/sha256-<hash>/...), so a redrive runs the code the execution
started with. When the project's examples/ changed since, a warning names the files: to run a
changed script, start a new execution (cached steps are reused). An execution that ended in a Fail
state (a caught error: the pipelines' default failure path) is redriven from that Fail state and
fails again; a warning says so (pipelines meant for redrive set `on_failure: stop`).
For a local run use `sagemaker-sfn run PIPELINE --local --redrive EXECUTION`.

exit status: without --wait 0 once redriven; with --wait 0 SUCCEEDED, 1 FAILED, 3 TIMED_OUT,
4 ABORTED; 1 when AWS refuses (its reason is printed), 2 for usage errors.

examples:
  sagemaker-sfn redrive arn:aws:states:us-east-1:123456789012:execution:train-evaluate:run-1
  sagemaker-sfn redrive arn:aws:states:us-east-1:123456789012:execution:train-evaluate:run-1 --wait
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sagemaker_sfn.commands.start import add_common_aws_arguments

    parser.add_argument("execution_arn", metavar="EXECUTION_ARN")
    parser.add_argument("--wait", action="store_true", help="follow the redriven execution until it ends")
    parser.add_argument("--poll", type=float, default=5.0, metavar="SECONDS",
                        help="seconds between polls with --wait (default 5)")
    add_common_aws_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from sagemaker_sfn.aws import client
    from sagemaker_sfn.commands.history import check_execution_arn
    from sagemaker_sfn.outcomes import exit_code_for
    from sagemaker_sfn.project import find_project_root
    from sagemaker_sfn.redrive import code_changed_warning, fail_state_warning, follow_redrive, last_events, redrive

    check_execution_arn(args.execution_arn)
    stepfunctions = client("stepfunctions", region=args.region, profile=args.profile)
    ended_in_fail_state = fail_state_warning(last_events(stepfunctions, args.execution_arn))
    before = redrive(stepfunctions, args.execution_arn)
    print(f"redriven {args.execution_arn} (was {before['status']}, redrive {before.get('redriveCount', 0) + 1})")
    warning = code_changed_warning(stepfunctions, args.execution_arn, code_dir=find_project_root() / "examples")
    for message in (warning, ended_in_fail_state):
        if message:
            print(message, file=sys.stderr)
    if not args.wait:
        return 0
    status = follow_redrive(stepfunctions, args.execution_arn, before=before, poll_seconds=args.poll, out=sys.stdout)
    return exit_code_for(status)
