"""The ``emr`` step type: an EMR step on a running cluster, or on a cluster the pipeline manages.

The two modes of SageMaker Pipelines' EMRStep (seed 000, "EMR step"):

```yaml
- name: Featurize                      # on a running cluster: one addStep.sync state
  type: emr
  cluster_id: j-1ABCDEFG2HIJK          # or ${EmrClusterId}, or a path such as $.cluster
  spark:                               # or step: {Name, ActionOnFailure, HadoopJarStep: {...}}
    script: s3://${DataBucket}/code/featurize/featurize.py
    args: [--input, s3://${DataBucket}/demo/input/, --output, s3://${DataBucket}/tmp/demo/features/]

- name: Featurize                      # a cluster the pipeline creates and always terminates
  type: emr
  cluster: {Name: featurize, ReleaseLabel: emr-6.15.0, Applications: [{Name: Spark}],
            Instances: {InstanceGroups: [...]}, JobFlowRole: ..., ServiceRole: ...}   # RunJobFlow's request
  spark: {script: ..., args: [...]}
```

The second mode gives four states: ``<name>`` (createCluster.sync), ``<name>: run step``
(addStep.sync), ``<name>: terminate cluster`` (terminateCluster.sync), and on a failed step
``<name>: terminate cluster after failure``, which then takes the step's failure path.
"""

from __future__ import annotations

from typing import Any

from sagemaker_sfn.asl.paths import result_key
from sagemaker_sfn.asl.policies import DEFAULT
from sagemaker_sfn.asl.states import State
from sagemaker_sfn.pipeline.spec import StepSpec
from sagemaker_sfn.tasks import emr


def _step_config(spec: StepSpec) -> dict[str, Any]:
    raw_step = spec.take("step", (dict,))
    spark = spec.take("spark", (dict,))
    if (raw_step is None) == (spark is None):
        raise spec.error("give exactly one of `step` (an EMR StepConfig) or `spark` (script, args)", field="spark")
    if raw_step is not None:
        config = dict(raw_step)
        config.setdefault("Name", spec.name)
        config.setdefault("ActionOnFailure", "CONTINUE")
        if not isinstance(config.get("HadoopJarStep"), dict):
            raise spec.error("needs HadoopJarStep: {Jar, Args, MainClass, Properties}", field="step")
        return config
    unknown = sorted(set(spark) - {"script", "args", "spark_args", "action_on_failure"})
    if unknown:
        raise spec.error(f"unknown option '{unknown[0]}'; allowed: script, args, spark_args, action_on_failure",
                         field="spark")
    args = spark.get("args") or []
    if not isinstance(args, list):
        raise spec.error("spark.args must be a list", field="spark")
    try:
        return emr.spark_step_config(name=spec.name, script=str(spark.get("script") or ""), args=args,
                                     spark_args=[str(a) for a in spark.get("spark_args") or []],
                                     action_on_failure=str(spark.get("action_on_failure", "CONTINUE")))
    except ValueError as exc:
        raise spec.error(str(exc), field="spark") from exc


def build_emr(spec: StepSpec, next_name: str | None, scope: Any) -> dict[str, State]:
    from sagemaker_sfn.pipeline.steps import _common, _finish, _transition

    cluster_id = spec.take("cluster_id", (str,))
    cluster = spec.take("cluster", (dict,))
    if (cluster_id is None) == (cluster is None):
        raise spec.error("give exactly one of `cluster_id` (a running cluster) or `cluster` (RunJobFlow's "
                         "request for a cluster the pipeline creates and terminates)", field="cluster_id")
    config = _step_config(spec)
    options = _common(spec, scope)
    retry = options.pop("retry")
    retry = None if retry is DEFAULT else retry   # a failed EMR step is not retried unless asked
    integration = spec.take("integration", (str,))
    extra = ("cluster_id", "cluster", "step", "spark", "integration")
    try:
        if cluster_id is not None:
            state = emr.add_step(cluster_id=cluster_id, step=config, integration=integration, retry=retry,
                                 **options, **_transition(next_name))
            return _finish(spec, {spec.name: state}, *extra)
        if integration is not None:
            raise spec.error("a managed cluster always waits for each call (.sync); integration applies to "
                             "cluster_id steps only", field="integration")
        if options.get("result_selector") is not None:
            raise spec.error("result_selector applies to cluster_id steps only", field="result_selector")
        names = {"step": f"{spec.name}: run step", "terminate": f"{spec.name}: terminate cluster",
                 "terminate_after_failure": f"{spec.name}: terminate cluster after failure",
                 "failed": f"{spec.name}: failed"}
        catch = options.get("catch")
        on_failure = catch[0]["Next"] if catch else None
        for key in ("step", "terminate", "terminate_after_failure") + (() if on_failure else ("failed",)):
            scope.ctx.claim(names[key], step=spec.name)
        key = (options.get("result_path") or f"$.{result_key(spec.name)}").removeprefix("$.")
        states = emr.managed_cluster_states(name=spec.name, cluster_request=cluster, step=config, result_key=key,
                                            names=names, on_failure=on_failure, create_catch=catch,
                                            next=next_name, comment=options.get("comment"))
    except ValueError as exc:
        raise spec.error(str(exc), field="cluster" if cluster is not None else "step") from exc
    if retry:
        states[spec.name]["Retry"] = retry
        states[names["step"]]["Retry"] = retry
    spec.finish(allowed=("retry", "catch", "result_path", "result_selector", "comment", "next", "end") + extra)
    return states
