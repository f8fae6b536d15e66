"""Every S3 bucket a run touches exists in the local account, without being declared.

A definition exported from the console names its own buckets (``s3://stepfunctionssample-.../csv``),
and its Lambdas write to them; binding each name would be busywork, since locally any bucket can
exist. Two mechanisms, both needed:

- :func:`buckets_named_in` finds the buckets a definition names (``s3://<bucket>/...`` strings and
  ``Bucket`` parameters); the environment creates them before the first state, so job subprocesses
  (which reach the account through moto's server, where no hook runs) find them;
- :func:`buckets_on_first_use` creates any other bucket the moment an in-process boto3 client (a
  Lambda handler, the local SageMaker) first names it in an S3 call: a botocore
  ``before-parameter-build.s3`` handler, registered for sessions made while it is open, as moto
  registers its own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# S3 bucket names: 3-63 lower-case letters, digits, dots and hyphens (S3's naming rules).
_BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
_S3_URI = re.compile(rf"^s3://(?P<bucket>{_BUCKET})(?:/|$)")
# Calls that must see the bucket as it really is (or make it themselves).
_LEFT_ALONE = {"CreateBucket", "DeleteBucket", "ListBuckets", "HeadBucket"}


def buckets_named_in(value: Any) -> set[str]:
    """Bucket names in ``value`` (a definition or an execution input, placeholders already filled)."""
    found: set[str] = set()
    if isinstance(value, str):
        if match := _S3_URI.match(value):
            found.add(match["bucket"])
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in {"Bucket", "BucketName"} and isinstance(item, str) and re.fullmatch(_BUCKET, item):
                found.add(item)
            found |= buckets_named_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= buckets_named_in(item)
    return found


def create_buckets(s3: Any, names: set[str], *, region: str) -> None:
    """Create each bucket in ``names`` that does not exist yet."""
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for name in sorted(names - existing):
        _create(s3, name, region=region)


def _create(s3: Any, name: str, *, region: str) -> None:
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


class _BucketOnFirstUse:
    def __init__(self, *, region: str) -> None:
        self.region = region
        self.known: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, params: Any = None, model: Any = None, **_: Any) -> None:
        bucket = params.get("Bucket") if isinstance(params, dict) else None
        if not isinstance(bucket, str) or bucket in self.known or getattr(model, "name", "") in _LEFT_ALONE:
            return
        if not re.fullmatch(_BUCKET, bucket):
            return   # S3 itself rejects the name; let the call say so
        with self._lock:
            if bucket in self.known:
                return
            import boto3

            s3 = boto3.client("s3", region_name=self.region)
            if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
                _create(s3, bucket, region=self.region)
            self.known.add(bucket)


_EVENT = "before-parameter-build.s3"


@contextmanager
def buckets_on_first_use(*, region: str) -> Iterator[None]:
    """While open, an S3 call naming a bucket that does not exist creates it first (see the module doc)."""
    import boto3
    from botocore import handlers

    hook = _BucketOnFirstUse(region=region)
    entry = (_EVENT, hook)
    handlers.BUILTIN_HANDLERS.append(entry)
    default = boto3.DEFAULT_SESSION
    if default is not None:
        default.events.register(_EVENT, hook)
    try:
        yield
    finally:
        if entry in handlers.BUILTIN_HANDLERS:
            handlers.BUILTIN_HANDLERS.remove(entry)
        for session in {id(s): s for s in (default, boto3.DEFAULT_SESSION) if s is not None}.values():
            session.events.unregister(_EVENT, hook)
