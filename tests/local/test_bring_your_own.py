"""State machines users bring: AWS's SageMaker sample projects as published, run locally with only a
bindings file and small handlers of the user's own (tests/local/samples/), and every way the runner
meets them where they are: bindings, unbound placeholders, buckets, Lambda folder names."""

from __future__ import annotations

import json
import shutil
import textwrap
import zipfile
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main

SAMPLES = Path(__file__).parent / "samples"
SEED_001 = SAMPLES / "tune_model" / "definition.asl.json"


def run_cli(*args: str) -> int:
    return main(["run", *args, "--local", "--name", "byo"])


def results(cwd: Path) -> Path:
    return cwd / ".sfn-local" / "byo"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory with no project around it: the user's own folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAGEMAKER_SFN_PROJECT", str(tmp_path))
    return tmp_path


def test_seed_001_is_the_definition_aws_publishes() -> None:
    definition = json.loads(SEED_001.read_text())
    assert definition["States"]["HyperparameterTuning (XGBoost)"]["Parameters"]["TrainingJobDefinition"][
        "AlgorithmSpecification"]["TrainingImage"] == "433757028032.dkr.ecr.us-west-2.amazonaws.com/xgboost:latest"
    assert definition["States"]["Generate Training Dataset"]["Resource"].startswith(
        "arn:aws:lambda:us-west-2:012345678912:function:StepFunctionsSample-")


