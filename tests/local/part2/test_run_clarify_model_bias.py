"""Model-bias and model-explainability clarify-checks run for real by `run --local`: a `model` step creates the model from an
XGBoost artifact in examples/, the check writes this execution's analysis config with the model's name
(predictor.model_name), the local Clarify stand-in scores the dataset with that model, and the
post-training metrics are compared with a baseline: a baseline they meet passes, a stricter one fails
the step with the violations."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

from sagemaker_sfn.cli import main
from sagemaker_sfn.local.sagemaker.clarify import post_training_metrics
from sagemaker_sfn.pipeline import load_pipeline

PIPELINE = """\
name: mb
steps:
  - name: Model
    type: model
    request:
      ExecutionRoleArn: ${SageMakerRoleArn}
      PrimaryContainer: {Image: "${XGBoostImageUri}", ModelDataUrl: "s3://${DataBucket}/code/mb/model.tar.gz"}
  - name: Check model bias
    type: clarify-check
    check: model-bias
    analysis_config: s3://${DataBucket}/code/mb/analysis_config.json
    dataset: s3://${DataBucket}/code/mb/data/
    model: States.ArrayGetItem(States.StringSplit($.Model.ModelArn, '/'), 1)
    baseline: s3://${DataBucket}/code/mb/baseline/analysis.json
