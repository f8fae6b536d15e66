"""clarify-check states, rendered whole: suggest a baseline analysis.json, or check against one
(AWS's bias-drift rule evaluated in JSONata) and fail on violations."""

import json

import pytest

from sagemaker_sfn.local.interpreter.jsonata_eval import evaluate
from sagemaker_sfn.sagemaker.clarify_check import clarify_check_states

NAME = ("States.Format('bias-{}-{}', States.Hash(States.Format('{}@{}', $$.Execution.Id, $$.State.EnteredTime), "
        "'MD5'), $$.State.RetryCount)")


def _input(name: str, uri: dict, path: str) -> dict:
    return {"InputName": name, "S3Input": {**uri, "LocalPath": path, "S3DataType": "S3Prefix", "S3InputMode": "File",
                                          "S3DataDistributionType": "FullyReplicated", "S3CompressionType": "None"}}


def _job(output: dict, next: str) -> dict:
    return {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync", "Parameters": {
        "AppSpecification": {"ImageUri": "${ClarifyImageUri}"},
        "ProcessingInputs": [_input("analysis_config", {"S3Uri": "s3://b/config.json"}, "/opt/ml/processing/input/config"),
                             _input("dataset", {"S3Uri.$": "$.data"}, "/opt/ml/processing/input/data")],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "analysis_result", "S3Output": {
            **output, "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}},
        "NetworkConfig": {"EnableNetworkIsolation": False}, "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "RoleArn": "${SageMakerRoleArn}", "ProcessingJobName.$": NAME,
        "Tags": [{"Key": "sfn:execution-arn", "Value.$": "$$.Execution.Id"}]},
        "ResultPath": "$.Bias.Job", "Next": next}


def test_suggest_only_runs_clarify_and_records_the_calculated_baseline() -> None:
    states = clarify_check_states(name="Bias", pipeline="p", analysis_config="s3://b/config.json", dataset="$.data",
                                  result_key="Bias", output="s3://b/out/", retry=None, next="Next")
    assert states == {
        "Bias": _job({"S3Uri": "s3://b/out/"}, "Bias: baselines"),
        "Bias: baselines": {"Type": "Pass", "Parameters": {
            "CalculatedBaselineConstraints": "s3://b/out/analysis.json",
            "BaselineUsedForDriftCheckConstraints": "s3://b/out/analysis.json", "ConfigFile": "s3://b/config.json"},
            "ResultPath": "$.Bias.Baselines", "Next": "Next"}}


def _read(field: str, assign: dict, next: str) -> dict:
    uri = f"$states.input.`Bias`.`Baselines`.{field}"
    return {"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Arguments": {"Bucket": f"{{% $substringBefore($substringAfter({uri}, 's3://'), '/') %}}",
                          "Key": f"{{% $substringAfter($substringAfter({uri}, 's3://'), '/') %}}"},
            "Assign": assign, "Output": "{% $states.input %}", "Next": next}


def test_check_against_a_baseline_reads_both_analyses_and_fails_on_violations() -> None:
    states = clarify_check_states(name="Bias", pipeline="p", analysis_config="s3://b/config.json", dataset="$.data",
                                  result_key="Bias", baseline="$.Base", retry=None)
    violations = states["Bias: read baseline"]["Assign"]["clarify_Bias_violations"]
    assert states == {
        "Bias": _job({"S3Uri.$": "States.Format('s3://${DataBucket}/p/{}/Bias', $$.Execution.Name)"}, "Bias: baselines"),
        "Bias: baselines": {"Type": "Pass", "Parameters": {
            "CalculatedBaselineConstraints.$": "States.Format('s3://${DataBucket}/p/{}/Bias/analysis.json', "
                                               "$$.Execution.Name)",
            "BaselineUsedForDriftCheckConstraints.$": "$.Base", "ConfigFile": "s3://b/config.json"},
            "ResultPath": "$.Bias.Baselines", "Next": "Bias: read analysis"},
        "Bias: read analysis": _read("CalculatedBaselineConstraints",
                                     {"clarify_Bias_analysis": "{% $parse($states.result.Body) %}"}, "Bias: read baseline"),
        "Bias: read baseline": _read("BaselineUsedForDriftCheckConstraints", {"clarify_Bias_violations": violations},
                                     "Bias: violations?"),
        "Bias: violations?": {"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [
            {"Condition": "{% $count($clarify_Bias_violations) > 0 %}", "Next": "Bias: violations found"}],
            "Default": "Bias: passed"},
        "Bias: passed": {"Type": "Pass", "End": True},
        "Bias: violations found": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": (
            "{% $merge([$states.input, {'error': {'Error': 'ClarifyCheck.ViolationsFound', 'Cause': 'Clarify check ' & "
            "\"'Bias'\" & ' found violations of the baseline: ' & $join($clarify_Bias_violations.(facet & '=' & "
            "facet_value & ' ' & metric_name & ': ' & description), '; ')}}]) %}"), "Next": "Bias: failed"},
        "Bias: failed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}}


