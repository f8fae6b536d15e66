"""`defaults:` (request members every job step inherits) and `placeholders:` (the file's own ${Name})."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.errors import PipelineError
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.pipeline.defaults import apply_defaults, merge

DEFAULTS = """\
name: p
defaults:
  RoleArn: ${SageMakerRoleArn}
  ResourceConfig: {InstanceCount: 1, InstanceType: ml.m5.large, VolumeSizeInGB: 10}
  StoppingCondition: {MaxRuntimeInSeconds: 3600}
  OutputDataConfig: {S3OutputPath: "s3://${DataBucket}/models"}
  VpcConfig: {SecurityGroupIds: [sg-1], Subnets: [subnet-1]}
  Tags: [{Key: team, Value: ml}]
"""


def load(tmp_path: Path, text: str, *, name: str = "p") -> object:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_pipeline(path)


def params(pipeline: object, state: str) -> dict:
    return pipeline.definition["States"][state]["Parameters"]  # type: ignore[attr-defined]


def test_every_job_step_inherits_the_members_its_api_has(tmp_path: Path) -> None:
    pipeline = load(tmp_path, DEFAULTS + textwrap.dedent("""\
        steps:
          - name: Train
            type: training
            request:
              AlgorithmSpecification: {TrainingImage: "${XGBoostImageUri}", TrainingInputMode: File}
              HyperParameters: {num_round: "5"}
              ResourceConfig: {InstanceType: ml.m5.xlarge}
          - name: Prepare
            type: processing
            request:
              AppSpecification: {ImageUri: "${SKLearnImageUri}", ContainerEntrypoint: [python3, x.py]}
              ProcessingResources: {ClusterConfig: {InstanceCount: 1, InstanceType: ml.m5.large, VolumeSizeInGB: 5}}
              RoleArn.$: $.role
          - name: Tune
            type: tuning
            request:
              HyperParameterTuningJobConfig:
                Strategy: Random
                ResourceLimits: {MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 1}
                HyperParameterTuningJobObjective: {Type: Minimize, MetricName: "validation:rmse"}
              TrainingJobDefinition:
                AlgorithmSpecification: {TrainingImage: "${XGBoostImageUri}", TrainingInputMode: File}
                StaticHyperParameters: {num_round: "5"}
        """))
    train = params(pipeline, "Train")
    # Mappings merge member by member; the step's own values win.
    assert train["ResourceConfig"] == {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 10}
    assert train["RoleArn"] == "${SageMakerRoleArn}" and train["VpcConfig"]["Subnets"] == ["subnet-1"]
    assert {"Key": "team", "Value": "ml"} in train["Tags"]
    prepare = params(pipeline, "Prepare")
    # CreateProcessingJob has no ResourceConfig or OutputDataConfig; RoleArn.$ replaces the default RoleArn.
    assert "ResourceConfig" not in prepare and "OutputDataConfig" not in prepare
    assert prepare["RoleArn.$"] == "$.role" and "RoleArn" not in prepare
    assert prepare["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    tune = params(pipeline, "Tune")
    # A tuning job's settings go inside TrainingJobDefinition; Tags stay at the top.
    inner = tune["TrainingJobDefinition"]
    assert inner["RoleArn"] == "${SageMakerRoleArn}" and inner["ResourceConfig"]["InstanceType"] == "ml.m5.large"
    assert "RoleArn" not in tune and {"Key": "team", "Value": "ml"} in tune["Tags"]


def test_defaults_typo_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"field 'defaults.ResourceConfg': 'ResourceConfg' is not a member of any "
                                            r"job request .*did you mean 'ResourceConfig'\?"):
        load(tmp_path, "name: p\ndefaults: {ResourceConfg: {}}\nsteps: [{name: A, type: succeed}]\n")


def test_merge_rules() -> None:
    assert merge({"A": {"x": 1, "y": 2}, "B": [1], "C.$": "$.c"}, {"A": {"y": 3}, "B": [2], "C": "lit"}) == {
        "A": {"x": 1, "y": 3}, "B": [2], "C": "lit"}
    assert apply_defaults("model", {"X": 1}, {"Tags": []}) == {"X": 1}   # not a job step


def test_custom_placeholders_are_declared_with_a_description(tmp_path: Path) -> None:
    pipeline = load(tmp_path, """\
        name: p
        placeholders:
          FeatureTable: {description: the feature store table the jobs read, local: features-local}
          ModelBucket: {description: where models are kept}
        input: {table: "${FeatureTable}"}
        steps:
          - {name: Save, type: pass, parameters: {bucket: "s3://${ModelBucket}/x"}}
        """)
    assert {n: (p.description, p.local) for n, p in pipeline.placeholders.items()} == {  # type: ignore[attr-defined]
        "FeatureTable": ("the feature store table the jobs read", "features-local"),
        "ModelBucket": ("where models are kept", None)}


@pytest.mark.parametrize("text, field, message", [
    ("placeholders: {Bad-Name: {description: x}}", "placeholders.Bad-Name", "letters, digits and _"),
    ("placeholders: {DataBucket: {description: x}}", "placeholders.DataBucket", "is a conventional placeholder"),
    ("placeholders: {Table: {local: x}}", "placeholders.Table.description", "needs a description"),
    ("placeholders: {Table: {description: x, locl: y}}", "placeholders.Table", "description (required) and local"),
])
def test_bad_placeholder_declarations(tmp_path: Path, text: str, field: str, message: str) -> None:
    with pytest.raises(PipelineError) as info:
        load(tmp_path, f"name: p\n{text}\nsteps: [{{name: A, type: succeed}}]\n")
    assert info.value.field == field and message in str(info.value)


def test_undeclared_placeholder_says_how_to_declare_it(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"unknown placeholder \$\{Table\}.*declare it under placeholders:"):
        load(tmp_path, "name: p\nsteps: [{name: A, type: pass, parameters: {t: '${Table}'}}]\n")


def test_declared_local_values_reach_a_local_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from sagemaker_sfn.cli import main

    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "p.yaml").write_text(textwrap.dedent("""\
        name: p
        placeholders:
          Table: {description: the table, local: local-table}
          Other: {description: bound by the project's bindings file}
        steps:
          - {name: Show, type: pass, parameters: {t: "${Table}", o: "${Other}"}}
        """))
    (tmp_path / "sagemaker-sfn.bindings.yaml").write_text("substitutions: {Other: from-bindings}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAGEMAKER_SFN_PROJECT", str(tmp_path))
    assert main(["generate"]) == 0
    assert main(["run", "p", "--local", "--name", "x"]) == 0
    output = json.loads((tmp_path / ".sfn-local" / "x" / "output.json").read_text())["output"]
    assert output == {"t": "local-table", "o": "from-bindings"}
