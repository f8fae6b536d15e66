"""`sagemaker-sfn run FILE --local` with a Distributed Map: the ItemReader lists the objects the runner
uploaded to local S3, every child execution invokes the project's Lambda for real, ResultWriter
exports to local S3, and each child's record and history land under the run's ``map-runs/`` folder."""

from __future__ import annotations

import json
from pathlib import Path

from sagemaker_sfn.cli import main

DEFINITION = {"StartAt": "Fan", "States": {"Fan": {
    "Type": "Map",
    "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                   "Parameters": {"Bucket": "${DataBucket}", "Prefix": "demo/input/"}},
    "ItemSelector": {"key.$": "$$.Map.Item.Value.Key"},
    "MaxConcurrency": 2,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                      "StartAt": "Echo", "States": {"Echo": {
                          "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                          "Parameters": {"FunctionName": "${EchoFunctionArn}", "Payload.$": "$"},
                          "OutputPath": "$.Payload.got", "End": True}}},
    "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                     "Parameters": {"Bucket": "${DataBucket}", "Prefix": "tmp/demo/fan"}},
    "End": True}}}


def test_distributed_map_over_local_s3_records_each_child_execution(project: Path, monkeypatch, capsys) -> None:
    (project / "asl_templates").mkdir()
    (project / "asl_templates" / "demo.asl.json").write_text(json.dumps(DEFINITION))
    monkeypatch.chdir(project)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    code = main(["run", "demo", "--local", "--name", "fan-1", "--json"])
    out, _ = capsys.readouterr()
    summary = json.loads(out)
    assert code == 0, summary
    assert summary["output"]["ResultWriterDetails"]["Key"].startswith("tmp/demo/fan/")
    [run_dir] = (project / ".sfn-local" / "fan-1" / "map-runs").iterdir()
    described = json.loads((run_dir / "map-run.json").read_text())
    assert described["status"] == "SUCCEEDED" and described["maxConcurrency"] == 2
    assert described["itemCounts"]["total"] == described["itemCounts"]["succeeded"] == 2
    children = [json.loads(p.read_text()) for p in sorted((run_dir / "executions").iterdir())]
    assert sorted(json.loads(child["output"])["key"] for child in children) == [
        "demo/input/train/train.csv", "demo/input/validation/validation.csv"]
    for child in children:
        types = [event["type"] for event in child["history"]]
        assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
        assert "TaskSucceeded" in types   # the optimized lambda:invoke integration
