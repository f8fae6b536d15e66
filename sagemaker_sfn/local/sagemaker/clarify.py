"""A LOCAL STAND-IN for the SageMaker Clarify processing container: pre- and post-training bias metrics.

The real container (``sagemaker-clarify-processing``) reads ``analysis_config.json`` and the
dataset and writes ``analysis.json`` plus a report to the ``analysis_result`` output. Locally we
compute Clarify's bias metrics ourselves from the same inputs and write the same file names in
Clarify's format, so a pipeline that reads ``analysis.json`` runs unchanged. Post-training bias
(``methods.post_training_bias``) needs the model's predictions: the real container serves the model
named by ``predictor.model_name`` on a shadow endpoint; locally the caller passes ``predict``, the
local model scoring the feature rows (:func:`sagemaker_sfn.local.sagemaker.processing`'s Clarify job
loads it as the local batch transform does). SHAP explanations (``methods.shap``) are XGBoost's
exact TreeSHAP values (``pred_contribs``, in the model's margin space, where Clarify runs Kernel SHAP
on the model's output) for built-in XGBoost models, written as Clarify's
``explanations.kernel_shap.<label>`` (``global_shap_values``: the mean absolute SHAP value per
feature, Clarify's default ``agg_method`` ``mean_abs``; ``expected_value``); the report says which
requested methods were skipped.

Metrics (facet *d* = the rows whose facet matches ``value_or_threshold``, *a* = all others; *q* =
share of positive labels; *P* = label distribution):
CI = (n_a - n_d) / (n_a + n_d); DPL = q_a - q_d; KL = KL(P_a || P_d); JS = Jensen-Shannon divergence;
LP = L2 norm of P_a - P_d; TVD = ½ L1 norm; KS = max |P_a - P_d|; CDDL = demographic disparity of
facet d, averaged over the ``group_variable`` subgroups weighted by their size (only with a group_variable).

Post-training (AWS's "Post-training bias metrics" pages, docs.aws.amazon.com/sagemaker/latest/dg/
clarify-measure-post-training-bias.html; ' = predicted): DPPL = q'_a - q'_d; DI = q'_d / q'_a;
DCA = n_a(1)/n'_a(1) - n_d(1)/n'_d(1); DCR = n_d(0)/n'_d(0) - n_a(0)/n'_a(0); RD = TP_a/(TP_a+FN_a) -
TP_d/(TP_d+FN_d); DAR = TP_a/(TP_a+FP_a) - TP_d/(TP_d+FP_d); DRR = TN_d/(TN_d+FN_d) - TN_a/(TN_a+FN_a);
AD = ACC_a - ACC_d; TE = FP_a/FN_a - FP_d/FN_d; CDDPL = CDDL on the predicted labels (with a
group_variable). FT (the flip test, which needs nearest-neighbour counterfactuals) and GE are not
computed locally: they are left out and named in the report.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

DESCRIPTIONS = {
    "CI": "Class Imbalance (CI)",
    "DPL": "Difference in Positive Proportions in Labels (DPL)",
    "KL": "Kullback-Liebler Divergence (KL)",
    "JS": "Jensen-Shannon Divergence (JS)",
    "LP": "L-p Norm (LP)",
    "TVD": "Total Variation Distance (TVD)",
    "KS": "Kolmogorov-Smirnov Distance (KS)",
    "CDDL": "Conditional Demographic Disparity in Labels (CDDL)",
}
PRE_TRAINING_METHODS = tuple(DESCRIPTIONS)
POST_DESCRIPTIONS = {
    "DPPL": "Difference in Positive Proportions in Predicted Labels (DPPL)",
    "DI": "Disparate Impact (DI)",
    "DCA": "Difference in Conditional Acceptance (DCA)",
    "DCR": "Difference in Conditional Rejection (DCR)",
    "RD": "Recall Difference (RD)",
    "DAR": "Difference in Acceptance Rates (DAR)",
    "DRR": "Difference in Rejection Rates (DRR)",
    "AD": "Accuracy Difference (AD)",
    "CDDPL": "Conditional Demographic Disparity in Predicted Labels (CDDPL)",
    "TE": "Treatment Equality (TE)",
}
POST_TRAINING_METHODS = tuple(POST_DESCRIPTIONS)
NOT_LOCAL_POST_METHODS = ("FT", "GE")   # Clarify computes them; the stand-in does not


class ClarifyConfigError(ValueError):
    """analysis_config.json or the dataset cannot be analysed (the job fails with a ClientError)."""


# --------------------------------------------------------------------------------------------------
# Reading the dataset


def read_dataset(text: str, *, dataset_type: str, headers: Sequence[str] | None) -> tuple[list[str], list[list[Any]]]:
    """Rows of the dataset as lists, with their column names.

    ``text/csv``: a header row is used when ``headers`` is not given, and skipped when it repeats them.
    ``application/jsonlines``: one flat JSON object per line, keys as column names (``headers`` orders them).
    """
    if dataset_type == "text/csv":
        rows = [row for row in csv.reader(io.StringIO(text)) if row]
        if not rows:
            raise ClarifyConfigError("the dataset is empty")
        if headers is None:
            return [c.strip() for c in rows[0]], rows[1:]
        names = list(headers)
        if [c.strip() for c in rows[0]] == names:
            rows = rows[1:]
        for number, row in enumerate(rows, start=1):
            if len(row) != len(names):
                raise ClarifyConfigError(f"dataset row {number} has {len(row)} columns, headers name {len(names)}")
        return names, rows
    if dataset_type == "application/jsonlines":
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
        if not records or not all(isinstance(r, dict) for r in records):
            raise ClarifyConfigError("application/jsonlines datasets must hold one JSON object per line")
        names = list(headers) if headers else list(records[0])
        return names, [[r.get(n) for n in names] for r in records]
    raise ClarifyConfigError(f"dataset_type '{dataset_type}' is not supported locally (text/csv, application/jsonlines)")


def _column(names: list[str], name_or_index: Any, *, what: str) -> int:
    if isinstance(name_or_index, int):
        if not 0 <= name_or_index < len(names):
            raise ClarifyConfigError(f"{what} index {name_or_index} is outside the {len(names)} columns")
        return name_or_index
    if name_or_index not in names:
        raise ClarifyConfigError(f"{what} '{name_or_index}' is not a column (columns: {', '.join(names)})")
    return names.index(name_or_index)


# A numeric column with more distinct values than this is continuous (a single number names a
# threshold); otherwise it is categorical (the numbers name values), as Clarify treats 0/1 labels.
CATEGORICAL_MAX_DISTINCT = 10


def membership(column: Sequence[Any], values_or_threshold: Sequence[Any]) -> list[bool]:
    """Which rows match ``values_or_threshold``: values for a categorical column, ``value > threshold``
    for a continuous one (a single number given for a numeric column of many distinct values)."""
    if len(values_or_threshold) == 1 and _is_number(values_or_threshold[0]) and _continuous(column):
        threshold = float(values_or_threshold[0])
        return [float(v) > threshold for v in column]
    return [any(_same(v, wanted) for wanted in values_or_threshold) for v in column]


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _continuous(column: Sequence[Any]) -> bool:
    return all(_is_number(v) for v in column) and len({float(v) for v in column}) > CATEGORICAL_MAX_DISTINCT


def _same(value: Any, wanted: Any) -> bool:
    if str(value).strip() == str(wanted).strip():
        return True
    try:
        return float(value) == float(wanted)
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------------
# Metrics on binary labels (1 = the positive outcome named by label_values_or_threshold)


def _kl(p: Sequence[float], q: Sequence[float]) -> float:
    total = 0.0
    for pi, qi in zip(p, q):
        if pi > 0:
            if qi <= 0:
                return math.inf
            total += pi * math.log(pi / qi)
    return total


def pre_training_metrics(labels: Sequence[int], in_facet: Sequence[bool], *,
                         groups: Sequence[Any] | None = None, methods: Sequence[str] = PRE_TRAINING_METHODS
                         ) -> dict[str, float | None]:
    """Clarify's pre-training bias metrics for one facet value. ``labels`` are 0/1, ``in_facet`` marks facet d.

    ``groups``: the group_variable per row, needed for CDDL (default: None, CDDL is left out).
    ``methods``: which metrics (default: all of :data:`PRE_TRAINING_METHODS`). A metric that is
    undefined for this data (an empty facet) is ``None``, which Clarify writes as null.
    """
    n_d = sum(1 for f in in_facet if f)
    n_a = len(in_facet) - n_d
    pos_d = sum(1 for y, f in zip(labels, in_facet) if f and y)
    pos_a = sum(1 for y, f in zip(labels, in_facet) if not f and y)
    q_d = pos_d / n_d if n_d else None
    q_a = pos_a / n_a if n_a else None
    result: dict[str, float | None] = {}
    for method in methods:
        if method == "CI":
            result[method] = (n_a - n_d) / (n_a + n_d) if n_a + n_d else None
            continue
        if method == "CDDL":
            if groups is not None:
                result[method] = _cddl(labels, in_facet, groups)
            continue
        if q_a is None or q_d is None:
            result[method] = None
            continue
        p_a, p_d = (1 - q_a, q_a), (1 - q_d, q_d)
        if method == "DPL":
            result[method] = q_a - q_d
        elif method == "KL":
            result[method] = _kl(p_a, p_d)
        elif method == "JS":
            mid = tuple((x + y) / 2 for x, y in zip(p_a, p_d))
            result[method] = 0.5 * (_kl(p_a, mid) + _kl(p_d, mid))
        elif method == "LP":
            result[method] = math.sqrt(sum((x - y) ** 2 for x, y in zip(p_a, p_d)))
        elif method == "TVD":
            result[method] = 0.5 * sum(abs(x - y) for x, y in zip(p_a, p_d))
        elif method == "KS":
            result[method] = max(abs(x - y) for x, y in zip(p_a, p_d))
        else:
            raise ClarifyConfigError(f"unknown pre-training bias method '{method}' (known: {', '.join(PRE_TRAINING_METHODS)})")
    return result


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _difference(first: float | None, second: float | None) -> float | None:
    return None if first is None or second is None else first - second


def post_training_metrics(labels: Sequence[int], predicted: Sequence[int], in_facet: Sequence[bool], *,
                          groups: Sequence[Any] | None = None, methods: Sequence[str] = POST_TRAINING_METHODS
                          ) -> dict[str, float | None]:
    """Clarify's post-training bias metrics for one facet value (formulas in the module doc). ``labels``
    and ``predicted`` are 0/1 (1 = the positive outcome); a metric undefined for the data is ``None``."""
    counts = {}
    for side, wanted in (("a", False), ("d", True)):
        rows = [(y, p) for y, p, f in zip(labels, predicted, in_facet) if bool(f) == wanted]
        tp = sum(1 for y, p in rows if y and p)
        fp = sum(1 for y, p in rows if not y and p)
        tn = sum(1 for y, p in rows if not y and not p)
        fn = sum(1 for y, p in rows if y and not p)
        counts[side] = {"n": len(rows), "tp": tp, "fp": fp, "tn": tn, "fn": fn}
    a, d = counts["a"], counts["d"]

    def share(c: dict[str, int]) -> float | None:   # q': predicted positive proportion
        return _ratio(c["tp"] + c["fp"], c["n"])

    result: dict[str, float | None] = {}
    for method in methods:
        if method == "DPPL":
            result[method] = _difference(share(a), share(d))
        elif method == "DI":
            q_a, q_d = share(a), share(d)
            result[method] = None if q_a is None or q_d is None else _ratio(q_d, q_a)
        elif method == "DCA":
            result[method] = _difference(_ratio(a["tp"] + a["fn"], a["tp"] + a["fp"]),
                                         _ratio(d["tp"] + d["fn"], d["tp"] + d["fp"]))
        elif method == "DCR":
            result[method] = _difference(_ratio(d["tn"] + d["fp"], d["tn"] + d["fn"]),
                                         _ratio(a["tn"] + a["fp"], a["tn"] + a["fn"]))
        elif method == "RD":
            result[method] = _difference(_ratio(a["tp"], a["tp"] + a["fn"]), _ratio(d["tp"], d["tp"] + d["fn"]))
        elif method == "DAR":
            result[method] = _difference(_ratio(a["tp"], a["tp"] + a["fp"]), _ratio(d["tp"], d["tp"] + d["fp"]))
        elif method == "DRR":
            result[method] = _difference(_ratio(d["tn"], d["tn"] + d["fn"]), _ratio(a["tn"], a["tn"] + a["fn"]))
        elif method == "AD":
            result[method] = _difference(_ratio(a["tp"] + a["tn"], a["n"]), _ratio(d["tp"] + d["tn"], d["n"]))
        elif method == "TE":
            result[method] = _difference(_ratio(a["fp"], a["fn"]), _ratio(d["fp"], d["fn"]))
        elif method == "CDDPL":
            if groups is not None:
                result[method] = _cddl(predicted, in_facet, groups)
        else:
            raise ClarifyConfigError(f"unknown post-training bias method '{method}' "
                                     f"(known: {', '.join(POST_TRAINING_METHODS)})")
    return result


def _demographic_disparity(labels: Sequence[int], in_facet: Sequence[bool]) -> float | None:
    """DD_d: facet d's share of the rejected outcomes minus its share of the accepted ones."""
    rejected = [f for y, f in zip(labels, in_facet) if not y]
    accepted = [f for y, f in zip(labels, in_facet) if y]
    if not rejected or not accepted:
        return None
    return sum(rejected) / len(rejected) - sum(accepted) / len(accepted)


