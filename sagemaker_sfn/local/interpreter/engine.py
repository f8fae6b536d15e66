"""The state machine interpreter: runs states, records history, applies Retry / Catch.

One :class:`Engine` runs one execution. Each (sub)program -- the machine, a Parallel branch, a Map
iteration -- runs with its own :class:`Scope` (variables, clock, cancel flag, history cursor).
With a :class:`VirtualClock`, branches run one after another on their own simulated clocks that start
where their slot of MaxConcurrency frees up, so histories show the timestamps concurrent branches
would have on AWS while the run stays deterministic. With a real clock, branches run in threads.
"""

from __future__ import annotations

import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sagemaker_sfn.local.clock import Clock, VirtualClock
from sagemaker_sfn.local.integrations.base import Integration
from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.history import History, iso
from sagemaker_sfn.local.interpreter.messages import states_error

JSONPATH = "JSONPath"
JSONATA = "JSONata"


class Failure(StatesError):
    """An error that already has its final wording (Fail state, task, branch): propagate unchanged.

    ``state_failed_event`` names the event (MapStateFailed / ParallelStateFailed) AWS logs when the
    state finally fails -- after retries are exhausted, not on each attempt.
    """

    def __init__(self, error: str, cause: str | None = None, *, state_failed_event: str | None = None) -> None:
        super().__init__(error, cause)
        self.state_failed_event = state_failed_event


class Cancelled(Exception):
    """A sibling branch failed; this branch stops at its next state."""


class CancelToken:
    """A cancel flag that is also set when its parent's is (nested Parallel / Map)."""

    def __init__(self, parent: CancelToken | None = None) -> None:
        self._event = threading.Event()
        self._parent = parent

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set() or (self._parent is not None and self._parent.is_set())


class TimedOut(Exception):
    """The execution's TimeoutSeconds elapsed."""


class HistoryLimitExceeded(Exception):
    """The history reached AWS's quota of events: the execution fails, nothing can catch it.

    Locally this also stops a polling loop whose mocks never reach the exit condition.
    """


MAX_HISTORY_EVENTS = 25_000


@dataclass
class Scope:
    """What one program run (machine, branch, iteration) carries along."""

    variables: dict[str, Any]
    clock: Clock
    cancel: CancelToken
    cursor: int                          # previousEventId for this run's next event
    query_language: str = JSONPATH
    map_item: dict[str, Any] | None = None
    history: History | None = None      # a child execution's own history (distributed Map)

    def child(self, *, clock: Clock, cancel: CancelToken, cursor: int, query_language: str,
              map_item: dict[str, Any] | None = None, history: History | None = None) -> Scope:
        # Branches read the enclosing variables but their own assignments stay inside (AWS scoping).
        return Scope(variables=dict(self.variables), clock=clock, cancel=cancel, cursor=cursor,
                     query_language=query_language, map_item=map_item, history=history or self.history)

    def log(self, engine: Engine) -> History:
        return self.history or engine.history


