"""``sagemaker-sfn start``: start a deployed pipeline and, with --wait, follow it to the end."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from sagemaker_sfn.outcomes import EXIT_STATUS_HELP

HELP = "start a deployed pipeline (by name or state machine ARN)"
DESCRIPTION = """\
Start an execution of a deployed pipeline.

PIPELINE is a pipeline name (its state machine ARN is read from the CloudFormation stack
<stack-prefix>-<PIPELINE>'s outputs, or else found by name) or a state machine ARN.
Without --input, the stack's ready-to-paste example input is used ({} when there is none).

With --wait, the execution is followed event by event; when it fails, the failing state, its error
and, for a SageMaker job, the job's FailureReason and its CloudWatch log stream (with the console
URL) are shown. --timeout SECONDS stops waiting (the execution goes on; exit 5).

""" + EXIT_STATUS_HELP + """
  (without --wait: 0 once the execution started.)

Region and credentials come from the usual AWS environment (AWS_PROFILE, AWS_REGION, ...);
AWS_ENDPOINT_URL points every call at another endpoint (e.g. a local moto server).

examples:
  sagemaker-sfn start tune-xgboost --wait
  sagemaker-sfn start tune-xgboost --input '{"rows": 5000}'
  sagemaker-sfn start arn:aws:states:us-east-1:123456789012:stateMachine:tune-xgboost --input input.json
"""

DEFAULT_STACK_PREFIX = "SageMakerSfn"
DEFAULT_POLL_SECONDS = 5.0
# Kept in step with stacks/pipeline_stack.py's output names.
OUTPUT_STATE_MACHINE_ARN = "StateMachineArn"
OUTPUT_EXECUTION_INPUT = "ExecutionInput"


def add_common_aws_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", help="AWS region (default: AWS_REGION / your profile's region)")
    parser.add_argument("--profile", help="AWS profile (default: AWS_PROFILE / the default chain)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="PIPELINE|ARN", help="pipeline name or state machine ARN")
    parser.add_argument("--input", metavar="FILE|JSON",
                        help="execution input: a JSON file or inline JSON (default: the stack's example input)")
    parser.add_argument("--name", help="execution name (default: a new UUID, as the console does)")
    parser.add_argument("--wait", action="store_true", help="follow the execution, state by state, until it ends")
    parser.add_argument("--stack-prefix", default=DEFAULT_STACK_PREFIX,
                        help=f"stack name prefix used at deploy time (default: {DEFAULT_STACK_PREFIX})")
    parser.add_argument("--poll", type=float, default=DEFAULT_POLL_SECONDS, metavar="SECONDS",
                        help=f"seconds between progress checks with --wait (default: {DEFAULT_POLL_SECONDS:g})")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="with --wait, stop waiting after SECONDS and exit 5; the execution keeps running "
                             "(default: wait until it ends)")
    add_common_aws_arguments(parser)


def parse_input(text: str) -> str:
    """``--input``: a file's content or inline JSON, checked and returned compact."""
    from sagemaker_sfn.errors import UsageError

    path = Path(text)
    source = "--input"
    from sagemaker_sfn.files import read_json

    if not text.lstrip().startswith(("{", "[", '"')) and (path.is_file() or path.is_dir()):
        value = read_json(path, what="the execution input (JSON)")
        return json.dumps(value, separators=(",", ":"))
    if not text.lstrip().startswith(("{", "[", '"')) and (path.suffix == ".json" or "/" in text):
        raise UsageError(f"--input file not found: {text}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError:
        raise UsageError(f"{source}: JSON nested too deeply") from None
    return json.dumps(value, separators=(",", ":"))


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str] | None:
    """The stack's outputs, or None when no such stack exists."""
    from sagemaker_sfn.aws import AwsError, call

    try:
        stacks = call(cloudformation.describe_stacks, StackName=stack_name)["Stacks"]
    except AwsError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def resolve_state_machine(target: str, *, sess: Any, stack_prefix: str) -> tuple[str, str | None]:
    """(state machine ARN, example input or None) for a pipeline name or an ARN."""
    from sagemaker_sfn.errors import UsageError

    if target.startswith("arn:"):
        if ":stateMachine:" not in target:
            raise UsageError(f"{target} is not a state machine ARN (expected arn:<partition>:states:<region>:"
                             "<account>:stateMachine:<name>)")
        return target, None
    stack_name = f"{stack_prefix}-{target}"
    outputs = stack_outputs(sess.client("cloudformation"), stack_name)
    if outputs and OUTPUT_STATE_MACHINE_ARN in outputs:
        return outputs[OUTPUT_STATE_MACHINE_ARN], outputs.get(OUTPUT_EXECUTION_INPUT)
    # Deployed some other way (the construct in the user's own app): look the machine up by name.
    stepfunctions = sess.client("stepfunctions")
    try:
        machines = [m for page in stepfunctions.get_paginator("list_state_machines").paginate()
                    for m in page["stateMachines"]]
    except Exception as exc:  # a paginator's ClientError is not wrapped by call()
        _reraise_as_aws_error(exc)
    for machine in machines:
        if machine["name"] == target:
            return machine["stateMachineArn"], None
    known = ", ".join(sorted(m["name"] for m in machines)) or "none"
    raise UsageError(f"unknown pipeline '{target}': no stack {stack_name} with a {OUTPUT_STATE_MACHINE_ARN} output "
                     f"and no state machine of that name in {sess.region_name} (state machines: {known}); "
                     "deploy it first (docs/deploy.md) or pass the state machine ARN")


