"""The contract between the interpreter and whatever answers a Task state.

The interpreter evaluates a Task's input (Parameters / Arguments, with paths and intrinsics already
resolved), builds a :class:`TaskRequest` and calls :meth:`Integration.invoke`. The integration
returns the task's raw result (for ``.sync`` SageMaker calls: the final Describe* response) or raises
:class:`TaskFailure` with the error name and cause AWS would report, so Retry and Catch see it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sagemaker_sfn.local.clock import Clock

# arn:aws:states:::sagemaker:createTrainingJob.sync, arn:aws:states:::lambda:invoke.waitForTaskToken,
# arn:aws:states:::aws-sdk:s3:getObject, ...
_OPTIMIZED = re.compile(r"^arn:[^:]+:states:[^:]*:[^:]*:(?P<service>[a-z0-9-]+):(?P<action>[A-Za-z0-9:]+?)"
                        r"(?:\.(?P<pattern>sync(?::2)?|waitForTaskToken))?$")
_LAMBDA_ARN = re.compile(r"^arn:[^:]+:lambda:[^:]*:[^:]*:function:(?P<name>[^:]+)(?::[^:]+)?$")
_ACTIVITY_ARN = re.compile(r"^arn:[^:]+:states:[^:]*:[^:]*:activity:(?P<name>.+)$")


class TaskFailure(Exception):
    """A task failed: ``error`` and ``cause`` exactly as AWS Step Functions would report them."""

    def __init__(self, error: str, cause: str | None = None) -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause


@dataclass(frozen=True)
class ResourceRef:
    """A Task's ``Resource`` split into what answers it."""

    service: str         # "sagemaker", "lambda", "sns", "sqs", "aws-sdk", "activity", ...
    action: str          # "createTrainingJob", "invoke", "publish", "s3:getObject", activity name
    pattern: str         # "request-response" | "sync" | "sync:2" | "waitForTaskToken"
    resource: str        # the Resource string as written

    @classmethod
    def parse(cls, resource: str) -> ResourceRef:
        if match := _OPTIMIZED.match(resource):
            return cls(service=match["service"], action=match["action"],
                       pattern=match["pattern"] or "request-response", resource=resource)
        if match := _LAMBDA_ARN.match(resource):
            # A bare function ARN is the legacy Lambda integration: request-response, input as payload.
            return cls(service="lambda", action="invoke-arn", pattern="request-response", resource=resource)
        if match := _ACTIVITY_ARN.match(resource):
            return cls(service="activity", action=match["name"], pattern="request-response", resource=resource)
        raise ValueError(f"unrecognised Task Resource '{resource}'")


@dataclass
class TaskRequest:
    ref: ResourceRef
    parameters: Any                   # effective task input (after Parameters/Arguments)
    state_name: str
    execution_name: str
    execution_arn: str
    state_machine_name: str
    context: dict[str, Any]           # the context object ($$) at this state entry
    task_token: str | None = None     # set for .waitForTaskToken
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    retry_count: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Integration(Protocol):
    def invoke(self, request: TaskRequest, clock: Clock) -> Any:
        """Run the task and return its result, or raise :class:`TaskFailure`.

        ``.sync`` patterns block until the job ends (sleeping on ``clock``) and return the final
        Describe* response; a job that ends Failed/Stopped raises TaskFailure the way AWS does.
        """


class UnsupportedIntegration(TaskFailure):
    """Raised by a registry for a Resource no integration answers; surfaces as States.Runtime-like failure."""


def task_states(states: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, state) of every Task in ``states`` (a definition's ``States``) and in the Parallel
    branches and Map processors inside it, at any depth; malformed parts are skipped (the validator
    reports them), so checks made before a run never fail on them."""
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Task":
            yield name, state
        for branch in state.get("Branches", []) or []:
            yield from task_states(branch.get("States") if isinstance(branch, dict) else None)
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(processor, dict):
            yield from task_states(processor.get("States"))
