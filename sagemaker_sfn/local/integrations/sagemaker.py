"""Task states for SageMaker: ``arn:aws:states:::sagemaker:<action>[.sync]`` and
``arn:aws:states:::aws-sdk:sagemaker:<action>``, answered by the local SageMaker.

- Create* requests are validated against botocore's input shape first; a bad request fails with
  ``SageMaker.AmazonSageMakerException`` and SageMaker's ValidationException text, as Step Functions
  reports a rejected call.
- ``.sync``: the job runs to its end and the task returns the final Describe* response; a job that
  ends Failed or Stopped fails the task with ``States.TaskFailed`` and, as cause, that Describe*
  response as JSON (FailureReason inside), which is how Step Functions reports a failed SageMaker job.
- request-response: the Create* response comes back at once, the job runs on in a background thread
  (:meth:`SageMakerIntegration.wait` joins them when the environment closes).
- ``describe*`` and ``stop*`` are answered from the store.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from sagemaker_sfn.local.integrations.base import TaskFailure, TaskRequest, UnsupportedIntegration
from sagemaker_sfn.local.sagemaker import approvals, endpoints, models, shapes
from sagemaker_sfn.local.sagemaker.context import JobFailed, LocalSageMaker
from sagemaker_sfn.local.sagemaker.store import KINDS, ResourceInUse, ResourceNotFound

# Job functions, "module:function", all ``fn(request, *, sm) -> Create* response``; imported on first use
# so a job type whose module is missing fails only the pipelines that use it.
JOB_FUNCTIONS: dict[str, str] = {
    "createTrainingJob": "sagemaker_sfn.local.sagemaker.training:create_training_job",
    "createHyperParameterTuningJob": "sagemaker_sfn.local.sagemaker.tuning:create_tuning_job",
    "createTransformJob": "sagemaker_sfn.local.sagemaker.transform:create_transform_job",
    "createProcessingJob": "sagemaker_sfn.local.sagemaker.processing:create_processing_job",
}

# Create action -> (store kind, name member of the request, status member of the Describe response,
# ARN member of the Create response).
JOBS: dict[str, tuple[str, str, str, str]] = {
    "createTrainingJob": ("TrainingJob", "TrainingJobName", "TrainingJobStatus", "TrainingJobArn"),
    "createHyperParameterTuningJob": ("HyperParameterTuningJob", "HyperParameterTuningJobName",
                                      "HyperParameterTuningJobStatus", "HyperParameterTuningJobArn"),
    "createTransformJob": ("TransformJob", "TransformJobName", "TransformJobStatus", "TransformJobArn"),
    "createProcessingJob": ("ProcessingJob", "ProcessingJobName", "ProcessingJobStatus", "ProcessingJobArn"),
}

RESOURCE_FUNCTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "createModel": models.create_model,
    "createEndpointConfig": models.create_endpoint_config,
    "createEndpoint": endpoints.create_endpoint,      # endpoints that serve (local/sagemaker/endpoints.py)
    "updateEndpoint": endpoints.update_endpoint,
    "updateModelPackage": approvals.update_model_package,
    "createModelPackage": models.create_model_package,
    "createModelPackageGroup": models.create_model_package_group,
}

# Stop action -> store kind.
STOPS = {"stopTrainingJob": "TrainingJob", "stopHyperParameterTuningJob": "HyperParameterTuningJob",
         "stopTransformJob": "TransformJob", "stopProcessingJob": "ProcessingJob"}

_FAILED = {"Failed", "Stopped"}


def sagemaker_exception(message: str, *, code: str = "ValidationException", error: str = "SageMaker.AmazonSageMakerException",
                        status: int = 400) -> TaskFailure:
    """A rejected SageMaker call as Step Functions reports it (the Java SDK's exception text)."""
    return TaskFailure(error, f"{message} (Service: AmazonSageMaker; Status Code: {status}; Error Code: {code}; "
                              f"Request ID: {uuid.uuid4()}; Proxy: null)")


def load_function(spec: str) -> Callable[..., dict[str, Any]]:
    """The job function ``module:function``; States.Runtime (not a job failure) when it is missing."""
    module_name, _, attr = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise UnsupportedIntegration("States.Runtime", f"the local SageMaker cannot run this job type: {spec} "
                                     f"is not available ({exc})") from None


class SageMakerIntegration:
    """Dispatches SageMaker tasks to the local SageMaker ``sm``."""

    def __init__(self, *, sm: LocalSageMaker) -> None:
        self.sm = sm
        self._threads: list[threading.Thread] = []

    def invoke(self, request: TaskRequest, clock: Any) -> Any:
        ref = request.ref
        action = ref.action.split(":", 1)[1] if ref.service == "aws-sdk" else ref.action
        params = request.parameters if isinstance(request.parameters, dict) else {}
        if action.startswith("describe"):
            return self.describe(action, params, sdk=ref.service == "aws-sdk")
        if action in STOPS:
            return self.stop(STOPS[action], params)
        if action in JOBS:
            return self.create_job(action, params, sync=ref.pattern.startswith("sync"))
        if action in RESOURCE_FUNCTIONS:
            self._validate(action, params)
            try:
                return RESOURCE_FUNCTIONS[action](params, sm=self.sm)
            except JobFailed as exc:
                raise sagemaker_exception(exc.reason) from None
            except ResourceInUse as exc:
                raise sagemaker_exception(f"Cannot create already existing resource \"{exc}\"") from None
        raise UnsupportedIntegration("States.Runtime", f"the local SageMaker does not answer '{ref.resource}' "
                                     f"(supported: {', '.join([*JOBS, *RESOURCE_FUNCTIONS, *STOPS, 'describe*'])})")

    # -- Create* for jobs ----------------------------------------------------------------------
    def create_job(self, action: str, params: dict[str, Any], *, sync: bool) -> dict[str, Any]:
        kind, name_member, status_member, arn_member = JOBS[action]
        self._validate(action, params)
        name = params[name_member]
        if self.sm.store.exists(kind, name):
            raise sagemaker_exception(f"{kind} names must be unique within an AWS account and region, and a {kind} "
                                      f"with this name already exists ({self.sm.arn(kind, name)})", code="ResourceInUse")
        function = load_function(JOB_FUNCTIONS[action])
        if sync:
            self._run_job(function, kind, name, params)
            final = self.sm.store.get(kind, name)
            if final.get(status_member) in _FAILED:
                raise TaskFailure("States.TaskFailed", json.dumps(final, separators=(",", ":")))
            return final
        thread = threading.Thread(target=self._run_in_background, args=(function, kind, name, params),
                                  name=f"sagemaker-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()
        # The Create* call returns once the job is recorded, as SageMaker's does.
        while thread.is_alive() and not self.sm.store.exists(kind, name):
            time.sleep(0.01)
        return {arn_member: self.sm.arn(kind, name)}

    def _run_job(self, function: Callable[..., dict[str, Any]], kind: str, name: str, params: dict[str, Any]) -> None:
        try:
            function(params, sm=self.sm)
        except JobFailed as exc:
            self._record_failure(kind, name, exc.reason, status=exc.status)
        except Exception as exc:  # a bug in a job function must fail the job, not hang the run
            self.sm.log.exception("local SageMaker job %s crashed", name)
            self._record_failure(kind, name, f"InternalServerError: {type(exc).__name__}: {exc}", status="Failed")

    def _run_in_background(self, function: Callable[..., dict[str, Any]], kind: str, name: str,
                           params: dict[str, Any]) -> None:
        try:
            self._run_job(function, kind, name, params)
        except TaskFailure as failure:   # nothing recorded: no caller is left to raise it to
            self.sm.log.warning("local SageMaker job %s could not start: %s", name, failure.cause)

    def _record_failure(self, kind: str, name: str, reason: str, *, status: str) -> None:
        status_member = next(s for k, _, s, _ in JOBS.values() if k == kind)
        if self.sm.store.exists(kind, name):
            self.sm.store.update(kind, name, **{status_member: status, "FailureReason": reason or None,
                                                "LastModifiedTime": self.sm.now_millis()})
        else:
            # Nothing was recorded: the request itself was unusable, which SageMaker rejects at Create.
            raise sagemaker_exception(reason)

    def wait(self, timeout: float | None = None) -> None:
        """Join request-response jobs still running (default: wait for all)."""
        for thread in self._threads:
            thread.join(timeout)

    # -- Describe* / Stop* ---------------------------------------------------------------------
    def describe(self, action: str, params: dict[str, Any], *, sdk: bool = False) -> dict[str, Any]:
        op = action[:1].upper() + action[1:]
        if action == "describeEndpoint":
            name = str(params.get("EndpointName"))
            try:
                return endpoints.describe_endpoint(name, sm=self.sm)
            except ResourceNotFound:
                # SageMaker answers a ValidationException; the AWS SDK integration names it after the
                # SDK's base exception (see sagemaker_sfn/sagemaker/deploy_endpoint.py).
                raise sagemaker_exception(f"Could not find endpoint \"{self.sm.arn('Endpoint', name)}\".",
                                          error="SageMaker.SageMakerException" if sdk
                                          else "SageMaker.AmazonSageMakerException") from None
        for kind, (describe_op, name_member) in KINDS.items():
            if describe_op == op:
                name = params.get(name_member)
                if kind == "ModelPackage":
                    name = self._model_package_name(str(name))
                try:
                    return self.sm.store.get(kind, str(name))
                except ResourceNotFound:
                    raise sagemaker_exception(f"Could not find {kind[0].lower() + kind[1:]} \"{name}\".",
                                              code="ResourceNotFound",
                                              error="SageMaker.ResourceNotFoundException") from None
        raise UnsupportedIntegration("States.Runtime", f"the local SageMaker does not answer {op}")

    def _model_package_name(self, ref: str) -> str:
        # DescribeModelPackage takes a name or an ARN (versioned: .../model-package/<group>/<version>);
        # ARNs carry names lower-cased.
        if ":model-package/" not in ref:
            return ref
        wanted = ref.split(":model-package/", 1)[1].lower()
        return next((n for n in self.sm.store.names("ModelPackage") if n.lower() == wanted), wanted)

    def stop(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get(KINDS[kind][1])
        if not self.sm.store.exists(kind, str(name)):
            raise sagemaker_exception(f"Requested resource not found: {kind} {name}", code="ResourceNotFound")
        self.sm.request_stop(str(name))
        return {}

    def _validate(self, action: str, params: dict[str, Any]) -> None:
        problems = shapes.request_problems(action, params)
        if problems:
            count = len(problems)
            raise sagemaker_exception(f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems))
