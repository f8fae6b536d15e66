"""``sagemaker-sfn runs [PIPELINE]``: executions with their status, start, duration and best metric."""

from __future__ import annotations

import argparse

HELP = "list executions (local runs, or deployed ones with --deployed) with status and best metric"
DESCRIPTION = """\
List executions, newest first: status, start time, duration, pipeline, execution name and the best
metric (a tuning job's best objective, else the last training job's validation metric).

Local runs are read from .sfn-local/; with --deployed, executions of the deployed state machines are
read through ListExecutions (PIPELINE: a pipeline name or a state machine ARN; default: every state
machine in the region).

examples:
  sagemaker-sfn runs
  sagemaker-sfn runs tune-xgboost --deployed --limit 5
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sagemaker_sfn.commands.start import DEFAULT_STACK_PREFIX, add_common_aws_arguments

    parser.add_argument("pipeline", metavar="PIPELINE", nargs="?",
                        help="only this pipeline's executions (default: all)")
    parser.add_argument("--deployed", action="store_true", help="list executions on AWS instead of local runs")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="at most N executions (default: 20)")
    parser.add_argument("--stack-prefix", default=DEFAULT_STACK_PREFIX,
                        help=f"stack name prefix used at deploy time (default: {DEFAULT_STACK_PREFIX})")
    add_common_aws_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from sagemaker_sfn.errors import UsageError
    from sagemaker_sfn.report.runs import deployed_runs, local_runs, state_machine_arns, table

    if args.limit < 1:
        raise UsageError(f"--limit must be at least 1 (got {args.limit})")
    if args.deployed:
        from sagemaker_sfn.aws import session as make_session
        from sagemaker_sfn.commands.start import resolve_state_machine

        sess = make_session(region=args.region, profile=args.profile)
        if args.pipeline:
            arns = [resolve_state_machine(args.pipeline, sess=sess, stack_prefix=args.stack_prefix)[0]]
        else:
            arns = state_machine_arns(sess)
        records = deployed_runs(session=sess, state_machine_arns=arns, limit=args.limit)
    else:
        records = local_runs(pipeline=args.pipeline, limit=args.limit)
    if not records:
        where = "on AWS" if args.deployed else "under .sfn-local/"
        print(f"no executions{' of ' + args.pipeline if args.pipeline else ''} {where}")
        return 0
    print(table(records), end="")
    return 0
