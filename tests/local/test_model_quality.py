"""The local model-quality stand-in: metrics as AWS's "Model quality metrics" page shows them
(its binary example reproduced), suggested constraints, violations, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sagemaker_sfn.local.sagemaker import model_quality
from sagemaker_sfn.local.sagemaker.model_monitor import AnalyzerError

BINARY = {"problem_type": "BinaryClassification", "ground_truth_attribute": "label",
          "inference_attribute": "prediction"}


def test_binary_metrics_match_aws_example() -> None:
    # model-monitor-model-quality-metrics.html: confusion_matrix {"0": {"0": 1, "1": 2}, "1": {"0": 0, "1": 1}},
    # recall 1.0, precision 0.333.., accuracy 0.5, recall/precision/accuracy_best_constant_classifier 1.0/0.25/0.25,
    # true_positive_rate 1.0, true_negative_rate 0.333.., false_positive_rate 0.666.., false_negative_rate 0.0.
    rows = [["0", "0"], ["0", "1"], ["0", "1"], ["1", "1"]]
    stats = model_quality.compute(["label", "prediction"], rows, BINARY)
    metrics = stats["binary_classification_metrics"]
    assert stats["dataset"] == {"item_count": 4} and stats["version"] == 0.0
    assert metrics["confusion_matrix"] == {"0": {"0": 1, "1": 2}, "1": {"0": 0, "1": 1}}
    values = {name: m["value"] for name, m in metrics.items() if name != "confusion_matrix"}
    assert values["recall"] == 1.0 and values["precision"] == pytest.approx(1 / 3) and values["accuracy"] == 0.5
    assert (values["recall_best_constant_classifier"], values["precision_best_constant_classifier"],
            values["accuracy_best_constant_classifier"]) == (1.0, 0.25, 0.25)
    assert values["true_positive_rate"] == 1.0 and values["true_negative_rate"] == pytest.approx(1 / 3)
    assert values["false_positive_rate"] == pytest.approx(2 / 3) and values["false_negative_rate"] == 0.0
    assert values["f1"] == pytest.approx(0.5)
    # Fewer than 200 samples: no standard deviation ("NaN", as in AWS's example).
    assert {m["standard_deviation"] for n, m in metrics.items() if n != "confusion_matrix"} == {"NaN"}


def test_regression_metrics_and_their_spread_from_200_samples() -> None:
    rng = np.random.default_rng(1)
    truth = rng.normal(size=300)
    predicted = truth + rng.normal(scale=0.5, size=300)
    rows = [[str(t), str(p)] for t, p in zip(truth, predicted)]
    stats = model_quality.compute(["y", "yhat"], rows, {"problem_type": "Regression",
                                                        "ground_truth_attribute": "y", "inference_attribute": "yhat"})
    metrics = stats["regression_metrics"]
    error = predicted - truth
    assert metrics["mae"]["value"] == pytest.approx(np.mean(np.abs(error)))
    assert metrics["rmse"]["value"] == pytest.approx(np.sqrt(np.mean(error ** 2)))
    assert metrics["r2"]["value"] == pytest.approx(1 - np.sum(error ** 2) / np.sum((truth - truth.mean()) ** 2))
    assert all(isinstance(m["standard_deviation"], float) and m["standard_deviation"] > 0 for m in metrics.values())
    assert model_quality.suggest_constraints(stats)["regression_constraints"]["rmse"] == {
        "threshold": metrics["rmse"]["value"], "comparison_operator": "GreaterThanThreshold"}
    assert model_quality.suggest_constraints(stats)["regression_constraints"]["r2"]["comparison_operator"] == \
        "LessThanThreshold"


def test_multiclass_weighted_metrics_and_probability_labels() -> None:
    rows = [["a", "a"], ["a", "a"], ["b", "a"], ["c", "c"]]
    numeric = [[{"a": "0", "b": "1", "c": "2"}[t], {"a": "0", "b": "1", "c": "2"}[p]] for t, p in rows]
    stats = model_quality.compute(["t", "p"], numeric, {"problem_type": "MulticlassClassification",
                                                        "ground_truth_attribute": "t", "inference_attribute": "p"})
    metrics = stats["multiclass_classification_metrics"]
    assert metrics["accuracy"]["value"] == 0.75
    # recalls 1, 0, 1 weighted 2/4, 1/4, 1/4
    assert metrics["weighted_recall"]["value"] == pytest.approx(0.75)
    assert metrics["accuracy_best_constant_classifier"]["value"] == 0.5
    scored = model_quality.compute(["label", "score"], [["1", "0.9"], ["0", "0.4"], ["1", "0.3"]],
                                   {"problem_type": "BinaryClassification", "ground_truth_attribute": "label",
                                    "probability_attribute": "score"})
    values = scored["binary_classification_metrics"]
    assert values["confusion_matrix"] == {"0": {"0": 1, "1": 0}, "1": {"0": 1, "1": 1}}
    assert values["auc"]["value"] == 0.5


def test_violations_compare_with_the_thresholds(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "d.csv").write_text("label,prediction\n" + "1,0\n0,0\n1,1\n0,1\n")
    constraints = tmp_path / "constraints.json"
    constraints.write_text(json.dumps({"version": 0.0, "binary_classification_constraints": {
        "accuracy": {"threshold": 0.9, "comparison_operator": "LessThanThreshold"},
        "false_positive_rate": {"threshold": 0.6, "comparison_operator": "GreaterThanThreshold"}}}))
    count = model_quality.run_analysis(dataset_dir=data, output_dir=tmp_path / "out",
                                       dataset_format={"csv": {"header": True}}, env=BINARY,
                                       baseline_constraints=constraints)
    assert count == 1
    assert json.loads((tmp_path / "out" / "constraint_violations.json").read_text()) == {"violations": [{
        "metric_name": "accuracy", "constraint_check_type": "LessThanThreshold",
        "description": "Metric accuracy with 0.5 was LessThanThreshold '0.9'"}]}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "constraint_violations.json", "constraints.json", "statistics.json"]


@pytest.mark.parametrize("env, message", [
    ({"problem_type": "Ranking"}, "problem_type must be one of"),
    ({**BINARY, "ground_truth_attribute": "nope"}, "ground_truth_attribute 'nope' is not a column"),
    ({"problem_type": "Regression", "ground_truth_attribute": "label"}, "needs inference_attribute"),
])
def test_bad_environments_are_clear(env: dict, message: str) -> None:
    with pytest.raises(AnalyzerError, match=message):
        model_quality.compute(["label", "prediction"], [["1", "1"]], env)


def test_a_non_numeric_column_is_named() -> None:
    with pytest.raises(AnalyzerError, match="column 'prediction' \\(inference_attribute\\) must hold numbers"):
        model_quality.compute(["label", "prediction"], [["1", "yes"]], BINARY)
