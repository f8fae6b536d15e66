"""EMR builders: whole rendered states (Step Functions' EMR integration, connect-emr.html)."""

import pytest

from sagemaker_sfn.tasks import emr

SPARK = {"Name": "Featurize", "ActionOnFailure": "CONTINUE",
         "HadoopJarStep": {"Jar": "command-runner.jar",
                           "Args": ["spark-submit", "--deploy-mode", "cluster", "s3://${DataBucket}/code/f.py",
                                    "--rows", "10"]}}
CLUSTER = {"Name": "c", "ReleaseLabel": "emr-6.15.0", "Applications": [{"Name": "Spark"}],
           "Instances": {"InstanceGroups": [{"InstanceRole": "MASTER", "InstanceCount": 1, "InstanceType": "m5.xlarge"}]},
           "JobFlowRole": "EMR_EC2_DefaultRole", "ServiceRole": "EMR_DefaultRole"}


def test_spark_step_config_is_command_runner_spark_submit() -> None:
    assert emr.spark_step_config(name="Featurize", script="s3://${DataBucket}/code/f.py", args=["--rows", 10]) == SPARK


def test_spark_step_config_with_a_path_argument_builds_the_args_at_run_time_keeping_placeholders() -> None:
    config = emr.spark_step_config(name="F", script="s3://${DataBucket}/code/f.py", args=["--input", "$.uri"],
                                   spark_args=["--conf", "spark.executor.memory=2g"], action_on_failure="CANCEL_AND_WAIT")
    assert config == {"Name": "F", "ActionOnFailure": "CANCEL_AND_WAIT", "HadoopJarStep": {
        "Jar": "command-runner.jar",
        "Args.$": "States.Array('spark-submit', '--deploy-mode', 'cluster', '--conf', 'spark.executor.memory=2g', "
                  "'s3://${DataBucket}/code/f.py', '--input', $.uri)"}}


def test_add_step_on_a_running_cluster() -> None:
    assert emr.add_step(cluster_id="j-1ABCDEFG2HIJK", step=SPARK, result_path="$.Featurize", next="Train") == {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:addStep.sync",
        "Parameters": {"ClusterId": "j-1ABCDEFG2HIJK", "Step": SPARK}, "ResultPath": "$.Featurize", "Next": "Train"}


def test_add_step_cluster_from_a_path_request_response_and_execution_role() -> None:
    assert emr.add_step(cluster_id="$.cluster", step=SPARK, integration="request-response",
                        execution_role_arn="${EmrStepRoleArn}", end=True) == {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:addStep",
        "Parameters": {"ClusterId.$": "$.cluster", "Step": SPARK, "ExecutionRoleArn": "${EmrStepRoleArn}"},
        "End": True}


def test_create_cluster_keeps_the_cluster_alive_for_steps() -> None:
    assert emr.create_cluster(request=CLUSTER, result_selector={"ClusterId.$": "$.ClusterId"}, next="Run") == {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:createCluster.sync",
        "Parameters": {**CLUSTER, "Instances": {**CLUSTER["Instances"], "KeepJobFlowAliveWhenNoSteps": True}},
        "ResultSelector": {"ClusterId.$": "$.ClusterId"}, "Next": "Run"}


def test_terminate_cluster() -> None:
    assert emr.terminate_cluster(cluster_id="$.c.ClusterId", end=True) == {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:terminateCluster.sync",
        "Parameters": {"ClusterId.$": "$.c.ClusterId"}, "End": True}


@pytest.mark.parametrize("call, message", [
    (lambda: emr.create_cluster(request={**CLUSTER, "Steps": []}), "does not take Steps"),
    (lambda: emr.create_cluster(request={**CLUSTER, "Instances": {"KeepJobFlowAliveWhenNoSteps": False}}),
     "KeepJobFlowAliveWhenNoSteps must be true"),
    (lambda: emr.add_step(cluster_id="j-1", step={"Name": "x"}), "HadoopJarStep"),
    (lambda: emr.add_step(cluster_id="j-1", step=SPARK, integration="callback"), "supports .sync and request-response"),
    (lambda: emr.spark_step_config(name="x", script=""), "script's S3 URI"),
    (lambda: emr.spark_step_config(name="x", script="s3://b/k.py", action_on_failure="RETRY"), "action_on_failure"),
])
def test_bad_input_is_refused_with_what_was_expected(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()
