"""Notebooks as steps, as SageMaker Pipelines' ``NotebookJobStep`` runs them: a training job in a
SageMaker Distribution image whose entry point, the notebook-job scheduler, executes the notebook
with its parameters and saves the executed notebook as the job's output.

One state (``sagemaker:createTrainingJob.sync``), its request laid out as the SageMaker Python SDK
composes it (``sagemaker/workflow/notebook_job_step.py``, ``NotebookJobStep.arguments``):

- ``AlgorithmSpecification``: ``TrainingImage`` (default ``${SageMakerDistributionImageUri}``),
  ``TrainingInputMode: File``, ``ContainerEntrypoint: ["amazon_sagemaker_scheduler"]``;
- channel ``sagemaker_headless_execution_pipelinestep``: the notebook's folder (the SDK stages the
  notebook and its dependencies in one S3 folder; here that is the folder under ``examples/``,
  uploaded to ``s3://${DataBucket}/code/<folder>/``);
- ``Environment``: the SDK's system variables (``SM_JOB_DEF_VERSION``, ``SM_ENV_NAME``,
  ``SM_SKIP_EFS_SIMULATION``, ``SM_EXECUTION_INPUT_PATH``, ``SM_KERNEL_NAME``,
  ``SM_INPUT_NOTEBOOK_NAME``, ``SM_OUTPUT_NOTEBOOK_NAME``, ``AWS_DEFAULT_REGION``) over the step's own;
- ``HyperParameters``: the notebook's parameters (strings: HyperParameters is a string map; a path's
  value is formatted as a string);
- ``OutputDataConfig.S3OutputPath``: ``s3://${DataBucket}/<pipeline>/<execution>/<step>`` (the SDK's
  ``{s3_root_uri}/{pipeline}/{execution id}/{step}``); the executed notebook is in the job's
  ``output/output.tar.gz`` under it;
- ``Tags``: the SDK's system tags (``sagemaker:name``, ``sagemaker:notebook-name``,
  ``sagemaker:notebook-job-origin: PIPELINE_STEP``, ``sagemaker:is-studio-archived``).

Its result, at ``$.<key>``, has the SDK's step properties (``ComputingJobName``, ``ComputingJobStatus``,
``NotebookJobInputLocation``, ``NotebookJobOutputLocationPrefix``, ``InputNotebookName``,
``OutputNotebookName``) and ``OutputNotebookArchive``, the ``output.tar.gz`` holding the notebook.
"""

from __future__ import annotations

import re
from typing import Any

from sagemaker_sfn.asl.paths import fmt, is_dynamic_value
from sagemaker_sfn.asl.policies import DEFAULT
from sagemaker_sfn.asl.states import State
from sagemaker_sfn.sagemaker.create_training_job import training_step

DEFAULT_IMAGE = "${SageMakerDistributionImageUri}"
DEFAULT_KERNEL = "python3"
ENTRY_POINT = "amazon_sagemaker_scheduler"
CHANNEL = "sagemaker_headless_execution_pipelinestep"
_NOTEBOOK = re.compile(r"^(?P<folder>(?:[A-Za-z0-9_.-]+/)+)(?P<file>[A-Za-z0-9_. -]+\.ipynb)$")
_RESERVED_ENV = ("AWS_DEFAULT_REGION", "SM_JOB_DEF_VERSION", "SM_ENV_NAME", "SM_SKIP_EFS_SIMULATION",
                 "SM_EXECUTION_INPUT_PATH", "SM_KERNEL_NAME", "SM_INPUT_NOTEBOOK_NAME", "SM_OUTPUT_NOTEBOOK_NAME")


def parse_notebook(notebook: str) -> tuple[str, str]:
    """``folder/file.ipynb`` (relative to examples/) -> (folder, file)."""
    match = _NOTEBOOK.match(notebook or "")
    if not match:
        raise ValueError(f"{notebook!r} is not '<folder>/<file>.ipynb' (a path under examples/, uploaded to "
                         "s3://${DataBucket}/code/)")
    return match["folder"].rstrip("/"), match["file"]


def job_name_prefix(name: str) -> str:
    """The SDK's ``_get_job_name_prefix``: leading non-alphanumerics dropped, other specials -> ``-``."""
    return re.sub(r"[^a-zA-Z0-9-]", "-", re.sub(r"^[^a-zA-Z0-9]+", "", name)) or "notebook"


def _string_values(values: dict[str, Any], *, what: str) -> dict[str, Any]:
    """A string map for the request: literals as strings (JSON for non-strings), paths formatted as strings."""
    template: dict[str, Any] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not key or key.endswith(".$"):
            raise ValueError(f"{what} keys must be names, got {key!r}")
        if isinstance(value, (dict, list)):
            raise ValueError(f"{what} {key!r}: values must be strings, numbers, booleans or paths")
        if is_dynamic_value(value):
            template[f"{key}.$"] = value if value.startswith("States.") else f"States.Format('{{}}', {value})"
        elif isinstance(value, str):
            template[key] = value
        else:
            template[key] = "null" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
    return template


