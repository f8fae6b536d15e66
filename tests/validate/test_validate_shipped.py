"""Whole-corpus checks: the shipped templates validate without errors, and no definition that real
AWS Step Functions accepted and ran (../shared/conformance) gets an error (false positives)."""

import json
from pathlib import Path

import pytest

from sagemaker_sfn.validate import validate_definition

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "asl_templates").glob("*.asl.json"))
# ../shared beside the clone (a git worktree under <checkout>/wt/<name> finds it two levels up).
SHARED = next((p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()), ROOT.parent / "shared")
CONFORMANCE = SHARED / "conformance" / "executions"


def test_templates_exist() -> None:
    assert TEMPLATES, f"no shipped templates under {ROOT / 'asl_templates'}"


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.name for t in TEMPLATES])
def test_shipped_template_has_no_errors(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    errors = [f for f in validate_definition(json.loads(text), source=text) if f.severity == "error"]
    assert errors == []


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="../shared/conformance is not beside this clone")
def test_definitions_accepted_by_aws_have_no_errors() -> None:
    # Every recorded execution ran on AWS, so CreateStateMachine accepted its definition: an error here
    # is a false positive, except a data-flow error on an execution that then FAILED at run time (the
    # data-flow rule predicts run-time failures; the test below counts them).
    files = sorted(CONFORMANCE.glob("*.json"))
    assert len(files) > 100
    false_positives = {}
    for path in files:
        execution = json.loads(path.read_text(encoding="utf-8"))
        failed = execution["expected"]["status"] != "SUCCEEDED"
        errors = [f"{f.location}: {f.message}" for f in validate_definition(execution["definition"])
                  if f.severity == "error" and not (failed and f.rule == "data-flow")]
        if errors:
            false_positives[path.name] = errors
    assert false_positives == {}


SEEDS = SHARED / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this clone")
def test_aws_sample_definitions_only_get_resilience_and_name_warnings() -> None:
    # The AWS documentation's own state machines (seed 001's tuning sample, seed 003's labeling and
    # processing examples): valid ASL written without Retry/Catch, one with a static job name. The
    # request-response createModel ("HyperparameterTuning - Save Model") is not warned about.
    definitions = [json.loads(line) for seed in ("001_d46faa7aa3e8c745.txt", "003_ecaa217325e156f0.txt")
                   for line in (SEEDS / seed).read_text(encoding="utf-8").splitlines()
                   if line.startswith("{") and '"StartAt"' in line]
    assert len(definitions) == 3
    found = sorted({(f.severity, f.rule, f.location) for d in definitions for f in validate_definition(d)})
    assert found == sorted([
        *[("warning", "sagemaker-resilience", f"$.States['{name}']") for name in (
            "HyperparameterTuning (XGBoost)", "Batch transform",
            "SageMaker CreateLabelingJob", "SageMaker CreateProcessingJob Sync")],
        ("warning", "job-names", "$.States['SageMaker CreateLabelingJob'].Parameters.LabelingJobName"),
    ])


def _executions() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CONFORMANCE.glob("*.json"))]


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="../shared/conformance is not beside this clone")
def test_no_data_flow_error_on_any_execution_that_succeeded_on_aws() -> None:
    # Validated with its own input: the input's exact shape is known, so every reference is followed.
    succeeded = [e for e in _executions() if e["expected"]["status"] == "SUCCEEDED"]
    assert len(succeeded) > 600
    false_errors = {}
    for execution in succeeded:
        errors = [f"{f.location}: {f.message}" for f in validate_definition(execution["definition"],
                                                                            example_input=execution["input"])
                  if f.severity == "error"]
        if errors:
            false_errors[execution["name"]] = errors
    assert false_errors == {}


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="../shared/conformance is not beside this clone")
def test_most_executions_that_failed_on_a_missing_path_or_a_wrong_type_are_caught_statically() -> None:
    # States.Runtime (a path with no value, a SecondsPath / MaxConcurrencyPath / TimestampPath value of
    # the wrong type or range) and States.QueryEvaluationError (a JSONata expression returning nothing
    # or the wrong type): 44 recorded executions. The one left is '$fn := function($x){$x}' as Map
    # Items (a function value: nothing short of evaluating JSONata knows it).
    failed = [e for e in _executions() if e["expected"]["status"] == "FAILED"
              and e["expected"].get("error") in ("States.Runtime", "States.QueryEvaluationError")]
    missed = [e["name"] for e in failed
              if not any(f.rule == "data-flow" and f.severity == "error"
                         for f in validate_definition(e["definition"], example_input=e["input"]))]
    assert len(failed) == 44
    assert len(missed) <= 1, missed


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this clone")
def test_aws_sample_definitions_have_no_data_flow_error() -> None:
    definitions = [json.loads(line) for seed in ("001_d46faa7aa3e8c745.txt", "003_ecaa217325e156f0.txt")
                   for line in (SEEDS / seed).read_text(encoding="utf-8").splitlines()
                   if line.startswith("{") and '"StartAt"' in line]
    assert [f for d in definitions for f in validate_definition(d) if f.rule == "data-flow"] == []
    # seed 001 starts from an empty input ({}): still nothing certain fails.
    assert [f for f in validate_definition(definitions[0], example_input={}) if f.rule == "data-flow"] == []
