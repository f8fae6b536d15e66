"""The environment as the run command uses it: check() before any job, run_definition with a Catch, finish()."""

from __future__ import annotations

import json
from pathlib import Path

from part2_helpers import training_request

from sagemaker_sfn.local.bindings import LOCAL_BUCKET
from sagemaker_sfn.local.environment import open_local_environment
from sagemaker_sfn.local.interpreter import run_definition
from sagemaker_sfn.project import substitute_placeholders


def pipeline(training: dict, *, lambda_name: str = "${EchoFunctionArn}") -> dict:
    return {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": lambda_name, "Payload.$": "$"},
                        "ResultSelector": {"status.$": "$.StatusCode"}, "ResultPath": "$.prepared", "Next": "Train"},
            "Train": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                      "Parameters": training, "ResultSelector": {"status.$": "$.TrainingJobStatus"},
                      "ResultPath": "$.trained", "Next": "Done",
                      "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Recover"}]},
            "Recover": {"Type": "Pass", "Parameters": {"caught.$": "$.error.Error",
                                                       "reason.$": "States.StringToJson($.error.Cause)"},
                        "OutputPath": "$", "End": True},
            "Done": {"Type": "Succeed"},
        },
    }


def templated(request: dict) -> dict:
    """A training request as a template holds it: placeholders for the bucket, role and image."""
    text = json.dumps(request).replace(LOCAL_BUCKET, "${DataBucket}")
    text = text.replace("arn:aws:iam::123456789012:role/SageMakerExecutionRole", "${SageMakerRoleArn}")
    return json.loads(text)


def run(env, definition: dict) -> object:
    filled = substitute_placeholders(definition, env.substitutions)
    return run_definition(filled, {"x": 1}, state_machine_name="demo", integration=env.integration, clock=env.clock)


def test_failing_training_job_is_caught_by_the_pipelines_catch(project: Path, tmp_path: Path) -> None:
    request = templated(training_request("will-fail", hyperparameters={"num_round": "2", "eta": "fast"}))
    definition = pipeline(request)
    with open_local_environment(project_root=project, pipeline_name="demo", run_dir=tmp_path / "run",
                                definition=definition) as env:
        assert env.check(definition) == []
        result = run(env, definition)
    assert (result.status, result.output["caught"]) == ("SUCCEEDED", "States.TaskFailed")
    reason = result.output["reason"]
    assert (reason["TrainingJobName"], reason["TrainingJobStatus"], reason["FailureReason"]) == \
        ("will-fail", "Failed", "ClientError: Hyperparameter validation failed: eta: 'fast' is not a number")


def test_successful_run_and_finish_copies_s3_and_summarises(project: Path, tmp_path: Path) -> None:
    definition = pipeline(templated(training_request("good-1")))
    run_dir = tmp_path / "run"
    with open_local_environment(project_root=project, pipeline_name="demo", run_dir=run_dir,
                                definition=definition) as env:
        result = run(env, definition)
        env.finish(result)
        lines = env.summary_lines(result)
    assert result.status == "SUCCEEDED"
    copied = sorted(p.relative_to(run_dir / "s3").as_posix() for p in (run_dir / "s3").rglob("*") if p.is_file())
    assert copied == [f"{LOCAL_BUCKET}/{key}" for key in [
        "code/demo/data/train/train.csv", "code/demo/data/validation/validation.csv",
        "code/scripts/sleep.py", "code/scripts/train.py",
        "demo/input/train/train.csv", "demo/input/validation/validation.csv",
        "demo/models/good-1/output/model.tar.gz"]]
    job = env.sagemaker.store.get("TrainingJob", "good-1")
    metrics = ", ".join(f"{m['MetricName']} = {m['Value']:.6g}" for m in job["FinalMetricDataList"])
    assert lines == [
        f"training job good-1: Completed, {job['TrainingTimeInSeconds']} s; {metrics}",
        f"  model: {run_dir}/s3/{LOCAL_BUCKET}/demo/models/good-1/output/model.tar.gz",
        f"job logs: {run_dir}/jobs/<job>/logs.txt (Describe* response: describe.json beside it)",
    ]


