"""EMR locally: the pre-run report of steps that cannot run, a mocked run of a managed cluster, and
Spark steps through EmrIntegration (S3 URIs mirrored to the run folder and written back).

A real ``spark-submit`` needs pyspark (not installed by default): the last test runs it when
pyspark is importable. The others use a stand-in ``spark-submit`` that runs the script with this
Python, which exercises everything the integration itself does (arguments, S3 mirroring, exit status).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
import pytest

from sagemaker_sfn.local.aws import local_account
from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.base import ResourceRef, TaskFailure, TaskRequest
from sagemaker_sfn.local.integrations.emr import EmrIntegration, emr_problems
from sagemaker_sfn.local.integrations.mock import MockIntegration
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.local.mock_config import parse_mock_config
from sagemaker_sfn.tasks import emr

SCRIPT = """\
import sys, os
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
rows = []
for name in sorted(os.listdir(args["--input"])):
    rows += open(os.path.join(args["--input"], name)).read().split()
if "fail" in rows:
    print("bad row", file=sys.stderr); sys.exit(3)
os.makedirs(args["--output"], exist_ok=True)
open(os.path.join(args["--output"], "part-0000.txt"), "w").write(",".join(r.upper() for r in rows))
"""

STAND_IN = """\
import runpy, sys
args = sys.argv[1:]
while args and args[0].startswith("-"):
    args = args[2:]          # --master local[*], --conf k=v: the options all take a value here
