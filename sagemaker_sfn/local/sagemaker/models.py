"""Models, endpoint configs and model packages: recorded and describe-able.

Endpoints are created, updated and served by :mod:`sagemaker_sfn.local.sagemaker.endpoints`, which
builds their Describe records with :func:`_endpoint_record`.
"""

from __future__ import annotations

from typing import Any

from sagemaker_sfn.local.sagemaker import shapes
from sagemaker_sfn.local.sagemaker.context import JobFailed, LocalSageMaker
from sagemaker_sfn.local.sagemaker.store import ResourceNotFound


def create_model(request: dict[str, Any], *, sm: LocalSageMaker) -> dict[str, Any]:
    name = request["ModelName"]
    record = {**shapes.carried_over("DescribeModel", request),
              "ModelArn": sm.arn("Model", name), "CreationTime": sm.now_millis()}
    sm.store.create("Model", name, record)
    sm.log.info("model %s recorded", name)
    return {"ModelArn": record["ModelArn"]}


def create_endpoint_config(request: dict[str, Any], *, sm: LocalSageMaker) -> dict[str, Any]:
    name = request["EndpointConfigName"]
    for variant in request.get("ProductionVariants", []):
        if variant.get("ModelName") and not sm.store.exists("Model", variant["ModelName"]):
            raise JobFailed(f"Could not find model \"{sm.arn('Model', variant['ModelName'])}\".")
    record = {**shapes.carried_over("DescribeEndpointConfig", request),
              "EndpointConfigArn": sm.arn("EndpointConfig", name), "CreationTime": sm.now_millis()}
    sm.store.create("EndpointConfig", name, record)
    return {"EndpointConfigArn": record["EndpointConfigArn"]}


def _endpoint_record(name: str, config_name: str, *, sm: LocalSageMaker, created: int | None = None) -> dict[str, Any]:
    try:
        config = sm.store.get("EndpointConfig", config_name)
    except ResourceNotFound:
        raise JobFailed(f"Could not find endpoint configuration \"{sm.arn('EndpointConfig', config_name)}\".") from None
    now = sm.now_millis()
    variants = []
    for variant in config.get("ProductionVariants", []):
        model = sm.store.get("Model", variant["ModelName"]) if variant.get("ModelName") else {}
        image = (model.get("PrimaryContainer") or {}).get("Image")
        variants.append({
            "VariantName": variant["VariantName"],
            **({"DeployedImages": [{"SpecifiedImage": image, "ResolvedImage": image, "ResolutionTime": now}]} if image else {}),
            "CurrentWeight": float(variant.get("InitialVariantWeight", 1.0)),
            "DesiredWeight": float(variant.get("InitialVariantWeight", 1.0)),
            "CurrentInstanceCount": int(variant.get("InitialInstanceCount", 1)),
            "DesiredInstanceCount": int(variant.get("InitialInstanceCount", 1)),
        })
    return {"EndpointName": name, "EndpointArn": sm.arn("Endpoint", name), "EndpointConfigName": config_name,
            "ProductionVariants": variants, "EndpointStatus": "InService",
            "CreationTime": created or now, "LastModifiedTime": now}


def create_model_package_group(request: dict[str, Any], *, sm: LocalSageMaker) -> dict[str, Any]:
    name = request["ModelPackageGroupName"]
    record = {**shapes.carried_over("DescribeModelPackageGroup", request),
              "ModelPackageGroupArn": sm.arn("ModelPackageGroup", name), "CreationTime": sm.now_millis(),
              "CreatedBy": {}, "ModelPackageGroupStatus": "Completed"}
    sm.store.create("ModelPackageGroup", name, record)
    return {"ModelPackageGroupArn": record["ModelPackageGroupArn"]}


def create_model_package(request: dict[str, Any], *, sm: LocalSageMaker) -> dict[str, Any]:
    """A versioned package when ModelPackageGroupName is given (the group is created on first use,
    which saves local pipelines a step the cloud account already has); unversioned otherwise."""
    group = request.get("ModelPackageGroupName")
    base = shapes.carried_over("DescribeModelPackage", request)
    now = sm.now_millis()
    if group:
        if not sm.store.exists("ModelPackageGroup", group):
            create_model_package_group({"ModelPackageGroupName": group}, sm=sm)
        version = 1 + sum(1 for n in sm.store.names("ModelPackage") if n.startswith(f"{group}/"))
        store_name = f"{group}/{version}"
        record = {**base, "ModelPackageName": group, "ModelPackageGroupName": group, "ModelPackageVersion": version,
                  "ModelPackageArn": f"{sm.arn('ModelPackage', group)}/{version}",
                  "ModelApprovalStatus": request.get("ModelApprovalStatus", "PendingManualApproval")}
    else:
        store_name = request.get("ModelPackageName") or ""
        if not store_name:
            raise JobFailed("ModelPackageName or ModelPackageGroupName is required")
        record = {**base, "ModelPackageArn": sm.arn("ModelPackage", store_name)}
    record.update({"CreationTime": now, "LastModifiedTime": now, "ModelPackageStatus": "Completed",
                   "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []},
                   "CertifyForMarketplace": bool(request.get("CertifyForMarketplace", False))})
    sm.store.create("ModelPackage", store_name, record)
    return {"ModelPackageArn": record["ModelPackageArn"]}