def _cddl(labels: Sequence[int], in_facet: Sequence[bool], groups: Sequence[Any]) -> float | None:
    total, weighted = 0, 0.0
    for group in dict.fromkeys(groups):
        rows = [i for i, g in enumerate(groups) if g == group]
        dd = _demographic_disparity([labels[i] for i in rows], [in_facet[i] for i in rows])
        if dd is not None:
            weighted += len(rows) * dd
            total += len(rows)
    return weighted / total if total else None


# --------------------------------------------------------------------------------------------------
# The analysis


def requested_post_methods(config: dict[str, Any]) -> tuple[list[str], list[str]]:
    """methods.post_training_bias.methods (``"all"`` or a list; default when the section is absent:
    none) -> (the methods computed here, those Clarify has but this stand-in does not compute)."""
    section = (config.get("methods") or {}).get("post_training_bias")
    if section is None:
        return [], []
    chosen = section.get("methods", "all")
    if chosen == "all":
        return list(POST_TRAINING_METHODS), list(NOT_LOCAL_POST_METHODS)
    unknown = [m for m in chosen if m not in POST_DESCRIPTIONS and m not in NOT_LOCAL_POST_METHODS]
    if unknown:
        raise ClarifyConfigError(f"methods.post_training_bias.methods: unknown {', '.join(unknown)} "
                                 f"(known: {', '.join(POST_TRAINING_METHODS + NOT_LOCAL_POST_METHODS)})")
    return [m for m in chosen if m in POST_DESCRIPTIONS], [m for m in chosen if m in NOT_LOCAL_POST_METHODS]