def test_finish_writes_each_jobs_describe_response_beside_its_log(project: Path, tmp_path: Path) -> None:
    definition = pipeline(templated(training_request("good-2")))
    definition["States"]["Fails"] = {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                                     "Parameters": templated(training_request("bad-2", hyperparameters={"num_round": "2", "eta": "x"})),
                                     "Next": "Done", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]}
    definition["States"]["Train"]["Next"] = "Fails"
    run_dir = tmp_path / "run"
    with open_local_environment(project_root=project, pipeline_name="demo", run_dir=run_dir,
                                definition=definition) as env:
        result = run(env, definition)
        env.finish(result)
        store = env.sagemaker.store
    assert result.status == "SUCCEEDED"
    jobs = run_dir / "jobs"
    assert sorted(p.parent.name for p in jobs.glob("*/describe.json")) == ["bad-2", "good-2"]
    for name in ("good-2", "bad-2"):
        assert (jobs / name / "logs.txt").is_file()
        assert json.loads((jobs / name / "describe.json").read_text()) == store.get("TrainingJob", name)
    described = json.loads((jobs / "bad-2" / "describe.json").read_text())
    assert (described["TrainingJobStatus"], described["FailureReason"]) == (
        "Failed", "ClientError: Hyperparameter validation failed: eta: 'x' is not a number")


def test_check_reports_typos_before_any_job_starts(project: Path, tmp_path: Path) -> None:
    request = templated(training_request("never-runs"))
    request["AlgorithmSpecification"]["TrainingImage"] = \
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgbost:1.7-1"
    script = templated(training_request("script", image="${SKLearnImageUri}", hyperparameters={
        "sagemaker_program": "trian.py", "sagemaker_submit_directory": f"s3://{LOCAL_BUCKET}/code/scripts"}))
    definition = pipeline(request, lambda_name="${PreapreFunctionArn}")
    definition["States"]["Script"] = {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                                      "Parameters": script, "End": True}
    definition["States"]["Process"] = {
        "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync", "End": True,
        "Parameters": {"AppSpecification": {"ImageUri": "${SKLearnImageUri}"},
                       "ProcessingInputs": [{"InputName": "code", "S3Input": {
                           "S3Uri": "s3://${DataBucket}/code/scripts/prepocess.py"}}]}}
    with open_local_environment(project_root=project, pipeline_name="demo", run_dir=tmp_path / "run",
                                definition=definition) as env:
        problems = env.check(definition)
    assert problems == [
        "state 'Prepare': Lambda 'preapre' has no local code; add under lambdas: in sagemaker-sfn.bindings.yaml:\n"
        '      "arn:aws:lambda:us-east-1:123456789012:function:preapre": handlers/preapre.py:handler\n'
        "    (or create lambdas/preapre/handler.py)",
        "state 'Train', AlgorithmSpecification.TrainingImage: image '683313688378.dkr.ecr.us-east-1.amazonaws.com/"
        "sagemaker-xgbost:1.7-1': no local equivalent for repository 'sagemaker-xgbost' — did you mean 'sagemaker-xgboost'?",
        "state 'Script', HyperParameters.sagemaker_program: trian.py is not in examples/scripts/",
        f"state 'Process': s3://{LOCAL_BUCKET}/code/scripts/prepocess.py has no local source: "
        "examples/scripts/prepocess.py does not exist (examples/ is uploaded to s3://<bucket>/code/)",
    ]


def test_image_map_sends_a_custom_image_to_a_project_script(project: Path, tmp_path: Path) -> None:
    image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-trainer:latest"
    (project / ".sagemaker-sfn-images.json").write_text(json.dumps({"my-trainer": "examples/scripts/train.py"}))
    definition = pipeline(templated(training_request("custom-1", image=image, hyperparameters={"epochs": "2"})))
    with open_local_environment(project_root=project, pipeline_name="demo", run_dir=tmp_path / "run",
                                definition=definition) as env:
        assert env.check(definition) == []
        result = run(env, definition)
        described = env.sagemaker.store.get("TrainingJob", "custom-1")
    assert (result.status, described["TrainingJobStatus"]) == ("SUCCEEDED", "Completed")