def _analysis(**metrics: float | None) -> dict:
    return {"version": "1.0", "pre_training_bias_metrics": {"label": "y", "label_value_or_threshold": "1", "facets": {
        "sex": [{"value_or_threshold": "F", "metrics": [{"name": n, "description": n, "value": v}
                                                         for n, v in metrics.items()]}]}}}


@pytest.mark.parametrize("baseline, now, flagged", [
    # AWS's example (clarify-model-monitor-bias-drift-violations.html): baseline DPPL 0.2, 0.1 passes, -0.3 does not.
    ({"DPL": 0.2}, {"DPL": 0.1}, []),
    ({"DPL": 0.2}, {"DPL": -0.3}, ["DPL"]),
    ({"CI": -0.1, "DPL": 0.2}, {"CI": 0.1, "DPL": 0.25}, ["DPL"]),   # equally far from 0 is no violation
    ({"KL": None, "CI": 0.0}, {"KL": 5.0, "CI": None}, []),          # null on either side is not compared
])
def test_the_violation_rule_is_distance_from_zero(baseline: dict, now: dict, flagged: list) -> None:
    states = clarify_check_states(name="Bias", pipeline="p", analysis_config="s3://b/c", dataset="s3://b/d",
                                  result_key="Bias", baseline="s3://b/a.json", skip_check=False, on_failure="Notify")
    assert "Bias: failed" not in states and states["Bias: violations found"]["Next"] == "Notify"
    expression = states["Bias: read baseline"]["Assign"]["clarify_Bias_violations"][2:-2]
    found = evaluate(expression, field="Assign", bindings={
        "states": {"input": {}, "result": {"Body": json.dumps(_analysis(**baseline))}},
        "clarify_Bias_analysis": _analysis(**now)})
    assert [v["metric_name"] for v in found] == flagged
    assert all(v["constraint_check_type"] == "bias_drift_check" and v["facet"] == "sex" and v["facet_value"] == "F"
               for v in found)


def test_model_bias_renders_the_same_states_comparing_the_post_training_section() -> None:
    options = dict(name="Bias", pipeline="p", analysis_config="s3://b/config.json", dataset="$.data",
                   result_key="Bias", baseline="$.Base", retry=None)
    data, model = clarify_check_states(**options), clarify_check_states(check="model-bias", **options)
    rule = "clarify_Bias_violations"
    data_rule = data["Bias: read baseline"]["Assign"].pop(rule)
    model_rule = model["Bias: read baseline"]["Assign"].pop(rule)
    assert model == data   # the same job (the model is the analysis config's predictor) and states
    assert model_rule == data_rule.replace("['pre_training_bias_metrics']", "['post_training_bias_metrics']")
    # Both sections in both files (a config asking for both): only the post-training one is compared.
    both = {"version": "1.0", **{key: section for key, section in (
        ("pre_training_bias_metrics", _analysis(CI=0.9)["pre_training_bias_metrics"]),
        ("post_training_bias_metrics", _analysis(DPPL=-0.3, DI=0.5)["pre_training_bias_metrics"]))}}
    base = {"version": "1.0", "pre_training_bias_metrics": _analysis(CI=0.1)["pre_training_bias_metrics"],
            "post_training_bias_metrics": _analysis(DPPL=0.2, DI=0.5)["pre_training_bias_metrics"]}
    found = evaluate(model_rule[2:-2], field="Assign", bindings={
        "states": {"input": {}, "result": {"Body": json.dumps(base)}}, "clarify_Bias_analysis": both})
    assert [v["metric_name"] for v in found] == ["DPPL"]


