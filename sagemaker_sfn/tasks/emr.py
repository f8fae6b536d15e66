"""Amazon EMR through Step Functions' optimized integration (``arn:aws:states:::elasticmapreduce:*``).

What AWS documents (https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html):

- ``createCluster`` takes RunJobFlow's request, except that ``Instances.KeepJobFlowAliveWhenNoSteps``
  is required and must be ``true`` and ``Steps`` is not allowed (steps are added with ``addStep``);
  it returns ``ClusterId`` (and ``ClusterArn``). ``.sync`` waits until the cluster is WAITING.
- ``addStep`` takes AddJobFlowSteps' request with ``ClusterId`` for ``JobFlowId`` and one ``Step``
  (a StepConfig) for ``Steps``; it returns ``StepId``. ``.sync`` waits until the step ends.
- ``terminateCluster`` takes ``ClusterId``; ``.sync`` waits until the cluster is terminated.
- Step Functions does not terminate a cluster when the execution stops: a pipeline that creates a
  cluster must terminate it on every path, which :func:`managed_cluster_states` does.

A Spark step is ``command-runner.jar`` running ``spark-submit`` (EMR's documented way to submit a
PySpark script: https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-commandrunner.html).
"""

from __future__ import annotations

import copy
from typing import Any

from sagemaker_sfn.asl.paths import put
from sagemaker_sfn.asl.policies import catch_all
from sagemaker_sfn.asl.resources import Integration, service_resource
from sagemaker_sfn.asl.states import State, task

SERVICE = "elasticmapreduce"
SYNC_ACTIONS = ("createCluster", "addStep", "terminateCluster")
ACTIONS_ON_FAILURE = ("TERMINATE_JOB_FLOW", "TERMINATE_CLUSTER", "CANCEL_AND_WAIT", "CONTINUE")
COMMAND_RUNNER = "command-runner.jar"


def _pattern(action: str, integration: "str | Integration | None") -> Integration:
    pattern = Integration.SYNC if integration is None else Integration.parse(integration)
    if pattern not in (Integration.SYNC, Integration.REQUEST_RESPONSE):
        raise ValueError(f"elasticmapreduce:{action} supports .sync and request-response, not {pattern.value}")
    return pattern


def spark_step_config(*, name: str, script: str, args: list[Any] | None = None, spark_args: list[str] | None = None,
                      action_on_failure: str = "CONTINUE") -> dict[str, Any]:
    """The StepConfig of a PySpark step: ``command-runner.jar spark-submit --deploy-mode cluster
    [spark_args] <script> [args]``. ``args`` may hold paths (``$.x``): the list becomes ``Args.$``
    with ``States.Array`` then. ``action_on_failure`` defaults to CONTINUE (the cluster outlives a
    failed step; the pipeline decides what to do)."""
    if not script:
        raise ValueError("a Spark step needs the script's S3 URI")
    if action_on_failure not in ACTIONS_ON_FAILURE:
        raise ValueError(f"action_on_failure must be one of {', '.join(ACTIONS_ON_FAILURE)}, got {action_on_failure!r}")
    argv: list[Any] = ["spark-submit", "--deploy-mode", "cluster", *(spark_args or []), script, *(args or [])]
    jar: dict[str, Any] = {"Jar": COMMAND_RUNNER}
    if any(isinstance(a, str) and a.startswith("$") and not a.startswith("${") for a in argv):
        from sagemaker_sfn.asl.paths import _escape_keep_placeholders, intrinsic

        # ${Placeholders} stay verbatim: CDK substitutes them before Step Functions parses the call.
        jar["Args.$"] = intrinsic("Array", *(a if isinstance(a, str) and a.startswith("$") and not a.startswith("${")
                                             else f"'{_escape_keep_placeholders(str(a))}'" for a in argv))
    else:
        jar["Args"] = [str(a) for a in argv]
    return {"Name": name, "ActionOnFailure": action_on_failure, "HadoopJarStep": jar}


def add_step(*, cluster_id: str, step: dict[str, Any], integration: "str | Integration | None" = None,
             execution_role_arn: str | None = None, retry: list[dict[str, Any]] | None = None,
             catch: list[dict[str, Any]] | None = None, result_path: str | None = None,
             result_selector: dict[str, Any] | None = None, comment: str | None = None,
             next: str | None = None, end: bool = False) -> State:
    """``elasticmapreduce:addStep`` (default ``.sync``): run ``step`` (a StepConfig) on ``cluster_id``
    (an id such as ``j-1ABCDEFG2HIJK``, a ``${Placeholder}`` or a path ``$.cluster``). No Retry by
    default: a failed step is rarely fixed by running it again."""
    if not isinstance(step, dict) or "HadoopJarStep" not in step:
        raise ValueError("step must be an EMR StepConfig with HadoopJarStep (see spark_step_config)")
    parameters = put({}, "ClusterId", cluster_id)
    parameters["Step"] = copy.deepcopy(step)
    if execution_role_arn is not None:
        put(parameters, "ExecutionRoleArn", execution_role_arn)
    return task(resource=service_resource(SERVICE, "addStep", _pattern("addStep", integration)),
                parameters=parameters, result_selector=result_selector, result_path=result_path, retry=retry,
                catch=catch, comment=comment, next=next, end=end)


