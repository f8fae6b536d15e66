"""Legal but risky: a SageMaker *job* (a ``.sync`` task: training, processing, transform, tuning,
labeling) without Retry (capacity and throttling errors are routine: SageMaker.ResourceLimitExceeded,
ThrottlingException) or without Catch, its own or an enclosing Parallel/Map state's (a failure ends
the execution without notifying anyone, after paying for the job).

Request-response calls (createModel, createEndpointConfig, aws-sdk Describe*/List*) answer in
milliseconds and cost nothing: on real-world SageMaker state machines these warnings were almost all
noise ("20 of 22 get warnings, mostly on createModel", issue 11), so they are not warned about.
"""

from __future__ import annotations

from collections.abc import Iterator

from sagemaker_sfn.validate.findings import Finding, warning
from sagemaker_sfn.validate.model import StateRef, enclosing_states
from sagemaker_sfn.validate.resources import integration_of

RULE = "sagemaker-resilience"


def check_retry_and_catch(ref: StateRef) -> Iterator[Finding]:
    integration = integration_of(ref.state)
    if integration is None or integration.service != "sagemaker" or not integration.pattern.startswith("sync"):
        return
    if not ref.state.get("Retry"):
        yield warning(ref.location, RULE, f"SageMaker job {integration.action}.sync has no Retry: expected retriers "
                      "for SageMaker.AmazonSageMakerException, SageMaker.ResourceLimitExceededException and "
                      "throttling")
    # Inside a Parallel branch or Map processor, a catcher on the enclosing state handles the failure.
    if not ref.state.get("Catch") and not any(outer.state.get("Catch") for outer in enclosing_states(ref)):
        yield warning(ref.location, RULE, f"SageMaker job {integration.action}.sync has no Catch: expected a "
                      "States.ALL catcher that leads to a failure path")
