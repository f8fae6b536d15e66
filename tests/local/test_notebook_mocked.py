"""A notebook step against a Step Functions Local mock file: the mocked DescribeTrainingJob answer
(as SageMaker returns it for a notebook job) becomes the step's properties, which a later step reads
by path; a failed notebook job is caught, notified and fails the execution."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from test_pipelines_mocked import path_of, published

from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.mock import MockIntegration
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.mock_config import load_mock_config
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.project import substitute_placeholders

PIPELINE = """\
name: nb
steps:
  - name: Explore
    type: notebook
    notebook: nb/explore.ipynb
    parameters: {source: $.InputUri}
  - name: Record
    type: pass
    parameters:
      notebook.$: $.Explore.OutputNotebookArchive
      name.$: $.Explore.OutputNotebookName
    result_path: $.Record
"""
VALUES = {"DataBucket": "sagemaker-sfn-local",
          "SageMakerDistributionImageUri": "885854791233.dkr.ecr.us-east-1.amazonaws.com/sagemaker-distribution-prod:3.2.0-cpu",
          "SageMakerRoleArn": "arn:aws:iam::123456789012:role/sm",
          "FailureTopicArn": "arn:aws:sns:us-east-1:123456789012:failures"}
# DescribeTrainingJob's answer for the job (the fields the step's ResultSelector reads).
JOB = {"TrainingJobName": "explore-0", "TrainingJobStatus": "Completed",
       "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/explore-0",
       "InputDataConfig": [{"ChannelName": "sagemaker_headless_execution_pipelinestep", "DataSource": {
           "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://sagemaker-sfn-local/code/nb/",
                            "S3DataDistributionType": "FullyReplicated"}}}],
       "OutputDataConfig": {"S3OutputPath": "s3://sagemaker-sfn-local/nb/mocked/Explore"},
       "Environment": {"SM_INPUT_NOTEBOOK_NAME": "explore.ipynb", "SM_OUTPUT_NOTEBOOK_NAME": "Explore.ipynb"}}


def _run(tmp_path: Path, job: dict[str, Any]) -> tuple[Any, MockIntegration]:
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "nb.yaml").write_text(PIPELINE, encoding="utf-8")
    definition = load_pipeline(tmp_path / "pipelines" / "nb.yaml").definition
    responses = {"Job": {"0": job}, "Published": {"0": {"Return": {"MessageId": "m-1"}}}}
    cases = {"nb": {"TestCases": {"Case": {"Explore": "Job", "Notify failure: Explore": "Published"}}}}
    (tmp_path / "mocks.json").write_text(json.dumps({"StateMachines": cases, "MockedResponses": responses}))
    config = load_mock_config(tmp_path / "mocks.json")
    mock = MockIntegration(config.test_case(state_machine="nb", test_case="Case"), test_case="Case",
                           source=config.source)
    result = run_definition(substitute_placeholders(definition, VALUES), {"InputUri": "s3://sagemaker-sfn-local/in/"},
                            state_machine_name="nb", execution_name="mocked", integration=mock, clock=VirtualClock())
    return result, mock


def test_the_notebook_jobs_properties_reach_the_next_step(tmp_path: Path) -> None:
    result, mock = _run(tmp_path, {"Return": JOB})
    assert result.status == "SUCCEEDED", result.cause
    assert path_of(result) == ["Explore", "Record"]
    assert result.output["Explore"] == {
        "ComputingJobName": "explore-0", "ComputingJobStatus": "Completed",
        "NotebookJobInputLocation": "s3://sagemaker-sfn-local/code/nb/",
        "NotebookJobOutputLocationPrefix": "s3://sagemaker-sfn-local/nb/mocked/Explore",
        "InputNotebookName": "explore.ipynb", "OutputNotebookName": "Explore.ipynb",
        "OutputNotebookArchive": "s3://sagemaker-sfn-local/nb/mocked/Explore/explore-0/output/output.tar.gz"}
    assert result.output["Record"] == {"notebook": result.output["Explore"]["OutputNotebookArchive"],
                                       "name": "Explore.ipynb"}
    [call] = [c for c in mock.calls if c.state_name == "Explore"]
    assert call.parameters["HyperParameters"] == {"source": "s3://sagemaker-sfn-local/in/"}
    assert call.parameters["Environment"]["AWS_DEFAULT_REGION"] == "us-east-1"
    assert call.parameters["AlgorithmSpecification"]["ContainerEntrypoint"] == ["amazon_sagemaker_scheduler"]


def test_a_failed_notebook_job_is_notified_and_fails_the_execution(tmp_path: Path) -> None:
    result, mock = _run(tmp_path, {"Throw": {"Error": "States.TaskFailed",
                                             "Cause": "AlgorithmError: cell 3 raised RuntimeError: asked to fail"}})
    assert (result.status, result.error) == ("FAILED", "nb.StepFailed")
    assert path_of(result) == ["Explore", "Notify failure: Explore", "Failed: Explore"]
    [(state, message)] = published(mock)
    assert state == "Notify failure: Explore" and "asked to fail" in message["Message"]