def test_skip_check_records_the_supplied_baseline_without_reading_it() -> None:
    states = clarify_check_states(name="Bias", pipeline="p", analysis_config="s3://b/c", dataset="s3://b/d",
                                  result_key="Bias", baseline="s3://b/a.json", skip_check=True, retry=None)
    assert list(states) == ["Bias", "Bias: baselines"]
    assert states["Bias: baselines"]["Parameters"]["BaselineUsedForDriftCheckConstraints"] == "s3://b/a.json"
    assert states["Bias: baselines"]["End"] is True


@pytest.mark.parametrize("options, message", [
    ({"check": "model-fairness"}, "check must be one of data-bias, model-bias, model-explainability"),
    ({"baseline": ""}, "baseline must be the S3 URI"),
])
def test_bad_options_are_refused(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clarify_check_states(name="Bias", pipeline="p", analysis_config="s3://b/c", dataset="s3://b/d",
                             result_key="Bias", **options)


def test_a_long_step_name_gives_short_distinct_variables() -> None:
    def variables(name: str) -> set[str]:
        states = clarify_check_states(name=name, pipeline="p", analysis_config="s3://b/c", dataset="s3://b/d",
                                      result_key="R", baseline="s3://b/a.json")
        return set(states[f"{name}: read analysis"]["Assign"]) | set(states[f"{name}: read baseline"]["Assign"])

    first, second = variables("Check " + "x" * 60 + " one"), variables("Check " + "x" * 60 + " two")
    assert all(len(v) <= 60 and v.startswith("clarify_Check_xxx") for v in first | second)
    assert first.isdisjoint(second)


def test_a_model_given_writes_this_executions_analysis_config_first() -> None:
    states = clarify_check_states(name="Bias", pipeline="p", analysis_config="s3://b/config.json", dataset="$.data",
                                  result_key="Bias", check="model-bias", model="$.Model.Name", retry=None,
                                  catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Notify"}],
                                  on_failure="Notify", next="Next")
    predictor = "$states.input.`Bias`.`Predictor`"
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Notify",
              "Output": "{% $merge([$states.input, {'error': $states.errorOutput}]) %}"}]
    config = "$parse($states.result.Body)"
    assert list(states)[:4] == ["Bias", "Bias: read analysis config", "Bias: write analysis config", "Bias: analyse"]
    assert states["Bias"] == {"Type": "Pass", "Parameters": {
        "ModelName.$": "$.Model.Name", "AnalysisConfig": "s3://b/config.json",
        "UsedAnalysisConfig.$": "States.Format('s3://${DataBucket}/tmp/p/{}/Bias/analysis_config.json', $$.Execution.Name)"},
        "ResultPath": "$.Bias.Predictor", "Next": "Bias: read analysis config"}
    assert states["Bias: read analysis config"] == {
        "Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
        "Arguments": {"Bucket": f"{{% $substringBefore($substringAfter({predictor}.AnalysisConfig, 's3://'), '/') %}}",
                      "Key": f"{{% $substringAfter($substringAfter({predictor}.AnalysisConfig, 's3://'), '/') %}}"},
        "Assign": {"clarify_Bias_config": f"{{% $merge([{config}, {{'predictor': $merge([{{}}, {config}.predictor, "
                                          f"{{'model_name': {predictor}.ModelName}}])}}]) %}}"},
        "Output": "{% $states.input %}", "Next": "Bias: write analysis config", "Catch": catch}
    uri = f"{predictor}.UsedAnalysisConfig"
    assert states["Bias: write analysis config"] == {
        "Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
        "Arguments": {"Bucket": f"{{% $substringBefore($substringAfter({uri}, 's3://'), '/') %}}",
                      "Key": f"{{% $substringAfter($substringAfter({uri}, 's3://'), '/') %}}",
                      "Body": "{% $string($clarify_Bias_config) %}", "ContentType": "application/json"},
        "Output": "{% $states.input %}", "Next": "Bias: analyse", "Catch": catch}
    job = states["Bias: analyse"]["Parameters"]
    assert job["ProcessingInputs"][0]["S3Input"]["S3Uri.$"] == "$.Bias.Predictor.UsedAnalysisConfig"
    assert states["Bias: baselines"]["Parameters"]["ConfigFile.$"] == "$.Bias.Predictor.UsedAnalysisConfig"
    # The merge keeps the config's predictor fields and sets model_name (a config without one gets it too).
    for given in ({"label": "y", "predictor": {"model_name": "old", "instance_type": "ml.m5.xlarge"}}, {"label": "y"}):
        merged = evaluate(states["Bias: read analysis config"]["Assign"]["clarify_Bias_config"][2:-2], field="Assign",
                          bindings={"states": {"input": {"Bias": {"Predictor": {"ModelName": "m-1"}}},
                                               "result": {"Body": json.dumps(given)}}})
        assert merged == {**given, "predictor": {**given.get("predictor", {}), "model_name": "m-1"}}


