"""Every Describe* the local SageMaker answers, walked against botocore's output shape; requests
validated against the input shape as SageMaker would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from part2_helpers import ROLE, task, training_request

from sagemaker_sfn.local.bindings import XGBOOST_IMAGE
from sagemaker_sfn.local.environment import open_local_environment
from sagemaker_sfn.local.integrations.base import TaskFailure
from sagemaker_sfn.local.sagemaker import shapes

SM = "arn:aws:states:::sagemaker:"
SDK = "arn:aws:states:::aws-sdk:sagemaker:"


@pytest.fixture
def env(project: Path, tmp_path: Path):
    with open_local_environment(project_root=project, pipeline_name="demo", run_dir=tmp_path / "run",
                                definition={"StartAt": "x", "States": {}}) as environment:
        yield environment


def call(env, resource: str, params: dict):
    return env.integration.invoke(task(resource, params), env.clock)


def test_walker_reports_missing_unknown_wrong_type_and_enum() -> None:
    bad = {"TrainingJobName": 3, "TrainingJobStatus": "Done", "Surprise": True}
    problems = shapes.response_problems("DescribeTrainingJob", bad)
    assert problems == [
        "$: missing required member TrainingJobArn",
        "$: missing required member ModelArtifacts",
        "$: missing required member SecondaryStatus",
        "$: missing required member StoppingCondition",
        "$: missing required member CreationTime",
        "$.TrainingJobName: expected a string, got int",
        "$.TrainingJobStatus: 'Done' is not one of ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped', 'Deleting']",
        "$: unknown member Surprise for DescribeTrainingJobResponse",
    ]


def test_completed_training_job_describes_in_botocore_shape(env) -> None:
    sync = call(env, SM + "createTrainingJob.sync", training_request("shape-train"))
    described = call(env, SDK + "describeTrainingJob", {"TrainingJobName": "shape-train"})
    assert described == sync
    assert shapes.response_problems("DescribeTrainingJob", described) == []
    assert described["TrainingJobStatus"] == "Completed"


def test_failed_training_job_describes_in_botocore_shape(env) -> None:
    request = training_request("shape-fail", hyperparameters={"num_round": "2", "bogus": "1"})
    with pytest.raises(TaskFailure) as failure:
        call(env, SM + "createTrainingJob.sync", request)
    described = json.loads(failure.value.cause)
    assert shapes.response_problems("DescribeTrainingJob", described) == []
    assert described["TrainingJobStatus"] == "Failed"


def _xgboost_model_tar() -> bytes:
    import io
    import tarfile

    import numpy as np
    import xgboost as xgb

    x = np.arange(30, dtype=float).reshape(10, 3)
    model = bytes(xgb.train({}, xgb.DMatrix(x, label=x.sum(axis=1)), num_boost_round=2).save_raw("json"))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(model)
        tar.addfile(info, io.BytesIO(model))
    return buffer.getvalue()


def test_model_endpoint_config_endpoint_and_package_describe_in_shape(env) -> None:
    model = {"ModelName": "m1", "ExecutionRoleArn": ROLE,
             "PrimaryContainer": {"Image": XGBOOST_IMAGE, "ModelDataUrl": "s3://sagemaker-sfn-local/demo/m.tar.gz"}}
    assert call(env, SM + "createModel", model) == {"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/m1"}
    call(env, SM + "createEndpointConfig", {"EndpointConfigName": "c1", "ProductionVariants": [
        {"VariantName": "AllTraffic", "ModelName": "m1", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}]})
    # Local endpoints load and serve their model (local/sagemaker/endpoints.py): it must exist, and an
    # endpoint can be updated only once InService (a DescribeEndpoint settles it), as in SageMaker.
    env.account.client("s3").put_object(Bucket="sagemaker-sfn-local", Key="demo/m.tar.gz", Body=_xgboost_model_tar())
    call(env, SM + "createEndpoint", {"EndpointName": "e1", "EndpointConfigName": "c1"})
    call(env, SDK + "describeEndpoint", {"EndpointName": "e1"})
    call(env, SM + "updateEndpoint", {"EndpointName": "e1", "EndpointConfigName": "c1"})
    package = call(env, SM + "createModelPackage", {
        "ModelPackageGroupName": "demo-models", "ModelApprovalStatus": "Approved",
        "InferenceSpecification": {"Containers": [{"Image": XGBOOST_IMAGE}],
                                   "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]}})
    assert package == {"ModelPackageArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/demo-models/1"}
    described = {
        "DescribeModel": call(env, SDK + "describeModel", {"ModelName": "m1"}),
        "DescribeEndpointConfig": call(env, SDK + "describeEndpointConfig", {"EndpointConfigName": "c1"}),
        "DescribeEndpoint": call(env, SDK + "describeEndpoint", {"EndpointName": "e1"}),
        "DescribeModelPackage": call(env, SDK + "describeModelPackage", {"ModelPackageName": package["ModelPackageArn"]}),
        "DescribeModelPackageGroup": call(env, SDK + "describeModelPackageGroup", {"ModelPackageGroupName": "demo-models"}),
    }
    assert {op: shapes.response_problems(op, response) for op, response in described.items()} == {op: [] for op in described}
    assert described["DescribeEndpoint"]["EndpointStatus"] == "InService"
    assert described["DescribeModelPackage"]["ModelPackageVersion"] == 1


def test_invalid_request_fails_like_a_sagemaker_validation_exception(env) -> None:
    request = training_request("bad-request")
    del request["RoleArn"]
    request["ResourceConfig"]["InstanceCount"] = "one"
    with pytest.raises(TaskFailure) as failure:
        call(env, SM + "createTrainingJob.sync", request)
    assert failure.value.error == "SageMaker.AmazonSageMakerException"
    assert failure.value.cause.startswith("2 validation errors detected: Missing required parameter in input: \"RoleArn\"; "
                                          "Invalid type for parameter ResourceConfig.InstanceCount, value: one")
    assert "Error Code: ValidationException" in failure.value.cause


def test_describe_of_unknown_job_is_resource_not_found(env) -> None:
    with pytest.raises(TaskFailure) as failure:
        call(env, SDK + "describeTrainingJob", {"TrainingJobName": "nope"})
    assert failure.value.error == "SageMaker.ResourceNotFoundException"
