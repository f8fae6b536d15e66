"""A local **stand-in** for SageMaker Model Monitor's analyzer container (data quality): it writes
the same files in the same formats, computed with the standard library, not with Deequ/Spark.

The container's contract (processing job Environment, https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-byoc-contract-inputs.html
and model-monitor-interpreting-*.html):

- ``dataset_source``: the folder of CSV files; ``dataset_format``: ``{"csv": {"header": true}}``
  (without a header the columns are ``_c0``, ``_c1``, ... as the container names them);
- ``output_path``: where ``statistics.json`` and ``constraints.json`` (the suggested baseline) go;
- ``baseline_statistics`` / ``baseline_constraints`` (optional): files to check against; then
  ``constraint_violations.json`` is written too and a job with violations completes with the
  exit message ``CompletedWithViolations: Job completed successfully with <n> violations.``

What differs from the real container: the numerical distributions are 10 equal-width buckets (no
KLL sketch), the drift distance is the largest CDF difference over the baseline's buckets, and only
these checks run: missing_column_check, extra_column_check, data_type_check, completeness_check,
baseline_drift_check, categorical_values_check.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

BUCKETS = 10
MAX_DOMAIN = 20   # a string column with at most this many distinct values gets a domain constraint
MONITORING_CONFIG = {
    "evaluate_constraints": "Enabled", "emit_metrics": "Enabled", "datatype_check_threshold": 1.0,
    "domain_content_threshold": 1.0,
    "distribution_constraints": {"perform_comparison": "Enabled", "comparison_threshold": 0.1,
                                 "comparison_method": "Robust"},
}


class AnalyzerError(ValueError):
    """Bad input for the analyzer: the job fails with this as its reason."""


def read_dataset(folder: Path, *, dataset_format: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    options = dataset_format.get("csv") if isinstance(dataset_format, dict) else None
    if options is None:
        raise AnalyzerError(f"dataset_format {json.dumps(dataset_format)} is not supported locally: expected "
                            '{"csv": {"header": true|false}}')
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if not files:
        raise AnalyzerError(f"no dataset files in {folder}")
    header: list[str] | None = None
    rows: list[list[str]] = []
    for path in files:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            if options.get("header"):
                first = next(reader, None)
                if first is None:
                    continue
                header = header or first
            rows.extend(row for row in reader if row)
    if header is None:
        width = max((len(r) for r in rows), default=0)
        header = [f"_c{i}" for i in range(width)]
    return header, rows


def _type(values: list[str]) -> str:
    present = [v for v in values if v != ""]
    if not present:
        return "Unknown"
    try:
        for value in present:
            int(value)
        return "Integral"
    except ValueError:
        pass
    try:
        for value in present:
            float(value)
        return "Fractional"
    except ValueError:
        return "String"


def _numbers(values: list[str]) -> list[float]:
    out = []
    for value in values:
        try:
            out.append(float(value))
        except ValueError:
            continue
    return out


def feature_statistics(name: str, values: list[str]) -> dict[str, Any]:
    kind = _type(values)
    present = [v for v in values if v != ""]
    common = {"num_present": len(present), "num_missing": len(values) - len(present)}
    feature: dict[str, Any] = {"name": name, "inferred_type": kind}
    if kind in ("Integral", "Fractional"):
        numbers = _numbers(present)
        low, high = min(numbers), max(numbers)
        mean = sum(numbers) / len(numbers)
        std = math.sqrt(sum((x - mean) ** 2 for x in numbers) / len(numbers))
        width = (high - low) / BUCKETS or 1.0
        counts = [0] * BUCKETS
        for x in numbers:
            counts[min(int((x - low) / width), BUCKETS - 1)] += 1
        buckets = [{"lower_bound": low + i * width, "upper_bound": low + (i + 1) * width, "count": c}
                   for i, c in enumerate(counts)]
        feature["numerical_statistics"] = {"common": common, "mean": mean, "sum": sum(numbers), "std_dev": std,
                                           "min": low, "max": high, "distribution": {"kll": {"buckets": buckets}}}
    else:
        counts_by_value: dict[str, int] = {}
        for value in present:
            counts_by_value[value] = counts_by_value.get(value, 0) + 1
        feature["string_statistics"] = {
            "common": common, "distinct_count": len(counts_by_value),
            "distribution": {"categorical": {"buckets": [{"value": v, "count": c}
                                                         for v, c in sorted(counts_by_value.items())]}}}
    return feature


def statistics(header: list[str], rows: list[list[str]]) -> dict[str, Any]:
    columns = {name: [row[i] if i < len(row) else "" for row in rows] for i, name in enumerate(header)}
    return {"version": 0.0, "dataset": {"item_count": len(rows)},
            "features": [feature_statistics(name, values) for name, values in columns.items()]}


def suggest_constraints(stats: dict[str, Any]) -> dict[str, Any]:
    features = []
    for feature in stats["features"]:
        block = feature.get("numerical_statistics") or feature.get("string_statistics") or {}
        common = block.get("common", {})
        total = common.get("num_present", 0) + common.get("num_missing", 0)
        constraint: dict[str, Any] = {"name": feature["name"], "inferred_type": feature["inferred_type"],
                                      "completeness": (common.get("num_present", 0) / total) if total else 0.0}
        if "numerical_statistics" in feature:
            constraint["num_constraints"] = {"is_non_negative": feature["numerical_statistics"]["min"] >= 0}
        elif "string_statistics" in feature and feature["string_statistics"]["distinct_count"] <= MAX_DOMAIN:
            constraint["string_constraints"] = {"domains": [b["value"] for b in feature["string_statistics"]
                                                            ["distribution"]["categorical"]["buckets"]]}
        features.append(constraint)
    return {"version": 0.0, "features": features, "monitoring_config": MONITORING_CONFIG}


def _cdf_distance(baseline: dict[str, Any], current: list[float]) -> float:
    """Largest |CDF_baseline - CDF_current| at the baseline's bucket edges (buckets hold
    [lower, upper), the last one its upper bound too, as :func:`feature_statistics` fills them)."""
    buckets = baseline["distribution"]["kll"]["buckets"]
    total = sum(b["count"] for b in buckets) or 1
    seen = 0
    distance = 0.0
    for index, bucket in enumerate(buckets):
        seen += bucket["count"]
        edge = bucket["upper_bound"]
        last = index == len(buckets) - 1
        below = sum(1 for x in current if (x <= edge if last else x < edge))
        distance = max(distance, abs(seen / total - below / (len(current) or 1)))
    return distance


def violations(*, stats: dict[str, Any], header: list[str], rows: list[list[str]], baseline_stats: dict[str, Any],
               baseline_constraints: dict[str, Any]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    current = {f["name"]: f for f in stats["features"]}
    expected = {f["name"]: f for f in baseline_constraints.get("features", [])}
    base_stats = {f["name"]: f for f in baseline_stats.get("features", [])}
    config = {**MONITORING_CONFIG, **(baseline_constraints.get("monitoring_config") or {})}
    threshold = float((config.get("distribution_constraints") or {}).get("comparison_threshold", 0.1))
    columns = {name: [row[i] if i < len(row) else "" for row in rows] for i, name in enumerate(header)}

    def add(name: str, check: str, description: str) -> None:
        found.append({"feature_name": name, "constraint_check_type": check, "description": description})

    for name in expected:
        if name not in current:
            add(name, "missing_column_check", f"There are missing columns in current dataset: {name}")
    for name in current:
        if name not in expected:
            add(name, "extra_column_check", f"There are extra columns in current dataset: {name}")
    for name, constraint in expected.items():
        feature = current.get(name)
        if feature is None:
            continue
        want, got = constraint.get("inferred_type"), feature["inferred_type"]
        numeric = {"Integral", "Fractional"}
        if want != got and not (want == "Fractional" and got == "Integral") and got != "Unknown":
            add(name, "data_type_check", f"Data type match requirement is not met. Expected data type: {want}, "
                f"Found data type: {got}")
        block = feature.get("numerical_statistics") or feature.get("string_statistics") or {}
        common = block.get("common", {})
        total = common.get("num_present", 0) + common.get("num_missing", 0)
        completeness = common.get("num_present", 0) / total if total else 0.0
        if "completeness" in constraint and completeness < float(constraint["completeness"]):
            add(name, "completeness_check", f"Data completeness requirement is not met. Expected completeness: "
                f"{constraint['completeness']}, Found completeness: {completeness}")
        domains = (constraint.get("string_constraints") or {}).get("domains")
        if domains is not None and got == "String":
            values = [v for v in columns[name] if v != ""]
            outside = sum(1 for v in values if v not in domains) / (len(values) or 1)
            if outside > 1 - float(config.get("domain_content_threshold", 1.0)):
                add(name, "categorical_values_check", f"Data content requirement is not met. Fraction of values "
                    f"outside the baseline domain: {outside:.4f}")
        base = base_stats.get(name, {}).get("numerical_statistics")
        if base and got in numeric and (config.get("distribution_constraints") or {}).get("perform_comparison",
                                                                                            "Enabled") == "Enabled":
            distance = _cdf_distance(base, _numbers(columns[name]))
            if distance > threshold:
                add(name, "baseline_drift_check", f"Baseline drift distance: {distance:.4f} exceeds threshold: "
                    f"{threshold}")
    return found


def run_analysis(*, dataset_dir: Path, output_dir: Path, dataset_format: dict[str, Any],
                 baseline_statistics: Path | None = None, baseline_constraints: Path | None = None) -> int | None:
    """Write statistics.json and constraints.json (and constraint_violations.json when checking);
    returns the number of violations (None without a baseline)."""
    header, rows = read_dataset(dataset_dir, dataset_format=dataset_format)
    stats = statistics(header, rows)
    write_results(output_dir, stats=stats, constraints=suggest_constraints(stats))
    if baseline_constraints is None:
        return None
    base_constraints = read_baseline(baseline_constraints, what="baseline")
    base_stats = read_baseline(baseline_statistics, what="baseline") if baseline_statistics else {}
    return write_violations(output_dir, violations(stats=stats, header=header, rows=rows, baseline_stats=base_stats,
                                                   baseline_constraints=base_constraints))


def write_results(output_dir: Path, *, stats: dict[str, Any], constraints: dict[str, Any]) -> None:
    """statistics.json and constraints.json, as both monitors' containers write them."""
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "statistics.json").write_text(json.dumps(stats, indent=2), encoding="utf-8")
    (output_dir / "constraints.json").write_text(json.dumps(constraints, indent=2), encoding="utf-8")


def read_baseline(path: Path, *, what: str) -> Any:
    """A baseline JSON file; AnalyzerError naming ``what`` when it cannot be read or parsed."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AnalyzerError(f"cannot read the {what}: {exc}") from None


def write_violations(output_dir: Path, found: list[dict[str, Any]]) -> int:
    """constraint_violations.json; returns how many violations it holds."""
    (output_dir / "constraint_violations.json").write_text(json.dumps({"violations": found}, indent=2),
                                                           encoding="utf-8")
    return len(found)
