"""S3 through the AWS SDK integration (``arn:aws:states:::aws-sdk:s3:<action>``)."""

from __future__ import annotations

from sagemaker_sfn.iam.base import ArnContext, Grant, TaskRef, name_ref
from sagemaker_sfn.local.integrations.base import ResourceRef

# aws-sdk:s3:<action> -> (IAM action, whether the resource is the object (True) or the bucket).
S3_SDK_ACTIONS: dict[str, tuple[str, bool]] = {
    "getObject": ("s3:GetObject", True),
    "putObject": ("s3:PutObject", True),
    "headObject": ("s3:GetObject", True),
    "listObjectsV2": ("s3:ListBucket", False),
}


def s3_sdk_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                  role_arns: list[str] | None) -> list[Grant]:
    s3_action = ref.action.split(":", 1)[1]
    action, on_object = S3_SDK_ACTIONS[s3_action]
    params = task.parameters
    bucket = name_ref(params, "Bucket")
    if bucket is None or not bucket.is_static:
        bucket_part, why = "*", " The bucket is read at run time, so any bucket is allowed."
    else:
        bucket_part, why = bucket.static or "", ""
    if on_object:
        key = name_ref(params, "Key")
        key_part = (key.static if key is not None and key.is_static else f"{key.prefix if key else ''}*")
        resource = f"arn:{ctx.partition}:s3:::{bucket_part}/{key_part}"
        what = "the S3 objects the states name"
    else:
        # ListBucket is granted on the bucket itself (an s3:prefix condition is left to the user).
        resource = f"arn:{ctx.partition}:s3:::{bucket_part}"
        what = "the S3 buckets the states name"
    verb = {"s3:GetObject": "Read", "s3:PutObject": "Write", "s3:ListBucket": "List"}[action]
    return [Grant(sid=f"S3{verb}", actions=(action,), resources=(resource,),
                  reason=f"{verb} {what}.{why}", states=(task.location,))]
