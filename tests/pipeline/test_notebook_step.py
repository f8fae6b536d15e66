"""The `notebook` step: the whole rendered state (as SageMaker's NotebookJobStep composes the
training job), validation clean, later steps read the executed notebook's location; bad options
name their field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.asl.policies import DEFAULT
from sagemaker_sfn.errors import PipelineError
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.sagemaker.create_training_job import training_step
from sagemaker_sfn.tasks.notebook import job_name_prefix, notebook_states
from sagemaker_sfn.validate import validate_definition

SELECTOR = {
    "ComputingJobName.$": "$.TrainingJobName",
    "ComputingJobStatus.$": "$.TrainingJobStatus",
    "NotebookJobInputLocation.$": "$.InputDataConfig[0].DataSource.S3DataSource.S3Uri",
    "NotebookJobOutputLocationPrefix.$": "$.OutputDataConfig.S3OutputPath",
    "InputNotebookName.$": "$.Environment.SM_INPUT_NOTEBOOK_NAME",
    "OutputNotebookName.$": "$.Environment.SM_OUTPUT_NOTEBOOK_NAME",
    "OutputNotebookArchive.$": "States.Format('{}/{}/output/output.tar.gz', $.OutputDataConfig.S3OutputPath, "
                               "$.TrainingJobName)",
}


def _load(tmp_path: Path, step: str) -> dict:
    (tmp_path / "pipelines").mkdir(exist_ok=True)
    path = tmp_path / "pipelines" / "demo.yaml"
    path.write_text("name: demo\nsteps:\n" + textwrap.indent(textwrap.dedent(step), "  "), encoding="utf-8")
    return load_pipeline(path).definition


def test_builder_renders_the_notebook_job_request_as_the_sdk_composes_it() -> None:
    states = notebook_states(name="Explore data", pipeline="demo", notebook="nb/explore.ipynb",
                             parameters={"rows": 200, "source": "$.InputUri", "flag": True, "ratio": 0.5},
                             environment={"TEAM": "ml", "WHO": "$$.Execution.Name"}, kernel="conda-env-py",
                             result_key="explored", next="Next")
    request = {
        "AlgorithmSpecification": {"TrainingImage": "${SageMakerDistributionImageUri}", "TrainingInputMode": "File",
                                   "ContainerEntrypoint": ["amazon_sagemaker_scheduler"]},
        "RoleArn": "${SageMakerRoleArn}",
        "InputDataConfig": [{"ChannelName": "sagemaker_headless_execution_pipelinestep", "DataSource": {
            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://${DataBucket}/code/nb/",
                             "S3DataDistributionType": "FullyReplicated"}}}],
        "OutputDataConfig": {"S3OutputPath.$": "States.Format('s3://${DataBucket}/demo/{}/Explore-data', "
                                               "$$.Execution.Name)"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 172800},
        "Environment": {
            "TEAM": "ml", "WHO.$": "States.Format('{}', $$.Execution.Name)",
            "AWS_DEFAULT_REGION.$": "States.ArrayGetItem(States.StringSplit($$.StateMachine.Id, ':'), 3)",
            "SM_JOB_DEF_VERSION": "1.0", "SM_ENV_NAME": "sagemaker-default-env", "SM_SKIP_EFS_SIMULATION": "true",
            "SM_EXECUTION_INPUT_PATH": "/opt/ml/input/data/sagemaker_headless_execution_pipelinestep",
            "SM_KERNEL_NAME": "conda-env-py", "SM_INPUT_NOTEBOOK_NAME": "explore.ipynb",
            "SM_OUTPUT_NOTEBOOK_NAME": "Explore-data.ipynb"},
        "Tags": [{"Key": "sagemaker:name", "Value": "Explore-data"},
                 {"Key": "sagemaker:notebook-name", "Value": "explore.ipynb"},
                 {"Key": "sagemaker:notebook-job-origin", "Value": "PIPELINE_STEP"},
                 {"Key": "sagemaker:is-studio-archived", "Value": "false"}],
        "HyperParameters": {"rows": "200", "source.$": "States.Format('{}', $.InputUri)", "flag": "true",
                            "ratio": "0.5"},
    }
    expected = training_step(request=request, step_name="Explore data", retry=DEFAULT, catch=None,
                             random_name=False, result_selector=SELECTOR, result_path="$.explored", next="Next")
    assert states == {"Explore data": expected}
    # training_step's own parts: a unique job name from the step name, the SageMaker retry policy.
    assert expected["Resource"] == "arn:aws:states:::sagemaker:createTrainingJob.sync"
    assert expected["Parameters"]["TrainingJobName.$"].startswith("States.Format('explore-data-{}-{}'")
    assert [r["ErrorEquals"][0] for r in expected["Retry"]] == [
        "SageMaker.ResourceLimitExceededException", "SageMaker.AmazonSageMakerException", "SageMaker.ThrottlingException"]


@pytest.mark.parametrize("name, prefix", [("Explore data", "Explore-data"), ("__nb.v2", "nb-v2"), ("a_b", "a-b")])
def test_output_notebook_named_as_the_sdk_derives_job_prefixes(name: str, prefix: str) -> None:
    assert job_name_prefix(name) == prefix


def test_notebook_step_validates_clean_and_later_steps_read_the_output_notebook(tmp_path: Path) -> None:
    definition = _load(tmp_path, """
        - name: Explore
          type: notebook
          notebook: demo/explore.ipynb
          parameters: {source: $.InputUri}
          kernel: python3
          instance_type: ml.m5.xlarge
          max_runtime_seconds: 3600
        - name: Use
          type: pass
          parameters: {notebook.$: $.Explore.OutputNotebookArchive}
        """)
    assert list(definition["States"])[:2] == ["Explore", "Use"]
    request = definition["States"]["Explore"]["Parameters"]
    assert request["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert request["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    assert [f for f in validate_definition(definition) if f.severity == "error"] == []


@pytest.mark.parametrize("options, field, message", [
    ("notebook: explore.ipynb", "notebook", "is not '<folder>/<file>.ipynb'"),
    ("notebook: demo/explore.py", "notebook", "is not '<folder>/<file>.ipynb'"),
    ("notebook: demo/e.ipynb\n  parameters: {rows: [1, 2]}", "parameters", "values must be strings"),
    ("notebook: demo/e.ipynb\n  environment: {SM_KERNEL_NAME: x}", "environment", "SM_KERNEL_NAME are set by"),
    ("notebook: demo/e.ipynb\n  parameters: {rows.$: $.rows}", "parameters", "keys must be names"),
    ("notebook: demo/e.ipynb\n  kernal: python3", "kernal", "unknown option"),
    ("parameters: {}", "notebook", "missing"),
])
def test_bad_notebook_steps_name_the_field(tmp_path: Path, options: str, field: str, message: str) -> None:
    with pytest.raises(PipelineError) as raised:
        _load(tmp_path, f"- name: S\n  type: notebook\n  {options}\n")
    assert raised.value.field == field and message in str(raised.value)
