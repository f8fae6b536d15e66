"""The `emr` pipeline step: both modes of seed 000's EMR step, whole rendered states."""

import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.errors import PipelineError
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.validate import validate_definition

STEP = {"Name": "Featurize", "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {"Jar": "command-runner.jar",
                          "Args": ["spark-submit", "--deploy-mode", "cluster", "s3://${DataBucket}/code/demo/f.py"]}}
TERMINATE_RETRY = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 5, "BackoffRate": 2.0,
                    "MaxDelaySeconds": 300, "JitterStrategy": "FULL"}]


def _load(tmp_path: Path, steps: str) -> dict:
    (tmp_path / "pipelines").mkdir(exist_ok=True)
    path = tmp_path / "pipelines" / "demo.yaml"
    head = "name: demo\nplaceholders:\n  EmrClusterId: {description: the team's running EMR cluster}\nsteps:\n"
    path.write_text(head + textwrap.indent(textwrap.dedent(steps), "  "), encoding="utf-8")
    return load_pipeline(path).definition


def test_running_cluster_mode_is_one_add_step_state(tmp_path: Path) -> None:
    definition = _load(tmp_path, """
        - name: Featurize
          type: emr
          cluster_id: ${EmrClusterId}
          spark: {script: "s3://${DataBucket}/code/demo/f.py"}
        """)
    assert definition["States"]["Featurize"] == {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:addStep.sync",
        "Parameters": {"ClusterId": "${EmrClusterId}", "Step": STEP}, "ResultPath": "$.Featurize",
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Notify failure: Featurize"}],
        "End": True}
    assert [f for f in validate_definition(definition) if f.severity == "error"] == []


def test_managed_cluster_mode_creates_runs_and_terminates_on_every_path(tmp_path: Path) -> None:
    definition = _load(tmp_path, """
        - name: Featurize
          type: emr
          cluster: {Name: f, ReleaseLabel: emr-6.15.0, Applications: [{Name: Spark}],
                    Instances: {InstanceGroups: [{InstanceRole: MASTER, InstanceCount: 1, InstanceType: m5.xlarge}]},
                    JobFlowRole: EMR_EC2_DefaultRole, ServiceRole: EMR_DefaultRole}
          step:
            HadoopJarStep: {Jar: command-runner.jar,
                            Args: ["spark-submit", "--deploy-mode", "cluster", "s3://${DataBucket}/code/demo/f.py"]}
        - name: Done
          type: succeed
        """)
    states = definition["States"]
    notify = "Notify failure: Featurize"
    assert states["Featurize"] == {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:createCluster.sync",
        "Parameters": {"Name": "f", "ReleaseLabel": "emr-6.15.0", "Applications": [{"Name": "Spark"}],
                       "Instances": {"InstanceGroups": [{"InstanceRole": "MASTER", "InstanceCount": 1,
                                                         "InstanceType": "m5.xlarge"}],
                                     "KeepJobFlowAliveWhenNoSteps": True},
                       "JobFlowRole": "EMR_EC2_DefaultRole", "ServiceRole": "EMR_DefaultRole"},
        "ResultSelector": {"ClusterId.$": "$.ClusterId"}, "ResultPath": "$.Featurize.Cluster",
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": notify}],
        "Next": "Featurize: run step"}
    assert states["Featurize: run step"] == {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:addStep.sync",
        "Parameters": {"ClusterId.$": "$.Featurize.Cluster.ClusterId", "Step": {
            "HadoopJarStep": STEP["HadoopJarStep"], "Name": "Featurize", "ActionOnFailure": "CONTINUE"}},
        "ResultPath": "$.Featurize.Step",
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                   "Next": "Featurize: terminate cluster after failure"}],
        "Next": "Featurize: terminate cluster"}
    assert states["Featurize: terminate cluster"] == {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:terminateCluster.sync",
        "Parameters": {"ClusterId.$": "$.Featurize.Cluster.ClusterId"}, "Retry": TERMINATE_RETRY,
        "ResultPath": None, "Next": "Done"}
    assert states["Featurize: terminate cluster after failure"] == {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:terminateCluster.sync",
        "Parameters": {"ClusterId.$": "$.Featurize.Cluster.ClusterId"}, "Retry": TERMINATE_RETRY,
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.terminate_error", "Next": notify}],
        "ResultPath": None, "Next": notify}
    assert [f for f in validate_definition(definition) if f.severity == "error"] == []


def test_managed_cluster_without_a_failure_path_fails_with_the_steps_own_error(tmp_path: Path) -> None:
    definition = _load(tmp_path, """
        - name: Featurize
          type: emr
          catch: false
          cluster: {Name: f, ReleaseLabel: emr-6.15.0, Instances: {InstanceCount: 1}}
          spark: {script: "s3://b/f.py"}
        """)
    after = definition["States"]["Featurize: terminate cluster after failure"]
    assert after["Next"] == "Featurize: failed"
    assert definition["States"]["Featurize: failed"] == {"Type": "Fail", "ErrorPath": "$.error.Error",
                                                         "CausePath": "$.error.Cause"}


@pytest.mark.parametrize("body, field, message", [
    ("spark: {script: s3://b/f.py}", "cluster_id", "exactly one of `cluster_id`"),
    ("cluster_id: j-1\n  cluster: {Name: x}\n  spark: {script: s3://b/f.py}", "cluster_id", "exactly one"),
    ("cluster_id: j-1", "spark", "exactly one of `step`"),
    ("cluster_id: j-1\n  spark: {script: s3://b/f.py, argz: []}", "spark", "unknown option 'argz'"),
    ("cluster: {Name: x, Steps: []}\n  spark: {script: s3://b/f.py}", "cluster", "does not take Steps"),
])
def test_bad_emr_steps_name_the_field(tmp_path: Path, body: str, field: str, message: str) -> None:
    with pytest.raises(PipelineError) as raised:
        _load(tmp_path, f"- name: F\n  type: emr\n  {body}\n")
    assert raised.value.field == field and message in str(raised.value)
