"""The ``quality-check`` step type (SageMaker Pipelines' QualityCheck step: data or model quality).

```yaml
- name: Check data
  type: quality-check
  check: data-quality                       # or model-quality (then problem_type and the attributes below)
  dataset: $.InputUri                       # S3 URI (or path) of the CSV data
  baseline:                                 # optional: without it a baseline is only suggested
    statistics: s3://${DataBucket}/code/demo/baseline/statistics.json
    constraints: s3://${DataBucket}/code/demo/baseline/constraints.json
  header: true                              # optional: the CSV has a header row (default true)
  skip_check: false                         # optional: true records the baselines without failing on violations
  output: s3://...                          # optional (default s3://${DataBucket}/<pipeline>/<execution>/<step>)
  image: ${ModelMonitorImageUri}            # optional (declare the placeholder, see docs/pipeline-format.md)
  instance_type: ml.m5.xlarge               # optional
  # check: model-quality only (the dataset holds ground truth and predictions; baseline: constraints suffice)
  problem_type: BinaryClassification        # Regression | BinaryClassification | MulticlassClassification
  ground_truth_attribute: label             # column of the true values
  inference_attribute: prediction           # column of the predictions
  probability_attribute: score              # optional (BinaryClassification: instead of inference_attribute)
  probability_threshold_attribute: 0.5      # optional
```

States and results: :mod:`sagemaker_sfn.sagemaker.quality_check`.
"""

from __future__ import annotations

from typing import Any

from sagemaker_sfn.asl.states import State
from sagemaker_sfn.pipeline.spec import StepSpec
from sagemaker_sfn.sagemaker import quality_check

_OPTIONS = ("check", "dataset", "baseline", "header", "skip_check", "output", "image", "instance_type",
            "problem_type") + quality_check.MODEL_QUALITY_ATTRIBUTES


def build_quality_check(spec: StepSpec, next_name: str | None, scope: Any) -> dict[str, State]:
    from sagemaker_sfn.pipeline.steps import _claim_generated, _generated_step_options

    retry, catch, key = _generated_step_options(spec, scope)
    try:
        states = quality_check.quality_check_states(
            name=spec.name, pipeline=scope.ctx.pipeline, check=spec.take("check", (str,), required=True),
            dataset=spec.take("dataset", (str,), required=True), baseline=spec.take("baseline", (dict,)),
            output=spec.take("output", (str,)), header=spec.take("header", (bool,), default=True),
            skip_check=spec.take("skip_check", (bool,), default=False),
            image=spec.take("image", (str,), default=quality_check.IMAGE),
            instance_type=spec.take("instance_type", (str,), default="ml.m5.xlarge"), result_key=key,
            problem_type=spec.take("problem_type", (str,)),
            attributes={name: value for name in quality_check.MODEL_QUALITY_ATTRIBUTES
                        if (value := spec.take(name, (str, int, float))) is not None},
            on_failure=catch[0]["Next"] if catch else None, retry=retry, catch=catch, random_name=scope.in_map,
            next=next_name, comment=spec.take("comment", (str,)))
    except ValueError as exc:
        message = str(exc)
        field = next((f for f in ("baseline", "problem_type", "ground_truth_attribute", "inference_attribute")
                      if message.startswith(f"{f} ") or f"needs {f}" in message), "check")
        raise spec.error(message, field=field) from exc
    return _claim_generated(spec, scope, states, options=_OPTIONS)