def create_cluster(*, request: dict[str, Any], integration: "str | Integration | None" = None,
                   retry: list[dict[str, Any]] | None = None, catch: list[dict[str, Any]] | None = None,
                   result_path: str | None = None, result_selector: dict[str, Any] | None = None,
                   comment: str | None = None, next: str | None = None, end: bool = False) -> State:
    """``elasticmapreduce:createCluster`` (default ``.sync``) with ``request`` (RunJobFlow's shape).
    ``Instances.KeepJobFlowAliveWhenNoSteps`` is set to true when absent; false or ``Steps`` is an error."""
    if not isinstance(request, dict):
        raise ValueError(f"the cluster request must be a mapping (RunJobFlow's request), got {type(request).__name__}")
    params = copy.deepcopy(request)
    if "Steps" in params or "Steps.$" in params:
        raise ValueError("createCluster does not take Steps: add them with addStep (emr steps)")
    instances = params.setdefault("Instances", {})
    if not isinstance(instances, dict):
        raise ValueError("Instances must be a mapping (RunJobFlow's JobFlowInstancesConfig)")
    if instances.get("KeepJobFlowAliveWhenNoSteps", True) is not True:
        raise ValueError("Instances.KeepJobFlowAliveWhenNoSteps must be true for createCluster (Step Functions "
                         "adds the steps after the cluster starts)")
    instances["KeepJobFlowAliveWhenNoSteps"] = True
    return task(resource=service_resource(SERVICE, "createCluster", _pattern("createCluster", integration)),
                parameters=params, result_selector=result_selector, result_path=result_path, retry=retry,
                catch=catch, comment=comment, next=next, end=end)


def terminate_cluster(*, cluster_id: str, integration: "str | Integration | None" = None,
                      retry: list[dict[str, Any]] | None = None, catch: list[dict[str, Any]] | None = None,
                      result_path: Any = None, comment: str | None = None, next: str | None = None,
                      end: bool = False) -> State:
    """``elasticmapreduce:terminateCluster`` (default ``.sync``) of ``cluster_id`` (id, placeholder or path)."""
    state = task(resource=service_resource(SERVICE, "terminateCluster", _pattern("terminateCluster", integration)),
                 parameters=put({}, "ClusterId", cluster_id), result_path=result_path, retry=retry, catch=catch,
                 comment=comment, next=next, end=end)
    return state


def terminate_retry() -> list[dict[str, Any]]:
    """Terminating must not be given up lightly (a live cluster costs money): any error, 5 attempts."""
    from sagemaker_sfn.asl.policies import retrier

    return [retrier(["States.ALL"], interval_seconds=10, max_attempts=5, backoff_rate=2.0, max_delay_seconds=300)]


def managed_cluster_states(*, name: str, cluster_request: dict[str, Any], step: dict[str, Any], result_key: str,
                           names: dict[str, str], on_failure: str | None, create_catch: list[dict[str, Any]] | None,
                           next: str | None, comment: str | None = None) -> dict[str, State]:
    """A cluster the pipeline manages: create (``.sync``) -> add the step (``.sync``) -> terminate
    (``.sync``). A failed step still terminates the cluster, then goes to ``on_failure`` (the
    step's failure path) or, without one, fails the execution with the step's error and cause.

    ``names``: ``{"step", "terminate", "terminate_after_failure", "failed"}`` state names (the first
    state is ``name``). Results: ``$.<result_key>.Cluster`` (ClusterId), ``$.<result_key>.Step``
    (the step's description); the caught error at ``$.error`` as the pipeline's failure path expects.
    """
    cluster_path = f"$.{result_key}.Cluster.ClusterId"
    states: dict[str, State] = {
        name: create_cluster(request=cluster_request, result_selector={"ClusterId.$": "$.ClusterId"},
                             result_path=f"$.{result_key}.Cluster", catch=create_catch, comment=comment,
                             next=names["step"]),
        names["step"]: add_step(cluster_id=cluster_path, step=step, result_path=f"$.{result_key}.Step",
                                catch=[catch_all(names["terminate_after_failure"])], next=names["terminate"]),
        names["terminate"]: terminate_cluster(cluster_id=cluster_path, result_path=None, retry=terminate_retry(),
                                              **({"next": next} if next is not None else {"end": True})),
    }
    states[names["terminate"]]["ResultPath"] = None
    after_failure = on_failure or names["failed"]
    states[names["terminate_after_failure"]] = terminate_cluster(
        cluster_id=cluster_path, retry=terminate_retry(),
        catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.terminate_error", "Next": after_failure}],
        next=after_failure)
    states[names["terminate_after_failure"]]["ResultPath"] = None
    if on_failure is None:
        # The step's own error and cause, as caught (ASL Fail state ErrorPath / CausePath).
        states[names["failed"]] = {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}
    return states
