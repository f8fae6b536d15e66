"""The `clarify-check` pipeline step: it validates clean (JSONata reads and the Choice included);
bad options name their field."""

import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.errors import PipelineError
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.validate import validate_definition


def _load(tmp_path: Path, body: str) -> dict:
    (tmp_path / "pipelines").mkdir(exist_ok=True)
    path = tmp_path / "pipelines" / "demo.yaml"
    path.write_text("name: demo\nsteps:\n" + textwrap.indent(textwrap.dedent(body), "  "), encoding="utf-8")
    return load_pipeline(path).definition


def test_a_check_against_a_baseline_validates_clean(tmp_path: Path) -> None:
    definition = _load(tmp_path, """\
        - name: Check bias
          type: clarify-check
          check: data-bias
          analysis_config: s3://${DataBucket}/code/demo/analysis_config.json
          dataset: $.InputUri
          baseline: s3://${DataBucket}/code/demo/analysis.json
        - name: After
          type: pass
          parameters:
            drift.$: $.Check_bias.Baselines.BaselineUsedForDriftCheckConstraints
        """)
    states = definition["States"]
    assert states["Check bias: violations?"]["Default"] == "After"
    assert states["Check bias: violations found"]["Next"] == "Notify failure: Check bias"
    assert [f.message for f in validate_definition(definition) if f.severity == "error"] == []


def test_a_model_bias_check_compares_the_post_training_section(tmp_path: Path) -> None:
    definition = _load(tmp_path, """\
        - name: Check model bias
          type: clarify-check
          check: model-bias
          analysis_config: s3://${DataBucket}/code/demo/model_bias_config.json   # names predictor.model_name
          dataset: $.InputUri
          baseline: s3://${DataBucket}/code/demo/model_bias_analysis.json
        - name: Check with the model made
          type: clarify-check
          check: model-explainability
          analysis_config: s3://${DataBucket}/code/demo/model_bias_config.json
          dataset: $.InputUri
          baseline: s3://${DataBucket}/code/demo/shap_analysis.json
          model: States.ArrayGetItem(States.StringSplit($.Model.ModelArn, '/'), 1)
        """)
    states = definition["States"]
    rule = states["Check model bias: read baseline"]["Assign"]
    [expression] = rule.values()
    assert "['post_training_bias_metrics']" in expression and "pre_training_bias_metrics" not in expression
    request = states["Check model bias"]["Parameters"]
    assert [i["InputName"] for i in request["ProcessingInputs"]] == ["analysis_config", "dataset"]
    assert states["Check model bias: baselines"]["Parameters"]["ConfigFile"] == (
        "s3://${DataBucket}/code/demo/model_bias_config.json")
    assert [f.message for f in validate_definition(definition) if f.severity == "error"] == []


@pytest.mark.parametrize("options, field, message", [
    ("dataset: s3://b/d.csv\n  analysis_config: s3://b/c.json", "check", "missing"),
    ("check: data-bias\n  dataset: s3://b/d.csv", "analysis_config", "missing"),
    ("check: data-bias\n  dataset: s3://b/d.csv\n  analysis_config: s3://b/c.json\n  model: m", "model",
     "model names the model of a model-bias or model-explainability check"),
    ("check: model-fairness\n  dataset: s3://b/d.csv\n  analysis_config: s3://b/c.json", "check",
     "check must be one of data-bias"),
    ("check: data-bias\n  dataset: s3://b/d.csv\n  analysis_config: s3://b/c.json\n  baseline: {constraints: x}",
     "baseline", ""),
    ("check: data-bias\n  dataset: s3://b/d.csv\n  analysis_config: s3://b/c.json\n  skip: true", "skip",
     "unknown option"),
])
def test_bad_clarify_checks_name_the_field(tmp_path: Path, options: str, field: str, message: str) -> None:
    with pytest.raises(PipelineError) as raised:
        _load(tmp_path, f"- name: C\n  type: clarify-check\n  {options}\n")
    assert raised.value.field == field and message in str(raised.value)
