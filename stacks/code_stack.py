"""Uploads examples/ (training and processing scripts) to ``s3://<data bucket>/code/``, and the
content-addressed copies ``code/sha256-<hash>/...`` the pipelines' deployed definitions name.

A stack of its own: the upload runs through a custom-resource Lambda (BucketDeployment), which the
foundation and the pipelines do not need, and scripts change more often than either. The upload is
:class:`sagemaker_sfn.constructs.code.CodeUpload`, whose Lambda may only sync ``code/`` (no version
deletes, nothing elsewhere in the bucket); a user's own CDK app imports the same construct.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from sagemaker_sfn.constructs.code import DEFAULT_PREFIX, CodeUpload
from sagemaker_sfn.constructs.foundation import import_foundation

CODE_PREFIX = DEFAULT_PREFIX


class CodeStack(cdk.Stack):
    """:param examples_dir: the folder uploaded; :param prefix: the foundation's resource prefix;
    :param pinned: the content-addressed copies the pipelines' definitions name (default none):
    the union of each pipeline's ``pin_code(definition, examples_dir).objects``."""

    def __init__(self, scope: Construct, construct_id: str, *, examples_dir: Path, prefix: str,
                 pinned: Mapping[str, Path] | None = None, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        foundation = import_foundation(self, "Foundation", prefix=prefix)
        self.upload = CodeUpload(self, "UploadExamples", source_dir=examples_dir, bucket=foundation.bucket,
                                 prefix=CODE_PREFIX, pinned=pinned)
        self.deployment = self.upload.deployment
