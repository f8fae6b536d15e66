"""The ``function`` step type: a Python function or script run as a SageMaker training job.

```yaml
- name: Featurize
  type: function
  function: function-demo/features.py:make_features   # <folder>/<file>.py:<function>, or <folder>/<file>.py (a script)
  args: {rows: 200, source: $.InputUri}                # keyword arguments; values may be paths
  requirements: requirements.txt                       # optional, in the function's folder
  image: ${SKLearnImageUri}                            # optional: a SageMaker framework image (default scikit-learn)
  instance_type: ml.m5.large                           # optional
  max_runtime_seconds: 3600                            # optional
```

The states and the S3 format are :mod:`sagemaker_sfn.tasks.function`'s; the return value is at
``$.<result key>.Return.document.value`` for the steps after it.
"""

from __future__ import annotations

from typing import Any

from sagemaker_sfn.asl.states import State
from sagemaker_sfn.pipeline.spec import StepSpec
from sagemaker_sfn.tasks import function

_OPTIONS = ("function", "args", "requirements", "image", "instance_type", "max_runtime_seconds")


def build_function(spec: StepSpec, next_name: str | None, scope: Any) -> dict[str, State]:
    from sagemaker_sfn.pipeline.steps import _claim_generated, _generated_step_options

    target = spec.take("function", (str,), required=True)
    retry, catch, key = _generated_step_options(spec, scope)
    if not key or key.startswith("$"):
        raise spec.error("must be a reference path such as $.features", field="result_path")
    try:
        states = function.function_states(
            name=spec.name, pipeline=scope.ctx.pipeline, target=target, args=spec.take("args", (dict,)),
            requirements=spec.take("requirements", (str,)), result_key=key,
            image=spec.take("image", (str,), default=function.DEFAULT_IMAGE),
            instance_type=spec.take("instance_type", (str,), default="ml.m5.large"),
            max_runtime_seconds=spec.take("max_runtime_seconds", (int,), default=3600),
            retry=retry, catch=catch, random_name=scope.in_map, next=next_name,
            comment=spec.take("comment", (str,)))
    except ValueError as exc:
        field = "requirements" if "requirements" in str(exc) else ("args" if "args" in str(exc) else "function")
        raise spec.error(str(exc), field=field) from exc
    return _claim_generated(spec, scope, states, options=_OPTIONS)
