#!/usr/bin/env python3
"""Refresh sagemaker_sfn/constructs/image_registry.json from SageMaker's own image registry data.

Source: the ``sagemaker-core`` wheel on PyPI (AWS's SageMaker Python SDK v3 core) ships
``sagemaker/core/image_uri_config/<framework>.json``, the data ``sagemaker.image_uris.retrieve``
uses: per image version, the registry account of every region SageMaker publishes it in. This
script downloads that wheel *without its dependencies* and copies the images our placeholders
use into the JSON file the constructs read.

Why a copy and not a dependency: installing sagemaker-core pulls ~20 packages, one of which
(smdebug-rulesconfig) installs a top-level ``tests`` package into site-packages that shadows this
project's own ``tests`` namespace package. The copy records the version it came from.

usage: python scripts/update_image_registry.py [--version 2.27.0] [--wheel PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "sagemaker_sfn" / "constructs" / "image_registry.json"
CONFIG_DIR = "sagemaker/core/image_uri_config"
# placeholder -> (framework file, scope, version, tag after the version)
IMAGES = {
    "XGBoostImageUri": ("xgboost", "training", "1.7-1", ""),
    "SKLearnImageUri": ("sklearn", "training", "1.2-1", "-cpu-py3"),
    "ClarifyImageUri": ("clarify", "processing", "1.0", ""),
    # Published untagged: the SDK's model-monitor.json has the one version "" (image URI without ":").
    "ModelMonitorImageUri": ("model-monitor", "monitoring", "", ""),
    # Notebook jobs (NotebookJobStep): the SDK's sagemaker-distribution.json, version 3.2.0; its tags
    # are <version>-<processor> (image_uris._format_tag), the CPU image here.
    "SageMakerDistributionImageUri": ("sagemaker-distribution", "inference", "3.2.0", "-cpu"),
}


def extract(wheel: Path) -> dict:
    """The registry subset from a sagemaker-core wheel (any path named sagemaker_core-<version>-*.whl)."""
    version = wheel.name.split("-")[1]
    images = {}
    with zipfile.ZipFile(wheel) as archive:
        for placeholder, (framework, scope, image_version, tag) in IMAGES.items():
            data = json.loads(archive.read(f"{CONFIG_DIR}/{framework}.json"))
            entry = (data.get(scope) or data)["versions"][image_version]
            images[placeholder] = {"repository": entry["repository"], "version": image_version, "tag": tag,
                                   "registries": dict(sorted(entry["registries"].items()))}
    return {"source": f"sagemaker-core {version}, {CONFIG_DIR}/ (AWS SageMaker Python SDK v3)",
            "images": images}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default="2.27.0", help="sagemaker-core version to read (default 2.27.0)")
    parser.add_argument("--wheel", type=Path, help="an already downloaded sagemaker_core wheel")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel
        if wheel is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", tmp,
                            f"sagemaker-core=={args.version}"], check=True)
            wheel = next(Path(tmp).glob("sagemaker_core-*.whl"))
        OUT.write_text(json.dumps(extract(wheel), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
