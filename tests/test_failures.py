"""Why an execution failed, read from its history (sagemaker_sfn.failures): the same reader for a
local history.json and a deployed GetExecutionHistory."""

from __future__ import annotations

import json

from sagemaker_sfn.failures import cloudwatch_location, explain_execution, failure_lines, job_failure, short_cause


def event(kind: str, id_: int, **details: object) -> dict:
    return {"type": kind, "id": id_, "previousEventId": id_ - 1, "timestamp": "2026-01-01T00:00:00.000Z", **details}


PROCESSING_CAUSE = json.dumps({"ProcessingJobName": "prep-1", "ProcessingJobStatus": "Failed",
                               "FailureReason": "AlgorithmError: See job logs for more information (exit code 1): "
                                                "Traceback (most recent call last):\nKeyError: 'label'"})


def test_explains_a_failed_processing_job_by_its_state_and_reason() -> None:
    events = [event("ExecutionStarted", 1), event("TaskStateEntered", 2, stateEnteredEventDetails={"name": "Prep"}),
              event("TaskFailed", 3, taskFailedEventDetails={"error": "States.TaskFailed", "cause": PROCESSING_CAUSE}),
              event("ExecutionFailed", 4, executionFailedEventDetails={"error": "States.TaskFailed",
                                                                       "cause": PROCESSING_CAUSE})]
    failure = explain_execution(events, region="us-east-1")
    assert failure is not None and failure.state == "Prep"
    assert failure_lines(failure)[:3] == ["error:     States.TaskFailed in state 'Prep'",
                                          "job:       processing job prep-1 Failed",
                                          "reason:    KeyError: 'label'"]
    assert failure.job is not None and failure.job.log == "CloudWatch Logs /aws/sagemaker/ProcessingJobs, stream prep-1/..."


def test_a_caught_failure_then_a_fail_state_names_the_fail_state_and_its_cause() -> None:
    events = [event("TaskStateEntered", 1, stateEnteredEventDetails={"name": "Train"}),
              event("TaskFailed", 2, taskFailedEventDetails={"error": "States.TaskFailed", "cause": PROCESSING_CAUSE}),
              event("FailStateEntered", 3, stateEnteredEventDetails={"name": "Failed"}),
              event("ExecutionFailed", 4, executionFailedEventDetails={"error": "TrainingFailed", "cause": "see SNS"})]
    failure = explain_execution(events)
    assert failure is not None
    assert (failure.state, failure.job) == ("Failed", None)
    assert failure_lines(failure) == ["error:     TrainingFailed in state 'Failed'", "cause:     see SNS"]
    assert failure.as_json() == {"state": "Failed", "error": "TrainingFailed", "job": None}


def test_no_failure_in_a_succeeded_history_and_no_job_in_a_plain_cause() -> None:
    assert explain_execution([event("ExecutionStarted", 1), event("ExecutionSucceeded", 2)]) is None
    assert job_failure("Lambda failed: boom") is None
    assert job_failure("[1, 2]") is None
    assert job_failure("{not json") is None


def test_a_long_cause_is_one_short_line() -> None:
    cause = json.dumps({"a": "x" * 1000, "b": "line\nbreak"})
    shown = short_cause(cause)
    assert len(shown) == 300 and shown.endswith("...") and "\n" not in shown


def test_cloudwatch_location_of_a_training_job() -> None:
    where, url = cloudwatch_location("TrainingJob", "train-abc", region="us-west-2")
    assert where == "CloudWatch Logs /aws/sagemaker/TrainingJobs, stream train-abc/algo-1-..."
    assert url.startswith("https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#logsV2:log-groups/")


def test_find_log_streams_names_the_jobs_streams_or_nothing(monkeypatch) -> None:
    import boto3
    from moto import mock_aws

    from sagemaker_sfn.failures import JobFailure, find_log_streams

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    job = JobFailure(kind="TrainingJob", name="job-1", status="Failed", reason="", headline="")
    with mock_aws():
        logs = boto3.client("logs", region_name="us-east-1")
        assert find_log_streams(logs, job) == []   # no group yet: nothing, no error
        logs.create_log_group(logGroupName="/aws/sagemaker/TrainingJobs")
        logs.create_log_stream(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName="job-1/algo-1-1700000000")
        logs.create_log_stream(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName="job-10/algo-1-1700000001")
        assert find_log_streams(logs, job) == ["job-1/algo-1-1700000000"]


def test_the_caught_failure_a_fail_state_carries_is_named_with_its_job() -> None:
    # The generated pipelines' shape: the Task's Catch puts the error at $.error, a notification
    # passes it on, the Fail state ends the execution with a generic cause.
    caught = {"Error": "States.TaskFailed", "Cause": PROCESSING_CAUSE}
    events = [event("TaskStateEntered", 1, stateEnteredEventDetails={"name": "Prep"}),
              event("TaskFailed", 2, taskFailedEventDetails={"error": "States.TaskFailed", "cause": PROCESSING_CAUSE}),
              event("TaskStateEntered", 3, stateEnteredEventDetails={"name": "Notify failure: Prep",
                                                                     "input": json.dumps({"error": caught})}),
              event("FailStateEntered", 4, stateEnteredEventDetails={"name": "Failed: Prep", "input": json.dumps(
                  {"error": caught, "notification": {"MessageId": "m-1"}})}),
              event("ExecutionFailed", 5, executionFailedEventDetails={"error": "demo.StepFailed",
                                                                       "cause": "Step 'Prep' failed"})]
    failure = explain_execution(events)
    assert failure is not None and failure.state == "Failed: Prep"
    assert failure_lines(failure)[:4] == ["error:     demo.StepFailed in state 'Failed: Prep'",
                                          "caused by: States.TaskFailed in state 'Prep' (caught)",
                                          "job:       processing job prep-1 Failed",
                                          "reason:    KeyError: 'label'"]
    assert failure.as_json()["caused_by"] == {"state": "Prep", "error": "States.TaskFailed"}


def test_a_failure_caught_and_recovered_from_is_not_blamed_for_a_later_fail_state() -> None:
    # An endpoint lookup fails and is handled; later a metric gate's Choice goes to a Fail state.
    events = [event("TaskStateEntered", 1, stateEnteredEventDetails={"name": "Find endpoint"}),
              event("TaskFailed", 2, taskFailedEventDetails={"error": "SageMaker.SageMakerException",
                                                             "cause": "Could not find endpoint"}),
              event("FailStateEntered", 3, stateEnteredEventDetails={"name": "MseTooHigh",
                                                                     "input": json.dumps({"mse": 9.1})}),
              event("ExecutionFailed", 4, executionFailedEventDetails={"error": "ModelQualityBelowThreshold",
                                                                       "cause": "MSE above the threshold"})]
    failure = explain_execution(events)
    assert failure is not None and failure.caused_by is None and failure.job is None
    assert failure_lines(failure) == ["error:     ModelQualityBelowThreshold in state 'MseTooHigh'",
                                      "cause:     MSE above the threshold"]