@pytest.mark.parametrize("sample, expected_lines", [("tune_model", 20), ("train_model", 40)])
def test_aws_sample_with_batch_transform_runs_end_to_end(workdir: Path, sample: str, expected_lines: int,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = SAMPLES / sample
    assert run_cli(str(folder / "definition.asl.json"), "--bindings", str(folder / "bindings.yaml")) == 0
    out = capsys.readouterr()
    assert "SUCCEEDED" in out.out and "warning" not in out.err
    [predictions] = results(workdir).glob("s3/*/output/test.csv.out")
    values = [float(line) for line in predictions.read_text().splitlines()]
    assert len(values) == expected_lines
    if sample == "train_model":   # reg:logistic: probabilities
        assert all(0.0 <= v <= 1.0 for v in values)
    history = json.loads((results(workdir) / "history.json").read_text())
    assert history["events"][-1]["type"] == "ExecutionSucceeded" if isinstance(history, dict) else True


def test_tuning_sample_runs_the_legacy_xgboost_with_its_defaults(workdir: Path) -> None:
    folder = SAMPLES / "tune_model"
    assert run_cli(str(SEED_001), "--bindings", str(folder / "bindings.yaml")) == 0
    logs = sorted((results(workdir) / "jobs").glob("*-00[12]-*/logs.txt"))
    assert len(logs) == 2
    text = logs[0].read_text()
    # The sample's StaticHyperParameters carry precision_dtype, which 0.72 does not use; its default
    # objective (reg:linear) runs as reg:squarederror.
    assert "ignoring hyperparameters this algorithm does not use: precision_dtype" in text
    assert '"objective": "reg:squarederror"' in text


def test_preprocess_sample_runs_a_script_with_absolute_container_paths(workdir: Path) -> None:
    folder = SAMPLES / "preprocess_train"
    assert "/opt/ml/processing/input/raw.csv" in (folder / "handlers" / "transform.py").read_text()
    assert run_cli(str(folder / "definition.asl.json"), "--bindings", str(folder / "bindings.yaml")) == 0
    bucket = results(workdir) / "s3" / "featuretransform-bucketforcodeanddata-1jn1le6gadwfz"
    rows = [[float(v) for v in line.split(",")] for line in (bucket / "train" / "train.csv").read_text().splitlines()]
    assert len(rows) == 200
    assert abs(sum(r[1] for r in rows) / len(rows)) < 1e-6     # standardized: mean 0
    [model] = bucket.glob("models/*/output/model.tar.gz")
    assert model.stat().st_size > 0
    # Both jobs are named $$.Execution.Name: their logs and Describe records share a folder, neither lost.
    job = results(workdir) / "jobs" / "byo"
    log = (job / "logs.txt").read_text()
    assert "standardized 200 rows, 3 features" in log and "skipping code/transform.py (not a data file)" in log
    assert {p.name for p in job.glob("describe*.json")} == {"describe.json", "describe-TrainingJob.json"}


def test_every_missing_lambda_is_reported_at_once_with_the_line_to_add(workdir: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(str(SEED_001)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "not starting: 3 problems found before any job ran" in err
    for arn in json.loads(SEED_001.read_text())["States"].values():
        if arn["Resource"].startswith("arn:aws:lambda:"):
            assert f'add under lambdas: in sagemaker-sfn.bindings.yaml:\n      "{arn["Resource"]}": handlers/' in err
    assert not (results(workdir) / "jobs").exists()


def test_unknown_images_are_reported_with_the_bindings_line(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-trainer:3"
    definition = {"StartAt": "Train", "States": {"Train": {
        "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync", "End": True,
        "Parameters": {"TrainingJobName": "t1", "RoleArn": "arn:aws:iam::123456789012:role/r",
                       "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
                       "OutputDataConfig": {"S3OutputPath": "s3://my-models/out"},
                       "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 1},
                       "StoppingCondition": {"MaxRuntimeInSeconds": 60}}}}}
    path = workdir / "mine.asl.json"
    path.write_text(json.dumps(definition))
    bindings = workdir / "local.yaml"
    bindings.write_text("substitutions: {}\n")
    assert run_cli(str(path), "--bindings", str(bindings)) == 2
    err = capsys.readouterr().err
    assert f'add under images: in local.yaml:\n      "{image}": path/to/your/train.py' in err


def tiny_wheel(folder: Path) -> Path:
    """A wheel of the package ``tinypkg`` (ANSWER = 42) that pip installs offline (--no-index)."""
    wheel = folder / "tinypkg-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("tinypkg/__init__.py", "ANSWER = 42\n")
        archive.writestr("tinypkg-0.1.dist-info/METADATA", "Metadata-Version: 2.1\nName: tinypkg\nVersion: 0.1\n")
        archive.writestr("tinypkg-0.1.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                                        "Tag: py3-none-any\n")
        archive.writestr("tinypkg-0.1.dist-info/RECORD", "")
    return wheel


def test_processing_script_requirements_are_installed_beside_it(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A processing script's requirements.txt (shipped in its code input, as FrameworkProcessor does)
    is installed before it runs; its own /opt/ml/processing paths reach the job's folders."""
    monkeypatch.setenv("SAGEMAKER_SFN_CACHE", str(workdir / "cache"))
    code = workdir / "examples" / "proc"
    code.mkdir(parents=True)
    wheel = tiny_wheel(code)
    (code / "requirements.txt").write_text(f"--no-index\n./{wheel.name}\n")
    (code / "run.py").write_text(textwrap.dedent("""\
        import os, tinypkg
        os.makedirs('/opt/ml/processing/output/result', exist_ok=True)
        open('/opt/ml/processing/output/result/answer.txt', 'w').write(str(tinypkg.ANSWER))
        """))
    definition = {"StartAt": "Process", "States": {"Process": {
        "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync", "End": True,
        "Parameters": {
            "ProcessingJobName.$": "$$.Execution.Name", "RoleArn": "${SageMakerRoleArn}",
            "AppSpecification": {"ImageUri": "${SKLearnImageUri}",
                                 "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/run.py"]},
            "ProcessingInputs": [{"InputName": "code", "S3Input": {
                "S3Uri": "s3://${DataBucket}/code/proc/", "LocalPath": "/opt/ml/processing/input/code",
                "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
            "ProcessingOutputConfig": {"Outputs": [{"OutputName": "result", "S3Output": {
                "S3Uri": "s3://results-bucket/answers", "LocalPath": "/opt/ml/processing/output/result",
                "S3UploadMode": "EndOfJob"}}]},
            "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                                      "VolumeSizeInGB": 1}}}}}}
    (workdir / "mine.asl.json").write_text(json.dumps(definition))
    assert run_cli("mine.asl.json") == 0
    assert (results(workdir) / "s3" / "results-bucket" / "answers" / "answer.txt").read_text() == "42"
    assert "pip install" in (results(workdir) / "jobs" / "byo" / "requirements.log").read_text()


def test_training_script_with_absolute_paths_and_requirements(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A script bound to a custom image writes /opt/ml/model itself and reads /opt/ml/input/data; its
    requirements.txt is installed once into the cache and reused by the next run."""
    monkeypatch.setenv("SAGEMAKER_SFN_CACHE", str(workdir / "cache"))
    (workdir / "trainer").mkdir()
    wheel = tiny_wheel(workdir / "trainer")
    (workdir / "trainer" / "requirements.txt").write_text(f"--no-index\n./{wheel.name}\n")
    (workdir / "trainer" / "train.py").write_text(textwrap.dedent("""\
        import json, os, tinypkg
        rows = open('/opt/ml/input/data/train/data.csv').read().split()
        hps = json.load(open('/opt/ml/input/config/hyperparameters.json'))
        os.makedirs('/opt/ml/model/sub', exist_ok=True)
        with open('/opt/ml/model/sub/model.json', 'w') as f:
            json.dump({'rows': len(rows), 'answer': tinypkg.ANSWER, 'hps': hps}, f)
        print('listing', sorted(os.listdir('/opt/ml/model')))
        """))
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-trainer:3"
    (workdir / "data.csv").write_text("1,2\n3,4\n5,6\n")
    definition = {"StartAt": "Seed", "States": {
        "Seed": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject", "Next": "Train",
                 "Parameters": {"Bucket": "my-data", "Key": "train/data.csv", "Body": "1,2\n3,4\n5,6"}},
        "Train": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync", "End": True,
                  "Parameters": {"TrainingJobName.$": "$$.Execution.Name", "RoleArn": "arn:aws:iam::123456789012:role/r",
                                 "HyperParameters": {"epochs": "3"},
                                 "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
                                 "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
                                     "S3DataType": "S3Prefix", "S3Uri": "s3://my-data/train/"}}}],
                                 "OutputDataConfig": {"S3OutputPath": "s3://my-models/out"},
                                 "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                                    "VolumeSizeInGB": 1},
                                 "StoppingCondition": {"MaxRuntimeInSeconds": 300}}}}}
    (workdir / "mine.asl.json").write_text(json.dumps(definition))
    (workdir / "local.yaml").write_text(f'images:\n  "{image}": trainer/train.py\n')
    for attempt in ("first", "second"):
        shutil.rmtree(workdir / ".sfn-local", ignore_errors=True)
        assert run_cli("mine.asl.json", "--bindings", "local.yaml") == 0, attempt
        model_dir = results(workdir) / "jobs" / "byo" / "opt" / "ml" / "model"
        assert json.loads((model_dir / "sub" / "model.json").read_text()) == {"rows": 3, "answer": 42,
                                                                               "hps": {"epochs": "3"}}
        log = (results(workdir) / "jobs" / "byo" / "logs.txt").read_text()
        assert "listing ['sub']" in log
        assert ("pip install" in log) == (attempt == "first")
        assert ("requirements.txt: cached" in log) == (attempt == "second")
    assert (results(workdir) / "s3" / "my-models" / "out" / "byo" / "output" / "model.tar.gz").is_file()


def test_unbound_placeholders_stay_literal_with_one_warning(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = {"StartAt": "Show", "States": {"Show": {
        "Type": "Pass", "Parameters": {"table": "${MyTableName}", "queue": "${OtherQueue}", "bucket": "${DataBucket}"},
        "End": True}}}
    (workdir / "mine.asl.json").write_text(json.dumps(definition))
    assert run_cli("mine.asl.json") == 0
    out = capsys.readouterr()
    assert out.err.count("warning:") == 1
    assert "warning: no local value for ${MyTableName}, ${OtherQueue}: left in the definition as written" in out.err
    output = json.loads((results(workdir) / "output.json").read_text())["output"]
    assert output == {"table": "${MyTableName}", "queue": "${OtherQueue}", "bucket": "sagemaker-sfn-local"}

    (workdir / "local.yaml").write_text("substitutions:\n  MyTableName: local-table\n  OtherQueue: q\n")
    shutil.rmtree(workdir / ".sfn-local")
    assert run_cli("mine.asl.json", "--bindings", "local.yaml") == 0
    assert "warning" not in capsys.readouterr().err
    output = json.loads((results(workdir) / "output.json").read_text())["output"]
    assert output == {"table": "local-table", "queue": "q", "bucket": "sagemaker-sfn-local"}


def test_unbound_placeholders_do_not_stop_a_mocked_run(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
        "Parameters": {"FunctionName": "${SomeFunction}", "Payload": {"t": "${Table}"}}}}}
    (workdir / "mine.asl.json").write_text(json.dumps(definition))
    (workdir / "mocks.json").write_text(json.dumps({
        "StateMachines": {"mine": {"TestCases": {"Happy": {"Call": "Ok"}}}},
        "MockedResponses": {"Ok": {"0": {"Return": {"Payload": {"done": True}}}}}}))
    assert run_cli("mine.asl.json", "--mock-config", "mocks.json", "--test-case", "Happy") == 0
    assert "warning: no local value for ${SomeFunction}, ${Table}" in capsys.readouterr().err


def test_project_bindings_file_is_read_without_a_flag(workdir: Path) -> None:
    (workdir / "sagemaker-sfn.bindings.yaml").write_text("substitutions: {Greeting: hello}\n")
    (workdir / "mine.asl.json").write_text(json.dumps({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"g": "${Greeting}"}, "End": True}}}))
    assert run_cli("mine.asl.json") == 0
    assert json.loads((results(workdir) / "output.json").read_text())["output"] == {"g": "hello"}


@pytest.mark.parametrize("folder", ["Generate-Dataset", "scoreModel", "my_fn"])
def test_lambda_folders_of_any_form_work_by_convention(workdir: Path, folder: str) -> None:
    """``lambdas/<folder>/handler.py`` answers ``${<Pascal>FunctionArn}`` and a function named like the
    folder up to case, '-' and '_'; the handler writes to a bucket nothing declared."""
    from sagemaker_sfn.local.bindings import function_placeholder

    (workdir / "lambdas" / folder).mkdir(parents=True)
    (workdir / "lambdas" / folder / "handler.py").write_text(textwrap.dedent("""\
        import boto3
        def handler(event, context):
            boto3.client("s3").put_object(Bucket="made-by-lambda", Key="k.txt", Body=b"x")
            return {"from": context.function_name, "got": event}
        """))
    other_spelling = folder.replace("-", "_").lower()
    definition = {"StartAt": "ByPlaceholder", "States": {
        "ByPlaceholder": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "ByName",
                          "Parameters": {"FunctionName": f"${{{function_placeholder(folder)}}}", "Payload": {"n": 1}},
                          "ResultSelector": {"p.$": "$.Payload"}, "ResultPath": "$.first"},
        "ByName": {"Type": "Task", "End": True,
                   "Resource": f"arn:aws:lambda:eu-west-1:111122223333:function:{other_spelling}:live"}}}
    (workdir / "mine.asl.json").write_text(json.dumps(definition))
    assert run_cli("mine.asl.json") == 0
    output = json.loads((results(workdir) / "output.json").read_text())["output"]
    assert output["from"] == other_spelling and output["got"]["first"]["p"]["from"] == folder
    assert (results(workdir) / "s3" / "made-by-lambda" / "k.txt").read_bytes() == b"x"