def predicted_labels(scores: Sequence[float], *, threshold: float) -> list[int]:
    """The model's outputs as 0/1 labels: labels stay as they are; probabilities (any output not 0 or
    1) become 1 above ``threshold`` (Clarify's ``predictor.probability_threshold``, default 0.5)."""
    if all(s in (0, 1) for s in scores):
        return [int(s) for s in scores]
    return [1 if s > threshold else 0 for s in scores]


def requested_methods(config: dict[str, Any]) -> list[str]:
    """methods.pre_training_bias.methods: ``"all"`` or a list (default when the section is absent: none)."""
    section = (config.get("methods") or {}).get("pre_training_bias")
    if section is None:
        return []
    chosen = section.get("methods", "all")
    if chosen == "all":
        return list(PRE_TRAINING_METHODS)
    unknown = [m for m in chosen if m not in DESCRIPTIONS]
    if unknown:
        raise ClarifyConfigError(f"methods.pre_training_bias.methods: unknown {', '.join(unknown)} "
                                 f"(known: {', '.join(PRE_TRAINING_METHODS)})")
    return list(chosen)


def analyse(config: dict[str, Any], dataset_text: str,
            predict: Callable[[list[str], list[list[Any]]], Sequence[float]] | None = None) -> dict[str, Any]:
    """``analysis.json`` (Clarify's layout) for ``config`` (analysis_config.json) and the dataset's text.
    ``predict`` (needed for ``methods.post_training_bias``, default none): (feature names, feature
    rows: every column but the label and ``excluded_columns``) -> the model's output per row."""
    for key in ("label", "facet"):
        if key not in config:
            raise ClarifyConfigError(f"analysis_config: '{key}' is required for bias analysis")
    names, rows = read_dataset(dataset_text, dataset_type=config.get("dataset_type", "text/csv"),
                               headers=config.get("headers"))
    label_index = _column(names, config["label"], what="label")
    label_values = config.get("label_values_or_threshold")
    if not label_values:
        raise ClarifyConfigError("analysis_config: 'label_values_or_threshold' is required for bias analysis")
    labels = [1 if hit else 0 for hit in membership([row[label_index] for row in rows], label_values)]
    groups = None
    if config.get("group_variable") is not None:
        group_index = _column(names, config["group_variable"], what="group_variable")
        groups = [row[group_index] for row in rows]
    methods = requested_methods(config)
    post_methods, _ = requested_post_methods(config)
    predicted: list[int] | None = None
    excluded = {_column(names, c, what="excluded_columns") for c in config.get("excluded_columns") or []}
    keep = [i for i in range(len(names)) if i != label_index and i not in excluded]
    features = ([names[i] for i in keep], [[row[i] for i in keep] for row in rows])
    explanations = _explanations(config, predict, features)
    if post_methods:
        if predict is None:
            raise ClarifyConfigError("methods.post_training_bias needs a model: name it in predictor.model_name")
        scores = list(predict(*features))
        if len(scores) != len(rows):
            raise ClarifyConfigError(f"the model returned {len(scores)} predictions for {len(rows)} rows")
        threshold = float((config.get("predictor") or {}).get("probability_threshold", 0.5))
        predicted = [1 if hit else 0 for hit in membership(predicted_labels(scores, threshold=threshold), label_values)]
    facets: dict[str, list[dict[str, Any]]] = {}
    post_facets: dict[str, list[dict[str, Any]]] = {}
    for facet in config["facet"]:
        index = _column(names, facet["name_or_index"], what="facet")
        column = [row[index] for row in rows]
        wanted = facet.get("value_or_threshold")
        # Without value_or_threshold Clarify reports every value of the facet against all others.
        cases = [list(wanted)] if wanted else [[v] for v in dict.fromkeys(column)]
        entries = []
        for case in cases:
            in_facet = membership(column, case)
            metrics = pre_training_metrics(labels, in_facet, groups=groups, methods=methods)
            entries.append({
                "value_or_threshold": ",".join(str(v) for v in case),
                "metrics": [{"name": name, "description": DESCRIPTIONS[name], "value": _json_number(value)}
                            for name, value in metrics.items()],
            })
            if predicted is not None:
                post = post_training_metrics(labels, predicted, in_facet, groups=groups, methods=post_methods)
                post_facets.setdefault(str(facet["name_or_index"]), []).append({
                    "value_or_threshold": ",".join(str(v) for v in case),
                    "metrics": [{"name": name, "description": POST_DESCRIPTIONS[name], "value": _json_number(value)}
                                for name, value in post.items()]})
        facets[str(facet["name_or_index"])] = entries
    label = {"label": str(config["label"]), "label_value_or_threshold": ",".join(str(v) for v in label_values)}
    analysis: dict[str, Any] = {"version": "1.0"}
    if explanations is not None:
        analysis["explanations"] = explanations
    if methods or (predicted is None and explanations is None):   # model analyses alone have no pre-training section
        analysis["pre_training_bias_metrics"] = {**label, "facets": facets}
    if predicted is not None:
        analysis["post_training_bias_metrics"] = {**label, "facets": post_facets}
    return analysis


