"""A local **stand-in** for Model Monitor's analyzer in model-quality mode (``analysis_type``
``MODEL_QUALITY``): metrics computed with numpy, written in the container's file layout.

Inputs (the analyzer's Environment, as the SageMaker Python SDK's ModelQualityMonitor sets it:
``problem_type``, ``ground_truth_attribute``, ``inference_attribute``, ``probability_attribute``,
``probability_threshold_attribute``): a CSV dataset holding, per row, the ground truth and the
model's prediction (a label, or a probability turned into a label by the threshold, default 0.5).

``statistics.json``: ``{"version": 0.0, "dataset": {"item_count": n}, "<problem>_metrics": {...}}``
with the metrics AWS lists per problem type ("Model quality metrics",
https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-metrics.html): each
``{"value", "standard_deviation"}``; the standard deviation only from 200 samples on, over 5 random
80% samples as that page describes (seeded here, so a run is repeatable), else ``"NaN"``; binary
and multiclass add ``confusion_matrix`` (actual label -> predicted label -> count). Not computed
locally: the ROC and precision-recall curves.

``constraints.json``: ``{"version": 0.0, "<problem>_constraints": {metric: {"threshold",
"comparison_operator"}}}`` (the ``<problem>_constraints`` key as user code reads it from the SDK's
``suggested_constraints().body_dict``; the per-metric fields and the violation wording below follow
AWS's sample notebooks and are not confirmed by an AWS reference page) — the suggested baseline: each metric's value as its threshold, an error
metric (mae, mse, rmse, false_positive_rate, false_negative_rate) with ``GreaterThanThreshold``,
every other with ``LessThanThreshold``. Checking against baseline constraints writes
``constraint_violations.json``: one ``{"metric_name", "constraint_check_type"`` (the operator),
``"description"}`` per metric whose value crosses its threshold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sagemaker_sfn.local.sagemaker.model_monitor import (AnalyzerError, read_baseline, read_dataset, write_results,
                                                        write_violations)

PROBLEM_TYPES = {"Regression": "regression", "BinaryClassification": "binary_classification",
                 "MulticlassClassification": "multiclass_classification"}
STD_MIN_SAMPLES = 200
ERROR_METRICS = {"mae", "mse", "rmse", "false_positive_rate", "false_negative_rate"}
# The metrics a suggested baseline constrains, per problem type.
CONSTRAINED = {
    "regression": ("mae", "mse", "rmse", "r2"),
    "binary_classification": ("recall", "precision", "accuracy", "true_positive_rate", "true_negative_rate",
                              "false_positive_rate", "false_negative_rate", "auc", "f0_5", "f1", "f2"),
    "multiclass_classification": ("accuracy", "weighted_recall", "weighted_precision", "weighted_f0_5",
                                  "weighted_f1", "weighted_f2"),
}


def _safe(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


def _f_beta(precision: float, recall: float, beta: float) -> float:
    b2 = beta * beta
    return _safe((1 + b2) * precision * recall, b2 * precision + recall) if not (
        np.isnan(precision) or np.isnan(recall)) else float("nan")


def regression(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    error = predicted - truth
    mse = float(np.mean(error ** 2))
    total = float(np.sum((truth - truth.mean()) ** 2))
    return {"mae": float(np.mean(np.abs(error))), "mse": mse, "rmse": float(np.sqrt(mse)),
            "r2": 1.0 - float(np.sum(error ** 2)) / total if total else float("nan")}


def _auc(truth: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve: the probability a positive scores above a negative (ties count half)."""
    positives, negatives = score[truth == 1], score[truth == 0]
    if not len(positives) or not len(negatives):
        return float("nan")
    above = (positives[:, None] > negatives[None, :]).sum() + 0.5 * (positives[:, None] == negatives[None, :]).sum()
    return float(above) / (len(positives) * len(negatives))


