"""Upload a project's code folder to ``s3://<bucket>/<prefix>`` (default ``code/``), least privilege.

CDK's ``BucketDeployment`` always calls ``destinationBucket.grantReadWrite(handler)`` (aws-cdk-lib
2.275, aws-s3-deployment/lib/bucket-deployment.js), which gives its Lambda ``s3:DeleteObject*`` —
``DeleteObjectVersion`` included — on the *whole* bucket: one bug or compromised dependency away
from permanently deleting every model and dataset despite versioning. ``BucketDeploymentProps.role``
exists, so this construct hands it a role of its own, made immutable to CDK's grants
(``Role.without_policy_updates()``: grants to it add nothing), holding exactly what an ``aws s3 sync
--delete`` into the prefix needs:

- ``s3:ListBucket`` on the bucket, only for keys under the prefix (condition ``s3:prefix``);
- ``s3:PutObject``, ``s3:DeleteObject`` (a delete marker on a versioned bucket: recoverable) and
  ``s3:AbortMultipartUpload`` on ``<prefix>*``; no ``DeleteObjectVersion``, nothing outside the prefix;
- ``s3:GetObject`` on the CDK bootstrap asset bucket's objects (the staged zip of the folder);
- writing to its own log group (``BucketDeploymentProps.log_group``), not ``/aws/lambda/*``.

Content-addressed copies (:mod:`sagemaker_sfn.code_pin`): a state machine deployed by
:class:`~sagemaker_sfn.constructs.state_machine.SageMakerPipelineStateMachine` names its code as
``code/sha256-<hash>/<rel>``; ``pinned=`` (that construct's ``pinned_code.objects``) uploads those
copies with a second BucketDeployment that never prunes (same handler, same role). The mutable sync
excludes ``sha256-*`` so that it never prunes them either: BucketDeploymentProps ``exclude``
(aws-cdk-lib 2.275 aws_s3_deployment): "matching files or objects will be excluded from the
deployment's sync command. This can be used to exclude a file from being pruned in the destination
bucket". Old versions are kept on purpose: a running execution, and a redrive (which runs the
definition the execution started with, AWS RedriveExecution), still find the code they started with.

Usage in a user's own CDK app::

    from sagemaker_sfn.constructs.code import CodeUpload
    pipeline = SageMakerPipelineStateMachine(self, "Churn", pipeline="pipelines/churn.yaml",
                                             foundation=foundation, code_dir=Path("examples"))
    CodeUpload(self, "Code", source_dir=Path("examples"), bucket=data_bucket,
               pinned=pipeline.pinned_code.objects)
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from sagemaker_sfn.code_pin import PIN_PREFIX, check_code_dir
from sagemaker_sfn.constructs.nag import acknowledge, acknowledge_wildcard_resources, depend_on_policy_only

DEFAULT_PREFIX = "code/"
# The same files sagemaker_sfn.code_pin leaves out of its hashes (code_pin.excluded).
DEFAULT_EXCLUDE = ("**/__pycache__", "**/*.pyc", "**/.DS_Store")
STAGING_DIR = "sagemaker-sfn-code"   # under the app's outdir: the pinned copies, staged at synth


def staging_objects(stack: cdk.Stack) -> str:
    """Objects of the CDK bootstrap asset bucket, where the folder's zip is staged before the copy."""
    qualifier = stack.node.try_get_context("@aws-cdk/core:bootstrapQualifier") or \
        cdk.DefaultStackSynthesizer.DEFAULT_QUALIFIER
    return f"arn:{cdk.Aws.PARTITION}:s3:::cdk-{qualifier}-assets-{cdk.Aws.ACCOUNT_ID}-{cdk.Aws.REGION}/*"