def _explanations(config: dict[str, Any], predict: Any, features: tuple[list[str], list[list[Any]]]
                  ) -> dict[str, Any] | None:
    """``explanations.kernel_shap`` for ``methods.shap`` (None when not requested): per label, the mean
    absolute SHAP value of each feature and the expected value (the model's bias term)."""
    if (config.get("methods") or {}).get("shap") is None or predict is None:
        return None   # not requested, or no model named: reported as not computed
    contributions = getattr(predict, "contributions", None)
    if contributions is None:
        raise ClarifyConfigError("methods.shap: the local stand-in explains built-in XGBoost models only "
                                 "(TreeSHAP), named in predictor.model_name")
    names, rows = features
    values = contributions(names, rows)
    if not values:
        raise ClarifyConfigError("methods.shap: the dataset has no rows")
    label = ((config.get("predictor") or {}).get("label_headers") or ["label0"])[0]
    global_values = {name: sum(abs(row[i]) for row in values) / len(values) for i, name in enumerate(names)}
    expected = sum(row[-1] for row in values) / len(values)
    return {"kernel_shap": {str(label): {"global_shap_values": global_values, "expected_value": expected}}}


def _json_number(value: float | None) -> float | None:
    # JSON has no infinity; Clarify writes null for a metric it cannot compute.
    if value is None or math.isinf(value) or math.isnan(value):
        return None
    return value