@pytest.mark.parametrize("options, message", [
    ({"model": "m"}, "model names the model of a model-bias or model-explainability check"),
    ({"check": "model-bias", "model": "m",
      "catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.a.b", "Next": "N"}]}, "a catcher's ResultPath"),
])
def test_model_option_errors(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clarify_check_states(name="Bias", pipeline="p", analysis_config="s3://b/c", dataset="s3://b/d",
                             result_key="Bias", **options)


def _shap(values: dict) -> dict:
    return {"version": "1.0", "explanations": {"kernel_shap": {"label0": {"global_shap_values": values,
                                                                          "expected_value": 0.1}}}}


def _ndcg(baseline: dict, now: dict) -> float:
    """scikit-learn's ndcg_score([baseline], [now]) written out (no ties): gains are the baseline's values."""
    import math

    def dcg(order: list) -> float:
        return sum(baseline[f] / math.log2(i + 2) for i, f in enumerate(order))
    return dcg(sorted(baseline, key=lambda f: -now[f])) / dcg(sorted(baseline, key=lambda f: -baseline[f]))


@pytest.mark.parametrize("now, flagged", [
    ({"a": 0.5, "b": 0.3, "c": 0.1, "d": 0.05}, False),    # same ranking: nDCG 1
    ({"a": 0.3, "b": 0.5, "c": 0.1, "d": 0.05}, False),    # the top two swapped: nDCG about 0.92
    ({"a": 0.01, "b": 0.02, "c": 0.1, "d": 0.5}, True),    # reversed: nDCG about 0.62, below 0.9
])
def test_model_explainability_is_checked_by_the_ndcg_of_global_shap_values(now: dict, flagged: bool) -> None:
    baseline = {"a": 0.6, "b": 0.4, "c": 0.1, "d": 0.05}
    states = clarify_check_states(name="Bias", pipeline="p", analysis_config="s3://b/c", dataset="s3://b/d",
                                  result_key="Bias", baseline="s3://b/a.json", check="model-explainability")
    expression = states["Bias: read baseline"]["Assign"]["clarify_Bias_violations"][2:-2]
    found = evaluate(expression, field="Assign", bindings={
        "states": {"input": {}, "result": {"Body": json.dumps(_shap(baseline))}}, "clarify_Bias_analysis": _shap(now)})
    score = _ndcg(baseline, now)
    assert (score < 0.9) == flagged
    if not flagged:
        assert found == []
        return
    assert found == [{"label": "label0", "metric_name": "shap", "constraint_check_type": "feature_attribution_drift_check",
                      "description": f"nDCG {round(score, 4)} of the global SHAP values is below 0.9"}]
    assert "$join($clarify_Bias_violations.(label & ' ' & metric_name & ': ' & description), '; ')" in (
        states["Bias: violations found"]["Output"])
