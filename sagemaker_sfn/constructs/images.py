"""SageMaker built-in image URIs per region, for ``${XGBoostImageUri}``, ``${SKLearnImageUri}``,
``${ClarifyImageUri}``, ``${ModelMonitorImageUri}`` and ``${SageMakerDistributionImageUri}`` (notebook
jobs), from the registry data AWS publishes with its SageMaker SDK.

Source (issue 10 item 7): the ``sagemaker-core`` package (the core of AWS's SageMaker Python SDK
v3) ships ``sagemaker/core/image_uri_config/<framework>.json``, the data ``image_uris.retrieve``
uses: per image version, the registry account of every region SageMaker publishes it in. It is
maintained with every new region and image, and covers every region the images exist in (37 for
XGBoost and scikit-learn, 28 for Clarify in 2.27.0), against 16 in the table typed here before.
The full ``sagemaker`` 3.x package is sagemaker-core plus training, serving and MLOps packages: the
same data with more to install; no smaller maintained PyPI package ships this registry.

``image_registry.json`` beside this file is that data for our three images, copied by
``scripts/update_image_registry.py`` (which records the sagemaker-core version). Not a dependency:
installing sagemaker-core pulls ~20 packages (pandas, paramiko, ...), and one of them
(smdebug-rulesconfig) installs a top-level ``tests`` package that shadows this project's tests.
The ECR host's DNS suffix per partition (``amazonaws.com``, ``amazonaws.com.cn``, ...) comes from
botocore's partition data, as the SDK does.

Pure Python, no CDK import: the stack turns the table into a ``CfnMapping`` so one template deploys
to any listed region, and tests read it directly.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

REGISTRY_FILE = Path(__file__).with_name("image_registry.json")
_IMAGES = ("XGBoostImageUri", "SKLearnImageUri", "ClarifyImageUri", "ModelMonitorImageUri",
           "SageMakerDistributionImageUri")


@cache
def _registry() -> dict[str, Any]:
    return json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))


def registry_source() -> str:
    """Which sagemaker-core release the registry data was copied from."""
    return _registry()["source"]


def _version_entry(placeholder: str) -> dict[str, Any]:
    return _registry()["images"][placeholder]


@cache
def _dns_suffixes() -> tuple[tuple[re.Pattern[str], str], ...]:
    import botocore.loaders

    partitions = botocore.loaders.create_loader().load_data("endpoints")["partitions"]
    return tuple((re.compile(p["regionRegex"]), p["dnsSuffix"]) for p in partitions)


def _dns_suffix(region: str) -> str:
    return next((suffix for pattern, suffix in _dns_suffixes() if pattern.match(region)), "amazonaws.com")


def image_regions(placeholder: str) -> tuple[str, ...]:
    """The regions SageMaker publishes the image behind ``placeholder`` in."""
    return tuple(sorted(_version_entry(placeholder)["registries"]))


def image_uri(placeholder: str, region: str) -> str:
    """The image URI for ``placeholder`` in ``region``; ``KeyError`` saying where it exists."""
    entry = _version_entry(placeholder)
    account = entry["registries"].get(region)
    if account is None:
        raise KeyError(f"SageMaker publishes no {entry['repository']}:{entry['version']} image for region {region!r} "
                       f"(registry data of {registry_source().split(',')[0]}); it does for: "
                       f"{', '.join(image_regions(placeholder))}")
    # The Model Monitor analyzer is published untagged (its registry version is ""): no ":" then.
    tag = f":{entry['version']}{entry['tag']}" if entry["version"] or entry["tag"] else ""
    return f"{account}.dkr.ecr.{region}.{_dns_suffix(region)}/{entry['repository']}{tag}"


def supported_regions() -> tuple[str, ...]:
    """Regions with at least one of the images (a region lacking one fails only if a pipeline uses it)."""
    return tuple(sorted({region for name in _IMAGES for region in image_regions(name)}))


def image_uris(region: str, names: tuple[str, ...] | None = None) -> dict[str, str]:
    """Placeholder name -> image URI in ``region``, for ``names`` (default: all four)."""
    return {name: image_uri(name, region) for name in (names or _IMAGES)}


def image_table() -> dict[str, dict[str, str]]:
    """``{region: {placeholder: uri}}`` for every region with any of the images (a CfnMapping's shape;
    a placeholder is absent for a region that lacks its image)."""
    return {region: {name: image_uri(name, region) for name in _IMAGES if region in image_regions(name)}
            for region in supported_regions()}
