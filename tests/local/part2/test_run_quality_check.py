"""`run --local` with a quality-check step: the stand-in analyzer suggests a baseline, checks the
same data clean, and fails the step on drifted data (its violations in the failure notification);
skip_check records the baselines without failing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main
from sagemaker_sfn.pipeline import load_pipeline

PIPELINE = """\
name: qc
steps:
  - name: Suggest
    type: quality-check
    check: data-quality
    dataset: s3://${{DataBucket}}/qc/input/good/
  - name: Check
    type: quality-check
    check: data-quality
    dataset: $.data
    skip_check: {skip}
    baseline:
      statistics.$: $.Suggest.Baselines.CalculatedStatistics
      constraints.$: $.Suggest.Baselines.CalculatedConstraints
"""


def _project(project: Path, monkeypatch, *, skip: bool) -> Path:
    data = project / "examples" / "qc" / "data"
    (data / "good").mkdir(parents=True)
    (data / "drifted").mkdir()
    (data / "good" / "d.csv").write_text("kind,size\n" + "".join(f"{'ab'[i % 2]},{i % 7}\n" for i in range(70)))
    (data / "drifted" / "d.csv").write_text("kind,size\n" + "".join(f"c,{50 + i}\n" for i in range(70)))
    (project / "pipelines").mkdir(exist_ok=True)
    path = project / "pipelines" / "qc.yaml"
    path.write_text(PIPELINE.format(skip=str(skip).lower()), encoding="utf-8")
    (project / "asl_templates").mkdir(exist_ok=True)
    (project / "asl_templates" / "qc.asl.json").write_text(json.dumps(load_pipeline(path).definition))
    monkeypatch.chdir(project)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return project


def _run(name: str, data: str, capsys) -> tuple[int, dict]:
    code = main(["run", "qc", "--local", "--name", name, "--json", "--input",
                 json.dumps({"data": f"s3://sagemaker-sfn-local/qc/input/{data}/"})])
    return code, json.loads(capsys.readouterr().out)


def test_same_data_passes_and_records_the_drift_check_baselines(project: Path, monkeypatch, capsys) -> None:
    root = _project(project, monkeypatch, skip=False)
    code, summary = _run("qc-1", "good", capsys)
    assert code == 0, summary
    baselines = summary["output"]["Check"]["Baselines"]
    assert baselines["DriftCheckStatistics"] == "s3://sagemaker-sfn-local/qc/qc-1/Suggest/statistics.json"
    stored = root / ".sfn-local" / "qc-1" / "s3" / "sagemaker-sfn-local" / "qc" / "qc-1"
    assert sorted(p.name for p in (stored / "Suggest").iterdir()) == ["constraints.json", "statistics.json"]
    assert json.loads((stored / "Check" / "constraint_violations.json").read_text()) == {"violations": []}


@pytest.mark.parametrize("skip", [False, True])
def test_drifted_data_fails_the_step_unless_told_to_skip(project: Path, monkeypatch, capsys, skip: bool) -> None:
    root = _project(project, monkeypatch, skip=skip)
    code, summary = _run("qc-2", "drifted", capsys)
    violations = json.loads((root / ".sfn-local" / "qc-2" / "s3" / "sagemaker-sfn-local" / "qc" / "qc-2" / "Check" /
                             "constraint_violations.json").read_text())["violations"]
    assert {v["constraint_check_type"] for v in violations} >= {"categorical_values_check", "baseline_drift_check"}
    if skip:
        assert code == 0, summary
        return
    assert (code, summary["error"]) == (1, "qc.StepFailed")
    history = json.loads((root / ".sfn-local" / "qc-2" / "history.json").read_text())
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
    assert entered[-3:] == ["Check: violations found", "Notify failure: Check", "Failed: Check"]
    [job] = (root / ".sfn-local" / "qc-2" / "jobs").glob("check-*/describe.json")
    assert json.loads(job.read_text())["ExitMessage"].startswith("CompletedWithViolations: Job completed successfully")
