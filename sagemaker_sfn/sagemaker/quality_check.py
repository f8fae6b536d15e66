"""Data-quality checks (SageMaker Pipelines' QualityCheck step, DataQualityCheckConfig) as a
processing job on SageMaker Model Monitor's analyzer image: suggest a baseline, or check a dataset
against a supplied one and fail on violations.

The analyzer's contract (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-byoc-contract-inputs.html):
``Environment`` ``dataset_format``, ``dataset_source``, ``output_path``, ``publish_cloudwatch_metrics``
and, to check, ``baseline_statistics`` / ``baseline_constraints``; it writes ``statistics.json``,
``constraints.json`` and (checking) ``constraint_violations.json`` to ``output_path``; a job that
found violations is Completed with the ExitMessage ``CompletedWithViolations: ...``
(https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-violations.html).
Step Functions' ``.sync`` sees a Completed job, so a Choice on the ExitMessage fails the step.

States (the first named after the step):

1. ``<name>`` (createProcessingJob.sync): the Describe response at ``$.<key>.Job``;
2. ``<name>: violations?`` (Choice, only when checking and not ``skip_check``);
3. ``<name>: violations found`` (Pass): ``$.error`` = ``{"Error": "QualityCheck.ViolationsFound",
   "Cause": ...}``, then the step's failure path (or a Fail state with that error);
4. ``<name>: baselines`` (Pass): ``$.<key>.Baselines`` = ``{CalculatedStatistics,
   CalculatedConstraints, DriftCheckStatistics, DriftCheckConstraints}`` S3 URIs (the drift-check
   pair is the supplied baseline when checking, else the calculated one): what a register-model
   step puts in ``DriftCheckBaselines.ModelDataQuality``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sagemaker_sfn.asl.paths import fmt, is_dynamic_value
from sagemaker_sfn.asl.policies import DEFAULT
from sagemaker_sfn.asl.states import State, choice, pass_
from sagemaker_sfn.sagemaker.create_processing_job import processing_step

IMAGE = "${ModelMonitorImageUri}"
# The analyzer in us-east-1 (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-pre-built-container.html).
IMAGE_US_EAST_1 = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
VIOLATIONS_ERROR = "QualityCheck.ViolationsFound"
CHECKS = ("data-quality", "model-quality")
# Model quality (ModelQualityCheckConfig): the analyzer's Environment names as the SageMaker Python SDK's
# ModelQualityMonitor sets them (sagemaker/model_monitor/model_monitoring.py, *_ENV_NAME).
PROBLEM_TYPES = ("Regression", "BinaryClassification", "MulticlassClassification")
MODEL_QUALITY_ATTRIBUTES = ("ground_truth_attribute", "inference_attribute", "probability_attribute",
                            "probability_threshold_attribute")
_DATASET = "/opt/ml/processing/input/baseline_dataset_input"
_OUTPUT = "/opt/ml/processing/output"
_STATS_DIR = "/opt/ml/processing/baseline/stats"
_CONSTRAINTS_DIR = "/opt/ml/processing/baseline/constraints"


def _uri(key: str, value: str) -> dict[str, str]:
    return {f"{key}.$": value} if is_dynamic_value(value) else {key: value}


def _location(output: str | None, *, pipeline: str, slug: str) -> tuple[str, Any]:
    """(the output URI, a function giving ``<output>/<leaf>``), each a literal or an intrinsic for a ``.$`` field."""
    if output is None:
        template = f"s3://${{DataBucket}}/{pipeline}/{{}}/{slug}"
        return fmt(template, "$$.Execution.Name"), lambda leaf: fmt(f"{template}/{leaf}", "$$.Execution.Name")
    if is_dynamic_value(output):
        return output, lambda leaf: fmt("{}/" + leaf, output)
    return output, lambda leaf: f"{output.rstrip('/')}/{leaf}"


def quality_check_states(*, name: str, pipeline: str, dataset: str, result_key: str, check: str = "data-quality",
                         baseline: dict[str, str] | None = None, output: str | None = None, header: bool = True,
                         skip_check: bool = False, image: str = IMAGE, instance_type: str = "ml.m5.xlarge",
                         problem_type: str | None = None, attributes: dict[str, Any] | None = None,
                         on_failure: str | None = None, retry: list[dict[str, Any]] | None = DEFAULT,
                         catch: list[dict[str, Any]] | None = None, random_name: bool = False,
                         next: str | None = None, comment: str | None = None) -> dict[str, State]:
    """The states above. ``dataset``: S3 URI (or path) of the CSV data; ``baseline`` (default none:
    suggest only): ``{"statistics": uri, "constraints": uri}``; ``output`` (default
    ``s3://${DataBucket}/<pipeline>/<execution>/<step>``); ``on_failure``: the state violations go
    to (default: a ``<name>: failed`` Fail state).

    ``check`` ``model-quality`` also takes ``problem_type`` (one of :data:`PROBLEM_TYPES`) and
    ``attributes`` (:data:`MODEL_QUALITY_ATTRIBUTES`: the dataset's columns of ground truth and
    predictions); its ``baseline`` needs only ``constraints`` (model-quality checks compare metrics
    with the constraints' thresholds)."""
    if check not in CHECKS:
        raise ValueError(f"check must be one of {', '.join(CHECKS)} (data-bias is the clarify-check step's; "
                         f"model-bias and explainability are not available), got {check!r}")
    if isinstance(baseline, dict):   # `statistics.$: $.path` reads as `statistics: $.path`
        baseline = {str(k).removesuffix(".$"): v for k, v in baseline.items()}
    model_quality = check == "model-quality"
    allowed = [{"statistics", "constraints"}] + ([{"constraints"}] if model_quality else [])
    if baseline is not None and (not isinstance(baseline, dict) or set(baseline) not in allowed
                                 or not all(isinstance(v, str) and v for v in baseline.values())):
        raise ValueError("baseline must give constraints (and statistics) as S3 URIs of constraints.json and "
                         "statistics.json" if model_quality else
                         "baseline must give both statistics and constraints (S3 URIs of statistics.json and "
                         "constraints.json)")
    extra_env = _model_quality_env(problem_type, attributes or {}) if model_quality else {}
    if not model_quality and (problem_type is not None or attributes):
        raise ValueError("problem_type and the ground truth / inference attributes belong to check: model-quality")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "check"
    output, under = _location(output, pipeline=pipeline, slug=slug)
    env = {"dataset_format": json.dumps({"csv": {"header": header, "output_columns_position": "START"}}),
           "dataset_source": _DATASET, "output_path": _OUTPUT, "publish_cloudwatch_metrics": "Disabled", **extra_env}
    inputs = [{"InputName": "baseline_dataset_input", "S3Input": {
        **_uri("S3Uri", dataset), "LocalPath": _DATASET, "S3DataType": "S3Prefix", "S3InputMode": "File"}}]
    if baseline is not None and "statistics" in baseline:
        env["baseline_statistics"] = f"{_STATS_DIR}/statistics.json"
        inputs.append(
            {"InputName": "baseline_statistics", "S3Input": {**_uri("S3Uri", baseline["statistics"]),
                                                             "LocalPath": _STATS_DIR, "S3DataType": "S3Prefix",
                                                             "S3InputMode": "File"}})
    if baseline is not None:
        env["baseline_constraints"] = f"{_CONSTRAINTS_DIR}/constraints.json"
        inputs += [
            {"InputName": "baseline_constraints", "S3Input": {**_uri("S3Uri", baseline["constraints"]),
                                                              "LocalPath": _CONSTRAINTS_DIR,
                                                              "S3DataType": "S3Prefix", "S3InputMode": "File"}}]
    request = {
        "AppSpecification": {"ImageUri": image}, "Environment": env, "ProcessingInputs": inputs,
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "monitoring_output", "S3Output": {
            **_uri("S3Uri", output), "LocalPath": _OUTPUT, "S3UploadMode": "EndOfJob"}}]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": instance_type,
                                                  "VolumeSizeInGB": 20}},
        "RoleArn": "${SageMakerRoleArn}", "StoppingCondition": {"MaxRuntimeInSeconds": 3600}}
    key = f"$.{result_key}"
    names = {"choice": f"{name}: violations?", "found": f"{name}: violations found", "baselines": f"{name}: baselines",
             "failed": f"{name}: failed"}
    checking = baseline is not None and not skip_check
    states: dict[str, State] = {name: processing_step(
        request=request, step_name=name, retry=retry, catch=catch, random_name=random_name,
        result_path=f"{key}.Job", comment=comment, next=names["choice"] if checking else names["baselines"])}
    if checking:
        message = under("constraint_violations.json")
        cause = fmt(f"Quality check '{name}' found violations of the baseline: {{}} See {{}}",
                    f"{key}.Job.ExitMessage",
                    message if is_dynamic_value(message) else f"'{message}'")
        states[names["choice"]] = choice(choices=[{"And": [
            {"Variable": f"{key}.Job.ExitMessage", "IsPresent": True},
            {"Variable": f"{key}.Job.ExitMessage", "StringMatches": "CompletedWithViolations*"}],
            "Next": names["found"]}], default=names["baselines"])
        states[names["found"]] = pass_(parameters={"Error": VIOLATIONS_ERROR, "Cause.$": cause},
                                       result_path="$.error", next=on_failure or names["failed"])
        if on_failure is None:
            states[names["failed"]] = {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}
    calculated = {"CalculatedStatistics": under("statistics.json"), "CalculatedConstraints": under("constraints.json")}
    drift = ({"DriftCheckStatistics": baseline.get("statistics", calculated["CalculatedStatistics"]),
              "DriftCheckConstraints": baseline["constraints"]}
             if baseline is not None else {"DriftCheckStatistics": calculated["CalculatedStatistics"],
                                           "DriftCheckConstraints": calculated["CalculatedConstraints"]})
    parameters: dict[str, Any] = {}
    for field, value in {**calculated, **drift}.items():
        parameters.update(_uri(field, value))
    states[names["baselines"]] = pass_(parameters=parameters, result_path=f"{key}.Baselines",
                                       **({"next": next} if next is not None else {"end": True}))
    return states


def _model_quality_env(problem_type: str | None, attributes: dict[str, Any]) -> dict[str, str]:
    if problem_type not in PROBLEM_TYPES:
        raise ValueError(f"problem_type must be one of {', '.join(PROBLEM_TYPES)} for check: model-quality, "
                         f"got {problem_type!r}")
    unknown = sorted(set(attributes) - set(MODEL_QUALITY_ATTRIBUTES))
    if unknown:
        raise ValueError(f"unknown model-quality attribute(s) {', '.join(unknown)} "
                         f"(known: {', '.join(MODEL_QUALITY_ATTRIBUTES)})")
    if not attributes.get("ground_truth_attribute"):
        raise ValueError("check: model-quality needs ground_truth_attribute (the dataset's column of true values)")
    if not attributes.get("inference_attribute") and not (
            problem_type == "BinaryClassification" and attributes.get("probability_attribute")):
        raise ValueError("check: model-quality needs inference_attribute (the column of predictions; "
                         "BinaryClassification may give probability_attribute instead)")
    return {"analysis_type": "MODEL_QUALITY", "problem_type": problem_type,
            **{key: str(value) for key, value in attributes.items() if value is not None}}