def report_markdown(analysis: dict[str, Any], *, skipped: Sequence[str] = ()) -> str:
    """A short human-readable report of ``analysis`` (the real container writes report.pdf/html/ipynb)."""
    lines = ["# Bias report (local stand-in for SageMaker Clarify)", "",
             "Computed by sagemaker-sfn's local runner, not by the Clarify container: bias metrics only "
             "(post-training ones with the local model's predictions).", ""]
    for key, title in (("pre_training_bias_metrics", "Pre-training"), ("post_training_bias_metrics", "Post-training")):
        section = analysis.get(key)
        if section is None:
            continue
        lines += [f"# {title} bias", "",
                  f"Label: `{section['label']}`, positive outcome: `{section['label_value_or_threshold']}`", ""]
        for facet, entries in section["facets"].items():
            for entry in entries:
                lines += [f"## Facet `{facet}` = `{entry['value_or_threshold']}`", "", "| metric | value |", "|---|---|"]
                for metric in entry["metrics"]:
                    value = "n/a" if metric["value"] is None else f"{metric['value']:.4f}"
                    lines.append(f"| {metric['description']} | {value} |")
                lines.append("")
    for label, entry in ((analysis.get("explanations") or {}).get("kernel_shap") or {}).items():
        lines += [f"# SHAP values, label `{label}` (XGBoost TreeSHAP, mean absolute)", "", "| feature | value |", "|---|---|"]
        ranked = sorted(entry["global_shap_values"].items(), key=lambda item: -item[1])
        lines += [f"| {feature} | {value:.4f} |" for feature, value in ranked] + [""]
    if skipped:
        lines += ["## Not computed locally", ""] + [f"- {name}" for name in skipped] + [""]
    return "\n".join(lines)


