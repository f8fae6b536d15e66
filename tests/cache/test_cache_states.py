"""The cache states run in the local interpreter against moto's DynamoDB and S3: hit, miss,
expired entry, cache-table error, and the exact output a hit restores."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from sagemaker_sfn.cache import CacheConfig, apply_cache
from sagemaker_sfn.cache.local import create_table
from sagemaker_sfn.local.integrations.base import TaskRequest
from sagemaker_sfn.local.integrations.services import ServicesIntegration
from sagemaker_sfn.local.interpreter import run_definition

TABLE = "cache-test"
BUCKET = "data"


class Jobs:
    """Answers the job Task with a Describe-like result and counts the jobs run; the rest goes to moto."""

    def __init__(self) -> None:
        self.services = ServicesIntegration(region="us-east-1")
        self.started: list[dict[str, Any]] = []

    def invoke(self, request: TaskRequest, clock: Any) -> Any:
        if request.ref.service == "sagemaker":
            self.started.append(request.parameters)
            name = request.parameters["TrainingJobName"]
            return {"TrainingJobName": name, "TrainingJobStatus": "Completed",
                    "HyperParameters": request.parameters["HyperParameters"],
                    "ModelArtifacts": {"S3ModelArtifacts": f"s3://{BUCKET}/{request.execution_name}/model.tar.gz"}}
        return self.services.invoke(request, clock)


def machine(*, eta: str = "0.2", result_path: str = "$.Train", output_path: str | None = None,
            expire_after: str = "P30D", cached: bool = True) -> dict[str, Any]:
    train: dict[str, Any] = {
        "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
        "Parameters": {
            "TrainingJobName.$": "States.Format('train-{}', $$.Execution.Name)",
            "HyperParameters": {"eta": eta, "depth.$": "$.depth"},
            "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
                "S3Uri": f"s3://{BUCKET}/input/", "S3DataType": "S3Prefix"}}}],
            "OutputDataConfig": {"S3OutputPath.$": f"States.Format('s3://{BUCKET}/{{}}/model', $$.Execution.Name)"},
            "Tags": [{"Key": "run", "Value.$": "$$.Execution.Id"}],
        },
        "ResultSelector": {"Name.$": "$.TrainingJobName", "Model.$": "$.ModelArtifacts.S3ModelArtifacts"},
        "ResultPath": result_path, "Next": "After"}
    if output_path:
        train["OutputPath"] = output_path
    definition = {"StartAt": "Train", "States": {"Train": train, "After": {"Type": "Pass", "End": True}}}
    if not cached:
        return definition
    transformed = apply_cache(definition, {"Train": CacheConfig(expire_after=expire_after)})
    return json.loads(json.dumps(transformed).replace("${CacheTableName}", TABLE))


@pytest.fixture
def aws(monkeypatch):
    from moto import mock_aws

    from sagemaker_sfn.local.aws import fake_aws_environment

    with fake_aws_environment(), mock_aws():
        import boto3

        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="input/data.csv", Body=b"1,2,3\n")
        yield {"s3": s3, "dynamodb": boto3.client("dynamodb", region_name="us-east-1")}


def run(definition: dict[str, Any], jobs: Jobs, name: str, depth: int = 3) -> Any:
    result = run_definition(definition, {"depth": depth, "keep": "me"}, state_machine_name="m", execution_name=name,
                            integration=jobs)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    return result


def entered(result: Any) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in result.history if e["type"].endswith("StateEntered")]


def test_miss_runs_the_job_and_stores_then_hit_restores_the_same_output(aws) -> None:
    create_table(aws["dynamodb"], TABLE)
    jobs = Jobs()
    first = run(machine(), jobs, "first")
    second = run(machine(), jobs, "second")
    assert len(jobs.started) == 1
    assert "Cache store: Train" in entered(first) and "Train" not in entered(second)
    assert "Cache hit: Train" in entered(second)
    # Exactly what the job's ResultSelector + ResultPath produced, naming the first execution's job.
    assert second.output == first.output == {"depth": 3, "keep": "me", "Train": {
        "Name": "train-first", "Model": f"s3://{BUCKET}/first/model.tar.gz"}}
    item = aws["dynamodb"].scan(TableName=TABLE)["Items"][0]
    assert item["Execution"]["S"].endswith(":first") and item["Step"]["S"] == "Train"
    assert 30 * 86400 - 60 < int(item["ExpiresAt"]["N"]) - time.time() <= 30 * 86400


@pytest.mark.parametrize("result_path, output_path", [("$.a.b", None), ("$", None), ("$.Train", "$.Train")])
def test_hit_output_equals_the_miss_output_for_any_result_and_output_path(aws, result_path, output_path) -> None:
    create_table(aws["dynamodb"], TABLE)
    jobs = Jobs()
    first = run(machine(result_path=result_path, output_path=output_path), jobs, "first")
    second = run(machine(result_path=result_path, output_path=output_path), jobs, "second")
    assert len(jobs.started) == 1 and second.output == first.output


def test_changed_hyperparameter_input_value_or_data_misses(aws) -> None:
    create_table(aws["dynamodb"], TABLE)
    jobs = Jobs()
    run(machine(), jobs, "r1")
    run(machine(eta="0.3"), jobs, "r2")                 # a literal hyperparameter
    run(machine(eta="0.3"), jobs, "r3", depth=4)        # a value from the input
    aws["s3"].put_object(Bucket=BUCKET, Key="input/data.csv", Body=b"1,2,4\n")
    run(machine(eta="0.3"), jobs, "r4", depth=4)        # the data under the input prefix
    run(machine(eta="0.3"), jobs, "r5", depth=4)        # nothing changed: reused
    assert [p["HyperParameters"] for p in jobs.started] == [
        {"eta": "0.2", "depth": 3}, {"eta": "0.3", "depth": 3}, {"eta": "0.3", "depth": 4}, {"eta": "0.3", "depth": 4}]


def test_expired_entry_is_not_used(aws) -> None:
    create_table(aws["dynamodb"], TABLE)
    jobs = Jobs()
    run(machine(), jobs, "r1")
    item = aws["dynamodb"].scan(TableName=TABLE)["Items"][0]
    item["ExpiresAt"] = {"N": str(int(time.time()) - 1)}   # DynamoDB TTL may keep it for days
    aws["dynamodb"].put_item(TableName=TABLE, Item=item)
    second = run(machine(), jobs, "r2")
    assert len(jobs.started) == 2 and "Cache hit: Train" not in entered(second)


def test_cache_table_error_runs_the_job_and_never_fails_the_pipeline(aws) -> None:
    jobs = Jobs()   # no table: getItem answers DynamoDb.ResourceNotFoundException
    result = run(machine(), jobs, "r1")
    failures = [e["taskFailedEventDetails"]["error"] for e in result.history if e["type"] == "TaskFailed"]
    assert failures == ["DynamoDb.ResourceNotFoundException"]
    assert len(jobs.started) == 1
    # No key was stored (the lookup never answered): the store is skipped, the run goes on.
    assert entered(result)[-3:] == ["Train", "Cache store?: Train", "After"]
    assert result.output["Train"]["Name"] == "train-r1"


def test_listing_error_falls_back_to_the_job(aws) -> None:
    create_table(aws["dynamodb"], TABLE)
    jobs = Jobs()
    definition = json.loads(json.dumps(machine()).replace(f'"Bucket": "{BUCKET}"', '"Bucket": "no-such-bucket"'))
    result = run(definition, jobs, "r1")
    assert len(jobs.started) == 1 and "Cache lookup: Train" not in entered(result)


def test_a_step_inside_a_parallel_branch_is_cached_in_its_branch(aws) -> None:
    create_table(aws["dynamodb"], TABLE)
    inner = machine(cached=False)
    parallel = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": inner["StartAt"], "States": inner["States"]},
        {"StartAt": "Other", "States": {"Other": {"Type": "Pass", "Result": 1, "End": True}}}]}}}
    parallel = json.loads(json.dumps(apply_cache(parallel, {"Train": CacheConfig()})).replace("${CacheTableName}", TABLE))
    assert "Cache lookup: Train" in parallel["States"]["Both"]["Branches"][0]["States"]
    jobs = Jobs()
    first = run(parallel, jobs, "first")
    second = run(parallel, jobs, "second")
    assert len(jobs.started) == 1 and second.output == first.output