@dataclass
class Engine:
    """Runs one execution; build with :func:`sagemaker_sfn.local.interpreter.run_definition`."""

    definition: dict[str, Any]
    execution_input: Any
    execution_name: str
    execution_arn: str
    state_machine_name: str
    state_machine_arn: str
    role_arn: str
    region: str
    integration: Integration | None
    clock: Clock
    history: History
    rng: random.Random
    start: datetime
    deadline: datetime | None = None
    express: bool = False
    _rng_lock: threading.Lock = field(default_factory=threading.Lock)

    # -- context object ---------------------------------------------------------------------------
    def context(self, *, scope: Scope, state_name: str, entered: datetime, retry_count: int | None,
                task_token: str | None = None) -> dict[str, Any]:
        context: dict[str, Any] = {
            "Execution": {"Id": self.execution_arn, "Input": self.execution_input, "Name": self.execution_name,
                          "RoleArn": self.role_arn, "StartTime": iso(self.start), "RedriveCount": 0},
            "StateMachine": {"Id": self.state_machine_arn, "Name": self.state_machine_name},
            "State": {"EnteredTime": iso(entered), "Name": state_name},
        }
        if self.express:
            del context["Execution"]["RedriveCount"]   # Express executions cannot be redriven
        if retry_count is not None:
            # AWS shows RetryCount only in states that can retry (Task, Parallel, Map).
            context["State"]["RetryCount"] = retry_count
        if task_token is not None:
            context["Task"] = {"Token": task_token}
        if scope.map_item is not None:
            context["Map"] = {"Item": scope.map_item}
        return context

    def new_token(self) -> str:
        with self._rng_lock:
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def retry_rng(self) -> random.Random:
        """The seeded RNG for JitterStrategy FULL (one per execution, so runs are reproducible)."""
        return self.rng

    # -- programs ---------------------------------------------------------------------------------
    def run_program(self, program: dict[str, Any], program_input: Any, *, scope: Scope) -> Any:
        """Run states from StartAt until one ends; returns the last output or raises Failure."""
        from sagemaker_sfn.local.interpreter.states import run_state

        if "StartAt" not in program or not isinstance(program.get("States"), dict):
            raise states_error("program_invalid")
        name = program["StartAt"]
        value = program_input
        while True:
            if scope.cancel.is_set():
                raise Cancelled()
            self.check_deadline(scope.clock)
            # A state logs at least Entered and Exited: stop before it would cross the quota.
            if len(self.history.events) + 2 > MAX_HISTORY_EVENTS:
                raise HistoryLimitExceeded()
            states = program["States"]
            if name not in states:
                raise states_error("state_not_defined", state_name=name)
            value, name = run_state(self, name=name, state=states[name], state_input=value, scope=scope)
            if name is None:
                return value

    def check_deadline(self, clock: Clock) -> None:
        if self.deadline is not None and clock.now() >= self.deadline:
            raise TimedOut()

    def sleep(self, clock: Clock, seconds: float) -> None:
        """Let ``seconds`` pass, stopping at the execution's deadline (then TimedOut)."""
        if self.deadline is not None:
            remaining = (self.deadline - clock.now()).total_seconds()
            if seconds >= remaining:
                clock.sleep(max(remaining, 0))
                raise TimedOut()
        clock.sleep(seconds)

    # -- branches ---------------------------------------------------------------------------------
    def run_children(self, jobs: list[Callable[[Scope], Any]], *, make_scope: Callable[[int, Clock, CancelToken], Scope],
                     scope: Scope, max_concurrency: int, stop_on_failure: Callable[[int, BaseException], bool]
                     ) -> list[tuple[bool, Any]]:
        """Run ``jobs`` (Parallel branches / Map iterations); ``(ok, result_or_exception)`` for each.

        ``stop_on_failure(index, exc)`` says whether a failure cancels the jobs not yet finished (they
        then report :class:`Cancelled`). ``max_concurrency`` 0 means unlimited.
        """
        results: list[tuple[bool, Any] | None] = [None] * len(jobs)
        # A cancel of the enclosing run reaches the children too.
        cancel = CancelToken(parent=scope.cancel)
        parent_cancel = scope.cancel
        if isinstance(scope.clock, VirtualClock):
            slots = [scope.clock.now()] * (max_concurrency or len(jobs) or 1)
            for index, job in enumerate(jobs):
                if cancel.is_set() or parent_cancel.is_set():
                    results[index] = (False, Cancelled())
                    continue
                slot = min(range(len(slots)), key=lambda i: slots[i])
                child_clock = VirtualClock(start=slots[slot])
                try:
                    results[index] = (True, job(make_scope(index, child_clock, cancel)))
                except (Failure, TimedOut, Cancelled) as exc:
                    results[index] = (False, exc)
                    if isinstance(exc, TimedOut) or stop_on_failure(index, exc):
                        cancel.set()
                slots[slot] = child_clock.now()
            end = max(slots)
            if end > scope.clock.now():
                scope.clock.sleep((end - scope.clock.now()).total_seconds())
            return [result for result in results if result is not None] if len(results) else []

        def guarded(index: int) -> None:
            if cancel.is_set() or parent_cancel.is_set():
                results[index] = (False, Cancelled())
                return
            try:
                results[index] = (True, jobs[index](make_scope(index, scope.clock, cancel)))
            except (Failure, TimedOut, Cancelled, HistoryLimitExceeded) as exc:
                results[index] = (False, exc)
                if isinstance(exc, (TimedOut, HistoryLimitExceeded)) or stop_on_failure(index, exc):
                    cancel.set()
            except Exception as exc:  # a bug in an integration must not hang the pool
                results[index] = (False, states_error("branch_crashed", detail=f"{type(exc).__name__}: {exc}"))
                cancel.set()

        workers = max_concurrency or min(len(jobs), 40) or 1
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(guarded, range(len(jobs))))
        return [result for result in results if result is not None]

