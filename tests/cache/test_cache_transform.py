"""The cache transform's shape and its refusals (generation time, with a message naming the state)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sagemaker_sfn.cache import CacheConfig, CacheError, apply_cache, cached_steps, duration_seconds
from sagemaker_sfn.cache.request import keyed_request, s3_inputs
from sagemaker_sfn.cache.transform import step_of

SYNC = "arn:aws:states:::sagemaker:createProcessingJob.sync"


def job(**extra: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": SYNC, "Parameters": {
        "ProcessingJobName.$": "States.Format('p-{}', $$.Execution.Name)",
        "ProcessingInputs": [{"InputName": "code", "S3Input": {"S3Uri": "s3://${DataBucket}/code/p.py"}},
                             {"InputName": "data", "S3Input": {"S3Uri.$": "States.Format('s3://{}/{}', $.b, $.k)"}},
                             {"InputName": "model", "S3Input": {"S3Uri.$": "$.Train.Model"}}],
        "ProcessingOutputConfig": {"Outputs": [{"S3Output": {
            "S3Uri.$": "States.Format('s3://${DataBucket}/x/{}/out', $$.Execution.Name)"}}]},
        "Tags": [{"Key": "k", "Value": "v"}]}, **extra}


def machine(state: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"StartAt": "First", "States": {
        "First": {"Type": "Pass", "Next": "P"},
        "Gate": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "P"}], "Default": "P"},
        "P": state or {**job(), "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gate"}], "End": True}}}


def test_transitions_into_the_step_enter_its_cache_key_and_the_job_keeps_its_name() -> None:
    out = apply_cache(machine(), {"P": CacheConfig()})
    states = out["States"]
    assert states["First"]["Next"] == "Cache key: P"
    assert states["Gate"]["Choices"][0]["Next"] == "Cache key: P" and states["Gate"]["Default"] == "Cache key: P"
    assert states["P"]["Catch"] == [{"ErrorEquals": ["States.ALL"], "Next": "Gate"}]   # unchanged
    assert states["P"]["Next"] == "Cache store?: P" and "End" not in states["P"]
    # An End step ends through a Pass after the store (a Catch cannot end a scope).
    assert states["Cache store: P"]["End"] is True and states["Cache done: P"] == {"Type": "Pass", "End": True}
    assert cached_steps(out) == ["P"]
    assert step_of("Cache input 2: P") == ("input", "P") and step_of("P") is None


def test_key_leaves_out_job_name_tags_and_execution_derived_outputs_but_lists_nameable_inputs() -> None:
    keyed, dropped = keyed_request(job()["Parameters"], action="createProcessingJob")
    assert "ProcessingJobName.$" not in keyed and "Tags" not in keyed
    assert dropped == ["ProcessingJobName", "ProcessingOutputConfig.Outputs[0].S3Output.S3Uri", "Tags"]
    assert [(i.label, i.bucket, i.prefix) for i in s3_inputs(job()["Parameters"])] == [
        ("ProcessingInputs[0].S3Input.S3Uri", {"Bucket": "${DataBucket}"}, {"Prefix": "code/p.py"}),
        ("ProcessingInputs[1].S3Input.S3Uri", {"Bucket.$": "$.b"}, {"Prefix.$": "States.Format('{}', $.k)"}),
    ]


def test_emits_only_the_cache_table_and_listing_integrations() -> None:
    out = apply_cache(machine(), {"P": CacheConfig(expire_after="P7D")})
    added = {name: state for name, state in out["States"].items() if step_of(name)}
    resources = sorted({s["Resource"] for s in added.values() if s["Type"] == "Task"})
    assert resources == ["arn:aws:states:::aws-sdk:dynamodb:getItem", "arn:aws:states:::aws-sdk:dynamodb:putItem",
                         "arn:aws:states:::aws-sdk:s3:listObjectsV2"]
    assert added["Cache lookup: P"]["Parameters"]["TableName"] == "${CacheTableName}"
    assert added["Cache store: P"]["Arguments"]["TableName"] == "${CacheTableName}"
    assert "+ 604800)" in added["Cache store: P"]["Arguments"]["Item"]
    assert added["Cache input 1: P"]["Arguments"] == {"Bucket": "${DataBucket}", "Prefix": "code/p.py"}
    for state in added.values():   # every cache Task falls back instead of failing the execution
        if state["Type"] == "Task":
            assert state["Catch"][0]["ErrorEquals"] == ["States.ALL"]


@pytest.mark.parametrize("state, message", [
    ({"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob", "Parameters": {}, "End": True},
     "is not a SageMaker job run with .sync"),
    ({"Type": "Pass", "End": True}, "is not a SageMaker job run with .sync"),
    ({**job(), "Assign": {"x": 1}, "End": True}, "has Assign"),
    ({**job(), "ResultPath": "$.a[0]", "End": True}, r"ResultPath '\$.a\[0\]'"),
    ({**job(), "QueryLanguage": "JSONata", "Arguments": {}, "End": True}, "uses JSONata"),
])
def test_fails_for_what_a_hit_could_not_reproduce(state, message) -> None:
    with pytest.raises(CacheError, match=message) as caught:
        apply_cache(machine(state), {"P": CacheConfig()})
    assert caught.value.state == "P"


def test_fails_for_a_missing_state_or_a_key_over_the_hash_limit() -> None:
    with pytest.raises(CacheError, match="no state named 'Q'"):
        apply_cache(machine(), {"Q": CacheConfig()})
    big = job()
    big["Parameters"]["Environment"] = {f"VARIABLE_NUMBER_{i}": "x" for i in range(200)}
    with pytest.raises(CacheError, match="exceed States.Hash's 10,000-character input"):
        apply_cache(machine({**big, "End": True}), {"P": CacheConfig()})


@pytest.mark.parametrize("text, seconds", [("P30D", 2592000), ("PT12H", 43200), ("P1W", 604800),
                                           ("P1DT6H30M", 109800), ("P1Y", 31536000), ("P1M", 2592000)])
def test_iso_durations(text, seconds) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["30D", "P", "PT", "P0D", "P1H", "p30d", ""])
def test_fails_bad_durations(text) -> None:
    with pytest.raises(ValueError, match="ISO-8601 duration|is zero"):
        CacheConfig(expire_after=text)


def test_pipeline_file_cache_option(tmp_path) -> None:
    from sagemaker_sfn.errors import PipelineError
    from sagemaker_sfn.pipeline.assemble import build_pipeline

    step = {"name": "P", "type": "processing", "cache": {"expire_after": "P2D"},
            "request": {"AppSpecification": {"ImageUri": "i"}, "ProcessingResources": {}, "RoleArn": "r"}}
    built = build_pipeline({"name": "demo", "steps": [step]}, file="demo.yaml")
    assert "Cache lookup: P" in built.definition["States"]
    assert "+ 172800)" in json.dumps(built.definition)
    with pytest.raises(PipelineError, match="step 'P', field 'cache': .*ISO-8601"):
        build_pipeline({"name": "demo", "steps": [{**step, "cache": {"expire_after": "soon"}}]}, file="demo.yaml")
    with pytest.raises(PipelineError, match="step 'M', field 'cache': only SageMaker job steps"):
        build_pipeline({"name": "demo", "steps": [{"name": "M", "type": "model", "cache": True,
                                                    "request": {"ExecutionRoleArn": "r"}}]}, file="demo.yaml")
