"""Names of the shared foundation's resources and of the SSM parameters that publish the rest,
derived from one prefix.

Resources that outlive the stack (the RETAINED buckets) get names CloudFormation generates, so a
deploy after ``cdk destroy`` never collides with the buckets left behind; the foundation publishes
those names as SSM parameters under ``/<prefix>/foundation/`` and every pipeline stack reads them
through CloudFormation SSM parameter types. No CloudFormation export ties the stacks together: a
pipeline stack can be deployed, updated or destroyed on its own, and the templates stay free of
``Fn::ImportValue`` (which moto cannot deploy). Resources destroyed with the stack (topic, key alias)
keep fixed names. Pure Python; ``account`` and ``region`` may be CDK tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sagemaker_sfn.errors import UsageError

DEFAULT_PREFIX = "sagemaker-sfn"
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$")


@dataclass(frozen=True)
class FoundationNames:
    """Names for ``prefix`` (default ``sagemaker-sfn``): lower-case letters, digits, hyphens, 2-20 chars
    (it starts the topic's name and the SSM parameters' path)."""

    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        if not _PREFIX.match(self.prefix):
            raise UsageError(f"resource prefix {self.prefix!r} must be 2-20 lower-case letters, digits or "
                             "hyphens, starting with a letter (it names the foundation's topic, key alias and SSM "
                             "parameters)")

    @property
    def data_bucket_parameter(self) -> str:
        """SSM parameter holding the (generated) data bucket name."""
        return f"/{self.prefix}/foundation/data-bucket-name"

    @property
    def cache_table_parameter(self) -> str:
        """SSM parameter holding the (generated) step-cache table name."""
        return f"/{self.prefix}/foundation/cache-table-name"

    @property
    def failure_topic(self) -> str:
        return f"{self.prefix}-pipeline-failures"

    @property
    def notification_key_alias(self) -> str:
        return f"alias/{self.prefix}-notifications"