def binary(truth: np.ndarray, predicted: np.ndarray, score: np.ndarray | None) -> dict[str, float]:
    tp = int(np.sum((truth == 1) & (predicted == 1)))
    fp = int(np.sum((truth == 0) & (predicted == 1)))
    fn = int(np.sum((truth == 1) & (predicted == 0)))
    tn = int(np.sum((truth == 0) & (predicted == 0)))
    recall, precision = _safe(tp, tp + fn), _safe(tp, tp + fp)
    # AWS's example: the best constant classifier predicts the positive label for every row
    # (recall 1, precision and accuracy the share of positives).
    share = _safe(tp + fn, len(truth))
    metrics = {"recall": recall, "precision": precision, "accuracy": _safe(tp + tn, len(truth)),
               "recall_best_constant_classifier": 1.0 if tp + fn else float("nan"),
               "precision_best_constant_classifier": share, "accuracy_best_constant_classifier": share,
               "true_positive_rate": recall, "true_negative_rate": _safe(tn, tn + fp),
               "false_positive_rate": _safe(fp, fp + tn), "false_negative_rate": _safe(fn, fn + tp)}
    if score is not None:
        metrics["auc"] = _auc(truth, score)
    for name, beta in (("f0_5", 0.5), ("f1", 1.0), ("f2", 2.0)):
        metrics[name] = _f_beta(precision, recall, beta)
        metrics[f"{name}_best_constant_classifier"] = _f_beta(share, 1.0, beta)
    return metrics


