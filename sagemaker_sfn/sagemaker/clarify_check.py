"""Bias and explainability checks (SageMaker Pipelines' ClarifyCheck step: DataBiasCheckConfig,
ModelBiasCheckConfig, ModelExplainabilityCheckConfig) as a SageMaker Clarify
processing job: suggest a baseline, or check the analysis against a supplied one and fail on violations.

The job is the Clarify analysis of :mod:`sagemaker_sfn.sagemaker.clarify` (seed 002: inputs
``analysis_config`` and ``dataset``, output ``analysis_result``), which writes ``analysis.json``.
The Clarify container itself does not compare with a baseline (in SageMaker Pipelines the service
does, against ``SuppliedBaselineConstraints``), so the comparison is made in the state machine with
the rule of AWS's "Bias drift violations" page
(https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-model-monitor-bias-drift-violations.html):
"If the value of a bias metric in analysis.json is worse than its corresponding value in the
baseline constraints file, a violation is recorded" — worse meaning farther from 0; each violation
is recorded as that page's ``constraint_violations.json`` entry (``facet``, ``facet_value``,
``metric_name``, ``constraint_check_type`` ``bias_drift_check``, ``description``).

States (the first named after the step):

0. with ``model`` (model-bias: the model's name, usually a path to the name an earlier ``model`` step
   made), three states first, so Clarify's ``predictor.model_name`` names this execution's model:
   ``<name>`` (Pass: ``$.<key>.Predictor`` = ``{ModelName, AnalysisConfig}``), ``<name>: read
   analysis config`` (aws-sdk:s3:getObject, JSONata: the config with ``predictor.model_name`` set, in
   the variable ``clarify_<step>_config``) and ``<name>: write analysis config`` (aws-sdk:s3:putObject:
   it to ``s3://${DataBucket}/tmp/<pipeline>/<execution>/<step>/analysis_config.json``, the config the
   job reads); the job is then ``<name>: analyse``;
1. ``<name>`` (createProcessingJob.sync): the Describe response at ``$.<key>.Job``;
2. ``<name>: baselines`` (Pass): ``$.<key>.Baselines`` = ``{CalculatedBaselineConstraints,
   BaselineUsedForDriftCheckConstraints, ConfigFile}`` S3 URIs (the properties SageMaker's
   ClarifyCheckStep exposes; the drift-check one is the supplied baseline when checking, else the
   calculated analysis): what a register-model step puts in ``DriftCheckBaselines.Bias``
   (``PreTrainingConstraints`` and ``ConfigFile``);

and, when checking (a baseline and not ``skip_check``), JSONata states (JSONPath cannot compare lists):

3. ``<name>: read analysis`` (aws-sdk:s3:getObject): the new ``analysis.json``, parsed into the
   variable ``clarify_<step>_analysis``;
4. ``<name>: read baseline`` (aws-sdk:s3:getObject): the baseline ``analysis.json``, compared with the
   new one; the violations in the variable ``clarify_<step>_violations``;
5. ``<name>: violations?`` (Choice): violations -> ``found``;
   none -> the step's next state (or ``<name>: passed``, a Pass that ends, when the step is last);
6. ``<name>: violations found`` (Pass): ``$.error`` = ``{"Error": "ClarifyCheck.ViolationsFound",
   "Cause": ...}`` naming every violation, then the step's failure path (or a Fail state with that error).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from sagemaker_sfn.asl.paths import fmt, is_dynamic_value
from sagemaker_sfn.asl.policies import DEFAULT
from sagemaker_sfn.asl.states import State, pass_
from sagemaker_sfn.sagemaker.clarify import clarify_request
from sagemaker_sfn.sagemaker.create_processing_job import processing_step

IMAGE = "${ClarifyImageUri}"
VIOLATIONS_ERROR = "ClarifyCheck.ViolationsFound"
# The check -> the section of analysis.json whose metrics are compared (Clarify's layout: facet ->
# [{value_or_threshold, metrics: [{name, description, value}]}]): SageMaker's DataBiasCheckConfig
# (pre-training bias) and ModelBiasCheckConfig (post-training bias, the model named in the analysis
# config's predictor.model_name, which Clarify serves on a shadow endpoint).
CHECKS = {"data-bias": "pre_training_bias_metrics", "model-bias": "post_training_bias_metrics",
          "model-explainability": "explanations"}
# Feature attribution drift (ModelExplainabilityCheckConfig), AWS's rule
# (https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-model-monitor-model-attribution-drift-violations.html):
# "For each label in the explanations section, the monitoring jobs calculate the nDCG score of its
# global SHAP values in the baseline constraints file and in the job analysis results file
# (analysis.json). If the score is less than 0.9, then a violation is logged" (label, metric_name
# shap, constraint_check_type feature_attribution_drift_check). nDCG as scikit-learn's ndcg_score,
# which the page links: the baseline's values are the relevances, the features ranked by the new
# values, discount 1/log2(rank + 1). JSONata has no logarithm: log2 is computed by repeated squaring.
NDCG_THRESHOLD = 0.9
_ATTRIBUTION_VIOLATIONS = """(
  $new := {new};
  $base := {base};
  $frac := function($y, $bit, $n) {{ $n = 0 ? 0 : ($z := $y * $y; $z >= 2 ? $bit + $frac($z / 2, $bit / 2, $n - 1)
                                                              : $frac($z, $bit / 2, $n - 1)) }};
  $log2 := function($x) {{ $x >= 2 ? 1 + $log2($x / 2) : $frac($x, 0.5, 40) }};
  $dcg := function($order, $gains) {{ $sum($map($order, function($f, $i) {{ $lookup($gains, $f) / $log2($i + 2) }})) }};
  [$keys($base.explanations.kernel_shap).(
    $label := $;
    $b := $lookup($base.explanations.kernel_shap, $label).global_shap_values;
    $n := $lookup($new.explanations.kernel_shap, $label).global_shap_values;
    $value := function($f) {{ ($v := $lookup($n, $f); $type($v) = 'number' ? $v : 0) }};
    $features := $keys($b);
    $byNew := $sort($features, function($x, $y) {{ $value($x) < $value($y) }});
    $byBase := $sort($features, function($x, $y) {{ $lookup($b, $x) < $lookup($b, $y) }});
    $ideal := $dcg($byBase, $b);
    $score := $ideal = 0 ? 1 : $dcg($byNew, $b) / $ideal;
    $score < {threshold} ? {{
      'label': $label, 'metric_name': 'shap', 'constraint_check_type': 'feature_attribution_drift_check',
      'description': 'nDCG ' & $string($round($score, 4)) & ' of the global SHAP values is below {threshold}'
    }}
  )]
)"""
GET_OBJECT = "arn:aws:states:::aws-sdk:s3:getObject"
PUT_OBJECT = "arn:aws:states:::aws-sdk:s3:putObject"

# One violation per baseline metric whose value in the new analysis is farther from 0 (AWS page above).
# A metric the baseline has but the new analysis lacks (or has as null) is not compared.
_VIOLATIONS = """(
  $new := {new};
  $base := {base};
  [{sections}.(
    $section := $;
    $newFacets := $lookup($new, $section).facets;
    $baseFacets := $lookup($base, $section).facets;
    $keys($baseFacets).(
      $facet := $;
      $lookup($baseFacets, $facet).(
        $value := value_or_threshold;
        metrics[$type(value) = 'number'].(
          $metric := name;
          $limit := value;
          $now := $lookup($newFacets, $facet)[value_or_threshold = $value].metrics[name = $metric].value;
          $type($now) = 'number' and $abs($now) > $abs($limit) ? {{
            'facet': $facet, 'facet_value': $value, 'metric_name': $metric,
            'constraint_check_type': 'bias_drift_check',
            'description': 'Value ' & $string($now) & ' does not meet the constraint requirement (baseline ' &
                           $string($limit) & ')'
          }}
        )
      )
    )
  )]
)"""


def _uri(key: str, value: str) -> dict[str, str]:
    return {f"{key}.$": value} if is_dynamic_value(value) else {key: value}


def _jsonata_path(key: str) -> str:
    """``$states.input`` followed by ``key``'s dotted segments, each quoted (a step name may hold any character)."""
    return "$states.input" + "".join(f".`{segment}`" for segment in key.split("."))


