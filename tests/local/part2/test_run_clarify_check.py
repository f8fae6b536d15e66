"""`run --local` with clarify-check steps: the Clarify stand-in suggests a baseline analysis.json,
the same data checks clean, biased data fails the step with the bias-drift violations AWS's rule
finds (a metric farther from 0 than the baseline's), and skip_check records the baselines without failing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main
from sagemaker_sfn.pipeline import load_pipeline

PIPELINE = """\
name: cc
steps:
  - name: Suggest
    type: clarify-check
    check: data-bias
    analysis_config: s3://${{DataBucket}}/cc/input/config/analysis_config.json
    dataset: s3://${{DataBucket}}/cc/input/balanced/
  - name: Check
    type: clarify-check
    check: data-bias
    analysis_config: s3://${{DataBucket}}/cc/input/config/analysis_config.json
    dataset: $.data
    skip_check: {skip}
    baseline: $.Suggest.Baselines.CalculatedBaselineConstraints
"""
CONFIG = {"dataset_type": "text/csv", "label": "approved", "label_values_or_threshold": [1],
          "facet": [{"name_or_index": "sex", "value_or_threshold": ["F"]}],
          "methods": {"pre_training_bias": {"methods": ["CI", "DPL"]}}}


def _rows(approved_f: int, approved_m: int, women: int) -> str:
    """100 rows: ``women`` of them F; ``approved_f`` women and ``approved_m`` men approved."""
    rows = [f"F,{int(i < approved_f)}" for i in range(women)] + [f"M,{int(i < approved_m)}" for i in range(100 - women)]
    return "sex,approved\n" + "\n".join(rows) + "\n"


def _project(project: Path, monkeypatch, *, skip: bool) -> Path:
    data = project / "examples" / "cc" / "data"
    for folder in ("config", "balanced", "biased"):
        (data / folder).mkdir(parents=True)
    (data / "config" / "analysis_config.json").write_text(json.dumps(CONFIG))
    (data / "balanced" / "d.csv").write_text(_rows(25, 25, 50))
    (data / "biased" / "d.csv").write_text(_rows(5, 45, 20))   # fewer women, fewer of them approved
    (project / "pipelines").mkdir(exist_ok=True)
    path = project / "pipelines" / "cc.yaml"
    path.write_text(PIPELINE.format(skip=str(skip).lower()), encoding="utf-8")
    (project / "asl_templates").mkdir(exist_ok=True)
    (project / "asl_templates" / "cc.asl.json").write_text(json.dumps(load_pipeline(path).definition))
    monkeypatch.chdir(project)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return project


def _run(name: str, data: str, capsys) -> tuple[int, dict]:
    code = main(["run", "cc", "--local", "--name", name, "--json", "--input",
                 json.dumps({"data": f"s3://sagemaker-sfn-local/cc/input/{data}/"})])
    return code, json.loads(capsys.readouterr().out)


def test_same_data_passes_and_records_the_drift_check_baseline(project: Path, monkeypatch, capsys) -> None:
    root = _project(project, monkeypatch, skip=False)
    code, summary = _run("cc-1", "balanced", capsys)
    assert code == 0, summary
    assert summary["output"]["Check"]["Baselines"] == {
        "CalculatedBaselineConstraints": "s3://sagemaker-sfn-local/cc/cc-1/Check/analysis.json",
        "BaselineUsedForDriftCheckConstraints": "s3://sagemaker-sfn-local/cc/cc-1/Suggest/analysis.json",
        "ConfigFile": "s3://sagemaker-sfn-local/cc/input/config/analysis_config.json"}
    stored = root / ".sfn-local" / "cc-1" / "s3" / "sagemaker-sfn-local" / "cc" / "cc-1"
    analysis = json.loads((stored / "Suggest" / "analysis.json").read_text())
    [entry] = analysis["pre_training_bias_metrics"]["facets"]["sex"]
    assert {m["name"]: m["value"] for m in entry["metrics"]} == {"CI": 0.0, "DPL": 0.0}


@pytest.mark.parametrize("skip", [False, True])
def test_biased_data_fails_the_step_unless_told_to_skip(project: Path, monkeypatch, capsys, skip: bool) -> None:
    root = _project(project, monkeypatch, skip=skip)
    code, summary = _run("cc-2", "biased", capsys)
    history = json.loads((root / ".sfn-local" / "cc-2" / "history.json").read_text())
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
    if skip:
        assert code == 0, summary
        assert "Check: read analysis" not in entered
        return
    assert (code, summary["error"]) == (1, "cc.StepFailed")
    found = next(e for e in history if e["type"] == "PassStateExited"
                 and e["stateExitedEventDetails"]["name"] == "Check: violations found")
    error = json.loads(found["stateExitedEventDetails"]["output"])["error"]
    assert error["Error"] == "ClarifyCheck.ViolationsFound"
    # CI = (80 - 20) / 100 = 0.6; DPL = 45/80 - 5/20 = 0.3125; the baseline's are 0.
    assert error["Cause"] == (
        "Clarify check 'Check' found violations of the baseline: sex=F CI: Value 0.6 does not meet the constraint "
        "requirement (baseline 0); sex=F DPL: Value 0.3125 does not meet the constraint requirement (baseline 0)")
    assert entered[-5:] == ["Check: read baseline", "Check: violations?", "Check: violations found",
                            "Notify failure: Check", "Failed: Check"]
