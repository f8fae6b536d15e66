"""SageMaker built-in image URIs per region, for ``${XGBoostImageUri}``, ``${SKLearnImageUri}``,
``${ClarifyImageUri}`` and ``${ModelMonitorImageUri}``.

The registry accounts are SageMaker's own (the same table the SageMaker Python SDK ships in
``image_uri_config/{xgboost,sklearn,clarify,model-monitor}.json``), for the commercial regions most used.
Pure Python, no CDK import: the stack turns this into a ``CfnMapping`` so one template deploys
to any listed region, and tests read it directly.
"""

from __future__ import annotations

XGBOOST_VERSION = "1.7-1"
SKLEARN_VERSION = "1.2-1"
CLARIFY_VERSION = "1.0"

# sagemaker-xgboost and sagemaker-scikit-learn share one registry account per region.
_FRAMEWORK_ACCOUNTS: dict[str, str] = {
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-west-1": "746614075791",
    "us-west-2": "246618743249",
    "ca-central-1": "341280168497",
    "eu-central-1": "492215442770",
    "eu-north-1": "662702820516",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-west-3": "659782779980",
    "ap-northeast-1": "354813040037",
    "ap-northeast-2": "366743142698",
    "ap-south-1": "720646828776",
    "ap-southeast-1": "121021644041",
    "ap-southeast-2": "783357654285",
    "sa-east-1": "737474898029",
}

_CLARIFY_ACCOUNTS: dict[str, str] = {
    "us-east-1": "205585389593",
    "us-east-2": "211330385671",
    "us-west-1": "740489534195",
    "us-west-2": "306415355426",
    "ca-central-1": "675030665977",
    "eu-central-1": "017069133835",
    "eu-north-1": "763603941244",
    "eu-west-1": "131013547314",
    "eu-west-2": "440796970383",
    "eu-west-3": "341593696636",
    "ap-northeast-1": "377024640650",
    "ap-northeast-2": "263625296855",
    "ap-south-1": "452307495513",
    "ap-southeast-1": "834264404009",
    "ap-southeast-2": "007051062584",
    "sa-east-1": "520018980103",
}

# sagemaker-model-monitor-analyzer (the SDK's image_uri_config/model-monitor.json, version "1", no tag).
_MODEL_MONITOR_ACCOUNTS: dict[str, str] = {
    "us-east-1": "156813124566",
    "us-east-2": "777275614652",
    "us-west-1": "890145073186",
    "us-west-2": "159807026194",
    "ca-central-1": "536280801234",
    "eu-central-1": "048819808253",
    "eu-north-1": "895015795356",
    "eu-west-1": "468650794304",
    "eu-west-2": "749857270468",
    "eu-west-3": "680080141114",
    "ap-northeast-1": "574779866223",
    "ap-northeast-2": "709848358524",
    "ap-south-1": "126357580389",
    "ap-southeast-1": "245545462676",
    "ap-southeast-2": "563025443158",
    "sa-east-1": "539772159869",
}

SUPPORTED_REGIONS: tuple[str, ...] = tuple(sorted(_FRAMEWORK_ACCOUNTS))


def image_uris(region: str) -> dict[str, str]:
    """Placeholder name -> image URI for ``region``; ``KeyError`` naming the supported regions."""
    if region not in _FRAMEWORK_ACCOUNTS:
        raise KeyError(f"no SageMaker image accounts known for region {region!r}; "
                       f"supported: {', '.join(SUPPORTED_REGIONS)}")
    framework = f"{_FRAMEWORK_ACCOUNTS[region]}.dkr.ecr.{region}.amazonaws.com"
    clarify = f"{_CLARIFY_ACCOUNTS[region]}.dkr.ecr.{region}.amazonaws.com"
    return {
        "XGBoostImageUri": f"{framework}/sagemaker-xgboost:{XGBOOST_VERSION}",
        "SKLearnImageUri": f"{framework}/sagemaker-scikit-learn:{SKLEARN_VERSION}-cpu-py3",
        "ClarifyImageUri": f"{clarify}/sagemaker-clarify-processing:{CLARIFY_VERSION}",
        "ModelMonitorImageUri": f"{_MODEL_MONITOR_ACCOUNTS[region]}.dkr.ecr.{region}.amazonaws.com/"
                                "sagemaker-model-monitor-analyzer",
    }


def image_table() -> dict[str, dict[str, str]]:
    """``{region: {placeholder: uri}}`` for every supported region (a CfnMapping's shape)."""
    return {region: image_uris(region) for region in SUPPORTED_REGIONS}
