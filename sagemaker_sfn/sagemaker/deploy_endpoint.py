"""Deploy a model to an endpoint and wait until it serves: the ``deploy`` step.

Step Functions has no ``.sync`` for endpoints (CreateEndpoint / UpdateEndpoint return while the
endpoint is still ``Creating`` / ``Updating``), so this step is a small state graph:

``<name>``                      createModel (only when the step gives ``model``), a name per execution
``<name>: endpoint config``     createEndpointConfig, a name per execution; variants without a
                                ModelName serve the model just created
``<name>: find endpoint``       aws-sdk describeEndpoint: does the endpoint exist? (decided at run
                                time, not at generate time)
``<name>: endpoint missing?``   Choice on the caught error: "Could not find endpoint" -> create,
                                any other error -> the step fails with it
``<name>: create endpoint``     createEndpoint with the new config
``<name>: update endpoint``     updateEndpoint with the new config and ``DeploymentConfig`` (blue/green
                                traffic shifting; with ``alarms``, SageMaker rolls back on its own)
``<name>: status`` (describeEndpoint) -> ``<name>: count`` -> ``<name>: in service?`` -> ``<name>: wait``
                                the polling loop, bounded by ``timeout_seconds`` through a poll counter
                                (which also bounds the history events, 25,000 per execution): the
                                first poll right after the call, then one every ``poll_seconds``
``<name>: deployed``            the result: which endpoint config is live, which was live before
``<name>: endpoint failed`` / ``: rolled back`` / ``: timed out`` / ``: lookup failed``
                                Pass states setting ``$.error`` {Error, Cause}, then the step's
                                failure path (top level: the SNS notification) or ``<name>: failed``

The previous endpoint config is never deleted: until the new one is InService it is what serves,
and after a rollback it serves again.

AWS facts used here:
- DescribeEndpoint of a missing endpoint is a ValidationException "Could not find endpoint ..."
  (botocore's waiter ``EndpointInService`` treats ValidationException as its failure). The error name
  Step Functions gives it depends on the SDK model: the AWS SDK integration names unmodelled errors after
  the service's base exception (``SageMaker.SageMakerException``, as CDK users catch it) and the
  optimized integration ``SageMaker.AmazonSageMakerException`` (aws-cdk issue #11594); both are caught
  and the cause decides.
- EndpointStatus values: OutOfService, Creating, Updating, SystemUpdating, RollingBack, InService,
  Deleting, Failed (SageMaker API reference, EndpointSummary). Failed: see FailureReason.
- botocore's ``EndpointInService`` waiter polls every 30 s, 120 times: the defaults here.
- A failed update leaves the endpoint InService on its previous config (blue/green keeps the old
  fleet until the new one is healthy); so InService counts as deployed only when EndpointConfigName
  is the new config.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from sagemaker_sfn.asl import names
from sagemaker_sfn.asl.paths import PATH_SUFFIX, fmt, has_field, intrinsic, put
from sagemaker_sfn.asl.policies import DEFAULT, ERROR_RESULT_PATH, retrier, sagemaker_retry
from sagemaker_sfn.asl.resources import sdk_resource
from sagemaker_sfn.asl.states import State, choice, fail, pass_, task, wait
from sagemaker_sfn.sagemaker import create_endpoint, create_endpoint_config, create_model, update_endpoint
from sagemaker_sfn.sagemaker._task import with_defaults

DEFAULT_POLL_SECONDS = 30        # botocore waiter EndpointInService: delay 30
DEFAULT_TIMEOUT_SECONDS = 3600   # botocore waiter EndpointInService: 120 attempts x 30 s
# History events one poll costs: Wait (entered, exited), Task (entered, scheduled, started,
# succeeded, exited), Pass (2), Choice (2).
EVENTS_PER_POLL = 11
# The polling loop may use at most this many of the execution's 25,000 history events, leaving
# the rest of the pipeline (and retries) the larger part.
MAX_LOOP_EVENTS = 10_000
MAX_POLLS = MAX_LOOP_EVENTS // EVENTS_PER_POLL

NOT_FOUND_ERRORS = ["SageMaker.SageMakerException", "SageMaker.AmazonSageMakerException",
                    "SageMaker.ResourceNotFoundException"]
NOT_FOUND_CAUSE = "*Could not find endpoint*"

ERROR_FAILED = "Deploy.EndpointFailed"
ERROR_ROLLED_BACK = "Deploy.RolledBack"
ERROR_TIMEOUT = "Deploy.Timeout"

_SUFFIXES = ("endpoint config", "find endpoint", "endpoint missing?", "create endpoint", "update endpoint",
             "wait", "status", "count", "in service?", "deployed", "endpoint failed", "rolled back",
             "timed out", "lookup failed", "failed")


def state_names(name: str) -> dict[str, str]:
    """Suffix -> state name of every generated state (the first state is ``name`` itself).

    State names may be 80 characters: the step name is cut so that the longest suffix fits."""
    room = 80 - 2 - max(len(s) for s in _SUFFIXES)
    return {suffix: f"{name[:room]}: {suffix}" for suffix in _SUFFIXES}


def describe_retry() -> list[dict[str, Any]]:
    """DescribeEndpoint is a read: retry throttling only. A not-found must reach the Catch at once,
    and it shares its error name with other SageMaker errors, so those are not retried here."""
    return [retrier(["SageMaker.ThrottlingException", "ThrottlingException"], interval_seconds=1,
                    max_attempts=8, backoff_rate=2.0, max_delay_seconds=60)]


def _check_timing(poll_seconds: int, timeout_seconds: int) -> int:
    for field, value in (("poll_seconds", poll_seconds), ("timeout_seconds", timeout_seconds)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{field} must be a positive integer (seconds), got {value!r}")
    # The first poll comes right after the Create/Update call, each further one after a wait.
    polls = math.ceil(timeout_seconds / poll_seconds) + 1
    if polls > MAX_POLLS:
        raise ValueError(f"timeout_seconds {timeout_seconds} / poll_seconds {poll_seconds} + 1 = {polls} polls; at most "
                         f"{MAX_POLLS} fit the history budget ({EVENTS_PER_POLL} events per poll, {MAX_LOOP_EVENTS} of "
                         f"the execution's 25,000): raise poll_seconds to at least "
                         f"{math.ceil(timeout_seconds / (MAX_POLLS - 1))}")
    return polls


def _with_model(config: dict[str, Any], model_path: str) -> dict[str, Any]:
    """The CreateEndpointConfig request with ``ModelName.$`` on every variant that names no model."""
    variants = config.get("ProductionVariants")
    if not isinstance(variants, list) or not variants:
        raise ValueError("endpoint_config needs ProductionVariants (a non-empty list, as CreateEndpointConfig)")
    out = copy.deepcopy(config)
    for i, variant in enumerate(out["ProductionVariants"]):
        if not isinstance(variant, dict):
            raise ValueError(f"endpoint_config.ProductionVariants[{i}] must be a mapping")
        if not has_field(variant, "ModelName"):
            if not model_path:
                raise ValueError(f"endpoint_config.ProductionVariants[{i}] needs ModelName (the step creates no model: "
                                 "give `model`, or name an existing model)")
            variant[f"ModelName{PATH_SUFFIX}"] = model_path
    return out


def _deployment_config(update: dict[str, Any], alarms: list[str] | None) -> dict[str, Any]:
    request = copy.deepcopy(update)
    for key in ("EndpointName", "EndpointConfigName"):
        if has_field(request, key):
            raise ValueError(f"update must not set {key}: the deploy step fills it")
    if alarms:
        if not all(isinstance(a, str) and a for a in alarms) or len(alarms) > 10:
            raise ValueError(f"alarms must be 1-10 CloudWatch alarm names, got {alarms!r}")
        config = request.setdefault("DeploymentConfig", {})
        if not isinstance(config, dict) or "AutoRollbackConfiguration" in config:
            raise ValueError("give alarms either as `alarms` or in update.DeploymentConfig.AutoRollbackConfiguration, "
                             "not both")
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": a} for a in alarms]}
    return request


def deploy_states(*, name: str, endpoint_name: str, endpoint_config: dict[str, Any],
                  model: dict[str, Any] | None = None, update: dict[str, Any] | None = None,
                  alarms: list[str] | None = None, poll_seconds: int = DEFAULT_POLL_SECONDS,
                  timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS, name_prefix: str | None = None,
                  result_path: str, failure_next: str | None = None,
                  retry: list[dict[str, Any]] | None = DEFAULT, catch: list[dict[str, Any]] | None = None,
                  random_name: bool = False, comment: str | None = None,
                  next: str | None = None, end: bool = False) -> dict[str, State]:
    """The deploy step's states, keyed by state name; the first is ``name``.

    ``endpoint_name``: the endpoint (a literal, a path or an intrinsic); it outlives executions, so it
    is never generated. ``endpoint_config``: the CreateEndpointConfig request without its name;
    ``model`` (default None: the variants name existing models): the CreateModel request without its
    name. ``update`` (default None): extra UpdateEndpoint members (``DeploymentConfig``,
    ``RetainAllVariantProperties``, ...); ``alarms`` (default None): CloudWatch alarm names for
    ``DeploymentConfig.AutoRollbackConfiguration``. ``poll_seconds`` (default 30) /
    ``timeout_seconds`` (default 3600): the polling loop. ``name_prefix`` (default: from ``name``):
    prefix of the generated model and config names. ``result_path``: where the result goes (the
    intermediate results live below it). ``failure_next`` (default None: a Fail state of the step):
    where a failed deployment goes after ``$.error`` is set. ``retry`` (default the SageMaker retry
    policy) applies to the create/update calls; ``catch`` (default None) to every Task.
    """
    polls = _check_timing(poll_seconds, timeout_seconds)
    if not result_path.startswith("$."):
        raise ValueError(f"result_path must be a path below $ (the deploy step keeps its progress there), "
                         f"got {result_path!r}")
    if next is not None and end:
        raise ValueError("a state takes either next or end=True, not both")
    s = state_names(name)
    retry = sagemaker_retry() if retry is DEFAULT else retry
    prefix = name_prefix or names.default_prefix(name, max_retry_count=9999)
    p = result_path
    states: dict[str, State] = {}

    def job_name(suffix: str) -> str:
        bound = sum(int(r.get("MaxAttempts", 3)) for r in retry or [])
        full = names.default_prefix(f"{prefix}-{suffix}", max_retry_count=bound)
        return names.job_name(prefix=full, max_retry_count=bound, random=random_name)

    # 1. the model (optional) and the endpoint config, each named per execution and attempt
    if model is None:
        s["endpoint config"] = name   # the step's first state is always named after the step
    model_path = ""
    if model is not None:
        if has_field(model, "ModelName"):
            raise ValueError("model must not set ModelName: the deploy step names the model per execution")
        request = with_defaults(create_model.API, {**model, "ModelName.$": job_name("model")}, name_prefix=None,
                                step_name=None, retry=retry)
        states[name] = task(resource=create_model.API.resource(create_model.API.default_pattern), parameters=request,
                            result_selector={"ModelName.$": names.name_from_arn("$.ModelArn")},
                            result_path=f"{p}.Model", retry=retry, catch=catch, comment=comment,
                            next=s["endpoint config"])
        model_path = f"{p}.Model.ModelName"
    if has_field(endpoint_config, "EndpointConfigName"):
        raise ValueError("endpoint_config must not set EndpointConfigName: the deploy step names it per execution")
    config = _with_model(endpoint_config, model_path)
    config = with_defaults(create_endpoint_config.API, {**config, "EndpointConfigName.$": job_name("config")},
                           name_prefix=None, step_name=None, retry=retry)
    new_config = f"{p}.EndpointConfig.EndpointConfigName"
    states[s["endpoint config"]] = task(
        resource=create_endpoint_config.API.resource(create_endpoint_config.API.default_pattern), parameters=config,
        result_selector={"EndpointConfigName.$": names.name_from_arn("$.EndpointConfigArn")},
        result_path=f"{p}.EndpointConfig", retry=retry, catch=catch,
        comment=comment if model is None else None, next=s["find endpoint"])

    # 2. create or update, decided by DescribeEndpoint now
    lookup = put({}, "EndpointName", endpoint_name)
    states[s["find endpoint"]] = task(
        resource=sdk_resource("sagemaker", "describeEndpoint"), parameters=lookup,
        result_selector={"Operation": "update", "PreviousEndpointConfigName.$": "$.EndpointConfigName",
                         "PreviousEndpointStatus.$": "$.EndpointStatus", "Polls": 0},
        result_path=f"{p}.Deployment", retry=describe_retry(),
        catch=[{"ErrorEquals": NOT_FOUND_ERRORS, "ResultPath": f"{p}.Lookup", "Next": s["endpoint missing?"]},
               *(catch or [])],
        comment="Does the endpoint exist? Update it if so, create it if not.", next=s["update endpoint"])
    states[s["endpoint missing?"]] = choice(
        choices=[{"Variable": f"{p}.Lookup.Cause", "StringMatches": NOT_FOUND_CAUSE, "Next": s["create endpoint"]}],
        default=s["lookup failed"])
    create = put({}, "EndpointName", endpoint_name)
    create[f"EndpointConfigName{PATH_SUFFIX}"] = new_config
    create = with_defaults(create_endpoint.API, create, name_prefix=None, step_name=None, retry=retry)
    states[s["create endpoint"]] = task(
        resource=create_endpoint.API.resource(create_endpoint.API.default_pattern), parameters=create,
        result_selector={"Operation": "create", "PreviousEndpointConfigName": None, "PreviousEndpointStatus": None,
                         "Polls": 0},
        result_path=f"{p}.Deployment", retry=retry, catch=catch, next=s["status"])
    request = _deployment_config(update or {}, alarms)
    put(request, "EndpointName", endpoint_name)
    request[f"EndpointConfigName{PATH_SUFFIX}"] = new_config
    states[s["update endpoint"]] = task(
        resource=update_endpoint.API.resource(update_endpoint.API.default_pattern), parameters=request,
        retry=retry, catch=catch, next=s["status"])
    states[s["update endpoint"]]["ResultPath"] = None   # its answer is the ARN only: keep the input

    # 3. poll until InService, Failed, rolled back, or out of polls: describe at once (a local
    #    endpoint, or an update that changes nothing, may be ready), then wait between polls
    states[s["wait"]] = wait(seconds=poll_seconds, next=s["status"])
    states[s["status"]] = task(resource=sdk_resource("sagemaker", "describeEndpoint"), parameters=dict(lookup),
                               result_path=f"{p}.Endpoint", retry=describe_retry(), catch=catch, next=s["count"])
    states[s["count"]] = pass_(parameters={
        "Operation.$": f"{p}.Deployment.Operation",
        "PreviousEndpointConfigName.$": f"{p}.Deployment.PreviousEndpointConfigName",
        "PreviousEndpointStatus.$": f"{p}.Deployment.PreviousEndpointStatus",
        "Polls.$": intrinsic("MathAdd", f"{p}.Deployment.Polls", "1")}, result_path=f"{p}.Deployment",
        next=s["in service?"])
    status = f"{p}.Endpoint.EndpointStatus"
    live = f"{p}.Endpoint.EndpointConfigName"
    states[s["in service?"]] = choice(choices=[
        {"And": [{"Variable": status, "StringEquals": "InService"},
                 {"Variable": live, "StringEqualsPath": new_config}], "Next": s["deployed"]},
        {"Variable": status, "StringEquals": "Failed", "Next": s["endpoint failed"]},
        {"Variable": status, "StringEquals": "InService", "Next": s["rolled back"]},
        {"Variable": f"{p}.Deployment.Polls", "NumericGreaterThanEquals": polls, "Next": s["timed out"]},
    ], default=s["wait"], comment=f"InService on the new config: done; Failed or back on the old config: fail; "
                                  f"at most {polls} polls, {poll_seconds} s apart ({timeout_seconds} s)")
    result = {
        "EndpointName.$": f"{p}.Endpoint.EndpointName",
        "EndpointArn.$": f"{p}.Endpoint.EndpointArn",
        "EndpointStatus.$": status,
        "EndpointConfigName.$": live,
        "Operation.$": f"{p}.Deployment.Operation",
        "PreviousEndpointConfigName.$": f"{p}.Deployment.PreviousEndpointConfigName",
        "Polls.$": f"{p}.Deployment.Polls",
    }
    if model_path:
        result["ModelName.$"] = model_path
    states[s["deployed"]] = pass_(parameters=result, result_path=p, comment="Which endpoint config is live, and "
                                  "which one served before (kept: nothing is deleted)", next=next, end=end)

    # 4. failures: $.error as a Catch would set it, then the step's failure path
    target = failure_next or s["failed"]
    description = intrinsic("JsonToString", f"{p}.Endpoint")
    states[s["endpoint failed"]] = pass_(parameters={
        "Error": ERROR_FAILED,
        "Cause.$": fmt("Endpoint {} is Failed after deploying endpoint config {} (FailureReason in the "
                       "DescribeEndpoint response): {}", f"{p}.Endpoint.EndpointName", new_config, description)},
        result_path=ERROR_RESULT_PATH, next=target)
    states[s["rolled back"]] = pass_(parameters={
        "Error": ERROR_ROLLED_BACK,
        "Cause.$": fmt("Endpoint {} rolled back: endpoint config {} is live, not {} (FailureReason in the "
                       "DescribeEndpoint response): {}", f"{p}.Endpoint.EndpointName", live, new_config, description)},
        result_path=ERROR_RESULT_PATH, next=target)
    states[s["timed out"]] = pass_(parameters={
        "Error": ERROR_TIMEOUT,
        "Cause.$": fmt(f"Endpoint {{}} is still {{}} after {{}} polls {poll_seconds} s apart (timeout_seconds "
                       f"{timeout_seconds}); SageMaker goes on deploying endpoint config {{}}",
                       f"{p}.Endpoint.EndpointName", status, f"{p}.Deployment.Polls", new_config)},
        result_path=ERROR_RESULT_PATH, next=target)
    states[s["lookup failed"]] = pass_(parameters={"Error.$": f"{p}.Lookup.Error", "Cause.$": f"{p}.Lookup.Cause"},
                                       result_path=ERROR_RESULT_PATH, next=target)
    if failure_next is None:
        states[s["failed"]] = fail_from_error()
    return states


def fail_from_error() -> State:
    """A Fail state re-raising ``$.error`` {Error, Cause}."""
    state = fail()
    state["ErrorPath"] = f"{ERROR_RESULT_PATH}.Error"
    state["CausePath"] = f"{ERROR_RESULT_PATH}.Cause"
    return state


