"""``sagemaker-sfn approve|reject PACKAGE_ARN``: decide a model package an approval gate waits on."""

from __future__ import annotations

import argparse
import re

HELP = "approve (or, as `reject`, reject) a registered model package an approval gate waits on"
DESCRIPTION = """\
Set a model package's approval status in the SageMaker model registry (UpdateModelPackage).
A pipeline waiting in an `approval` step continues when the package is Approved and fails with
Approval.Rejected when it is Rejected: SageMaker's "Model Package State Change" event reaches the
pipeline's approval Lambda, which answers the waiting task (deployed stacks only; a local run's
gate answers from --approve / its callbacks file).

exit status: 0 done; 2 bad input, no credentials or SageMaker refused the change.

examples:
  sagemaker-sfn approve arn:aws:sagemaker:us-east-1:123456789012:model-package/train-evaluate/3
  sagemaker-sfn reject  arn:aws:sagemaker:us-east-1:123456789012:model-package/train-evaluate/3 \\
      --reason "MSE regressed on last week's data"
"""

# arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version> (ModelPackageSummary pattern)
_PACKAGE_ARN = re.compile(r"^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]{9,16}:[0-9]{12}:model-package/\S{1,2048}$")
STATUS = {"approve": "Approved", "reject": "Rejected"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sagemaker_sfn.commands.start import add_common_aws_arguments

    parser.add_argument("package_arn", metavar="PACKAGE_ARN", help="the model package's ARN (the register step's result)")
    parser.add_argument("--reason", metavar="TEXT",
                        help="ApprovalDescription: why (shown in the registry; a rejection's cause in the pipeline)")
    add_common_aws_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from sagemaker_sfn.aws import call, client
    from sagemaker_sfn.errors import UsageError

    status = STATUS[args.command]
    if not _PACKAGE_ARN.match(args.package_arn):
        raise UsageError(f"{args.package_arn!r} is not a model package ARN (expected "
                         "arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>)")
    if args.reason is not None and not 0 < len(args.reason) <= 1024:
        raise UsageError(f"--reason must be 1-1024 characters (SageMaker's ApprovalDescription), got {len(args.reason)}")
    region = args.region or args.package_arn.split(":")[3]
    sagemaker = client("sagemaker", region=region, profile=args.profile)
    request = {"ModelPackageArn": args.package_arn, "ModelApprovalStatus": status}
    if args.reason:
        request["ApprovalDescription"] = args.reason
    call(sagemaker.update_model_package, **request)
    print(f"{status}: {args.package_arn}")
    return 0