sys.argv = args
runpy.run_path(args[0], run_name="__main__")
"""


def _request(action: str, params: dict, state: str = "Spark") -> TaskRequest:
    return TaskRequest(ref=ResourceRef.parse(f"arn:aws:states:::elasticmapreduce:{action}.sync"), parameters=params,
                       state_name=state, execution_name="e", execution_arn="arn:e", state_machine_name="m", context={})


def test_steps_that_cannot_run_locally_are_reported_before_the_run() -> None:
    spark = emr.add_step(cluster_id="j-1", step=emr.spark_step_config(name="s", script="s3://b/f.py"), next="Jar")
    jar = emr.add_step(cluster_id="j-1", step={"Name": "j", "HadoopJarStep": {"Jar": "s3://b/app.jar"}}, end=True)
    definition = {"StartAt": "Spark", "States": {"Spark": spark, "Jar": jar}}
    assert emr_problems(definition, spark=False) == [
        "state 'Spark': the EMR step runs spark-submit, which needs a local Spark to run: `pip install pyspark` "
        "(Java is needed too), or run with --mock-config FILE --test-case NAME to mock this state",
        "state 'Jar': the EMR step (Jar 's3://b/app.jar') cannot run locally: only command-runner.jar spark-submit "
        "steps do; run with --mock-config FILE --test-case NAME to mock this state"]
    assert emr_problems(definition, spark=True) == [emr_problems(definition, spark=False)[1]]


def _managed(tmp_path: Path) -> dict:
    from sagemaker_sfn.pipeline import load_pipeline

    (tmp_path / "pipelines").mkdir()
    path = tmp_path / "pipelines" / "demo.yaml"
    path.write_text(
        "name: demo\nsteps:\n"
        "  - name: Featurize\n    type: emr\n"
        "    cluster: {Name: f, ReleaseLabel: emr-6.15.0, Instances: {InstanceCount: 1}}\n"
        "    spark: {script: 's3://b/f.py'}\n", encoding="utf-8")
    return load_pipeline(path).definition


def test_mocked_run_terminates_the_cluster_after_a_failed_step(tmp_path: Path) -> None:
    config = parse_mock_config({
        "StateMachines": {"demo": {"TestCases": {"StepFails": {
            "Featurize": "Created", "Featurize: run step": "StepFailed",
            "Featurize: terminate cluster after failure": "Terminated", "Notify failure: Featurize": "Sent"}}}},
        "MockedResponses": {
            "Created": {"0": {"Return": {"ClusterId": "j-MOCK", "ClusterArn": "arn:c"}}},
            "StepFailed": {"0": {"Throw": {"Error": "States.TaskFailed", "Cause": "spark failed"}}},
            "Terminated": {"0": {"Return": {}}}, "Sent": {"0": {"Return": {"MessageId": "m"}}}}})
    mock = MockIntegration(config.test_case(state_machine="demo", test_case="StepFails"))
    result = run_definition(_managed(tmp_path), {}, integration=mock, clock=VirtualClock(), state_machine_name="demo")
    assert (result.status, result.error) == ("FAILED", "demo.StepFailed")
    terminate = next(c for c in mock.calls if c.state_name == "Featurize: terminate cluster after failure")
    assert terminate.parameters == {"ClusterId": "j-MOCK"}
    assert [c.state_name for c in mock.calls] == ["Featurize", "Featurize: run step",
                                                 "Featurize: terminate cluster after failure",
                                                 "Notify failure: Featurize"]


@pytest.fixture
def stand_in(tmp_path: Path) -> str:
    program = tmp_path / "spark-submit"
    program.write_text(f"#!{sys.executable}\n{STAND_IN}")
    program.chmod(0o755)
    return str(program)


def test_spark_step_reads_and_writes_local_s3_through_a_mirror(tmp_path: Path, stand_in: str) -> None:
    with local_account():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="data")
        s3.put_object(Bucket="data", Key="code/job.py", Body=SCRIPT.encode())
        s3.put_object(Bucket="data", Key="in/a.txt", Body=b"x y")
        s3.put_object(Bucket="data", Key="in/b.txt", Body=b"z")
        integration = EmrIntegration(run_dir=tmp_path / "run", spark_submit=stand_in)
        cluster = integration.invoke(_request("createCluster", {"Name": "c"}), VirtualClock())
        assert cluster["ClusterId"].startswith("j-") and len(cluster["ClusterId"]) == 15
        step = emr.spark_step_config(name="s", script="s3://data/code/job.py",
                                     args=["--input", "s3://data/in/", "--output", "s3://data/out/"],
                                     spark_args=["--conf", "spark.x=1"])
        done = integration.invoke(_request("addStep", {"ClusterId": cluster["ClusterId"], "Step": step}), VirtualClock())
        assert done["StepId"].startswith("s-")
        assert s3.get_object(Bucket="data", Key="out/part-0000.txt")["Body"].read() == b"X,Y,Z"
        # Only what the script wrote goes back: the inputs and the script are not rewritten.
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="data")["Contents"])
        assert keys == ["code/job.py", "in/a.txt", "in/b.txt", "out/part-0000.txt"]

        s3.put_object(Bucket="data", Key="in/c.txt", Body=b"fail")
        with pytest.raises(TaskFailure) as failed:
            integration.invoke(_request("addStep", {"ClusterId": cluster["ClusterId"], "Step": step}), VirtualClock())
        assert failed.value.error == "States.TaskFailed"
        status = json.loads(failed.value.cause)["Step"]["Status"]
        assert status["State"] == "FAILED" and "bad row" in status["FailureDetails"]["Message"]

        integration.invoke(_request("terminateCluster", {"ClusterId": cluster["ClusterId"]}), VirtualClock())
        with pytest.raises(TaskFailure, match="may not be modified"):
            integration.invoke(_request("addStep", {"ClusterId": cluster["ClusterId"], "Step": step}), VirtualClock())


def test_real_spark_submit_runs_a_pyspark_script(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    script = ("import sys\nfrom pyspark.sql import SparkSession\n"
              "spark = SparkSession.builder.getOrCreate()\n"
              "df = spark.read.text(sys.argv[2])\n"
              "df.selectExpr('upper(value) as value').write.mode('overwrite').text(sys.argv[4])\n")
    with local_account():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="data")
        s3.put_object(Bucket="data", Key="code/job.py", Body=script.encode())
        s3.put_object(Bucket="data", Key="in/a.txt", Body=b"spark\n")
        integration = EmrIntegration(run_dir=tmp_path / "run")
        step = emr.spark_step_config(name="s", script="s3://data/code/job.py",
                                     args=["--input", "s3://data/in/", "--output", "s3://data/out/"])
        integration.invoke(_request("addStep", {"ClusterId": "j-RUNNING", "Step": step}), VirtualClock())
        parts = [o["Key"] for o in s3.list_objects_v2(Bucket="data", Prefix="out/")["Contents"]
                 if o["Key"].split("/")[-1].startswith("part-")]
        assert b"SPARK" in b"".join(s3.get_object(Bucket="data", Key=k)["Body"].read() for k in parts)
