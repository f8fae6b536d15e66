"""Local endpoints that serve: CreateEndpoint / UpdateEndpoint / DescribeEndpoint / InvokeEndpoint.

An endpoint's model runs in this process with the same inference code as a local batch transform
(:func:`sagemaker_sfn.local.sagemaker.transform.load_model`: built-in XGBoost, or a script's
``model_fn`` / ``input_fn`` / ``predict_fn`` / ``output_fn``).

The lifecycle follows SageMaker's statuses (API reference, EndpointSummary):

- CreateEndpoint records the endpoint ``Creating`` and starts loading its variants' models in a thread
  (the container start). The first DescribeEndpoint after that waits for the load to end (so a run is
  deterministic) and finds the endpoint ``InService``, or ``Failed`` with a FailureReason (a model
  that cannot load fails the endpoint, as a container failing its ping health check does).
- UpdateEndpoint on an InService endpoint records ``Updating`` while the new config's models load;
  the old ones keep serving. Then ``InService`` on the new config, or, when the new models cannot
  load, ``InService`` on the previous config with a FailureReason: SageMaker's blue/green update
  keeps the old fleet until the new one is healthy, and rolls back to it.
- InvokeEndpoint needs an InService endpoint and answers with the first variant that has weight
  (``TargetVariant`` picks one).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sagemaker_sfn.local.sagemaker.context import JobFailed
from sagemaker_sfn.local.sagemaker.store import ResourceInUse, ResourceNotFound, ResourceStore

if TYPE_CHECKING:
    from sagemaker_sfn.local.sagemaker.context import LocalSageMaker


class EndpointError(Exception):
    """An API error of the local endpoints: ``code`` is SageMaker's error code, ``status`` the HTTP status."""

    def __init__(self, message: str, *, code: str = "ValidationException", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


@dataclass
class _Load:
    config: str
    thread: threading.Thread
    predictors: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class _Endpoints:
    serving: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)   # name -> (config, predictors)
    loading: dict[str, _Load] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


# One registry per local SageMaker (keyed by its store, which lives exactly as long).
_REGISTRIES: "weakref.WeakKeyDictionary[ResourceStore, _Endpoints]" = weakref.WeakKeyDictionary()
_REGISTRIES_LOCK = threading.Lock()


def _registry(sm: LocalSageMaker) -> _Endpoints:
    with _REGISTRIES_LOCK:
        if sm.store not in _REGISTRIES:
            _REGISTRIES[sm.store] = _Endpoints()
        return _REGISTRIES[sm.store]


def _config(sm: LocalSageMaker, name: str) -> dict[str, Any]:
    try:
        return sm.store.get("EndpointConfig", name)
    except ResourceNotFound:
        raise JobFailed(f"Could not find endpoint configuration \"{sm.arn('EndpointConfig', name)}\".") from None


def _start_load(sm: LocalSageMaker, endpoint: str, config_name: str) -> _Load:
    from sagemaker_sfn.local.sagemaker.transform import load_model

    config = _config(sm, config_name)

    def load() -> None:
        try:
            for variant in config.get("ProductionVariants", []):
                model = sm.store.get("Model", variant["ModelName"])
                # Beside the jobs' folders (<run>/jobs/), not among them: an endpoint is not a job.
                model_dir = (sm.work_dir.parent / "endpoint-models" / endpoint / config_name / variant["VariantName"]
                             / "model")
                job.predictors[variant["VariantName"]] = load_model(model, sm=sm, model_dir=model_dir)
            if not job.predictors:
                job.error = "The endpoint configuration has no production variants."
        except ResourceNotFound as exc:
            job.error = f"Could not find model for production variant: {exc}"
        except JobFailed as exc:
            job.error = (f"The primary container for production variant {variant['VariantName']} did not pass the "
                         f"ping health check: {exc.reason}")
        except Exception as exc:  # the model's own code failed to load: the container would not start
            job.error = (f"The primary container for production variant {variant['VariantName']} did not pass the "
                         f"ping health check: {type(exc).__name__}: {exc}")

    job = _Load(config=config_name, thread=threading.Thread(target=load, name=f"endpoint-{endpoint}", daemon=True))
    job.thread.start()
    return job


def create_endpoint(request: dict[str, Any], *, sm: LocalSageMaker) -> dict[str, Any]:
    from sagemaker_sfn.local.sagemaker.models import _endpoint_record

    name, config_name = request["EndpointName"], request["EndpointConfigName"]
    if sm.store.exists("Endpoint", name):
        raise ResourceInUse(sm.arn("Endpoint", name))
    record = _endpoint_record(name, config_name, sm=sm)   # raises JobFailed for an unknown config
    record.update(EndpointStatus="Creating", ProductionVariants=[])
    registry = _registry(sm)
    with registry.lock:
        sm.store.create("Endpoint", name, record)
        registry.loading[name] = _start_load(sm, name, config_name)
    sm.log.info("endpoint %s Creating (endpoint config %s)", name, config_name)
    return {"EndpointArn": record["EndpointArn"]}


