"""What the SageMaker execution role a definition passes to its jobs must pull: the container
image repositories, derived from the definition like the state machine's own policy.

The state machine's role only *passes* ``${SageMakerRoleArn}``; the jobs run as that role and pull
their images with it. Each pipeline gets its own role (issue 10 item 9), whose ECR access is limited
to the repositories its definition names: the built-in image placeholders (docs/CONVENTIONS.md) map
to SageMaker's repositories, literal ECR URIs to their own repository, and an image read at run
time (``TrainingImage.$``...) or filled by an unknown placeholder to any repository.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sagemaker_sfn.iam.base import ArnContext

# docs/CONVENTIONS.md placeholders -> the SageMaker-owned repositories they point at (in a
# SageMaker account that differs per region, hence account "*").
IMAGE_PLACEHOLDER_REPOSITORIES: dict[str, str] = {
    "${XGBoostImageUri}": "sagemaker-xgboost",
    "${SKLearnImageUri}": "sagemaker-scikit-learn",
    "${ClarifyImageUri}": "sagemaker-clarify-processing",
    "${ModelMonitorImageUri}": "sagemaker-model-monitor-analyzer",
    "${SageMakerDistributionImageUri}": "sagemaker-distribution-prod",
}
# Request fields that hold an image URI, in every SageMaker API the integrations call
# (AlgorithmSpecification.TrainingImage, AppSpecification.ImageUri, PrimaryContainer.Image, ...).
IMAGE_FIELDS = frozenset({"TrainingImage", "ImageUri", "Image", "InferenceImage"})
_ECR_URI = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
                      r"(?P<repository>[a-z0-9][a-z0-9._/-]*?)(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$")


@dataclass(frozen=True)
class ImageAccess:
    """ECR repository ARNs the jobs pull from; ``any_repository`` when one is known only at run time."""

    repositories: tuple[str, ...]
    any_repository: bool


def image_access(definition: Mapping[str, Any], *, ctx: ArnContext) -> ImageAccess:
    repositories: set[str] = set()
    dynamic = False

    def repository_arn(account: str, region: str, name: str) -> str:
        return f"arn:{ctx.partition}:ecr:{region}:{account}:repository/{name}"

    def visit(node: Any) -> None:
        nonlocal dynamic
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, Mapping):
            return
        for key, value in node.items():
            if not isinstance(key, str):
                continue
            if key.endswith(".$") and key[:-2] in IMAGE_FIELDS:
                dynamic = True
            elif key in IMAGE_FIELDS and isinstance(value, str):
                if value in IMAGE_PLACEHOLDER_REPOSITORIES:
                    repositories.add(repository_arn("*", ctx.region, IMAGE_PLACEHOLDER_REPOSITORIES[value]))
                elif match := _ECR_URI.match(value):
                    repositories.add(repository_arn(match["account"], match["region"], match["repository"]))
                else:
                    dynamic = True  # another placeholder or a JSONata expression: unknown until deployed/run
            else:
                visit(value)

    visit(definition.get("States", {}))
    return ImageAccess(repositories=tuple(sorted(repositories)), any_repository=dynamic)
