"""The ``clarify-check`` step type (SageMaker Pipelines' ClarifyCheck step: data bias, model bias, model explainability).

```yaml
- name: Check bias
  type: clarify-check
  check: data-bias                          # or model-bias / model-explainability (a model in the config's predictor)
  analysis_config: s3://${DataBucket}/code/demo/bias/analysis_config.json   # Clarify's analysis_config.json
  dataset: $.InputUri                       # S3 URI (or path) of the data
  baseline: s3://${DataBucket}/code/demo/bias/analysis.json   # optional: without it a baseline is only suggested
  model: $.ModelName                        # model checks, optional: sets the config's predictor.model_name
  skip_check: false                         # optional: true records the baselines without failing on violations
  output: s3://...                          # optional (default s3://${DataBucket}/<pipeline>/<execution>/<step>)
  image: ${ClarifyImageUri}                 # optional
  instance_type: ml.m5.xlarge               # optional
```

States and results: :mod:`sagemaker_sfn.sagemaker.clarify_check`.
"""

from __future__ import annotations

from typing import Any

from sagemaker_sfn.asl.states import State
from sagemaker_sfn.pipeline.spec import StepSpec
from sagemaker_sfn.sagemaker import clarify_check

_OPTIONS = ("check", "analysis_config", "dataset", "baseline", "skip_check", "output", "image", "instance_type",
            "model")


def build_clarify_check(spec: StepSpec, next_name: str | None, scope: Any) -> dict[str, State]:
    from sagemaker_sfn.pipeline.steps import _claim_generated, _generated_step_options

    retry, catch, key = _generated_step_options(spec, scope)
    try:
        states = clarify_check.clarify_check_states(
            name=spec.name, pipeline=scope.ctx.pipeline, check=spec.take("check", (str,), required=True),
            analysis_config=spec.take("analysis_config", (str,), required=True),
            dataset=spec.take("dataset", (str,), required=True), baseline=spec.take("baseline", (str,)),
            output=spec.take("output", (str,)), skip_check=spec.take("skip_check", (bool,), default=False),
            image=spec.take("image", (str,), default=clarify_check.IMAGE),
            instance_type=spec.take("instance_type", (str,), default="ml.m5.xlarge"), result_key=key,
            model=spec.take("model", (str,)),
            on_failure=catch[0]["Next"] if catch else None, retry=retry, catch=catch, random_name=scope.in_map,
            next=next_name, comment=spec.take("comment", (str,)))
    except ValueError as exc:
        starts = {"baseline": "baseline", "model": "model", "a catcher": "catch"}
        field = next((f for start, f in starts.items() if str(exc).startswith(start)), "check")
        raise spec.error(str(exc), field=field) from exc
    return _claim_generated(spec, scope, states, options=_OPTIONS)
