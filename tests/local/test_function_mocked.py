"""pipelines/function-demo.yaml against its mock file: the data-quality check passes or its
violations fail the step (caught, notified); the function's return value (read back from S3)
reaches the next step by path; a failed function job is caught and notified."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_pipelines_mocked import EXECUTION, MOCKS, ROOT, path_of, published

from sagemaker_sfn.local.bindings import bind_placeholders, bindings_for_target
from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.mock import MockIntegration
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.mock_config import load_mock_config
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.project import load_definition, placeholders_in, substitute_placeholders


def run_case(pipeline: str, test_case: str) -> tuple[Any, MockIntegration]:
    """As `run --local --mock-config` runs it: the pipeline's declared placeholders bound too."""
    loaded = load_definition(pipeline, root=ROOT)
    execution_input = load_pipeline(ROOT / "pipelines" / f"{pipeline}.yaml").example_input or {}
    bindings = bindings_for_target(pipeline, root=ROOT, bindings_file=None)
    values, unbound = bind_placeholders(placeholders_in(loaded.definition) | placeholders_in(execution_input),
                                        bindings=bindings)
    assert not unbound
    config = load_mock_config(Path(MOCKS) / f"{pipeline}.json")
    mock = MockIntegration(config.test_case(state_machine=pipeline, test_case=test_case), test_case=test_case,
                           source=config.source)
    result = run_definition(substitute_placeholders(loaded.definition, values),
                            substitute_placeholders(execution_input, values), state_machine_name=pipeline,
                            execution_name=EXECUTION, integration=mock, clock=VirtualClock())
    return result, mock


def test_happy_path_reads_the_return_value_by_path() -> None:
    result, mock = run_case("function-demo", "HappyPath")
    assert result.status == "SUCCEEDED", result.cause
    assert path_of(result) == ["Check data quality", "Check data quality: violations?", "Check data quality: baselines",
                               "Check data bias", "Check data bias: baselines", "Check data bias: read analysis",
                               "Check data bias: read baseline", "Check data bias: violations?",
                               "Summarize", "Summarize: write arguments", "Summarize: run",
                               "Summarize: read return value", "Record summary"]
    assert result.output["Summary"] == {
        "rows": 400, "target_mean": 12.245,
        "drift_check_statistics": "s3://sagemaker-sfn-local/code/function-demo/baseline/statistics.json",
        "drift_check_bias": "s3://sagemaker-sfn-local/code/function-demo/bias/analysis.json"}
    assert result.output["DataQuality"]["Baselines"]["CalculatedConstraints"] == (
        "s3://sagemaker-sfn-local/function-demo/mocked/Check-data-quality/constraints.json")
    [write] = [c for c in mock.calls if c.state_name == "Summarize: write arguments"]
    assert write.parameters["Key"] == "tmp/function-demo/mocked/Summarize/arguments.json"
    assert write.parameters["Body"] == ('{"format":"sagemaker-sfn/function/v1","function":"features.py:summarize",'
                                        '"args":{"source":"s3://sagemaker-sfn-local/function-demo/input/data.csv",'
                                        '"target_column":"rings","min_rows":50},"requirements":null}')


def test_data_quality_violations_fail_the_step_and_are_notified() -> None:
    result, mock = run_case("function-demo", "DataQualityViolationsCaught")
    assert (result.status, result.error) == ("FAILED", "function-demo.StepFailed")
    assert path_of(result) == ["Check data quality", "Check data quality: violations?",
                               "Check data quality: violations found", "Notify failure: Check data quality",
                               "Failed: Check data quality"]
    [(state, message)] = published(mock)
    assert ("QualityCheck.ViolationsFound" in message["Message"]
            and "CompletedWithViolations: Job completed successfully with 2 violations." in message["Message"]
            and "s3://sagemaker-sfn-local/function-demo/mocked/Check-data-quality/constraint_violations.json"
            in message["Message"])


def test_data_bias_violations_fail_the_step_and_are_notified() -> None:
    result, mock = run_case("function-demo", "DataBiasViolationsCaught")
    assert (result.status, result.error) == ("FAILED", "function-demo.StepFailed")
    assert path_of(result)[-4:] == ["Check data bias: violations?", "Check data bias: violations found",
                                    "Notify failure: Check data bias", "Failed: Check data bias"]
    [(state, message)] = published(mock)
    assert "ClarifyCheck.ViolationsFound" in message["Message"]
    assert "sex=F CI: Value 0.8 does not meet the constraint requirement (baseline 0.57)" in message["Message"]


def test_a_failed_function_job_is_caught_and_notified() -> None:
    result, mock = run_case("function-demo", "FunctionFailsCaught")
    assert (result.status, result.error) == ("FAILED", "function-demo.StepFailed")
    assert path_of(result)[-2:] == ["Notify failure: Summarize", "Failed: Summarize"]
    [(state, message)] = published(mock)
    assert "at least 50 are needed" in message["Message"]


def test_the_mocked_training_answers_have_botocore_output_shapes() -> None:
    from test_pipelines_mocked import test_mocked_sagemaker_answers_have_botocore_output_shapes as check

    check("function-demo")