def _variable(slug: str) -> str:
    """``clarify_<step>``: a valid variable name; a long step name is cut and made unique by its hash
    (variable names are kept well under 80 characters)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", slug)
    if len(name) > 40:
        name = f"{name[:31]}_{hashlib.sha1(slug.encode()).hexdigest()[:8]}"
    return f"clarify_{name}"


def _quote(text: str) -> str:
    """``text`` as a JSONata string literal."""
    return json.dumps(text)


def _jsonata_catch(catch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSONPath catchers for a JSONata state: ``ResultPath: $.x`` becomes an Output merging the error
    output into the input at ``x`` (JSONata states have no ResultPath)."""
    converted = []
    for catcher in catch:
        result_path = catcher.get("ResultPath", "$")
        rule: dict[str, Any] = {"ErrorEquals": catcher["ErrorEquals"], "Next": catcher["Next"]}
        if result_path is None:
            rule["Output"] = "{% $states.input %}"
        elif result_path == "$":
            rule["Output"] = "{% $states.errorOutput %}"
        elif re.fullmatch(r"\$\.[A-Za-z_][A-Za-z0-9_]*", result_path):
            rule["Output"] = f"{{% $merge([$states.input, {{'{result_path[2:]}': $states.errorOutput}}]) %}}"
        else:
            raise ValueError(f"a catcher's ResultPath {result_path!r} cannot be kept on the model-bias config states "
                             "(use a top-level field such as $.error)")
        converted.append(rule)
    return converted


