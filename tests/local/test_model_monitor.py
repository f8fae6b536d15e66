"""The local stand-in for Model Monitor's analyzer: the file formats and each check it runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_sfn.local.sagemaker import model_monitor

CSV = {"csv": {"header": True}}


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.csv").write_text(text)
    return folder


def _baseline(tmp_path: Path) -> Path:
    rows = "\n".join(f"{'F' if i % 2 else 'M'},{i % 10},{i * 0.5}" for i in range(100))
    out = tmp_path / "baseline"
    assert model_monitor.run_analysis(dataset_dir=_write(tmp_path / "base", "sex,rings,size\n" + rows + "\n"),
                                      output_dir=out, dataset_format=CSV) is None
    return out


def test_statistics_and_suggested_constraints_have_the_analyzers_shape(tmp_path: Path) -> None:
    out = _baseline(tmp_path)
    stats = json.loads((out / "statistics.json").read_text())
    assert stats["version"] == 0.0 and stats["dataset"] == {"item_count": 100}
    sex, rings, size = stats["features"]
    assert (sex["name"], sex["inferred_type"], rings["inferred_type"], size["inferred_type"]) == (
        "sex", "String", "Integral", "Fractional")
    assert sex["string_statistics"]["common"] == {"num_present": 100, "num_missing": 0}
    assert sex["string_statistics"]["distribution"]["categorical"]["buckets"] == [
        {"value": "F", "count": 50}, {"value": "M", "count": 50}]
    numbers = rings["numerical_statistics"]
    assert (numbers["min"], numbers["max"], numbers["mean"], numbers["sum"]) == (0, 9, 4.5, 450)
    assert sum(b["count"] for b in numbers["distribution"]["kll"]["buckets"]) == 100
    constraints = json.loads((out / "constraints.json").read_text())
    assert constraints["features"][0] == {"name": "sex", "inferred_type": "String", "completeness": 1.0,
                                          "string_constraints": {"domains": ["F", "M"]}}
    assert constraints["features"][1]["num_constraints"] == {"is_non_negative": True}
    assert constraints["monitoring_config"]["distribution_constraints"]["comparison_threshold"] == 0.1
    assert not (out / "constraint_violations.json").exists()


def test_the_same_data_checks_clean(tmp_path: Path) -> None:
    base = _baseline(tmp_path)
    out = tmp_path / "check"
    count = model_monitor.run_analysis(dataset_dir=tmp_path / "base", output_dir=out, dataset_format=CSV,
                                       baseline_statistics=base / "statistics.json",
                                       baseline_constraints=base / "constraints.json")
    assert count == 0 and json.loads((out / "constraint_violations.json").read_text()) == {"violations": []}


def test_each_check_reports_its_violation(tmp_path: Path) -> None:
    base = _baseline(tmp_path)
    rows = "\n".join(f"{'X' if i % 2 else 'M'},{'' if i < 10 else 'ten'},{i * 5.0},1" for i in range(100))
    drifted = _write(tmp_path / "drifted", "sex,rings,size,extra\n" + rows + "\n")
    out = tmp_path / "check"
    count = model_monitor.run_analysis(dataset_dir=drifted, output_dir=out, dataset_format=CSV,
                                       baseline_statistics=base / "statistics.json",
                                       baseline_constraints=base / "constraints.json")
    found = json.loads((out / "constraint_violations.json").read_text())["violations"]
    assert count == len(found)
    assert {(v["feature_name"], v["constraint_check_type"]) for v in found} == {
        ("extra", "extra_column_check"), ("sex", "categorical_values_check"), ("rings", "data_type_check"),
        ("rings", "completeness_check"), ("size", "baseline_drift_check")}


def test_no_header_names_columns_like_the_analyzer(tmp_path: Path) -> None:
    model_monitor.run_analysis(dataset_dir=_write(tmp_path / "d", "1,a\n2,b\n"), output_dir=tmp_path / "o",
                               dataset_format={"csv": {"header": False}})
    stats = json.loads((tmp_path / "o" / "statistics.json").read_text())
    assert [f["name"] for f in stats["features"]] == ["_c0", "_c1"]


def test_unsupported_format_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(model_monitor.AnalyzerError, match="is not supported locally"):
        model_monitor.run_analysis(dataset_dir=_write(tmp_path / "d", "1\n"), output_dir=tmp_path / "o",
                                   dataset_format={"json": {"lines": True}})


def test_an_unreadable_baseline_is_an_analyzer_error_naming_it(tmp_path: Path) -> None:
    base = _baseline(tmp_path)
    (base / "constraints.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(model_monitor.AnalyzerError, match="cannot read the baseline: "):
        model_monitor.run_analysis(dataset_dir=tmp_path / "base", output_dir=tmp_path / "check", dataset_format=CSV,
                                   baseline_statistics=base / "statistics.json",
                                   baseline_constraints=base / "constraints.json")
    with pytest.raises(model_monitor.AnalyzerError, match="cannot read the baseline: .*missing.json"):
        model_monitor.run_analysis(dataset_dir=tmp_path / "base", output_dir=tmp_path / "check", dataset_format=CSV,
                                   baseline_statistics=tmp_path / "missing.json",
                                   baseline_constraints=base / "statistics.json")