def update_endpoint(request: dict[str, Any], *, sm: LocalSageMaker) -> dict[str, Any]:
    name, config_name = request["EndpointName"], request["EndpointConfigName"]
    try:
        current = sm.store.get("Endpoint", name)
    except ResourceNotFound:
        raise JobFailed(f"Could not find endpoint \"{sm.arn('Endpoint', name)}\".") from None
    if current["EndpointStatus"] != "InService":
        raise JobFailed(f"Cannot update in-progress endpoint \"{sm.arn('Endpoint', name)}\".")
    _config(sm, config_name)
    registry = _registry(sm)
    with registry.lock:
        sm.store.update("Endpoint", name, EndpointStatus="Updating", LastModifiedTime=sm.now_millis(), FailureReason=None)
        registry.loading[name] = _start_load(sm, name, config_name)
    sm.log.info("endpoint %s Updating to endpoint config %s", name, config_name)
    return {"EndpointArn": current["EndpointArn"]}


def describe_endpoint(name: str, *, sm: LocalSageMaker) -> dict[str, Any]:
    """DescribeEndpoint; a pending model load is finished first. ResourceNotFound if there is none."""
    from sagemaker_sfn.local.sagemaker.models import _endpoint_record

    registry = _registry(sm)
    with registry.lock:
        job = registry.loading.get(name)
    if job is not None:
        job.thread.join()
        with registry.lock:
            if registry.loading.get(name) is job:
                del registry.loading[name]
                current = sm.store.get("Endpoint", name)
                if job.error is None:
                    record = _endpoint_record(name, job.config, sm=sm, created=current["CreationTime"])
                    sm.store.put("Endpoint", name, record)
                    registry.serving[name] = (job.config, job.predictors)
                    sm.log.info("endpoint %s InService (endpoint config %s)", name, job.config)
                elif current["EndpointStatus"] == "Updating":
                    # Blue/green: the old fleet still serves; the update is rolled back.
                    sm.store.update("Endpoint", name, EndpointStatus="InService", FailureReason=job.error[:1024],
                                    LastModifiedTime=sm.now_millis())
                    sm.log.info("endpoint %s update to %s rolled back: %s", name, job.config, job.error)
                else:
                    sm.store.update("Endpoint", name, EndpointStatus="Failed", FailureReason=job.error[:1024],
                                    LastModifiedTime=sm.now_millis())
                    sm.log.info("endpoint %s Failed: %s", name, job.error)
    return sm.store.get("Endpoint", name)


def invoke_endpoint(name: str, body: bytes, *, sm: LocalSageMaker, content_type: str = "text/csv",
                    accept: str | None = None, target_variant: str | None = None) -> tuple[bytes, str]:
    """InvokeEndpoint: (response body, its content type). :class:`EndpointError` as SageMaker answers."""
    try:
        record = describe_endpoint(name, sm=sm)
    except ResourceNotFound:
        raise EndpointError(f"Endpoint {name} of account {sm.account} not found.") from None
    if record["EndpointStatus"] != "InService":
        raise EndpointError(f"Endpoint {name} is not in service (status {record['EndpointStatus']}).")
    registry = _registry(sm)
    with registry.lock:
        _, predictors = registry.serving[name]
    variants = [v["VariantName"] for v in record.get("ProductionVariants", []) if v.get("CurrentWeight", 1.0) > 0]
    variant = target_variant or next((v for v in variants if v in predictors), next(iter(predictors)))
    if variant not in predictors:
        raise EndpointError(f"Variant {variant} not found for endpoint {name}.")
    answer_type = accept or content_type
    try:
        return predictors[variant].predict(body, content_type, answer_type), answer_type
    except Exception as exc:  # the model's code failed on this request: SageMaker's ModelError (424)
        raise EndpointError(f"Received client error (400) from primary with message \"{type(exc).__name__}: {exc}\".",
                            code="ModelError", status=424) from None


def write_endpoint_records(store: ResourceStore, *, target: Path) -> list[Path]:
    """Each endpoint as the run left it, with its endpoint config and models, to
    ``<target>/<endpoint>.json`` ({"Endpoint", "EndpointConfig", "Models"}): what ``invoke --local``
    needs to serve it again after the run. Returns the files written."""
    import json

    written = []
    for kind, name, record in store.all():
        if kind != "Endpoint":
            continue
        config = store.get("EndpointConfig", record["EndpointConfigName"])
        models = {v["ModelName"]: store.get("Model", v["ModelName"]) for v in config.get("ProductionVariants", [])
                  if v.get("ModelName") and store.exists("Model", v["ModelName"])}
        path = target / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"Endpoint": record, "EndpointConfig": config, "Models": models}, indent=2,
                                   default=str) + "\n", encoding="utf-8")
        written.append(path)
    return written
