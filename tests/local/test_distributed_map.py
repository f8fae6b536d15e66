"""Distributed Map in the local runner: ItemReader over local S3 (moto), ItemBatcher, ResultWriter,
tolerated failures, MaxConcurrency and child executions with their own histories.

AWS pages the behaviour comes from are named in sagemaker_sfn/local/interpreter/distributed_map.py
and item_reader.py; each test names the rule it checks.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import boto3
import pytest

from sagemaker_sfn.local.aws import local_account
from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.mock import MockIntegration
from sagemaker_sfn.local.integrations.services import ServicesIntegration
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.mock_config import parse_mock_config

BUCKET = "dmap-data"


@pytest.fixture
def s3() -> Iterator:
    with local_account():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def _machine(map_state: dict, *, processor: dict | None = None) -> dict:
    processor = processor or {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    state = {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                              **processor}, "End": True, **map_state}
    return {"StartAt": "Fan", "States": {"Fan": state}}


def _run(definition: dict, execution_input=None, *, integration=None):
    return run_definition(definition, execution_input or {}, integration=integration or ServicesIntegration(),
                          clock=VirtualClock(), state_machine_name="batch")


def _types(result) -> list[str]:
    return [event["type"] for event in result.history]


# -- ItemReader ------------------------------------------------------------------------------------
def test_list_objects_v2_gives_one_item_per_object_in_aws_shape_across_pages(s3) -> None:
    for i in range(5):
        s3.put_object(Bucket=BUCKET, Key=f"in/part-{i}.txt", Body=b"x" * (i + 1))
    s3.put_object(Bucket=BUCKET, Key="other/skip.txt", Body=b"no")
    # MaxKeys 2: three pages, every one read (AWS reads the whole listing).
    definition = _machine({"ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                                          "Parameters": {"Bucket": BUCKET, "Prefix.$": "$.prefix", "MaxKeys": 2}}})
    result = _run(definition, {"prefix": "in/"})
    assert result.status == "SUCCEEDED", result.cause
    assert [item["Key"] for item in result.output] == [f"in/part-{i}.txt" for i in range(5)]
    first = result.output[0]
    assert sorted(first) == ["Etag", "Key", "LastModified", "Size", "StorageClass"]
    assert first["Size"] == 1 and first["StorageClass"] == "STANDARD" and isinstance(first["LastModified"], int)
    assert first["Etag"].startswith('"')


def test_csv_first_row_headers_values_stay_strings_and_max_items_cuts(s3) -> None:
    s3.put_object(Bucket=BUCKET, Key="ratings.csv", Body=b"user,rating\nann,5\nbob,3\ncid,4\n")
    reader = {"Resource": "arn:aws:states:::s3:getObject",
              "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 2},
              "Parameters": {"Bucket": BUCKET, "Key": "ratings.csv"}}
    result = _run(_machine({"ItemReader": reader}))
    assert result.output == [{"user": "ann", "rating": "5"}, {"user": "bob", "rating": "3"}]


def test_csv_given_headers_and_pipe_delimiter_read_every_row(s3) -> None:
    s3.put_object(Bucket=BUCKET, Key="rows.psv", Body=b"a|1\nb|2\n")
    reader = {"Resource": "arn:aws:states:::s3:getObject",
              "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["name", "n"],
                               "CSVDelimiter": "PIPE"},
              "Parameters": {"Bucket": BUCKET, "Key": "rows.psv"}}
    assert _run(_machine({"ItemReader": reader})).output == [{"name": "a", "n": "1"}, {"name": "b", "n": "2"}]


def test_duplicate_csv_headers_fail_with_item_reader_failed_in_the_map_run(s3) -> None:
    s3.put_object(Bucket=BUCKET, Key="dup.csv", Body=b"a,a\n1,2\n")
    reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV"},
              "Parameters": {"Bucket": BUCKET, "Key": "dup.csv"}}
    result = _run(_machine({"ItemReader": reader}))
    assert (result.status, result.error) == ("FAILED", "States.ItemReaderFailed")
    assert result.cause == "CSV headers cannot contain duplicates."
    failed = next(e for e in result.history if e["type"] == "MapRunFailed")
    assert failed["mapRunFailedEventDetails"] == {"error": "States.ItemReaderFailed",
                                                  "cause": "CSV headers cannot contain duplicates."}
    assert _types(result)[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_missing_object_is_item_reader_failed_and_can_be_caught(s3) -> None:
    reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
              "Parameters": {"Bucket": BUCKET, "Key": "nope.json"}}
    definition = _machine({"ItemReader": reader})
    fan = definition["States"]["Fan"]
    fan.pop("End")
    fan["Catch"] = [{"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Handled"}]
    fan["Next"] = "Handled"
    definition["States"]["Handled"] = {"Type": "Pass", "End": True}
    result = _run(definition)
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "States.ItemReaderFailed"
    assert "s3://dmap-data/nope.json" in result.output["Cause"] and "NoSuchKey" in result.output["Cause"]


def test_json_and_jsonl_objects_are_read_as_arrays(s3) -> None:
    s3.put_object(Bucket=BUCKET, Key="items.json", Body=json.dumps([{"id": 1}, {"id": 2}]).encode())
    s3.put_object(Bucket=BUCKET, Key="items.jsonl", Body=b'{"id": 3}\n\n{"id": 4}\n')
    for key, input_type, expected in (("items.json", "JSON", [1, 2]), ("items.jsonl", "JSONL", [3, 4])):
        reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": input_type},
                  "Parameters": {"Bucket": BUCKET, "Key": key}}
        assert [item["id"] for item in _run(_machine({"ItemReader": reader})).output] == expected


def test_json_object_that_is_not_an_array_fails_the_reader(s3) -> None:
    s3.put_object(Bucket=BUCKET, Key="obj.json", Body=b'{"a": 1}')
    reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
              "Parameters": {"Bucket": BUCKET, "Key": "obj.json"}}
    result = _run(_machine({"ItemReader": reader}))
    assert result.error == "States.ItemReaderFailed" and "needs a JSON array" in result.cause


def test_s3_inventory_manifest_reads_its_gzipped_csv_files_with_the_file_schema(s3) -> None:
    s3.put_object(Bucket=BUCKET, Key="inv/data/a.csv.gz", Body=gzip.compress(b'"src","k1","10"\n"src","k2","20"\n'))
    s3.put_object(Bucket=BUCKET, Key="inv/data/b.csv.gz", Body=gzip.compress(b'"src","k3","30"\n'))
    manifest = {"sourceBucket": "src", "destinationBucket": f"arn:aws:s3:::{BUCKET}", "fileFormat": "CSV",
                "fileSchema": "Bucket, Key, Size",
                "files": [{"key": "inv/data/a.csv.gz", "size": 1}, {"key": "inv/data/b.csv.gz", "size": 1}]}
    s3.put_object(Bucket=BUCKET, Key="inv/manifest.json", Body=json.dumps(manifest).encode())
    reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "MANIFEST"},
              "Parameters": {"Bucket": BUCKET, "Key": "inv/manifest.json"}}
    assert _run(_machine({"ItemReader": reader})).output == [
        {"Bucket": "src", "Key": "k1", "Size": "10"}, {"Bucket": "src", "Key": "k2", "Size": "20"},
        {"Bucket": "src", "Key": "k3", "Size": "30"}]


# -- child executions ------------------------------------------------------------------------------
def test_each_item_is_a_child_execution_with_its_own_history_and_context(s3) -> None:
    processor = {"StartAt": "Who", "States": {"Who": {"Type": "Pass", "Parameters": {
        "name.$": "$$.Execution.Name", "input.$": "$", "machine.$": "$$.StateMachine.Name"}, "End": True}}}
    definition = _machine({"ItemsPath": "$.items", "ItemSelector": {"value.$": "$$.Map.Item.Value",
                                                                    "index.$": "$$.Map.Item.Index"},
                           "Label": "Scoring"}, processor=processor)
    result = _run(definition, {"items": ["a", "b"]})
    assert result.status == "SUCCEEDED"
    [run] = result.map_runs
    assert run.map_run_arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:batch/Scoring:")
    assert [child.input for child in run.children] == [{"value": "a", "index": 0}, {"value": "b", "index": 1}]
    child = run.children[0]
    assert child.execution_arn == f"arn:aws:states:us-east-1:123456789012:execution:batch/Scoring:{child.name}"
    assert result.output[0] == {"name": child.name, "input": {"value": "a", "index": 0}, "machine": "batch/Scoring"}
    assert [e["type"] for e in child.history] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                                  "ExecutionSucceeded"]
    assert child.describe()["status"] == "SUCCEEDED"
    # The parent's history holds the Map Run, not the children's events (AWS: separate histories).
    assert _types(result) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                              "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    assert run.describe()["itemCounts"]["succeeded"] == 2 and run.status == "SUCCEEDED"


def test_parent_variables_are_not_visible_in_a_child_execution(s3) -> None:
    processor = {"StartAt": "Read", "States": {"Read": {"Type": "Pass", "Parameters": {"v.$": "$limit"}, "End": True}}}
    definition = _machine({"ItemsPath": "$.items"}, processor=processor)
    definition["States"] = {"Set": {"Type": "Pass", "Assign": {"limit": 3}, "Next": "Fan"}, **definition["States"]}
    definition["StartAt"] = "Set"
    result = _run(definition, {"items": [1]})
    assert result.status == "FAILED"
    assert result.map_runs[0].children[0].status == "FAILED"


def test_item_batcher_groups_selected_items_with_batch_input(s3) -> None:
    definition = _machine({"ItemsPath": "$.items", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
                           "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.run"}}})
    result = _run(definition, {"items": [1, 2, 3], "run": "r1"})
    assert result.output == [{"Items": [{"v": 1}, {"v": 2}], "BatchInput": {"run": "r1"}},
                             {"Items": [{"v": 3}], "BatchInput": {"run": "r1"}}]
    assert result.map_runs[0].item_count == 2


def test_item_batcher_max_input_bytes_closes_a_batch_before_it_overflows(s3) -> None:
    definition = _machine({"ItemsPath": "$", "ItemBatcher": {"MaxInputBytesPerBatch": 30}})
    result = _run(definition, ["aaaa", "bbbb", "cccc", "dddd"])
    batches = [batch["Items"] for batch in result.output]
    assert sum(batches, []) == ["aaaa", "bbbb", "cccc", "dddd"]
    assert all(len(json.dumps({"Items": b}, separators=(",", ":"))) <= 30 for b in batches) and len(batches) > 1


_FAIL_ODD = {"StartAt": "Check", "States": {
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Odd"}],
              "Default": "Ok"},
    "Odd": {"Type": "Fail", "Error": "Odd", "Cause": "odd item"},
    "Ok": {"Type": "Pass", "End": True}}}


def test_tolerated_failures_keep_the_map_run_going_and_result_writer_exports_files(s3) -> None:
    items = [{"n": i % 2} for i in range(6)]   # three fail
    definition = _machine({"ItemsPath": "$.items", "ToleratedFailurePercentage": 50,
                           "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                                            "Parameters": {"Bucket": BUCKET, "Prefix": "results"}}},
                          processor=_FAIL_ODD)
    result = _run(definition, {"items": items})
    assert result.status == "SUCCEEDED", result.cause
    run = result.map_runs[0]
    manifest_key = f"results/{run.run_id}/manifest.json"
    assert result.output == {"MapRunArn": run.map_run_arn,
                             "ResultWriterDetails": {"Bucket": BUCKET, "Key": manifest_key}}
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=manifest_key)["Body"].read())
    assert manifest["DestinationBucket"] == BUCKET and manifest["MapRunArn"] == run.map_run_arn
    assert [f["Key"] for f in manifest["ResultFiles"]["SUCCEEDED"]] == [f"results/{run.run_id}/SUCCEEDED_0.json"]
    assert [f["Key"] for f in manifest["ResultFiles"]["FAILED"]] == [f"results/{run.run_id}/FAILED_0.json"]
    assert manifest["ResultFiles"]["PENDING"] == []
    succeeded = json.loads(s3.get_object(Bucket=BUCKET, Key=f"results/{run.run_id}/SUCCEEDED_0.json")["Body"].read())
    failed_body = s3.get_object(Bucket=BUCKET, Key=f"results/{run.run_id}/FAILED_0.json")["Body"].read()
    failed = json.loads(failed_body)
    assert manifest["ResultFiles"]["FAILED"][0]["Size"] == len(failed_body)
    assert len(succeeded) == 3 and len(failed) == 3
    assert succeeded[0]["Status"] == "SUCCEEDED" and json.loads(succeeded[0]["Output"]) == {"n": 0}
    assert json.loads(succeeded[0]["Input"]) == {"n": 0} and succeeded[0]["InputDetails"] == {"Included": True}
    assert (failed[0]["Status"], failed[0]["Error"], failed[0]["Cause"]) == ("FAILED", "Odd", "odd item")
    assert "Output" not in failed[0]
    assert run.describe()["itemCounts"]["resultsWritten"] == 6


def test_more_failures_than_tolerated_fail_with_exceed_tolerated_failure_threshold(s3) -> None:
    definition = _machine({"ItemsPath": "$", "ToleratedFailureCount": 1}, processor=_FAIL_ODD)
    result = _run(definition, [{"n": 1}, {"n": 1}, {"n": 0}])
    assert (result.status, result.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert _types(result)[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    assert result.map_runs[0].status == "FAILED"


def test_max_concurrency_limits_children_running_at_once(s3) -> None:
    processor = {"StartAt": "Work", "States": {"Work": {"Type": "Wait", "Seconds": 10, "End": True}}}
    for limit, expected in ((2, 20), (0, 10)):
        result = _run(_machine({"ItemsPath": "$", "MaxConcurrency": limit}, processor=processor), [1, 2, 3, 4])
        assert (result.stop_date - result.start_date).total_seconds() == expected


# -- mocked run ------------------------------------------------------------------------------------
def test_mocked_run_answers_the_reader_and_the_child_tasks_from_the_mock_file() -> None:
    processor = {"StartAt": "Score", "States": {"Score": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"Payload.$": "$"},
        "OutputPath": "$.Payload", "End": True}}}
    definition = _machine({"ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                                          "Parameters": {"Bucket": "b", "Prefix": "in/"}},
                           "ItemSelector": {"key.$": "$$.Map.Item.Value.Key"}}, processor=processor)
    config = parse_mock_config({
        "StateMachines": {"batch": {"TestCases": {"Happy": {"Fan": "Listing", "Score": "Scored"}}}},
        "MockedResponses": {
            "Listing": {"0": {"Return": {"Contents": [{"Key": "in/a", "Size": 1, "ETag": "\"e\""},
                                                      {"Key": "in/b", "Size": 2, "ETag": "\"f\""}]}}},
            "Scored": {"0-1": {"Return": {"Payload": {"score": 1}}}}}})
    mock = MockIntegration(config.test_case(state_machine="batch", test_case="Happy"))
    result = _run(definition, integration=mock)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == [{"score": 1}, {"score": 1}]
    assert [call.parameters for call in mock.calls if call.state_name == "Score"] == [
        {"Payload": {"key": "in/a"}}, {"Payload": {"key": "in/b"}}]
    assert mock.calls[0].resource == "arn:aws:states:::aws-sdk:s3:listObjectsV2"


def test_jsonata_reader_arguments_and_result_writer_arguments(s3) -> None:
    s3.put_object(Bucket=BUCKET, Key="j/items.json", Body=b'[{"n": 1}, {"n": 2}]')
    definition = {"QueryLanguage": "JSONata", "StartAt": "Fan", "States": {"Fan": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                       "Arguments": {"Bucket": BUCKET, "Key": "{% $states.input.key %}"}},
        "ItemSelector": {"double": "{% $states.context.Map.Item.Value.n * 2 %}"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Arguments": {"Bucket": BUCKET, "Prefix": "{% 'out/' & $states.input.run %}"},
                         "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}},
        "End": True}}}
    result = _run(definition, {"key": "j/items.json", "run": "r1"})
    assert result.status == "SUCCEEDED", result.cause
    run = result.map_runs[0]
    body = s3.get_object(Bucket=BUCKET, Key=f"out/r1/{run.run_id}/SUCCEEDED_0.jsonl")["Body"].read().decode()
    assert [json.loads(line) for line in body.splitlines()] == [{"double": 2}, {"double": 4}]
    assert result.output["ResultWriterDetails"]["Key"] == f"out/r1/{run.run_id}/manifest.json"


def test_writer_config_alone_shapes_the_states_result(s3) -> None:
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"pair.$": "States.Array($, $)"},
                                                  "OutputPath": "$.pair", "End": True}}}
    definition = _machine({"ItemsPath": "$", "ResultWriter": {"WriterConfig": {"Transformation": "FLATTEN",
                                                                               "OutputType": "JSON"}}},
                          processor=processor)
    assert _run(definition, [1, 2]).output == [1, 1, 2, 2]
