"""Python functions and scripts as steps, like SageMaker's ``@step`` (which runs the function as a
training job): arguments and return value go through S3 in the ``sagemaker-sfn/function/v1`` format.

Four states (the first named after the step):

1. ``<name>`` (Pass): the arguments document
   ``{"format": "sagemaker-sfn/function/v1", "function": ..., "args": {...}, "requirements": ...}``
   (argument values may be paths: ``$.x``, ``$$.Execution.Name``) at ``$.<key>.Arguments``;
2. ``<name>: write arguments`` (``aws-sdk:s3:putObject``): it to
   ``s3://${DataBucket}/tmp/<pipeline>/<execution>/<step>/arguments.json``;
3. ``<name>: run`` (``sagemaker:createTrainingJob.sync``): the runner
   (``examples/_sagemaker_sfn/function_runner.py``, uploaded with examples/ to
   ``s3://${DataBucket}/code/_sagemaker_sfn/``) in a SageMaker framework image (default the
   scikit-learn image), channel ``code`` = the function's folder under ``code/``, channel
   ``arguments`` = the file above; it writes the return value to
   ``s3://${DataBucket}/<pipeline>/<execution>/<step>/return.json`` as
   ``{"format": "sagemaker-sfn/function/v1", "value": ...}``;
4. ``<name>: read return value`` (``aws-sdk:s3:getObject``): that document at
   ``$.<key>.Return.document``, so a later step reads the value by path: ``$.<key>.Return.document.value``.
"""

from __future__ import annotations

import re
from typing import Any

from sagemaker_sfn.asl.paths import fmt, is_dynamic_value
from sagemaker_sfn.asl.policies import DEFAULT, service_retry
from sagemaker_sfn.asl.resources import sdk_resource
from sagemaker_sfn.asl.states import State, pass_, task
from sagemaker_sfn.sagemaker.create_training_job import training_step

FORMAT = "sagemaker-sfn/function/v1"
RUNNER_FOLDER = "_sagemaker_sfn"
RUNNER = "function_runner.py"
DEFAULT_IMAGE = "${SKLearnImageUri}"
_TARGET = re.compile(r"^(?P<folder>(?:[A-Za-z0-9_.-]+/)+)(?P<file>[A-Za-z0-9_.-]+\.py)(?::(?P<name>[A-Za-z_][A-Za-z0-9_]*))?$")


def parse_target(target: str) -> tuple[str, str, str | None]:
    """``folder/file.py:name`` (a function) or ``folder/file.py`` (a script), relative to examples/ ->
    (folder, file, name or None)."""
    match = _TARGET.match(target or "")
    if not match:
        raise ValueError(f"{target!r} is not '<folder>/<file>.py:<function>' or '<folder>/<file>.py' (a path under "
                         "examples/, uploaded to s3://${DataBucket}/code/)")
    return match["folder"].rstrip("/"), match["file"], match["name"]


def _args_template(args: dict[str, Any]) -> dict[str, Any]:
    """Argument values as a Parameters template: paths become ``key.$`` (a ``key.$`` given stays)."""
    template: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, dict):
            template[key] = _args_template(value)
        elif is_dynamic_value(value) and not key.endswith(".$"):
            template[f"{key}.$"] = value
        else:
            template[key] = value
    return template


def function_states(*, name: str, pipeline: str, target: str, args: dict[str, Any] | None = None,
                    requirements: str | None = None, result_key: str, image: str = DEFAULT_IMAGE,
                    instance_type: str = "ml.m5.large", max_runtime_seconds: int = 3600,
                    retry: list[dict[str, Any]] | None = DEFAULT, catch: list[dict[str, Any]] | None = None,
                    random_name: bool = False, next: str | None = None, comment: str | None = None
                    ) -> dict[str, State]:
    """The four states above. ``target``: see :func:`parse_target`; ``args`` (default none):
    keyword arguments (JSON values or paths); ``requirements`` (default none): a file in the
    function's folder, pip-installed before the call; ``result_key``: where results go
    (``$.<result_key>``); ``retry``: the training job's (default the SageMaker policy);
    ``catch``: every state's (default none); ``next``: default none (ends)."""
    folder, file, function = parse_target(target)
    if requirements is not None and ("/" in requirements or not requirements):
        raise ValueError(f"requirements must be a file name in {folder}/ (e.g. requirements.txt), got {requirements!r}")
    if args is not None and not isinstance(args, dict):
        raise ValueError("args must be a mapping of keyword arguments")
    step_slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "step"
    arguments_key = fmt(f"tmp/{pipeline}/{{}}/{step_slug}/arguments.json", "$$.Execution.Name")
    return_uri = fmt(f"s3://${{DataBucket}}/{pipeline}/{{}}/{step_slug}/return.json", "$$.Execution.Name")
    return_key = fmt(f"{pipeline}/{{}}/{step_slug}/return.json", "$$.Execution.Name")
    names = {"write": f"{name}: write arguments", "run": f"{name}: run", "read": f"{name}: read return value"}
    document = {"format": FORMAT, "function": f"{file}:{function}" if function else file,
                "args": _args_template(args or {}), "requirements": requirements}
    request = {
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": "${SageMakerRoleArn}",
        "HyperParameters": {"sagemaker_program": RUNNER,
                            "sagemaker_submit_directory": f"s3://${{DataBucket}}/code/{RUNNER_FOLDER}/",
                            "return_uri.$": return_uri},
        "InputDataConfig": [
            {"ChannelName": "code", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": f"s3://${{DataBucket}}/code/{folder}/",
                "S3DataDistributionType": "FullyReplicated"}}},
            {"ChannelName": "arguments", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri.$": fmt(
                    f"s3://${{DataBucket}}/tmp/{pipeline}/{{}}/{step_slug}/arguments.json", "$$.Execution.Name"),
                "S3DataDistributionType": "FullyReplicated"}}},
        ],
        "OutputDataConfig": {"S3OutputPath.$": fmt(f"s3://${{DataBucket}}/tmp/{pipeline}/{{}}/{step_slug}/output",
                                                   "$$.Execution.Name")},
        "ResourceConfig": {"InstanceType": instance_type, "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime_seconds},
    }
    key = f"$.{result_key}"
    states = {
        name: pass_(parameters=document, result_path=f"{key}.Arguments", comment=comment, next=names["write"]),
        names["write"]: task(resource=sdk_resource("s3", "putObject"),
                             parameters={"Bucket": "${DataBucket}", "Key.$": arguments_key,
                                         "Body.$": f"States.JsonToString({key}.Arguments)",
                                         "ContentType": "application/json"},
                             result_path=None, retry=service_retry(), catch=catch, next=names["run"]),
        names["run"]: training_step(request=request, step_name=name, retry=retry, catch=catch, random_name=random_name,
                                    result_selector={"TrainingJobName.$": "$.TrainingJobName",
                                                     "TrainingJobStatus.$": "$.TrainingJobStatus"},
                                    result_path=f"{key}.Job", next=names["read"]),
        names["read"]: task(resource=sdk_resource("s3", "getObject"),
                            parameters={"Bucket": "${DataBucket}", "Key.$": return_key},
                            result_selector={"document.$": "States.StringToJson($.Body)"},
                            result_path=f"{key}.Return", retry=service_retry(),
                            catch=catch, **({"next": next} if next is not None else {"end": True})),
    }
    states[names["write"]]["ResultPath"] = None   # keep the state's input: the put's ETag is not needed
    return states


__all__ = ["FORMAT", "function_states", "parse_target"]
