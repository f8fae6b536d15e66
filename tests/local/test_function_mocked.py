"""pipelines/function-demo.yaml against its mock file: the function's return value (read back from
S3) reaches the next step by path; a failed function job is caught and notified."""

from __future__ import annotations

from test_pipelines_mocked import path_of, published, run_case


def test_happy_path_reads_the_return_value_by_path() -> None:
    result, mock = run_case("function-demo", "HappyPath")
    assert result.status == "SUCCEEDED", result.cause
    assert path_of(result) == ["Summarize", "Summarize: write arguments", "Summarize: run",
                               "Summarize: read return value", "Record summary"]
    assert result.output["Summary"] == {"rows": 400, "target_mean": 12.245}
    [write] = [c for c in mock.calls if c.state_name == "Summarize: write arguments"]
    assert write.parameters["Key"] == "tmp/function-demo/mocked/Summarize/arguments.json"
    assert write.parameters["Body"] == ('{"format":"sagemaker-sfn/function/v1","function":"features.py:summarize",'
                                        '"args":{"source":"s3://sagemaker-sfn-local/function-demo/input/data.csv",'
                                        '"target_column":"rings","min_rows":50},"requirements":null}')


def test_a_failed_function_job_is_caught_and_notified() -> None:
    result, mock = run_case("function-demo", "FunctionFailsCaught")
    assert (result.status, result.error) == ("FAILED", "function-demo.StepFailed")
    assert path_of(result)[-2:] == ["Notify failure: Summarize", "Failed: Summarize"]
    [(state, message)] = published(mock)
    assert "at least 50 are needed" in message["Message"]


def test_the_mocked_training_answers_have_botocore_output_shapes() -> None:
    from test_pipelines_mocked import test_mocked_sagemaker_answers_have_botocore_output_shapes as check

    check("function-demo")
