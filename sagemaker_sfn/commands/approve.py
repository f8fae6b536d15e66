"""``sagemaker-sfn approve|reject PACKAGE_ARN``: decide a model package an approval gate waits on."""

from __future__ import annotations

import argparse
import re

HELP = "approve (or, as `reject`, reject) a registered model package an approval gate waits on"
DESCRIPTION = """\
Set a model package's approval status in the SageMaker model registry (UpdateModelPackage).
A pipeline waiting in an `approval` step continues when the package is Approved and fails with
Approval.Rejected when it is Rejected: SageMaker's "Model Package State Change" event reaches the
pipeline's approval Lambda, which answers the waiting task. With --local, the decision goes to a
local run of this project waiting in its approval gate (`run --local` without --approve).

exit status: 0 done; 2 bad input, no credentials or SageMaker refused the change.

examples:
  sagemaker-sfn approve arn:aws:sagemaker:us-east-1:123456789012:model-package/train-evaluate/3
  sagemaker-sfn reject  arn:aws:sagemaker:us-east-1:123456789012:model-package/train-evaluate/3 \\
      --reason "MSE regressed on last week's data"
  sagemaker-sfn approve arn:aws:sagemaker:us-east-1:123456789012:model-package/train-evaluate/1 --local
"""

# arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version> (ModelPackageSummary pattern)
_PACKAGE_ARN = re.compile(r"^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]{9,16}:[0-9]{12}:model-package/\S{1,2048}$")
STATUS = {"approve": "Approved", "reject": "Rejected"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sagemaker_sfn.commands.start import add_common_aws_arguments

    parser.add_argument("package_arn", metavar="PACKAGE_ARN", help="the model package's ARN (the register step's result)")
    parser.add_argument("--local", action="store_true",
                        help="decide for a local run (`run --local`) waiting in this project, not in AWS")
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
    if args.local:
        return _decide_locally(args.package_arn, status=status, reason=args.reason)
    region = args.region or args.package_arn.split(":")[3]
    sagemaker = client("sagemaker", region=region, profile=args.profile)
    request = {"ModelPackageArn": args.package_arn, "ModelApprovalStatus": status}
    if args.reason:
        request["ApprovalDescription"] = args.reason
    call(sagemaker.update_model_package, **request)
    print(f"{status}: {args.package_arn}")
    return 0


def _decide_locally(package_arn: str, *, status: str, reason: str | None) -> int:
    """Leave the decision where the running local gate looks (sagemaker_sfn.local.approval_gate)."""
    import json

    from sagemaker_sfn.local.approval_gate import decision_path
    from sagemaker_sfn.project import find_project_root

    path = decision_path(find_project_root(), package_arn)
    path.parent.mkdir(parents=True, exist_ok=True)
    decision = {"ModelApprovalStatus": status, **({"ApprovalDescription": reason} if reason else {})}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(decision) + "\n", encoding="utf-8")
    temporary.replace(path)   # the gate never reads half a file
    print(f"{status} (local run): {package_arn}; the waiting gate picks it up within a second")
    return 0
