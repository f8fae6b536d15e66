"""``sagemaker-sfn report EXECUTION``: one self-contained HTML page showing what happened in a run."""

from __future__ import annotations

import argparse

HELP = "write an execution's report: graph, timeline, SageMaker jobs, tuning trials (one HTML file)"
DESCRIPTION = """\
Write one self-contained HTML page for an execution: the state machine drawn with each state
coloured by what happened (succeeded, failed, error caught, retried N times, not reached; Catch edges
dashed red), a timeline of states and jobs, each SageMaker job's status, duration, instances, final
metrics, failure reason and log tail, a tuning job's objective per trial with the best one marked,
and the execution's input and output, with links to the run's files or the AWS console.

EXECUTION is a local run (its name under .sfn-local/, or its directory) or a deployed execution's
ARN. The page fetches nothing from the network: open it from disk, attach it, keep it as a CI artifact.
Local runs write it automatically as .sfn-local/<execution>/report.html.

examples:
  sagemaker-sfn report tune-xgboost-20250101T120000Z
  sagemaker-sfn report arn:aws:states:us-east-1:123456789012:execution:tune-xgboost:run-1 -o run-1.html
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sagemaker_sfn.commands.start import add_common_aws_arguments

    parser.add_argument("execution", metavar="EXECUTION", help="local run name or directory, or an execution ARN")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="where to write the page (default: the local run's report.html, or "
                             "<execution name>.html in the current directory for a deployed execution)")
    add_common_aws_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sagemaker_sfn.report import REPORT_FILE, write_report
    from sagemaker_sfn.report.record import is_execution_arn, load_record

    session = None
    if is_execution_arn(args.execution):
        from sagemaker_sfn.aws import session as make_session

        session = make_session(region=args.region or args.execution.split(":")[3], profile=args.profile)
    record = load_record(args.execution, session=session)
    if args.output:
        target = Path(args.output)
    elif record.run_dir is not None:
        target = record.run_dir / REPORT_FILE
    else:
        target = Path(f"{record.name}.html")
    write_report(record, target)
    print(target)
    return 0
