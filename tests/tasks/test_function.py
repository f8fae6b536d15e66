"""The function step's states, rendered whole (format sagemaker-sfn/function/v1)."""

import pytest

from sagemaker_sfn.tasks.function import function_states, parse_target

NAME = "States.Format('summarize-{}-{}', States.Hash(States.Format('{}@{}', $$.Execution.Id, $$.State.EnteredTime), 'MD5'), $$.State.RetryCount)"
S3_RETRY = [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2.0,
             "MaxDelaySeconds": 10, "JitterStrategy": "FULL"}]


def test_function_states_write_arguments_run_the_runner_and_read_the_return_value() -> None:
    states = function_states(name="Summarize", pipeline="demo", target="demo/features.py:summarize",
                             args={"source": "$.InputUri", "rows": 50, "options": {"col.$": "$.c", "x": 1}},
                             requirements="requirements.txt", result_key="Summarize", retry=None, next="After")
    assert list(states) == ["Summarize", "Summarize: write arguments", "Summarize: run",
                            "Summarize: read return value"]
    assert states["Summarize"] == {
        "Type": "Pass",
        "Parameters": {"format": "sagemaker-sfn/function/v1", "function": "features.py:summarize",
                       "args": {"source.$": "$.InputUri", "rows": 50, "options": {"col.$": "$.c", "x": 1}},
                       "requirements": "requirements.txt"},
        "ResultPath": "$.Summarize.Arguments", "Next": "Summarize: write arguments"}
    assert states["Summarize: write arguments"] == {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
        "Parameters": {"Bucket": "${DataBucket}",
                       "Key.$": "States.Format('tmp/demo/{}/Summarize/arguments.json', $$.Execution.Name)",
                       "Body.$": "States.JsonToString($.Summarize.Arguments)", "ContentType": "application/json"},
        "Retry": S3_RETRY, "Next": "Summarize: run", "ResultPath": None}
    assert states["Summarize: run"] == {
        "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
        "Parameters": {
            "AlgorithmSpecification": {"TrainingImage": "${SKLearnImageUri}", "TrainingInputMode": "File"},
            "RoleArn": "${SageMakerRoleArn}",
            "HyperParameters": {
                "sagemaker_program": "function_runner.py",
                "sagemaker_submit_directory": "s3://${DataBucket}/code/_sagemaker_sfn/",
                "return_uri.$": "States.Format('s3://${DataBucket}/demo/{}/Summarize/return.json', $$.Execution.Name)"},
            "InputDataConfig": [
                {"ChannelName": "code", "DataSource": {"S3DataSource": {
                    "S3DataType": "S3Prefix", "S3Uri": "s3://${DataBucket}/code/demo/",
                    "S3DataDistributionType": "FullyReplicated"}}},
                {"ChannelName": "arguments", "DataSource": {"S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri.$": "States.Format('s3://${DataBucket}/tmp/demo/{}/Summarize/arguments.json', $$.Execution.Name)",
                    "S3DataDistributionType": "FullyReplicated"}}}],
            "OutputDataConfig": {
                "S3OutputPath.$": "States.Format('s3://${DataBucket}/tmp/demo/{}/Summarize/output', $$.Execution.Name)"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "TrainingJobName.$": NAME, "Tags": [{"Key": "sfn:execution-arn", "Value.$": "$$.Execution.Id"}]},
        "ResultSelector": {"TrainingJobName.$": "$.TrainingJobName", "TrainingJobStatus.$": "$.TrainingJobStatus"},
        "ResultPath": "$.Summarize.Job", "Next": "Summarize: read return value"}
    assert states["Summarize: read return value"] == {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
        "Parameters": {"Bucket": "${DataBucket}",
                       "Key.$": "States.Format('demo/{}/Summarize/return.json', $$.Execution.Name)"},
        "ResultSelector": {"document.$": "States.StringToJson($.Body)"}, "ResultPath": "$.Summarize.Return",
        "Retry": S3_RETRY, "Next": "After"}


def test_a_script_target_and_its_own_image() -> None:
    states = function_states(name="Prep", pipeline="p", target="jobs/prep/run.py", result_key="prep",
                             image="${XGBoostImageUri}", instance_type="ml.c5.xlarge")
    assert states["Prep"]["Parameters"]["function"] == "run.py"
    run = states["Prep: run"]["Parameters"]
    assert run["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == "s3://${DataBucket}/code/jobs/prep/"
    assert run["AlgorithmSpecification"]["TrainingImage"] == "${XGBoostImageUri}"
    assert run["ResourceConfig"]["InstanceType"] == "ml.c5.xlarge"
    assert states["Prep: read return value"]["End"] is True


@pytest.mark.parametrize("target", ["features.py:fn", "demo/features:fn", "demo/features.py:1fn", "", "demo/x.py:a.b"])
def test_targets_need_a_folder_a_python_file_and_a_function_name(target: str) -> None:
    with pytest.raises(ValueError, match="is not '<folder>/<file>.py:<function>'"):
        parse_target(target)


def test_requirements_must_sit_beside_the_code() -> None:
    with pytest.raises(ValueError, match="requirements must be a file name in demo/"):
        function_states(name="S", pipeline="p", target="demo/f.py:g", requirements="../r.txt", result_key="s")
