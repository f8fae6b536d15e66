"""State shared while a pipeline's steps are turned into states: the file, the names in use,
and the failure paths added for each top-level task."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sagemaker_sfn.asl.policies import catch_all
from sagemaker_sfn.asl.states import State, fail
from sagemaker_sfn.errors import PipelineError

STATE_NAME_LIMIT = 80


@dataclass
class BuildContext:
    file: str
    pipeline: str
    used_names: set[str] = field(default_factory=set)
    failure_states: dict[str, State] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)   # the file's `defaults:` (pipeline.defaults)
    cache: dict[str, Any] = field(default_factory=dict)   # step -> CacheConfig (sagemaker_sfn.pipeline.cache)
    on_failure: str = "notify"   # the file's `on_failure:` (pipeline.assemble.ON_FAILURE)

    def error(self, message: str, *, step: str | None = None, field: str | None = None) -> PipelineError:
        return PipelineError(message, file=self.file, step=step, field=field)

    def claim(self, name: str, *, step: str) -> None:
        """Reserve a state name: names must be unique in the whole state machine."""
        if len(name) > STATE_NAME_LIMIT:
            raise self.error(f"state name {name!r} is {len(name)} characters; Step Functions allows {STATE_NAME_LIMIT}",
                             step=step, field="name")
        if name in self.used_names:
            raise self.error(f"state name {name!r} is already used; every step and generated state needs its own name",
                             step=step, field="name")
        self.used_names.add(name)

    def failure_catch(self, step: str) -> list[dict[str, Any]]:
        """The default Catch for a top-level task: notify (SNS), then a Fail naming ``step``."""
        from sagemaker_sfn.tasks.sns_publish import failure_notification

        notify, failed = failure_state_names(step)
        if notify not in self.failure_states:
            self.claim(notify, step=step)
            self.claim(failed, step=step)
            self.failure_states[notify] = failure_notification(pipeline=self.pipeline, step=step, next=failed)
            self.failure_states[failed] = fail(
                error=f"{self.pipeline}.StepFailed",
                cause=f"Step '{step}' failed; its error and cause were published to the failure topic "
                      "and are in this execution's history.")
        return [catch_all(notify)]


def failure_state_names(step: str) -> tuple[str, str]:
    """The names of ``step``'s failure path: its SNS notification and its Fail state."""
    short = step[: STATE_NAME_LIMIT - len("Notify failure: ")]
    return f"Notify failure: {short}", f"Failed: {short}"