class CodeUpload(Construct):
    """Keeps ``s3://<bucket>/<prefix>`` equal to ``source_dir`` (prunes stale files under the prefix only).

    :param source_dir: the folder uploaded (its relative paths are kept under the prefix).
    :param bucket: the destination bucket.
    :param prefix: key prefix, default ``code/``; must end with ``/`` and not be empty (pruning a whole
        bucket is exactly what this construct exists to prevent).
    :param exclude: glob patterns left out, default ``__pycache__``, ``*.pyc``, ``.DS_Store``.
    :param memory_limit: the copy Lambda's memory in MiB, default 512.
    :param log_retention: how long the copy Lambda's log group keeps logs, default one month.
    :param pinned: content-addressed copies to upload under the prefix, key relative to it
        (``sha256-<hash>/<rel>``) -> local file: the ``pinned_code.objects`` of the state machines
        that read this code (default none). Uploaded without pruning, and kept: delete old
        ``<prefix>sha256-*/`` versions by hand once no execution needs them (docs/deploy.md).
    """

    def __init__(self, scope: Construct, construct_id: str, *, source_dir: Path | str, bucket: s3.IBucket,
                 prefix: str = DEFAULT_PREFIX, exclude: Sequence[str] = DEFAULT_EXCLUDE, memory_limit: int = 512,
                 log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
                 pinned: Mapping[str, Path | str] | None = None) -> None:
        super().__init__(scope, construct_id)
        if not prefix or not prefix.endswith("/") or prefix.startswith("/"):
            raise ValueError(f"CodeUpload prefix must be a key prefix ending with '/', such as 'code/'; got {prefix!r}")
        source = Path(source_dir)
        if not source.is_dir():
            raise ValueError(f"CodeUpload source_dir {str(source)!r} is not a folder")
        check_code_dir(source)   # a sha256-* folder would collide with the pinned copies
        stack = cdk.Stack.of(self)
        self.prefix = prefix
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention,
                                       removal_policy=cdk.RemovalPolicy.DESTROY)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                             description=f"Copies {source.name}/ to {prefix} of the data bucket; nothing else")
        objects = bucket.arn_for_objects(f"{prefix}*")
        self.role.add_to_policy(iam.PolicyStatement(
            sid="ListCodePrefix", actions=["s3:ListBucket"], resources=[bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}}))
        self.role.add_to_policy(iam.PolicyStatement(
            sid="SyncCodePrefix", actions=["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            resources=[objects]))
        self.role.add_to_policy(iam.PolicyStatement(
            sid="ReadStagedAsset", actions=["s3:GetObject"], resources=[staging_objects(stack)]))
        self.role.add_to_policy(iam.PolicyStatement(
            sid="WriteOwnLogs", actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[self.log_group.log_group_arn]))
        self.deployment = s3deploy.BucketDeployment(
            self, "Upload", sources=[s3deploy.Source.asset(str(source), exclude=list(exclude))],
            destination_bucket=bucket, destination_key_prefix=prefix,
            # The handler's grants (grantReadWrite on the whole bucket, read on the asset) must not
            # reach this role: an immutable view of it makes them no-ops.
            role=self.role.without_policy_updates(), log_group=self.log_group,
            # Never prune the pinned copies (the sync's --exclude; see the module doc).
            exclude=[f"{PIN_PREFIX}*"],
            prune=True, retain_on_delete=True, memory_limit=memory_limit)
        self.pinned_deployment: s3deploy.BucketDeployment | None = None
        if pinned:
            self.pinned_deployment = s3deploy.BucketDeployment(
                self, "UploadPinned", sources=[s3deploy.Source.asset(str(self._stage(pinned)))],
                destination_bucket=bucket, destination_key_prefix=prefix,
                role=self.role.without_policy_updates(), log_group=self.log_group,
                # Adds new versions, deletes none: old ones serve running executions and redrives.
                prune=False, retain_on_delete=True, memory_limit=memory_limit)
        # CDK creates the copy Lambda as a stack-level singleton (one per memory size), outside this construct.
        for handler in (c for c in stack.node.children if c.node.id.startswith("Custom::CDKBucketDeployment")):
            acknowledge(handler, {
                "AwsSolutions-L1": "CDK pins the BucketDeployment handler's runtime; it is not ours to choose.",
            })
            # It depends on the role (already ordered by the Role GetAtt, cfn-lint W3005); what must
            # exist before it runs is the role's policy.
            depend_on_policy_only(handler, self.role)
        acknowledge_wildcard_resources(self, [objects], f"Object keys under {prefix} only: the folder's files "
                                       "are not known when the policy is written (sync adds and prunes them).")
        acknowledge_wildcard_resources(self, [staging_objects(stack)], "The CDK bootstrap asset bucket's objects: "
                                       "the staged zip's key is a hash CDK computes at synth; read-only.")
        acknowledge_wildcard_resources(self, [f"{self.log_group.log_group_arn}"], "Log streams of this "
                                       "construct's own log group (the ARN ends in :*).")

    def _stage(self, pinned: Mapping[str, Path | str]) -> Path:
        """The pinned copies laid out as they go under the prefix (``sha256-<hash>/<rel>``), in a
        folder of the app's output directory (one per construct), emptied first."""
        staged = Path(cdk.Stage.of(self).outdir) / STAGING_DIR / self.node.addr
        if staged.exists():
            shutil.rmtree(staged)
        for key, source in sorted(pinned.items()):
            if not key.startswith(PIN_PREFIX) or ".." in key.split("/"):
                raise ValueError(f"CodeUpload pinned key {key!r}: expected {PIN_PREFIX}<hash>/<path> "
                                 "(sagemaker_sfn.code_pin.PinnedCode.objects)")
            target = staged / key
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        return staged
