"""Issue 10 item 7: image URIs come from SageMaker's own registry data (sagemaker-core's
image_uri_config/*.json, copied by scripts/update_image_registry.py), for every region SageMaker
publishes each image in."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import botocore.session
import pytest

from sagemaker_sfn.constructs.images import REGISTRY_FILE, image_regions, image_table, image_uri, image_uris, registry_source
from tests.constructs.conftest import REPO

PLACEHOLDERS = ("XGBoostImageUri", "SKLearnImageUri", "ClarifyImageUri", "ModelMonitorImageUri",
                "SageMakerDistributionImageUri")


def test_known_uris_for_a_region() -> None:
    # The us-west-2 accounts of SageMaker's built-in XGBoost / scikit-learn and Clarify images.
    assert image_uris("us-west-2") == {
        "XGBoostImageUri": "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1",
        "SKLearnImageUri": "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        "ClarifyImageUri": "306415355426.dkr.ecr.us-west-2.amazonaws.com/sagemaker-clarify-processing:1.0",
        # Model Monitor's analyzer is published untagged (model-monitor.json's one version is "").
        "ModelMonitorImageUri": "159807026194.dkr.ecr.us-west-2.amazonaws.com/sagemaker-model-monitor-analyzer",
        # sagemaker-distribution.json (notebook jobs), tagged <version>-<processor>.
        "SageMakerDistributionImageUri": "542918446943.dkr.ecr.us-west-2.amazonaws.com/sagemaker-distribution-prod:3.2.0-cpu",
    }
    assert registry_source().startswith("sagemaker-core 2.")


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_every_region_of_the_registry_is_in_the_table(placeholder: str) -> None:
    registries = json.loads(REGISTRY_FILE.read_text())["images"][placeholder]["registries"]
    assert image_regions(placeholder) == tuple(sorted(registries))
    for region, account in registries.items():
        assert image_uri(placeholder, region).startswith(f"{account}.dkr.ecr.{region}.")
    assert {region for region, uris in image_table().items() if placeholder in uris} == set(registries)


def test_far_more_regions_than_the_old_hand_typed_table_and_every_partition_suffix() -> None:
    assert len(image_regions("XGBoostImageUri")) >= 30 and len(image_regions("ClarifyImageUri")) >= 25
    assert image_uri("XGBoostImageUri", "cn-north-1").split("/")[0].endswith(".dkr.ecr.cn-north-1.amazonaws.com.cn")
    assert ".dkr.ecr.us-gov-west-1.amazonaws.com/" in image_uri("XGBoostImageUri", "us-gov-west-1")


def test_sagemaker_regions_without_the_image_fail_saying_where_it_exists() -> None:
    # botocore lists where the SageMaker API runs; where SageMaker publishes no image (the newest
    # regions, in sagemaker-core 2.27.0), the error says so instead of inventing an account.
    sagemaker_regions = set(botocore.session.get_session().get_available_regions("sagemaker"))
    assert len(sagemaker_regions & set(image_regions("XGBoostImageUri"))) >= 25
    for region in sorted(sagemaker_regions - set(image_regions("XGBoostImageUri"))):
        with pytest.raises(KeyError, match=rf"SageMaker publishes no sagemaker-xgboost:1.7-1 image for region "
                                           rf"'{region}' \(registry data of sagemaker-core 2\.\d+\.\d+\); it does for: "):
            image_uri("XGBoostImageUri", region)


def test_update_script_copies_the_images_from_a_sagemaker_core_wheel(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_image_registry", REPO / "scripts" / "update_image_registry.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # A wheel laid out as sagemaker-core's, with the registry shape of image_uri_config/*.json.
    wheel = tmp_path / "sagemaker_core-9.9.9-py3-none-any.whl"
    registries = {"eu-west-1": "111111111111", "af-south-1": "222222222222"}
    with zipfile.ZipFile(wheel, "w") as archive:
        for framework, scope, version, repository in (("xgboost", "training", "1.7-1", "sagemaker-xgboost"),
                                                      ("sklearn", "training", "1.2-1", "sagemaker-scikit-learn")):
            archive.writestr(f"sagemaker/core/image_uri_config/{framework}.json", json.dumps({
                scope: {"versions": {version: {"registries": registries, "repository": repository}}}}))
        archive.writestr("sagemaker/core/image_uri_config/clarify.json", json.dumps({
            "processing": {"versions": {"1.0": {"registries": registries,
                                                "repository": "sagemaker-clarify-processing"}}}}))
        archive.writestr("sagemaker/core/image_uri_config/model-monitor.json", json.dumps({
            "scope": ["monitoring"], "versions": {"": {"registries": registries,
                                                      "repository": "sagemaker-model-monitor-analyzer"}}}))
        archive.writestr("sagemaker/core/image_uri_config/sagemaker-distribution.json", json.dumps({
            "scope": ["inference"], "versions": {"3.2.0": {"registries": registries,
                                                          "repository": "sagemaker-distribution-prod"}}}))
    extracted = module.extract(wheel)
    assert extracted["source"].startswith("sagemaker-core 9.9.9, sagemaker/core/image_uri_config/")
    assert extracted["images"]["SKLearnImageUri"] == {
        "repository": "sagemaker-scikit-learn", "version": "1.2-1", "tag": "-cpu-py3",
        "registries": {"af-south-1": "222222222222", "eu-west-1": "111111111111"}}
    assert extracted["images"]["ModelMonitorImageUri"]["version"] == ""
    # The shipped file has exactly this shape.
    shipped = json.loads(REGISTRY_FILE.read_text())
    assert sorted(shipped["images"]) == sorted(PLACEHOLDERS)
    assert all(set(image) == {"repository", "version", "tag", "registries"} for image in shipped["images"].values())
