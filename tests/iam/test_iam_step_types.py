"""Issue 15's step types through `sagemaker-sfn policy`: each definition is built by the pipeline
builders (or, for Distributed Map, the ASL builders), the command prints its policy, and every
statement a step type needs is asserted with the AWS page it comes from (also cited by --explain)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sagemaker_sfn.asl.states import branch, pass_, state_machine
from sagemaker_sfn.cli import main
from sagemaker_sfn.pipeline import load_pipeline

# Step Functions developer guide, "IAM policies for calling Amazon EMR".
EMR_IAM = "https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html"
# "IAM policies for using Distributed Map states".
DMAP_IAM = "https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html"
# "IAM policies for calling Amazon SageMaker AI" (.sync jobs and their EventBridge rules).
SAGEMAKER_IAM = "https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html"
# "Integrating services with AWS SDK integrations": an aws-sdk Task calls <service>:<Action> with the role.
AWS_SDK = "https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html"


def _policy(tmp_path: Path, capsys: pytest.CaptureFixture[str], definition: dict[str, Any],
            name: str = "demo") -> tuple[dict[str, dict[str, Any]], str]:
    """(statements by Sid, the --explain text) that `policy` prints for ``definition``."""
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    assert main(["policy", str(path), "--region", "us-east-1", "--account", "111122223333"]) == 0
    statements = {s["Sid"]: s for s in json.loads(capsys.readouterr().out)["Statement"]}
    assert main(["policy", str(path), "--explain"]) == 0
    return statements, capsys.readouterr().out


def _pipeline(tmp_path: Path, body: str) -> dict[str, Any]:
    (tmp_path / "pipelines").mkdir(exist_ok=True)
    path = tmp_path / "pipelines" / "demo.yaml"
    path.write_text("name: demo\nsteps:\n" + textwrap.indent(textwrap.dedent(body), "  "), encoding="utf-8")
    return load_pipeline(path).definition


def _processing_job_sync(statements: dict[str, dict[str, Any]], prefix: str) -> None:
    assert statements["SageMakerProcessingJobs"]["Action"] == [
        "sagemaker:AddTags", "sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob", "sagemaker:ListTags",
        "sagemaker:StopProcessingJob"]
    assert statements["SageMakerProcessingJobs"]["Resource"] == [
        f"arn:aws:sagemaker:us-east-1:111122223333:processing-job/{prefix}-*"]
    assert statements["SageMakerJobCompletionEvents"]["Resource"] == [
        "arn:aws:events:us-east-1:111122223333:rule/StepFunctionsGetEventsForSageMakerProcessingJobsRule"]
    assert statements["PassSageMakerExecutionRole"]["Resource"] == ["${SageMakerRoleArn}"]
    assert statements["PassSageMakerExecutionRole"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_emr_managed_cluster_creates_adds_a_step_and_terminates(tmp_path: Path, capsys) -> None:
    definition = _pipeline(tmp_path, """\
        - name: Featurize
          type: emr
          cluster: {Name: f, ReleaseLabel: emr-6.15.0, Applications: [{Name: Spark}],
                    Instances: {InstanceGroups: [{InstanceRole: MASTER, InstanceCount: 1, InstanceType: m5.xlarge}]},
                    JobFlowRole: EMR_EC2_DefaultRole, ServiceRole: EMR_DefaultRole}
          spark: {script: "s3://${DataBucket}/code/demo/f.py"}
        """)
    statements, explained = _policy(tmp_path, capsys, definition)
    # emr-iam.html: createCluster.sync needs RunJobFlow, DescribeCluster, TerminateJobFlows; addStep.sync
    # AddJobFlowSteps, DescribeStep, CancelSteps; terminateCluster(.sync) TerminateJobFlows, DescribeCluster;
    # iam:PassRole for the cluster's service and instance-profile roles.
    assert statements["EmrCreateClusters"]["Action"] == [
        "elasticmapreduce:AddTags", "elasticmapreduce:DescribeCluster", "elasticmapreduce:RunJobFlow",
        "elasticmapreduce:TerminateJobFlows"]
    assert statements["EmrSteps"]["Action"] == ["elasticmapreduce:AddJobFlowSteps", "elasticmapreduce:CancelSteps",
                                                "elasticmapreduce:DescribeStep"]
    assert statements["EmrSteps"]["Resource"] == ["arn:aws:elasticmapreduce:us-east-1:111122223333:cluster/*"]
    assert statements["EmrTerminateClusters"]["Action"] == ["elasticmapreduce:DescribeCluster",
                                                            "elasticmapreduce:TerminateJobFlows"]
    assert statements["PassEmrRoles"]["Action"] == ["iam:PassRole"]
    assert statements["PassEmrRoles"]["Resource"] == ["arn:aws:iam::111122223333:role/EMR_DefaultRole",
                                                      "arn:aws:iam::111122223333:role/EMR_EC2_DefaultRole"]
    assert "arn:aws:events:us-east-1:111122223333:rule/StepFunctionsGetEventForEMRRunJobFlowRule" in \
        statements["EmrCompletionEvents"]["Resource"]
    assert EMR_IAM in explained


def test_distributed_map_children_reader_and_writer(tmp_path: Path, capsys) -> None:
    definition = state_machine(start_at="Each", states={"Each": {
        "Type": "Map", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                       "Parameters": {"Bucket": "in-bucket", "Prefix": "batch/"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          **branch(start_at="P", states={"P": pass_(end=True)})},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "out-bucket", "Prefix": "results"}}}})
    statements, explained = _policy(tmp_path, capsys, definition, name="fan-out")
    # iam-policies-eg-dist-map.html: states:StartExecution on the state machine itself, Describe/Stop on
    # its executions; s3:ListBucket on the reader's bucket; PutObject (and multipart) under the writer's prefix.
    assert statements["DistributedMapStartChildren"]["Resource"] == [
        "arn:aws:states:us-east-1:111122223333:stateMachine:fan-out"]
    assert statements["DistributedMapManageChildren"]["Action"] == [
        "states:DescribeExecution", "states:RedriveExecution", "states:StopExecution"]
    assert statements["DistributedMapManageChildren"]["Resource"] == [
        "arn:aws:states:us-east-1:111122223333:execution:fan-out/*"]
    assert statements["DistributedMapListItems"]["Action"] == ["s3:ListBucket"]
    assert statements["DistributedMapListItems"]["Resource"] == ["arn:aws:s3:::in-bucket"]
    assert statements["DistributedMapWriteResults"]["Resource"] == ["arn:aws:s3:::out-bucket/results*"]
    assert "s3:PutObject" in statements["DistributedMapWriteResults"]["Action"]
    assert DMAP_IAM in explained


def test_function_step_writes_arguments_runs_a_training_job_and_reads_the_return_value(tmp_path: Path,
                                                                                          capsys) -> None:
    definition = _pipeline(tmp_path, """\
        - name: Summarize
          type: function
          function: demo/features.py:summarize
          args: {source: $.InputUri}
        """)
    statements, explained = _policy(tmp_path, capsys, definition)
    # supported-services-awssdk.html: aws-sdk:s3:putObject / getObject call s3:PutObject / s3:GetObject.
    assert statements["S3Write"]["Action"] == ["s3:PutObject"]
    assert statements["S3Read"]["Action"] == ["s3:GetObject"]
    # sagemaker-iam.html: createTrainingJob.sync.
    assert statements["SageMakerTrainingJobs"]["Action"] == [
        "sagemaker:AddTags", "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:ListTags",
        "sagemaker:StopTrainingJob"]
    assert statements["SageMakerJobCompletionEvents"]["Resource"] == [
        "arn:aws:events:us-east-1:111122223333:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"]
    assert SAGEMAKER_IAM in explained and AWS_SDK in explained


@pytest.mark.parametrize("check", [
    "check: data-quality\n  baseline: {statistics: s3://b/s.json, constraints: s3://b/c.json}",
    "check: model-quality\n  problem_type: Regression\n  ground_truth_attribute: y\n  inference_attribute: p\n"
    "  baseline: {constraints: s3://b/c.json}"])
def test_quality_check_runs_a_processing_job(tmp_path: Path, capsys, check: str) -> None:
    definition = _pipeline(tmp_path, f"- name: Check data\n  type: quality-check\n  dataset: $.InputUri\n  {check}\n")
    statements, explained = _policy(tmp_path, capsys, definition)
    _processing_job_sync(statements, "check-data")
    assert "S3Read" not in statements   # the analyzer reads the baseline itself, as the SageMaker role
    assert SAGEMAKER_IAM in explained


@pytest.mark.parametrize("check", ["data-bias", "model-bias"])
def test_clarify_check_runs_a_processing_job_and_reads_both_analyses(tmp_path: Path, capsys, check: str) -> None:
    # model-bias: Clarify itself serves the analysis config's predictor.model_name on a shadow endpoint,
    # as the SageMaker execution role; the state machine's own grants are the data-bias ones.
    definition = _pipeline(tmp_path, f"""\
        - name: Check bias
          type: clarify-check
          check: {check}
          analysis_config: s3://${{DataBucket}}/code/demo/analysis_config.json
          dataset: $.InputUri
          baseline: s3://${{DataBucket}}/code/demo/analysis.json
        """)
    statements, explained = _policy(tmp_path, capsys, definition)
    _processing_job_sync(statements, "check-bias")
    # The two getObject reads take their bucket from the state's input (JSONata), so any bucket.
    assert statements["S3Read"] == {"Sid": "S3Read", "Effect": "Allow", "Action": ["s3:GetObject"],
                                    "Resource": ["arn:aws:s3:::*/*"]}
    assert SAGEMAKER_IAM in explained and AWS_SDK in explained


def test_model_bias_check_with_a_model_writes_its_analysis_config(tmp_path: Path, capsys) -> None:
    definition = _pipeline(tmp_path, """\
        - name: Check bias
          type: clarify-check
          check: model-bias
          analysis_config: s3://${DataBucket}/code/demo/analysis_config.json
          dataset: $.InputUri
          model: $.ModelName
        """)
    statements, explained = _policy(tmp_path, capsys, definition)
    _processing_job_sync(statements, "check-bias")
    # supported-services-awssdk.html: the config is read (s3:GetObject) and this execution's copy written
    # (s3:PutObject); both take their bucket from the state's input (JSONata), so any bucket.
    assert statements["S3Read"]["Action"] == ["s3:GetObject"]
    assert statements["S3Write"]["Action"] == ["s3:PutObject"]
    assert AWS_SDK in explained


def test_notebook_step_runs_a_training_job_in_the_distribution_image(tmp_path: Path, capsys) -> None:
    from sagemaker_sfn.iam import ArnContext
    from sagemaker_sfn.iam.sagemaker_execution import image_access

    definition = _pipeline(tmp_path, """\
        - name: Explore
          type: notebook
          notebook: demo/explore.ipynb
          parameters: {source: $.InputUri}
        """)
    statements, explained = _policy(tmp_path, capsys, definition)
    # sagemaker-iam.html: createTrainingJob.sync (AddTags too: the notebook job's system tags, and
    # Step Functions tags every job), the completion rule, and iam:PassRole for the job's role.
    assert statements["SageMakerTrainingJobs"]["Action"] == [
        "sagemaker:AddTags", "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:ListTags",
        "sagemaker:StopTrainingJob"]
    assert statements["SageMakerTrainingJobs"]["Resource"] == [
        "arn:aws:sagemaker:us-east-1:111122223333:training-job/explore-*"]
    assert statements["SageMakerJobCompletionEvents"]["Resource"] == [
        "arn:aws:events:us-east-1:111122223333:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"]
    assert statements["PassSageMakerExecutionRole"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    assert "S3Read" not in statements and "S3Write" not in statements   # the job reads and writes S3 itself
    assert SAGEMAKER_IAM in explained
    # The pipeline's SageMaker role pulls the SageMaker Distribution image (ECR repository in SageMaker's account).
    assert image_access(definition, ctx=ArnContext(partition="aws", region="eu-west-1")).repositories == (
        "arn:aws:ecr:eu-west-1:*:repository/sagemaker-distribution-prod",)