def multiclass(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    labels, counts = np.unique(truth, return_counts=True)
    weights = counts / counts.sum()

    def weighted(pred: np.ndarray) -> dict[str, float]:
        recalls = np.array([_safe(np.sum((truth == c) & (pred == c)), np.sum(truth == c)) for c in labels])
        precisions = np.array([_safe(np.sum((truth == c) & (pred == c)), np.sum(pred == c)) for c in labels])
        precisions = np.nan_to_num(precisions)   # a class never predicted has precision 0 in the average
        out = {"accuracy": float(np.mean(truth == pred)), "weighted_recall": float(np.sum(weights * recalls)),
               "weighted_precision": float(np.sum(weights * precisions))}
        for name, beta in (("weighted_f0_5", 0.5), ("weighted_f1", 1.0), ("weighted_f2", 2.0)):
            out[name] = float(np.sum(weights * np.nan_to_num([_f_beta(p, r, beta)
                                                               for p, r in zip(precisions, recalls)])))
        return out

    metrics = weighted(predicted)
    # The best constant classifier predicts the most frequent label.
    best = weighted(np.full_like(truth, labels[int(np.argmax(counts))]))
    metrics.update({f"{name}_best_constant_classifier": value for name, value in best.items()})
    return metrics


def _confusion(truth: np.ndarray, predicted: np.ndarray) -> dict[str, dict[str, int]]:
    labels = sorted(set(truth.tolist()) | set(predicted.tolist()))
    return {_label(a): {_label(p): int(np.sum((truth == a) & (predicted == p))) for p in labels} for a in labels}


def _label(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _columns(header: list[str], rows: list[list[str]], env: dict[str, str]) -> dict[str, np.ndarray]:
    def column(attribute: str) -> np.ndarray | None:
        name = env.get(attribute)
        if not name:
            return None
        if name not in header:
            raise AnalyzerError(f"{attribute} '{name}' is not a column of the dataset (columns: {', '.join(header)})")
        index = header.index(name)
        try:
            return np.array([float(row[index]) for row in rows])
        except (ValueError, IndexError) as exc:
            raise AnalyzerError(f"column '{name}' ({attribute}) must hold numbers in every row: {exc}") from None

    found = {key: column(key) for key in ("ground_truth_attribute", "inference_attribute", "probability_attribute")}
    return {key: value for key, value in found.items() if value is not None}


def compute(header: list[str], rows: list[list[str]], env: dict[str, str], *, samples: int = 5,
            seed: int = 0) -> dict[str, Any]:
    """statistics.json for the dataset (see the module docstring)."""
    problem = env.get("problem_type")
    if problem not in PROBLEM_TYPES:
        raise AnalyzerError(f"problem_type must be one of {', '.join(PROBLEM_TYPES)}, got {problem!r}")
    columns = _columns(header, rows, env)
    if "ground_truth_attribute" not in columns:
        raise AnalyzerError("the Environment needs ground_truth_attribute (the column of true labels or values)")
    truth = columns["ground_truth_attribute"]
    if not len(truth):
        raise AnalyzerError("the dataset has no rows")
    score = columns.get("probability_attribute")
    if "inference_attribute" in columns:
        predicted = columns["inference_attribute"]
    elif score is not None and problem == "BinaryClassification":
        threshold = float(env.get("probability_threshold_attribute") or 0.5)
        predicted = (score >= threshold).astype(float)
    else:
        raise AnalyzerError("the Environment needs inference_attribute (or, for BinaryClassification, "
                            "probability_attribute)")

    def measure(index: np.ndarray) -> dict[str, float]:
        if problem == "Regression":
            return regression(truth[index], predicted[index])
        if problem == "BinaryClassification":
            return binary(truth[index], predicted[index], score[index] if score is not None else None)
        return multiclass(truth[index], predicted[index])

    everything = np.arange(len(truth))
    values = measure(everything)
    spread: dict[str, Any] = {name: "NaN" for name in values}
    if len(truth) >= STD_MIN_SAMPLES:
        rng = np.random.default_rng(seed)
        runs = [measure(rng.choice(everything, size=int(0.8 * len(truth)), replace=False)) for _ in range(samples)]
        spread = {name: _number(float(np.std([run[name] for run in runs]))) for name in values}
    metrics: dict[str, Any] = {}
    if problem != "Regression":
        metrics["confusion_matrix"] = _confusion(truth, predicted)
    metrics.update({name: {"value": _number(value), "standard_deviation": spread[name]}
                    for name, value in values.items()})
    return {"version": 0.0, "dataset": {"item_count": int(len(truth))}, f"{PROBLEM_TYPES[problem]}_metrics": metrics}


def _number(value: float) -> float | str:
    return "NaN" if np.isnan(value) else value


def suggest_constraints(stats: dict[str, Any]) -> dict[str, Any]:
    kind = next(key.removesuffix("_metrics") for key in stats if key.endswith("_metrics"))
    metrics = stats[f"{kind}_metrics"]
    constraints = {name: {"threshold": metrics[name]["value"],
                          "comparison_operator": "GreaterThanThreshold" if name in ERROR_METRICS else "LessThanThreshold"}
                   for name in CONSTRAINED[kind] if name in metrics and metrics[name]["value"] != "NaN"}
    return {"version": 0.0, f"{kind}_constraints": constraints}


def violations(stats: dict[str, Any], constraints: dict[str, Any]) -> list[dict[str, str]]:
    kind = next(key.removesuffix("_metrics") for key in stats if key.endswith("_metrics"))
    metrics = stats[f"{kind}_metrics"]
    expected = constraints.get(f"{kind}_constraints")
    if not isinstance(expected, dict):
        raise AnalyzerError(f"the baseline constraints have no {kind}_constraints (the problem type differs?)")
    found = []
    for name, rule in expected.items():
        value = (metrics.get(name) or {}).get("value")
        operator, threshold = rule.get("comparison_operator"), rule.get("threshold")
        if operator not in ("GreaterThanThreshold", "LessThanThreshold"):
            raise AnalyzerError(f"constraint {name}: comparison_operator must be GreaterThanThreshold or "
                                f"LessThanThreshold, got {operator!r}")
        if not isinstance(value, (int, float)) or not isinstance(threshold, (int, float)):
            continue
        if (value > threshold) if operator == "GreaterThanThreshold" else (value < threshold):
            found.append({"metric_name": name, "constraint_check_type": operator,
                          "description": f"Metric {name} with {value} was {operator} '{threshold}'"})
    return found


def run_analysis(*, dataset_dir: Path, output_dir: Path, dataset_format: dict[str, Any], env: dict[str, str],
                 baseline_constraints: Path | None = None) -> int | None:
    """Write statistics.json and constraints.json (and constraint_violations.json when checking);
    returns the number of violations (None without a baseline)."""
    header, rows = read_dataset(dataset_dir, dataset_format=dataset_format)
    stats = compute(header, rows, env)
    write_results(output_dir, stats=stats, constraints=suggest_constraints(stats))
    if baseline_constraints is None:
        return None
    expected = read_baseline(baseline_constraints, what="baseline constraints")
    return write_violations(output_dir, violations(stats, expected))