def run_analysis(*, config_dir: Path, data_dir: Path, output_dir: Path,
                 predictor: Callable[[dict[str, Any]], Callable[[list[str], list[list[Any]]], Sequence[float]]] | None = None
                 ) -> dict[str, Any]:
    """What the Clarify container does with its mounted inputs: read the config and the dataset,
    write ``analysis.json`` and ``report.md`` to ``output_dir``. Returns the analysis.

    ``config_dir`` holds ``analysis_config.json``; ``data_dir`` the dataset (every file, concatenated
    in name order, as Clarify reads a prefix); ``predictor`` (default none): given the config's
    ``predictor`` section, the ``predict`` function of :func:`analyse` (asked only when post-training
    bias is requested).
    """
    config_path = config_dir / "analysis_config.json"
    if not config_path.is_file():
        candidates = sorted(config_dir.rglob("*.json")) if config_dir.is_dir() else []
        if len(candidates) != 1:
            raise ClarifyConfigError(f"no analysis_config.json in the analysis_config input ({config_dir})")
        config_path = candidates[0]
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ClarifyConfigError(f"analysis_config.json is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    files = sorted(p for p in data_dir.rglob("*") if p.is_file()) if data_dir.is_dir() else []
    if not files:
        raise ClarifyConfigError(f"no dataset files in the dataset input ({data_dir})")
    text = "".join(_with_newline(p.read_text(encoding="utf-8")) for p in files)
    post_methods, not_local = requested_post_methods(config)
    predict = None
    has_model = isinstance(config.get("predictor"), dict) and bool(config["predictor"].get("model_name"))
    if post_methods and not has_model:
        raise ClarifyConfigError("methods.post_training_bias needs a model: name it in predictor.model_name")
    if has_model and (post_methods or (config.get("methods") or {}).get("shap") is not None):
        if predictor is None:
            raise ClarifyConfigError("post-training bias needs the model's predictions, which this run cannot make")
        predict = predictor(config["predictor"])
    analysis = analyse(config, text, predict)
    methods = config.get("methods") or {}
    computed = ("pre_training_bias", "post_training_bias", "report") + (("shap",) if "explanations" in analysis else ())
    skipped = [name for name in methods if name not in computed]
    skipped += [f"post_training_bias: {name}" for name in not_local]
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "analysis.json").write_text(json.dumps(analysis, indent=2) + "\n", encoding="utf-8")
    (output_dir / "report.md").write_text(report_markdown(analysis, skipped=skipped), encoding="utf-8")
    return analysis


def _with_newline(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"
