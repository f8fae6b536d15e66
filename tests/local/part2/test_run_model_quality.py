"""`run --local` with model-quality checks: the stand-in analyzer suggests a baseline from good
predictions, the same predictions check clean, worse predictions fail the step (violations in
constraint_violations.json, CompletedWithViolations on the job), and skip_check records the baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main
from sagemaker_sfn.pipeline import load_pipeline

PIPELINE = """\
name: mq
steps:
  - name: Suggest
    type: quality-check
    check: model-quality
    dataset: s3://${{DataBucket}}/mq/input/good/
    problem_type: BinaryClassification
    ground_truth_attribute: label
    inference_attribute: prediction
  - name: Check
    type: quality-check
    check: model-quality
    dataset: $.data
    problem_type: BinaryClassification
    ground_truth_attribute: label
    inference_attribute: prediction
    skip_check: {skip}
    baseline:
      constraints.$: $.Suggest.Baselines.CalculatedConstraints
"""


def _rows(wrong_every: int) -> str:
    """100 rows alternating labels; every ``wrong_every``-th prediction is wrong."""
    return "label,prediction\n" + "".join(
        f"{i % 2},{(i % 2) ^ int(i % wrong_every == 0)}\n" for i in range(100))


def _project(project: Path, monkeypatch, *, skip: bool) -> Path:
    data = project / "examples" / "mq" / "data"
    for folder, wrong_every in (("good", 10), ("worse", 3)):
        (data / folder).mkdir(parents=True)
        (data / folder / "d.csv").write_text(_rows(wrong_every))
    (project / "pipelines").mkdir(exist_ok=True)
    path = project / "pipelines" / "mq.yaml"
    path.write_text(PIPELINE.format(skip=str(skip).lower()), encoding="utf-8")
    (project / "asl_templates").mkdir(exist_ok=True)
    (project / "asl_templates" / "mq.asl.json").write_text(json.dumps(load_pipeline(path).definition))
    monkeypatch.chdir(project)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return project


def _run(name: str, data: str, capsys) -> tuple[int, dict]:
    code = main(["run", "mq", "--local", "--name", name, "--json", "--input",
                 json.dumps({"data": f"s3://sagemaker-sfn-local/mq/input/{data}/"})])
    return code, json.loads(capsys.readouterr().out)


def test_same_predictions_pass_and_record_the_drift_check_baselines(project: Path, monkeypatch, capsys) -> None:
    root = _project(project, monkeypatch, skip=False)
    code, summary = _run("mq-1", "good", capsys)
    assert code == 0, summary
    baselines = summary["output"]["Check"]["Baselines"]
    assert baselines["DriftCheckConstraints"] == "s3://sagemaker-sfn-local/mq/mq-1/Suggest/constraints.json"
    stored = root / ".sfn-local" / "mq-1" / "s3" / "sagemaker-sfn-local" / "mq" / "mq-1"
    stats = json.loads((stored / "Suggest" / "statistics.json").read_text())
    assert stats["binary_classification_metrics"]["accuracy"]["value"] == 0.9
    constraints = json.loads((stored / "Suggest" / "constraints.json").read_text())
    assert constraints["binary_classification_constraints"]["accuracy"] == {
        "threshold": 0.9, "comparison_operator": "LessThanThreshold"}
    assert json.loads((stored / "Check" / "constraint_violations.json").read_text()) == {"violations": []}


@pytest.mark.parametrize("skip", [False, True])
def test_worse_predictions_fail_the_step_unless_told_to_skip(project: Path, monkeypatch, capsys, skip: bool) -> None:
    root = _project(project, monkeypatch, skip=skip)
    code, summary = _run("mq-2", "worse", capsys)
    violations = json.loads((root / ".sfn-local" / "mq-2" / "s3" / "sagemaker-sfn-local" / "mq" / "mq-2" / "Check" /
                             "constraint_violations.json").read_text())["violations"]
    assert {"accuracy", "f1"} <= {v["metric_name"] for v in violations}
    assert {v["constraint_check_type"] for v in violations} <= {"LessThanThreshold", "GreaterThanThreshold"}
    if skip:
        assert code == 0, summary
        return
    assert (code, summary["error"]) == (1, "mq.StepFailed")
    [job] = (root / ".sfn-local" / "mq-2" / "jobs").glob("check-*/describe.json")
    assert json.loads(job.read_text())["ExitMessage"] == (
        f"CompletedWithViolations: Job completed successfully with {len(violations)} violations.")
