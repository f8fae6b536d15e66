"""Answers Task states from a mock file's test case, as AWS Step Functions Local does.

Each Task is answered by its state name and how many times that state was invoked before in the
execution: a retry consumes the next response, so ``{"0": Throw, "1": Return}`` fails once and then
succeeds. As Step Functions Local documents (sfn-local-mock-cfg-file.html):

- an invocation past the last mocked response fails the execution ("you must specify a mocked
  response for every invocation ... If you do not specify a mocked response, the state machine
  execution will fail"): ``States.Runtime``, which no ``States.ALL`` catcher or retrier takes;
- a Task the test case does not mock "will attempt to call the service endpoints" (the docs'
  "HybridPath"): here the ``fallback`` integration answers it (the local Lambda, SageMaker and moto
  services); without one it fails with ``States.Runtime`` naming the state. Never real AWS.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sagemaker_sfn.local.integrations.base import Integration, TaskFailure, TaskRequest
from sagemaker_sfn.local.interpreter.messages import states_error

if TYPE_CHECKING:
    from sagemaker_sfn.local.clock import Clock
    from sagemaker_sfn.local.mock_config import MockedResponse


@dataclass(frozen=True)
class MockCall:
    """One Task invocation the mock answered (kept so tests can assert what was called)."""

    state_name: str
    invocation: int           # 0-based count for this state
    resource: str
    parameters: Any
    error: str | None         # set when the mocked answer was a Throw


class MockIntegration:
    """An :class:`~sagemaker_sfn.local.integrations.base.Integration` over one test case.

    ``responses`` maps state name -> mocked response (``MockConfig.test_case(...)``);
    ``test_case`` and ``source`` only make messages precise (defaults: ``"test case"``, ``"mock config"``);
    ``fallback`` answers the Task states the test case does not mock (default None: they fail).
    """

    def __init__(self, responses: dict[str, MockedResponse], *, test_case: str = "test case",
                 source: str = "mock config", fallback: Integration | None = None) -> None:
        self._responses = responses
        self.fallback = fallback
        self._test_case = test_case
        self._source = source
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()   # Map / Parallel branches invoke from several threads
        self.calls: list[MockCall] = []

    def invoke(self, request: TaskRequest, clock: Clock) -> Any:
        state = request.state_name
        response = self._responses.get(state)
        if response is None:
            if self.fallback is not None:
                return self.fallback.invoke(request, clock)
            raise _task_failure("mock_unmocked_state", state_name=state, resource=request.ref.resource,
                                test_case=self._test_case, source=self._source,
                                mocked=", ".join(sorted(self._responses)) or "none")
        with self._lock:
            invocation = self._counts.get(state, 0)
            self._counts[state] = invocation + 1
            answer = response.answer(invocation)
            self.calls.append(MockCall(state_name=state, invocation=invocation, resource=request.ref.resource,
                                       parameters=request.parameters,
                                       error=answer.error if answer else "States.Runtime"))
        if answer is None:
            raise _task_failure("mock_responses_exhausted", state_name=state, count=invocation + 1,
                                response=response.name, test_case=self._test_case, last=response.last_invocation)
        if answer.error is not None:
            raise TaskFailure(answer.error, answer.cause)
        # A copy: the interpreter may reshape the result, and the next invocation must see the file's value.
        return copy.deepcopy(answer.result)

    def invocations(self, state_name: str) -> int:
        """How many times ``state_name`` was invoked so far."""
        with self._lock:
            return self._counts.get(state_name, 0)


def _task_failure(key: str, **values: Any) -> TaskFailure:
    error = states_error(key, **values)
    return TaskFailure(error.error, error.cause)


def unmocked_task_states(definition: dict[str, Any], responses: dict[str, Any]) -> list[str]:
    """Task states (in branches and item processors too) the test case does not mock: the ones a
    hybrid run answers with local integrations."""
    found: list[str] = []

    def walk(states: Any) -> None:
        for name, state in (states or {}).items():
            if not isinstance(state, dict):
                continue
            if state.get("Type") == "Task" and name not in responses:
                found.append(name)
            for branch in state.get("Branches") or []:
                walk(branch.get("States"))
            for key in ("ItemProcessor", "Iterator"):
                if isinstance(state.get(key), dict):
                    walk(state[key].get("States"))

    walk(definition.get("States"))
    return found
