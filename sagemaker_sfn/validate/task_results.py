"""What a Task's integration answers, as a shape (before ResultSelector): botocore's output shapes
of the called operation (``Describe*`` for SageMaker ``.sync`` jobs), Lambda's Invoke envelope, and
UNKNOWN for everything no model describes (a Lambda ARN called directly, callbacks, other services)."""

from __future__ import annotations

import re

from sagemaker_sfn.validate import shapes as S
from sagemaker_sfn.validate.model import StateRef
from sagemaker_sfn.validate.resources import integration_of

# Optimized SageMaker .sync integrations answer with the job's final Describe* response (AWS "Create
# and manage Amazon SageMaker AI jobs with Step Functions": "the output of the Describe API").
SYNC_DESCRIBE = {"CreateTrainingJob": "DescribeTrainingJob", "CreateProcessingJob": "DescribeProcessingJob",
                  "CreateTransformJob": "DescribeTransformJob", "CreateLabelingJob": "DescribeLabelingJob",
                  "CreateHyperParameterTuningJob": "DescribeHyperParameterTuningJob"}
# Services whose aws-sdk and optimized answers carry botocore's member names unchanged.
_MODELLED = {"sagemaker": "sagemaker", "sns": "sns", "sqs": "sqs", "s3": "s3", "dynamodb": "dynamodb"}
# Optimized integrations add the SDK's HTTP metadata to the response (seen in every recorded answer of
# arn:aws:states:::sns:publish, dynamodb:putItem, lambda:invoke...).
_SDK_METADATA = {"SdkHttpMetadata": (S.UNKNOWN, S.ALWAYS), "SdkResponseMetadata": (S.UNKNOWN, S.ALWAYS)}


_RESULTS: dict[str, S.Shape] = {}


def task_result(ref: StateRef) -> S.Shape:
    """What a Task's integration answers (before ResultSelector), UNKNOWN when no model says; one
    shape per Resource ARN."""
    resource = ref.state.get("Resource")
    if not isinstance(resource, str):
        return S.UNKNOWN
    shape = _RESULTS.get(resource)
    if shape is None:
        if len(_RESULTS) > 1024:
            _RESULTS.clear()
        shape = _RESULTS[resource] = _task_result(ref)
    return shape


def _task_result(ref: StateRef) -> S.Shape:
    integration = integration_of(ref.state)
    if integration is None or integration.pattern == "waitForTaskToken":
        return S.UNKNOWN
    service = integration.service
    if service == "lambda" and integration.action == "invoke" and not integration.sdk:
        # The Lambda Invoke response envelope (botocore's InvocationResponse members: StatusCode,
        # ExecutedVersion, FunctionError, ...) with the SDK metadata; the function's own answer, in
        # Payload, is unknown (AWS "Invoke an AWS Lambda function with Step Functions": the output
        # example holds ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode).
        from sagemaker_sfn.validate.service_models import service_model

        envelope = service_model("lambda").output_shape("Invoke")
        fields = {name: (S.from_botocore(member, origin="the lambda:invoke response"), S.ALWAYS)
                  for name, member in (envelope.members.items() if envelope is not None else ())}
        fields.update({"Payload": (S.UNKNOWN, S.ALWAYS), **_SDK_METADATA})
        return S.obj(fields, origin="the lambda:invoke response")
    model_name = _MODELLED.get(service)
    if model_name is None:
        return S.UNKNOWN
    from sagemaker_sfn.validate.service_models import service_model

    model = service_model(model_name)
    operation = integration.operation
    if integration.pattern.startswith("sync"):
        if service != "sagemaker" or integration.sdk or operation not in SYNC_DESCRIBE:
            return S.UNKNOWN
        operation = SYNC_DESCRIBE[operation]
        origin = f"{operation}'s response (what {integration.action}.sync returns)"
    else:
        origin = f"{operation}'s response (what {integration.action} returns)"
    if operation not in model.operation_names:
        return S.UNKNOWN
    output = model.output_shape(operation)
    if output is None:
        return S.obj({}, origin=origin)
    return S.from_botocore(output, origin=origin, extra=None if integration.sdk else _SDK_METADATA)


def sync_hint(parent: S.Shape, missing: str) -> str:
    """When a request-response SageMaker Create* answer lacks a field its job's description has."""
    match = re.match(r"^(Create\w+)'s response \(what (\w+) returns\)$", parent.origin)
    if not match or match.group(1) not in SYNC_DESCRIBE:
        return ""
    from sagemaker_sfn.validate.service_models import service_model

    model = service_model("sagemaker")
    describe = model.output_shape(SYNC_DESCRIBE[match.group(1)])
    if describe is not None and missing in describe.members:
        return (f"{match.group(2)} without .sync answers as soon as the job is created, with its ARN only: use "
                f"{match.group(2)}.sync to wait for the job and receive its description ({SYNC_DESCRIBE[match.group(1)]})")
    return ""
