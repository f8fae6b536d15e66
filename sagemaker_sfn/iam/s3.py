"""S3 through the AWS SDK integration (``arn:aws:states:::aws-sdk:s3:<action>``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagemaker_sfn.iam.base import SOURCE_AWS_SDK, ArnContext, Grant, NameRef, TaskRef, name_ref
from sagemaker_sfn.local.integrations.base import ResourceRef

SOURCE_GET_OBJECT = ("https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (\"you need the"
                     " s3:GetObjectVersion permission to access a specific version of an object\")")

# aws-sdk:s3:<action> -> (IAM action, whether the resource is the object (True) or the bucket).
S3_SDK_ACTIONS: dict[str, tuple[str, bool]] = {
    "getObject": ("s3:GetObject", True),
    "putObject": ("s3:PutObject", True),
    "headObject": ("s3:GetObject", True),
    "listObjectsV2": ("s3:ListBucket", False),
}


def bucket_part(bucket: NameRef | None) -> tuple[str, str]:
    """The bucket's name in an S3 ARN (``*`` when read at run time) and why, if it is a wildcard."""
    if bucket is None or not bucket.is_static:
        return "*", " The bucket is read at run time, so any bucket is allowed."
    return bucket.static or "", ""


def object_part(key: NameRef | None, *, prefix: bool = False) -> str:
    """The key part: the exact key, ``<prefix>*`` for a prefix or a key known only by its prefix."""
    if key is None:
        return "*"
    if key.is_static:
        return f"{key.static}*" if prefix else (key.static or "")
    return f"{key.prefix}*"


def bucket_arn(ctx: ArnContext, bucket: str) -> str:
    return f"arn:{ctx.partition}:s3:::{bucket}"


def _versioned(params: Mapping[str, Any]) -> bool:
    return "VersionId" in params or "VersionId.$" in params


def s3_sdk_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                  role_arns: list[str] | None) -> list[Grant]:
    s3_action = ref.action.split(":", 1)[1]
    action, on_object = S3_SDK_ACTIONS[s3_action]
    params = task.parameters
    bucket, why = bucket_part(name_ref(params, "Bucket"))
    sources: tuple[str, ...] = (SOURCE_AWS_SDK,)
    actions: tuple[str, ...] = (action,)
    if on_object:
        resource = f"{bucket_arn(ctx, bucket)}/{object_part(name_ref(params, 'Key'))}"
        what = "the S3 objects the states name"
        if action == "s3:GetObject" and _versioned(params):
            # Reading a given version is authorised by its own action.
            actions = ("s3:GetObject", "s3:GetObjectVersion")
            what += ", in the versions they name"
            sources = (SOURCE_AWS_SDK, SOURCE_GET_OBJECT)
    else:
        # ListBucket is granted on the bucket itself (an s3:prefix condition is left to the user).
        resource = bucket_arn(ctx, bucket)
        what = "the S3 buckets the states name"
    verb = {"s3:GetObject": "Read", "s3:PutObject": "Write", "s3:ListBucket": "List"}[action]
    sid = f"S3{verb}Versions" if len(actions) > 1 else f"S3{verb}"
    return [Grant(sid=sid, actions=actions, resources=(resource,),
                  reason=f"{verb} {what}.{why}", states=(task.location,), sources=sources)]
