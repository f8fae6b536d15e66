"""generate validates what it builds and reports findings in pipeline-file terms (file, step, field)."""

import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main
from sagemaker_sfn.pipeline import build_pipeline
from sagemaker_sfn.pipeline.checks import PipelineFinding, _locate, pipeline_findings

TRAINING_WITH_TYPO = """\
name: p
steps:
  - name: Train
    type: training
    request:
      AlgorithmSpecification: {TrainingImage: "${XGBoostImageUri}", TrainingInputMode: File}
      RoleArn: ${SageMakerRoleArn}
      OutputDataConfig: {S3OutputPath: "s3://${DataBucket}/p/model"}
      ResourceConfig: {InstanceCount: 1, InstanceType: ml.m9.huge, VolumeSizeInGB: 10}
      StoppingCondition: {MaxRuntimeInSeconds: 600}
"""


def test_fails_request_field_reported_in_the_pipeline_file() -> None:
    import yaml

    pipeline = build_pipeline(yaml.safe_load(TRAINING_WITH_TYPO), file="pipelines/p.yaml")
    errors = [f for f in pipeline_findings(pipeline) if f.severity == "error"]
    assert len(errors) == 1
    assert errors[0].file == "p"   # built from a document, not a file: named after the pipeline
    assert errors[0].step == "Train"
    assert errors[0].field == "request.ResourceConfig.InstanceType"
    assert errors[0].message.startswith('"ml.m9.huge" is not a valid TrainingInstanceType: expected one of ')


@pytest.mark.parametrize("location,step,field", [
    ("$.States.Train.Parameters.ResourceConfig.InstanceType", "Train", "request.ResourceConfig.InstanceType"),
    ("$.States.Fan.Branches[0].States['Notify failure: Model'].Parameters",
     "Notify failure: Model", "request"),
    ("$.States['it\\'s'].Retry[0].MaxAttempts", "it's", "Retry[0].MaxAttempts"),
    ("$.States.Gate", "Gate", "(the state)"),
    ("$.StartAt", None, "$.StartAt"),
])
def test_locations_map_to_step_and_field(location: str, step: str | None, field: str) -> None:
    assert _locate("f.yaml", location, "error", "m") == PipelineFinding(
        file="f.yaml", step=step, field=field, severity="error", message="m")


def test_fails_generate_writes_nothing_when_a_definition_has_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "p.yaml").write_text(textwrap.dedent(TRAINING_WITH_TYPO), encoding="utf-8")
    assert main(["generate", "--root", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'pipelines' / 'p.yaml'}: error: step 'Train', "
                               "field 'request.ResourceConfig.InstanceType': \"ml.m9.huge\" is not a valid")
    assert lines[-1] == ("1 error(s) in the generated definitions: no template written "
                         "(fix the pipeline files, or --no-validate to write them anyway)")
    assert not (tmp_path / "asl_templates").exists()
    assert main(["generate", "--no-validate", "--root", str(tmp_path)]) == 0
    assert (tmp_path / "asl_templates" / "p.asl.json").is_file()


# --- findings in the states step caching adds ----------------------------------------------------------

def _cached_processing() -> dict:
    from sagemaker_sfn.cache import CacheConfig, apply_cache

    job = {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
           "Parameters": {"ProcessingJobName.$": "$$.Execution.Name",
                          "ProcessingInputs": [
                              {"InputName": "code", "S3Input": {"S3Uri": "s3://b/code/p.py", "LocalPath": "/c"}},
                              {"InputName": "data", "S3Input": {
                                  "S3Uri.$": "States.Format('s3://{}/{}', $.Bucket, $.Key)", "LocalPath": "/d"}}]},
           "End": True}
    return apply_cache({"StartAt": "Prep", "States": {"Prep": job}}, {"Prep": CacheConfig()})


@pytest.mark.parametrize("location, field, message", [
    # the keyed request: a list field's items sit under "i<index>"
    ("$.States['Cache key: Prep'].Parameters.Request.ProcessingInputs.i1.S3Input['S3Uri.$']",
     "request.ProcessingInputs[1].S3Input['S3Uri.$']", "'S3Uri.$' reads $.Key"),
    # the second S3 input the key lists, and its listing ("Cache input 2")
    ("$.States['Cache key: Prep'].Parameters.Inputs[1]['Prefix.$']",
     "request.ProcessingInputs[1].S3Input['S3Uri.$']", "'S3Uri.$' reads $.Key"),
    ("$.States['Cache input 1: Prep'].Arguments.Prefix", "request.ProcessingInputs[0].S3Input.S3Uri",
     "'S3Uri.$' reads $.Key"),
    # generated machinery with no request field behind it: named as what it is
    ("$.States['Cache lookup: Prep'].Parameters.TableName",
     "Parameters.TableName of generated state 'Cache lookup: Prep'", "'Prefix.$' reads $.Key"),
])
def test_findings_in_cache_states_are_reported_against_the_step(location: str, field: str, message: str) -> None:
    from sagemaker_sfn.pipeline.checks import _in_step_terms

    found = _in_step_terms(_locate("f.yaml", location, "error", "'Prefix.$' reads $.Key"), location,
                           _cached_processing())
    assert (found.step, found.field, found.message) == ("Prep", field, message)


def test_a_cache_state_finding_the_step_already_reports_is_dropped(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[2] / "pipelines" / "train-evaluate.yaml").read_text(encoding="utf-8")
    schema = ("input_schema:\n  type: object\n  additionalProperties: false\n  required: [InputBucket]\n"
              "  properties:\n"
              "    InputBucket: {type: string}\n    InputKeyName: {type: string}\n")
    (tmp_path / "pipelines").mkdir()
    path = tmp_path / "pipelines" / "train-evaluate.yaml"
    path.write_text(text.replace("trigger:\n", schema + "trigger:\n", 1), encoding="utf-8")
    from sagemaker_sfn.pipeline import load_pipeline
    from sagemaker_sfn.validate import validate_definition

    pipeline = load_pipeline(path)
    raw = [f for f in validate_definition(pipeline.definition, input_schema=pipeline.input_schema)
           if f.severity == "error"]
    assert any("Cache key: Preprocess" in f.location for f in raw)   # the key state reads $.InputKey too
    errors = [f for f in pipeline_findings(pipeline) if f.severity == "error"]
    assert [(f.step, f.field) for f in errors] == [("Preprocess", "request.ProcessingInputs[1].S3Input['S3Uri.$']")]


def test_a_state_only_named_like_a_cache_state_is_left_as_it_is() -> None:
    from sagemaker_sfn.pipeline.checks import _in_step_terms

    location = "$.States['Cache key: Nothing'].Parameters.X"
    finding = _locate("f.yaml", location, "error", "m")
    assert _in_step_terms(finding, location, _cached_processing()) == finding