def test_check_lists_known_images_when_nothing_is_close(project: Path, tmp_path: Path) -> None:
    request = templated(training_request("never-runs", image="999.dkr.ecr.eu-west-1.amazonaws.com/acme/forecaster:3"))
    definition = pipeline(request)
    with open_local_environment(project_root=project, pipeline_name="demo", run_dir=tmp_path / "run",
                                definition=definition) as env:
        problems = env.check(definition)
    assert problems == [
        "state 'Train', AlgorithmSpecification.TrainingImage: image '999.dkr.ecr.eu-west-1.amazonaws.com/acme/forecaster:3': "
        "no local equivalent for repository 'acme/forecaster' (known: huggingface-pytorch-training, pytorch-inference, "
        "pytorch-training, sagemaker-clarify-processing, sagemaker-distribution-prod, sagemaker-model-monitor-analyzer, "
        "sagemaker-mxnet, sagemaker-pytorch, sagemaker-scikit-learn, "
        "sagemaker-tensorflow, sagemaker-xgboost, tensorflow-inference, tensorflow-training, xgboost); add under "
        'images: in sagemaker-sfn.bindings.yaml:\n      "999.dkr.ecr.eu-west-1.amazonaws.com/acme/forecaster:3": '
        "path/to/your/train.py"]


def test_check_refuses_the_clarify_image_for_training(project: Path, tmp_path: Path) -> None:
    definition = pipeline(templated(training_request("never-runs", image="${ClarifyImageUri}")))
    with open_local_environment(project_root=project, pipeline_name="demo", run_dir=tmp_path / "run",
                                definition=definition) as env:
        problems = env.check(definition)
    assert problems == ["state 'Train', AlgorithmSpecification.TrainingImage: '205585389593.dkr.ecr.us-east-1.amazonaws.com/"
                        "sagemaker-clarify-processing:1.0' is the Clarify processing image; it runs processing jobs only"]


def test_pinned_code_is_uploaded_and_checked_in_the_bucket(project: Path, tmp_path: Path) -> None:
    from sagemaker_sfn.code_pin import pin_code

    process = {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync", "End": True,
               "Parameters": {"AppSpecification": {"ImageUri": "${SKLearnImageUri}"},
                              "ProcessingInputs": [{"InputName": "code", "S3Input": {
                                  "S3Uri": "s3://${DataBucket}/code/scripts/train.py"}}]}}
    pinned = pin_code({"StartAt": "Process", "States": {"Process": process}}, project / "examples")
    [key] = pinned.objects
    assert key.startswith("sha256-") and key.endswith("/scripts/train.py")
    # A pinned copy that nobody uploaded (a redrive's, say, whose saved run is gone) is reported.
    missing = json.loads(json.dumps(pinned.definition).replace(key.split("/")[0], "sha256-0000000000000000"))
    with open_local_environment(project_root=project, pipeline_name="demo", run_dir=tmp_path / "run",
                                definition=pinned.definition, code_objects=pinned.objects) as env:
        s3 = env.account.client("s3")
        body = s3.get_object(Bucket=LOCAL_BUCKET, Key=f"code/{key}")["Body"].read()
        assert body == (project / "examples" / "scripts" / "train.py").read_bytes()
        assert env.check(pinned.definition) == []
        assert env.check(missing) == [
            f"state 'Process': s3://{LOCAL_BUCKET}/code/sha256-0000000000000000/scripts/train.py: no such pinned "
            "code in the local bucket (pinned copies are uploaded from examples/ when a run starts, and put back "
            "from the saved run for a redrive)"]


def test_finish_copies_uploaded_files_from_the_project_unless_edited_since(project: Path, tmp_path: Path) -> None:
    script = project / "examples" / "scripts" / "train.py"
    uploaded = script.read_bytes()
    run_dir = tmp_path / "run"
    with open_local_environment(project_root=project, pipeline_name="demo", run_dir=run_dir,
                                definition={"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}) as env:
        key = f"{LOCAL_BUCKET}/code/scripts/train.py"
        assert env.uploaded[key][1] == script
        etag = env.uploaded[key][0]
        assert env._local_copy(LOCAL_BUCKET, "code/scripts/train.py", etag) == script
        assert env._local_copy(LOCAL_BUCKET, "code/scripts/train.py", '"another version"') is None
        script.write_bytes(uploaded + b"\n# edited while the run ran\n")
        assert env._local_copy(LOCAL_BUCKET, "code/scripts/train.py", etag) is None
        env.finish()
    # The run folder holds what the run used: the version uploaded, read back from S3.
    assert (run_dir / "s3" / LOCAL_BUCKET / "code" / "scripts" / "train.py").read_bytes() == uploaded
