"""Bias checks (SageMaker Pipelines' ClarifyCheck step, DataBiasCheckConfig and ModelBiasCheckConfig) as a SageMaker Clarify
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
CHECKS = {"data-bias": "pre_training_bias_metrics", "model-bias": "post_training_bias_metrics"}
GET_OBJECT = "arn:aws:states:::aws-sdk:s3:getObject"

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


def _s3_arguments(uri: str) -> dict[str, str]:
    """getObject's Bucket and Key from the S3 URI expression ``uri``."""
    rest = f"$substringAfter({uri}, 's3://')"
    return {"Bucket": f"{{% $substringBefore({rest}, '/') %}}", "Key": f"{{% $substringAfter({rest}, '/') %}}"}


def clarify_check_states(*, name: str, pipeline: str, analysis_config: str, dataset: str, result_key: str,
                         check: str = "data-bias", baseline: str | None = None, output: str | None = None,
                         skip_check: bool = False, image: str = IMAGE, instance_type: str = "ml.m5.xlarge",
                         on_failure: str | None = None, retry: list[dict[str, Any]] | None = DEFAULT,
                         catch: list[dict[str, Any]] | None = None, random_name: bool = False,
                         next: str | None = None, comment: str | None = None) -> dict[str, State]:
    """The states above. ``analysis_config``: S3 URI (or path) of Clarify's analysis_config.json
    (``methods.pre_training_bias`` for a data-bias check, ``methods.post_training_bias`` and
    ``predictor.model_name`` for model-bias); ``dataset``: S3 URI (or path) of the data;
    ``baseline`` (default none: suggest only): S3 URI (or path) of a baseline ``analysis.json``;
    ``output`` (default ``s3://${DataBucket}/<pipeline>/<execution>/<step>``); ``on_failure``: the
    state violations go to (default: a ``<name>: failed`` Fail state)."""
    if check not in CHECKS:
        raise ValueError(f"check must be one of {', '.join(CHECKS)} (model-explainability is not available), "
                         f"got {check!r}")
    if baseline is not None and not (isinstance(baseline, str) and baseline):
        raise ValueError("baseline must be the S3 URI of a baseline analysis.json")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "check"
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
    key = f"$.{result_key}"
    names = {"baselines": f"{name}: baselines", "analysis": f"{name}: read analysis",
             "baseline": f"{name}: read baseline", "choice": f"{name}: violations?",
             "found": f"{name}: violations found", "failed": f"{name}: failed", "passed": f"{name}: passed"}
    checking = baseline is not None and not skip_check
    states: dict[str, State] = {name: processing_step(
        request=request, step_name=name, retry=retry, catch=catch, random_name=random_name,
        result_path=f"{key}.Job", comment=comment, next=names["baselines"])}
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
    var = _variable(slug)
    baselines = _jsonata_path(f"{result_key}.Baselines")
    violations = _VIOLATIONS.format(new=f"${var}_analysis", base="$parse($states.result.Body)",
                                    sections=f"['{CHECKS[check]}']")
    states[names["analysis"]] = {"Type": "Task", "QueryLanguage": "JSONata", "Resource": GET_OBJECT,
                                 "Arguments": _s3_arguments(f"{baselines}.CalculatedBaselineConstraints"),
                                 "Assign": {f"{var}_analysis": "{% $parse($states.result.Body) %}"},
                                 "Output": "{% $states.input %}", "Next": names["baseline"]}
    # Assign is evaluated after the result arrives, with the variables of earlier states bound.
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
             f"$join(${var}_violations.(facet & '=' & facet_value & ' ' & metric_name & ': ' & description), '; ')")
    states[names["found"]] = {
        "Type": "Pass", "QueryLanguage": "JSONata",
        "Output": f"{{% $merge([$states.input, {{'error': {{'Error': '{VIOLATIONS_ERROR}', 'Cause': {cause}}}}}]) %}}",
        "Next": on_failure or names["failed"]}
    if on_failure is None:
        states[names["failed"]] = {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}
    return states