"""


def _data(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, xgb.Booster]:
    rng = np.random.default_rng(5)
    group = rng.integers(0, 2, size=300)
    income = rng.uniform(0, 1, size=300) + 0.25 * group
    label = (income + rng.normal(0, 0.2, size=300) > 0.65).astype(int)
    features = np.column_stack([group, income])
    booster = xgb.train({"objective": "binary:logistic", "nthread": 1, "max_depth": 2},
                        xgb.DMatrix(features, label=label), num_boost_round=8)
    booster.save_model(str(folder / "model.ubj"))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = (folder / "model.ubj").read_bytes()
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (folder / "model.ubj").unlink()
    (folder / "model.tar.gz").write_bytes(buffer.getvalue())
    (folder / "data").mkdir()
    (folder / "data" / "data.csv").write_text(
        "\n".join(f"{int(y)},{int(g)},{float(x)!r}" for y, g, x in zip(label, group, income)) + "\n")
    return label, group, features, booster


@pytest.fixture
def mb_project(project: Path, monkeypatch) -> tuple[Path, dict]:
    folder = project / "examples" / "mb"
    folder.mkdir(parents=True)
    label, group, features, booster = _data(folder)
    config = {"dataset_type": "text/csv", "headers": ["approved", "group", "income"], "label": "approved",
              "label_values_or_threshold": [1], "facet": [{"name_or_index": "group", "value_or_threshold": [1]}],
              "predictor": {"model_name": "replaced-by-the-step", "instance_type": "ml.m5.xlarge",
                            "initial_instance_count": 1},
              "methods": {"post_training_bias": {"methods": ["DPPL", "DI", "AD", "RD"]}}}
    (folder / "analysis_config.json").write_text(json.dumps(config))
    predicted = (booster.predict(xgb.DMatrix(features)) > 0.5).astype(int)
    metrics = post_training_metrics(label.tolist(), predicted.tolist(), (group == 1).tolist(),
                                     methods=["DPPL", "DI", "AD", "RD"])
    (project / "pipelines").mkdir(exist_ok=True)
    (project / "pipelines" / "mb.yaml").write_text(PIPELINE, encoding="utf-8")
    (project / "asl_templates").mkdir(exist_ok=True)
    definition = load_pipeline(project / "pipelines" / "mb.yaml").definition
    (project / "asl_templates" / "mb.asl.json").write_text(json.dumps(definition))
    monkeypatch.chdir(project)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return project, metrics


def _baseline(folder: Path, values: dict) -> None:
    (folder / "baseline").mkdir(exist_ok=True)
    (folder / "baseline" / "analysis.json").write_text(json.dumps({"version": "1.0", "post_training_bias_metrics": {
        "label": "approved", "label_value_or_threshold": "1", "facets": {"group": [{"value_or_threshold": "1", "metrics": [
            {"name": name, "description": name, "value": value} for name, value in values.items()]}]}}}))


def test_the_executions_model_is_scored_and_a_met_baseline_passes(mb_project, capsys) -> None:
    project, metrics = mb_project
    _baseline(project / "examples" / "mb", {name: value * 1.5 for name, value in metrics.items()})
    code = main(["run", "mb", "--local", "--name", "mb-1", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0, summary
    stored = project / ".sfn-local" / "mb-1" / "s3" / "sagemaker-sfn-local"
    used = json.loads((stored / "tmp" / "mb" / "mb-1" / "Check-model-bias" / "analysis_config.json").read_text())
    model_name = summary["output"]["Model"]["ModelArn"].split("/")[-1]
    assert used["predictor"] == {"model_name": model_name, "instance_type": "ml.m5.xlarge", "initial_instance_count": 1}
    analysis = json.loads((stored / "mb" / "mb-1" / "Check-model-bias" / "analysis.json").read_text())
    [entry] = analysis["post_training_bias_metrics"]["facets"]["group"]
    assert {m["name"]: m["value"] for m in entry["metrics"]} == pytest.approx(metrics)
    assert summary["output"]["Check_model_bias"]["Baselines"]["ConfigFile"] == (
        "s3://sagemaker-sfn-local/tmp/mb/mb-1/Check-model-bias/analysis_config.json")


def test_a_stricter_baseline_fails_the_step_naming_the_metrics(mb_project, capsys) -> None:
    project, metrics = mb_project
    assert abs(metrics["DPPL"]) > 0.01
    _baseline(project / "examples" / "mb", {"DPPL": metrics["DPPL"] / 10, "AD": 1.0})
    code = main(["run", "mb", "--local", "--name", "mb-2", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1 and summary["error"] == "mb.StepFailed"
    history = json.loads((project / ".sfn-local" / "mb-2" / "history.json").read_text())
    history = history["events"] if isinstance(history, dict) else history
    [published] = [e["taskScheduledEventDetails"]["parameters"] for e in history
                   if e["type"] == "TaskScheduled" and e["taskScheduledEventDetails"]["resource"] == "publish"]
    message = json.loads(published)["Message"]
    assert "ClarifyCheck.ViolationsFound" in message and "group=1 DPPL: Value" in message and " AD:" not in message


EXPLAIN = PIPELINE.replace("check: model-bias", "check: model-explainability")


def _explain_config(folder: Path, baseline_values: dict) -> None:
    config = json.loads((folder / "analysis_config.json").read_text())
    config["methods"] = {"shap": {"num_samples": 100, "agg_method": "mean_abs"}}
    (folder / "analysis_config.json").write_text(json.dumps(config))
    (folder / "baseline").mkdir(exist_ok=True)
    (folder / "baseline" / "analysis.json").write_text(json.dumps({"version": "1.0", "explanations": {"kernel_shap": {
        "label0": {"global_shap_values": baseline_values, "expected_value": 0.0}}}}))


@pytest.mark.parametrize("reverse", [False, True])
def test_model_explainability_writes_global_shap_values_and_checks_their_ranking(mb_project, capsys,
                                                                                 reverse: bool) -> None:
    project, _ = mb_project
    (project / "asl_templates" / "mb.asl.json").write_text(json.dumps(
        load_pipeline_text(project, EXPLAIN)))
    folder = project / "examples" / "mb"
    # The model leans on income far more than on group: a baseline ranking the same passes.
    _explain_config(folder, {"group": 0.9, "income": 0.1} if reverse else {"group": 0.1, "income": 0.9})
    code = main(["run", "mb", "--local", "--name", f"mx-{reverse}", "--json"])
    summary = json.loads(capsys.readouterr().out)
    stored = project / ".sfn-local" / f"mx-{reverse}" / "s3" / "sagemaker-sfn-local"
    analysis = json.loads((stored / "mb" / f"mx-{reverse}" / "Check-model-bias" / "analysis.json").read_text())
    explained = analysis["explanations"]["kernel_shap"]["label0"]
    # XGBoost's own TreeSHAP, averaged in absolute value per feature (the label is not a feature).
    rows = [line.split(",") for line in (folder / "data" / "data.csv").read_text().splitlines()]
    booster = xgb.Booster()
    with tarfile.open(folder / "model.tar.gz") as tar:
        booster.load_model(bytearray(tar.extractfile("xgboost-model").read()))
    contributions = booster.predict(xgb.DMatrix(np.array([[float(r[1]), float(r[2])] for r in rows])),
                                    pred_contribs=True)
    assert explained["global_shap_values"] == pytest.approx(
        {"group": float(np.abs(contributions[:, 0]).mean()), "income": float(np.abs(contributions[:, 1]).mean())})
    assert explained["expected_value"] == pytest.approx(float(contributions[:, 2].mean()))
    assert explained["global_shap_values"]["income"] > explained["global_shap_values"]["group"]
    if reverse:
        assert code == 1 and summary["error"] == "mb.StepFailed"
    else:
        assert code == 0, summary


def load_pipeline_text(project: Path, text: str) -> dict:
    (project / "pipelines" / "mb.yaml").write_text(text, encoding="utf-8")
    return load_pipeline(project / "pipelines" / "mb.yaml").definition
