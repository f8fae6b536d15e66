"""`sagemaker-sfn approve|reject PACKAGE_ARN` against a moto server on 127.0.0.1 (started and stopped here)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from sagemaker_sfn.cli import main

REGION = "us-east-1"
SPEC = {"Containers": [{"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"}],
        "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def sagemaker(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> object:
    for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
                        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client("sagemaker", region_name=REGION, endpoint_url=endpoint)


def package(sagemaker: object, group: str) -> str:
    sagemaker.create_model_package_group(ModelPackageGroupName=group)  # type: ignore[attr-defined]
    return sagemaker.create_model_package(  # type: ignore[attr-defined]
        ModelPackageGroupName=group, ModelApprovalStatus="PendingManualApproval", InferenceSpecification=SPEC,
    )["ModelPackageArn"]


@pytest.mark.parametrize(("command", "status"), [("approve", "Approved"), ("reject", "Rejected")])
def test_sets_the_approval_status_and_reason(sagemaker, capsys, command, status) -> None:
    arn = package(sagemaker, f"group-{command}")
    assert main([command, arn, "--reason", "checked the evaluation report"]) == 0
    described = sagemaker.describe_model_package(ModelPackageName=arn)
    assert (described["ModelApprovalStatus"], described["ApprovalDescription"]) == (status, "checked the evaluation report")
    assert capsys.readouterr().out == f"{status}: {arn}\n"


def test_fails_clearly_on_a_bad_arn_or_an_unknown_package(sagemaker, capsys) -> None:
    assert main(["approve", "train-evaluate/3"]) == 2
    assert "is not a model package ARN" in capsys.readouterr().err
    missing = "arn:aws:sagemaker:us-east-1:123456789012:model-package/nothing/1"
    assert main(["approve", missing]) != 0
    err = capsys.readouterr().err
    assert err.startswith("sagemaker-sfn approve: error: UpdateModelPackage:") and "Traceback" not in err
