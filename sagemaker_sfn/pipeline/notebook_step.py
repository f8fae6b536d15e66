"""The ``notebook`` step type: a Jupyter notebook run as a notebook job (SageMaker Pipelines'
``NotebookJobStep``), a training job in the SageMaker Distribution image.

```yaml
- name: Explore
  type: notebook
  notebook: notebook-demo/explore.ipynb     # <folder>/<file>.ipynb under examples/
  parameters: {rows: 200, source: $.InputUri}   # papermill-style, into the cell tagged `parameters`
  kernel: python3                           # optional: the kernelspec (default python3)
  environment: {MY_FLAG: "1"}               # optional: extra environment variables
  image: ${SageMakerDistributionImageUri}   # optional (default)
  instance_type: ml.m5.large                # optional
  volume_size_gb: 30                        # optional
  max_runtime_seconds: 172800               # optional (default the SDK's two days)
```

The state is :mod:`sagemaker_sfn.tasks.notebook`'s; its result (``$.<result key>``) names the
executed notebook: ``OutputNotebookArchive`` (the job's ``output.tar.gz``) and ``OutputNotebookName``.
"""

from __future__ import annotations

from typing import Any

from sagemaker_sfn.asl.states import State
from sagemaker_sfn.pipeline.spec import StepSpec
from sagemaker_sfn.tasks import notebook

_OPTIONS = ("notebook", "parameters", "kernel", "environment", "image", "instance_type", "volume_size_gb",
            "max_runtime_seconds")


def build_notebook(spec: StepSpec, next_name: str | None, scope: Any) -> dict[str, State]:
    from sagemaker_sfn.pipeline.steps import _claim_generated, _generated_step_options

    path = spec.take("notebook", (str,), required=True)
    retry, catch, key = _generated_step_options(spec, scope)
    if not key or key.startswith("$"):
        raise spec.error("must be a reference path such as $.notebook", field="result_path")
    options = {"parameters": spec.take("parameters", (dict,)), "environment": spec.take("environment", (dict,)),
               "kernel": spec.take("kernel", (str,), default=notebook.DEFAULT_KERNEL)}
    try:
        states = notebook.notebook_states(
            name=spec.name, pipeline=scope.ctx.pipeline, notebook=path, result_key=key, **options,
            image=spec.take("image", (str,), default=notebook.DEFAULT_IMAGE),
            instance_type=spec.take("instance_type", (str,), default="ml.m5.large"),
            volume_size_gb=spec.take("volume_size_gb", (int,), default=30),
            max_runtime_seconds=spec.take("max_runtime_seconds", (int,), default=172800),
            retry=retry, catch=catch, random_name=scope.in_map, next=next_name,
            comment=spec.take("comment", (str,)))
    except ValueError as exc:
        field = next((f for f in ("parameters", "environment", "kernel") if str(exc).startswith(f)), "notebook")
        raise spec.error(str(exc), field=field) from exc
    return _claim_generated(spec, scope, states, options=_OPTIONS)