def run(args: argparse.Namespace) -> int:
    from sagemaker_sfn.aws import call, session
    from sagemaker_sfn.commands import history as history_cmd
    from sagemaker_sfn.errors import UsageError
    from sagemaker_sfn.outcomes import EXIT_INTERRUPTED, EXIT_STILL_RUNNING, exit_code_for

    if args.timeout is not None and (not args.wait or args.timeout <= 0):
        raise UsageError("--timeout SECONDS goes with --wait and must be more than 0")
    if args.poll <= 0:
        raise UsageError("--poll SECONDS must be more than 0")
    if args.name is not None:
        from sagemaker_sfn.local.record import check_execution_name

        check_execution_name(args.name, directory=False)
    execution_input = parse_input(args.input) if args.input is not None else None
    sess = session(region=args.region, profile=args.profile)
    arn, example_input = resolve_state_machine(args.target, sess=sess, stack_prefix=args.stack_prefix)
    if execution_input is None:
        execution_input = example_input or "{}"
    stepfunctions = sess.client("stepfunctions")
    # A name of our own, like the console's: the ARN is known before the call returns.
    request = {"stateMachineArn": arn, "input": execution_input, "name": args.name or str(uuid.uuid4())}
    started = call(stepfunctions.start_execution, **request)
    execution_arn = started["executionArn"]
    print(f"started {execution_arn}")
    if not args.wait:
        return 0
    try:
        status = history_cmd.follow(stepfunctions, execution_arn, poll_seconds=args.poll, out=sys.stdout,
                                    timeout=args.timeout)
    except KeyboardInterrupt:
        # Only the following stops: the execution runs on in AWS (StopExecution would stop it).
        print(f"\nstopped following; the execution goes on (sagemaker-sfn status {execution_arn})", file=sys.stderr)
        return EXIT_INTERRUPTED
    if status not in history_cmd.TERMINAL:
        print(f"still {status} after --timeout {args.timeout:g}s: not waiting any longer "
              f"(follow it with `sagemaker-sfn status {execution_arn}`)")
        return EXIT_STILL_RUNNING
    if status != "SUCCEEDED":
        history_cmd.print_failure(stepfunctions, execution_arn, region=sess.region_name, out=sys.stdout,
                                  logs=sess.client("logs"))
    return exit_code_for(status)


def _reraise_as_aws_error(exc: Exception) -> None:
    from sagemaker_sfn.aws import AwsError
    from sagemaker_sfn.errors import SagemakerSfnError

    if isinstance(exc, SagemakerSfnError):
        raise exc
    import botocore.exceptions

    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        raise AwsError(f"{exc.operation_name}: {error.get('Code')}: {error.get('Message')}") from exc
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        raise AwsError(str(exc)) from exc
    raise exc