def _s3_arguments(uri: str) -> dict[str, str]:
    """getObject's Bucket and Key from the S3 URI expression ``uri``."""
    rest = f"$substringAfter({uri}, 's3://')"
    return {"Bucket": f"{{% $substringBefore({rest}, '/') %}}", "Key": f"{{% $substringAfter({rest}, '/') %}}"}


def clarify_check_states(*, name: str, pipeline: str, analysis_config: str, dataset: str, result_key: str,
                         check: str = "data-bias", baseline: str | None = None, output: str | None = None,
                         skip_check: bool = False, image: str = IMAGE, instance_type: str = "ml.m5.xlarge",
                         model: str | None = None, on_failure: str | None = None,
                         retry: list[dict[str, Any]] | None = DEFAULT,
                         catch: list[dict[str, Any]] | None = None, random_name: bool = False,
                         next: str | None = None, comment: str | None = None) -> dict[str, State]:
    """The states above. ``analysis_config``: S3 URI (or path) of Clarify's analysis_config.json
    (``methods.pre_training_bias`` for a data-bias check, ``methods.post_training_bias`` and
    ``predictor.model_name`` for model-bias); ``dataset``: S3 URI (or path) of the data;
    ``baseline`` (default none: suggest only): S3 URI (or path) of a baseline ``analysis.json``;
    ``output`` (default ``s3://${DataBucket}/<pipeline>/<execution>/<step>``); ``model`` (model-bias
    only, default none: the config's own ``predictor.model_name``): the model's name or a path to it;
    ``on_failure``: the state violations go to (default: a ``<name>: failed`` Fail state)."""
    if check not in CHECKS:
        raise ValueError(f"check must be one of {', '.join(CHECKS)}, got {check!r}")
    if baseline is not None and not (isinstance(baseline, str) and baseline):
        raise ValueError("baseline must be the S3 URI of a baseline analysis.json")
    if model is not None and (check == "data-bias" or not (isinstance(model, str) and model)):
        raise ValueError("model names the model of a model-bias or model-explainability check (a name or a path "
                         "such as $.ModelName)")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "check"
    key = f"$.{result_key}"
    var = _variable(slug)
    prepare: dict[str, State] = {}
    job_name = name
    if model is not None:
        job_name = f"{name}: analyse"
        names_prep = {"read": f"{name}: read analysis config", "write": f"{name}: write analysis config"}
        used = fmt(f"s3://${{DataBucket}}/tmp/{pipeline}/{{}}/{slug}/analysis_config.json", "$$.Execution.Name")
        predictor = _jsonata_path(f"{result_key}.Predictor")
        prepare[name] = pass_(parameters={**_uri("ModelName", model), **_uri("AnalysisConfig", analysis_config),
                                          **_uri("UsedAnalysisConfig", used)},
                              result_path=f"{key}.Predictor", comment=comment, next=names_prep["read"])
        config = "$parse($states.result.Body)"
        prepare[names_prep["read"]] = {
            "Type": "Task", "QueryLanguage": "JSONata", "Resource": GET_OBJECT,
            "Arguments": _s3_arguments(f"{predictor}.AnalysisConfig"),
            "Assign": {f"{var}_config": f"{{% $merge([{config}, {{'predictor': $merge([{{}}, {config}.predictor, "
                                        f"{{'model_name': {predictor}.ModelName}}])}}]) %}}"},
            "Output": "{% $states.input %}", "Next": names_prep["write"]}
        prepare[names_prep["write"]] = {
            "Type": "Task", "QueryLanguage": "JSONata", "Resource": PUT_OBJECT,
            "Arguments": {**_s3_arguments(f"{predictor}.UsedAnalysisConfig"), "Body": f"{{% $string(${var}_config) %}}",
                          "ContentType": "application/json"},
            "Output": "{% $states.input %}", "Next": job_name}
        analysis_config = f"{key}.Predictor.UsedAnalysisConfig"
        comment = None
    if output is None:
        template = f"s3://${{DataBucket}}/{pipeline}/{{}}/{slug}"
        output = fmt(template, "$$.Execution.Name")
        calculated = fmt(f"{template}/analysis.json", "$$.Execution.Name")
    elif is_dynamic_value(output):
        calculated = fmt("{}/analysis.json", output)
    else:
        calculated = f"{output.rstrip('/')}/analysis.json"
    request = clarify_request(analysis_config_uri=analysis_config, dataset_uri=dataset, output_uri=output,
                              image_uri=image, instance_type=instance_type)
    names = {"baselines": f"{name}: baselines", "analysis": f"{name}: read analysis",
             "baseline": f"{name}: read baseline", "choice": f"{name}: violations?",
             "found": f"{name}: violations found", "failed": f"{name}: failed", "passed": f"{name}: passed"}
    checking = baseline is not None and not skip_check
    states: dict[str, State] = {**prepare, job_name: processing_step(
        request=request, step_name=name, retry=retry, catch=catch, random_name=random_name,
        result_path=f"{key}.Job", comment=comment, next=names["baselines"])}
    for prepared in prepare.values():   # the model's name and its config: failures take the step's path
        if catch and prepared["Type"] == "Task":
            prepared["Catch"] = _jsonata_catch(catch)
    parameters: dict[str, Any] = {}
    for field, value in (("CalculatedBaselineConstraints", calculated),
                         ("BaselineUsedForDriftCheckConstraints", baseline if baseline is not None else calculated),
                         ("ConfigFile", analysis_config)):
        parameters.update(_uri(field, value))
    after = {"next": next} if next is not None else {"end": True}
    states[names["baselines"]] = pass_(parameters=parameters, result_path=f"{key}.Baselines",
                                       **({"next": names["analysis"]} if checking else after))
    if not checking:
        return states
    baselines = _jsonata_path(f"{result_key}.Baselines")
    if check == "model-explainability":
        violations = _ATTRIBUTION_VIOLATIONS.format(new=f"${var}_analysis", base="$parse($states.result.Body)",
                                                    threshold=NDCG_THRESHOLD)
        each = "label & ' ' & metric_name & ': ' & description"
    else:
        violations = _VIOLATIONS.format(new=f"${var}_analysis", base="$parse($states.result.Body)",
                                        sections=f"['{CHECKS[check]}']")
        each = "facet & '=' & facet_value & ' ' & metric_name & ': ' & description"
    states[names["analysis"]] = {"Type": "Task", "QueryLanguage": "JSONata", "Resource": GET_OBJECT,
                                 "Arguments": _s3_arguments(f"{baselines}.CalculatedBaselineConstraints"),
                                 "Assign": {f"{var}_analysis": "{% $parse($states.result.Body) %}"},
                                 "Output": "{% $states.input %}", "Next": names["baseline"]}
    # Assign is evaluated after the result arrives, with the variables of earlier states bound.
    # One line: asl-validator's JSONata pattern (^\{% .+ %\}$) does not match across line breaks.
    violations = " ".join(violations.split())
    states[names["baseline"]] = {"Type": "Task", "QueryLanguage": "JSONata", "Resource": GET_OBJECT,
                                 "Arguments": _s3_arguments(f"{baselines}.BaselineUsedForDriftCheckConstraints"),
                                 "Assign": {f"{var}_violations": "{% " + violations + " %}"},
                                 "Output": "{% $states.input %}", "Next": names["choice"]}
    states[names["choice"]] = {
        "Type": "Choice", "QueryLanguage": "JSONata",
        "Choices": [{"Condition": f"{{% $count(${var}_violations) > 0 %}}", "Next": names["found"]}],
        "Default": next if next is not None else names["passed"]}
    if next is None:
        states[names["passed"]] = {"Type": "Pass", "End": True}
    cause = (f"'Clarify check ' & {_quote(repr(name))} & ' found violations of the baseline: ' & "
             f"$join(${var}_violations.({each}), '; ')")
    states[names["found"]] = {
        "Type": "Pass", "QueryLanguage": "JSONata",
        "Output": f"{{% $merge([$states.input, {{'error': {{'Error': '{VIOLATIONS_ERROR}', 'Cause': {cause}}}}}]) %}}",
        "Next": on_failure or names["failed"]}
    if on_failure is None:
        states[names["failed"]] = {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}
    return states
