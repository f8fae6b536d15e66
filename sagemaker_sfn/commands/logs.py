"""``sagemaker-sfn logs JOB``: a SageMaker job's log, local or from CloudWatch."""

from __future__ import annotations

import argparse

HELP = "print a SageMaker job's log (local run file, or CloudWatch with --deployed); --follow"
DESCRIPTION = """\
Print the log of a SageMaker training, processing or transform job. Local jobs: the newest run's
.sfn-local/<run>/jobs/JOB/logs.txt. With --deployed: the job's CloudWatch Logs streams in
/aws/sagemaker/TrainingJobs, /aws/sagemaker/ProcessingJobs or /aws/sagemaker/TransformJobs.
--follow keeps printing new lines until the job (deployed) or its run (local) has ended.

examples:
  sagemaker-sfn logs tune-xgb-2d8a7a5cf76e-004-0a759b98
  sagemaker-sfn logs train-2025-01-01-12-00-00 --deployed --follow
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sagemaker_sfn.commands.start import add_common_aws_arguments

    parser.add_argument("job", metavar="JOB", help="the SageMaker job's name")
    parser.add_argument("--deployed", action="store_true", help="read the job's CloudWatch Logs streams")
    parser.add_argument("--follow", "-f", action="store_true", help="keep printing until the job has ended")
    add_common_aws_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import sys

    from sagemaker_sfn.report.logs import cloudwatch_lines, find_local_log, print_local

    if args.deployed:
        from sagemaker_sfn.aws import session as make_session

        sess = make_session(region=args.region, profile=args.profile)
        for line in cloudwatch_lines(sess, args.job, follow=args.follow):
            print(line, flush=args.follow)
        return 0
    print_local(find_local_log(args.job), out=sys.stdout, follow=args.follow)
    return 0
