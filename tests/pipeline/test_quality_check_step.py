"""The `quality-check` pipeline step: the shipped function-demo validates clean; bad options name their field."""

import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.errors import PipelineError
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.validate import validate_definition

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_pipeline_with_a_function_and_a_data_quality_check_validates_clean() -> None:
    pipeline = load_pipeline(ROOT / "pipelines" / "function-demo.yaml")
    states = pipeline.definition["States"]
    assert states["Check data quality"]["Resource"] == "arn:aws:states:::sagemaker:createProcessingJob.sync"
    assert states["Summarize: run"]["Resource"] == "arn:aws:states:::sagemaker:createTrainingJob.sync"
    assert states["Check data quality"]["Parameters"]["AppSpecification"]["ImageUri"] == "${ModelMonitorImageUri}"
    assert [f for f in validate_definition(pipeline.definition) if f.severity == "error"] == []


def _load(tmp_path: Path, body: str) -> dict:
    (tmp_path / "pipelines").mkdir(exist_ok=True)
    path = tmp_path / "pipelines" / "demo.yaml"
    path.write_text("name: demo\nsteps:\n"
                    + textwrap.indent(textwrap.dedent(body), "  "), encoding="utf-8")
    return load_pipeline(path).definition


@pytest.mark.parametrize("options, field, message", [
    ("dataset: s3://b/d.csv", "check", "missing"),
    ("check: model-bias\n  dataset: s3://b/d.csv", "check", "check must be one of data-quality"),
    ("check: data-quality\n  dataset: s3://b/d.csv\n  baseline: {statistics: s3://b/s.json}", "baseline",
     "baseline must give both"),
    ("check: data-quality\n  dataset: s3://b/d.csv\n  skip: true", "skip", "unknown option"),
])
def test_bad_quality_checks_name_the_field(tmp_path: Path, options: str, field: str, message: str) -> None:
    with pytest.raises(PipelineError) as raised:
        _load(tmp_path, f"- name: C\n  type: quality-check\n  {options}\n")
    assert raised.value.field == field and message in str(raised.value)


def test_a_model_quality_check_validates_clean(tmp_path: Path) -> None:
    definition = _load(tmp_path, """\
        - name: Check model
          type: quality-check
          check: model-quality
          dataset: $.Predictions
          problem_type: Regression
          ground_truth_attribute: rings
          inference_attribute: predicted
          baseline: {constraints: "s3://${DataBucket}/code/demo/model-quality/constraints.json"}
        """)
    env = definition["States"]["Check model"]["Parameters"]["Environment"]
    assert (env["analysis_type"], env["problem_type"], env["ground_truth_attribute"], env["inference_attribute"]) == (
        "MODEL_QUALITY", "Regression", "rings", "predicted")
    assert [f for f in validate_definition(definition) if f.severity == "error"] == []


@pytest.mark.parametrize("options, field, message", [
    ("check: model-quality\n  dataset: s3://b/d.csv\n  ground_truth_attribute: y\n  inference_attribute: p",
     "problem_type", "problem_type must be one of"),
    ("check: model-quality\n  dataset: s3://b/d.csv\n  problem_type: Regression\n  inference_attribute: p",
     "ground_truth_attribute", "needs ground_truth_attribute"),
    ("check: data-quality\n  dataset: s3://b/d.csv\n  problem_type: Regression", "problem_type",
     "belong to check: model-quality"),
])
def test_bad_model_quality_checks_name_the_field(tmp_path: Path, options: str, field: str, message: str) -> None:
    with pytest.raises(PipelineError) as raised:
        _load(tmp_path, f"- name: C\n  type: quality-check\n  {options}\n")
    assert raised.value.field == field and message in str(raised.value)