def notebook_states(*, name: str, pipeline: str, notebook: str, parameters: dict[str, Any] | None = None,
                    environment: dict[str, Any] | None = None, kernel: str = DEFAULT_KERNEL,
                    image: str = DEFAULT_IMAGE, instance_type: str = "ml.m5.large", volume_size_gb: int = 30,
                    max_runtime_seconds: int = 172800, result_key: str,
                    retry: list[dict[str, Any]] | None = DEFAULT, catch: list[dict[str, Any]] | None = None,
                    random_name: bool = False, next: str | None = None, comment: str | None = None
                    ) -> dict[str, State]:
    """The state above, named ``name``. ``notebook``: see :func:`parse_notebook`; ``parameters``
    (default none): the notebook's parameters; ``environment`` (default none): extra variables (the
    SDK's system ones win, as in the SDK); ``kernel``: the kernelspec name (default ``python3``);
    ``max_runtime_seconds``: default the SDK's two days; ``result_key``: the result's place
    (``$.<result_key>``); ``retry``: default the SageMaker policy; ``catch``: default none;
    ``next``: default none (ends)."""
    folder, file = parse_notebook(notebook)
    if not kernel or not isinstance(kernel, str):
        raise ValueError("kernel must be a kernelspec name such as python3")
    env = _string_values(environment or {}, what="environment")
    clash = sorted(k.removesuffix(".$") for k in env if k.removesuffix(".$") in _RESERVED_ENV)
    if clash:
        raise ValueError(f"environment: {', '.join(clash)} are set by the notebook job itself")
    step_slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "step"
    prefix = job_name_prefix(name)
    env.update({
        # The region the state machine runs in: its ARN's fourth field.
        "AWS_DEFAULT_REGION.$": "States.ArrayGetItem(States.StringSplit($$.StateMachine.Id, ':'), 3)",
        "SM_JOB_DEF_VERSION": "1.0",
        "SM_ENV_NAME": "sagemaker-default-env",
        "SM_SKIP_EFS_SIMULATION": "true",
        "SM_EXECUTION_INPUT_PATH": f"/opt/ml/input/data/{CHANNEL}",
        "SM_KERNEL_NAME": kernel,
        "SM_INPUT_NOTEBOOK_NAME": file,
        "SM_OUTPUT_NOTEBOOK_NAME": f"{prefix}.ipynb",
    })
    request: dict[str, Any] = {
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File",
                                   "ContainerEntrypoint": [ENTRY_POINT]},
        "RoleArn": "${SageMakerRoleArn}",
        "InputDataConfig": [{"ChannelName": CHANNEL, "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://${{DataBucket}}/code/{folder}/",
            "S3DataDistributionType": "FullyReplicated"}}}],
        "OutputDataConfig": {"S3OutputPath.$": fmt(f"s3://${{DataBucket}}/{pipeline}/{{}}/{step_slug}",
                                                   "$$.Execution.Name")},
        "ResourceConfig": {"InstanceType": instance_type, "InstanceCount": 1, "VolumeSizeInGB": volume_size_gb},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime_seconds},
        "Environment": env,
        "Tags": [{"Key": "sagemaker:name", "Value": prefix},
                 {"Key": "sagemaker:notebook-name", "Value": file},
                 {"Key": "sagemaker:notebook-job-origin", "Value": "PIPELINE_STEP"},
                 {"Key": "sagemaker:is-studio-archived", "Value": "false"}],
    }
    if parameters:
        request["HyperParameters"] = _string_values(parameters, what="parameters")
    selector = {
        "ComputingJobName.$": "$.TrainingJobName",
        "ComputingJobStatus.$": "$.TrainingJobStatus",
        "NotebookJobInputLocation.$": "$.InputDataConfig[0].DataSource.S3DataSource.S3Uri",
        "NotebookJobOutputLocationPrefix.$": "$.OutputDataConfig.S3OutputPath",
        "InputNotebookName.$": "$.Environment.SM_INPUT_NOTEBOOK_NAME",
        "OutputNotebookName.$": "$.Environment.SM_OUTPUT_NOTEBOOK_NAME",
        "OutputNotebookArchive.$": "States.Format('{}/{}/output/output.tar.gz', $.OutputDataConfig.S3OutputPath, "
                                   "$.TrainingJobName)",
    }
    state = training_step(request=request, step_name=name, retry=retry, catch=catch, random_name=random_name,
                          result_selector=selector, result_path=f"$.{result_key}", comment=comment,
                          **({"next": next} if next is not None else {"end": True}))
    return {name: state}


__all__ = ["CHANNEL", "DEFAULT_IMAGE", "ENTRY_POINT", "job_name_prefix", "notebook_states", "parse_notebook"]
