"""The state machine interpreter: runs states, records history, applies Retry / Catch.

One :class:`Engine` runs one execution. Each (sub)program -- the machine, a Parallel branch, a Map
iteration -- runs with its own :class:`Scope` (variables, clock, cancel flag, history cursor).
With a :class:`VirtualClock`, Map iterations run one after another on their own simulated clocks that
start where their slot of MaxConcurrency frees up, and Parallel branches take turns (:class:`Turns`),
so histories show what concurrent branches show on AWS while the run stays deterministic. With a real
clock, branches and iterations run in threads.
"""

from __future__ import annotations

import itertools
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


class _BranchClock(VirtualClock):
    """A Parallel branch's own simulated clock. A branch aborted by a sibling's failure stops at that
    moment: what its in-flight task did on the clock after it never happened on AWS."""

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment


class Turns:
    """Interleaves Parallel branches on a virtual clock, deterministically, as AWS runs them concurrently.

    Each branch runs in its own thread, but only one runs at a time: at each checkpoint (before a
    state, after a state's Entered event, while a Task is in flight or a Wait waits) a branch hands the
    turn to the waiting branch with the earliest simulated time, ties going to the one that waited
    longest. So every branch is entered before any finishes, events interleave in time order, and a
    branch failing aborts the others where they are (their ``*StateAborted`` events), the way AWS
    records a Parallel state; and the run stays reproducible.
    """

    def __init__(self, count: int, start: datetime) -> None:
        self._cond = threading.Condition()
        self._order = itertools.count(count)
        # Every branch waits for its first turn from the start, in branch order.
        self._waiting: dict[int, tuple[datetime, int]] = {index: (start, index) for index in range(count)}
        self._current: int | None = None
        self.cancel_time: datetime | None = None

    def _pass_on(self) -> None:
        if self._waiting:
            self._current = min(self._waiting, key=self._waiting.__getitem__)
            del self._waiting[self._current]
        else:
            self._current = None
        self._cond.notify_all()

    def begin(self) -> None:
        with self._cond:
            self._pass_on()

    def wait_first(self, index: int) -> None:
        with self._cond:
            while self._current != index:
                self._cond.wait()

    def checkpoint(self, index: int, at: datetime) -> None:
        """Hand the turn on; return when it is ``index``'s again (``at``: this branch's simulated time)."""
        with self._cond:
            self._waiting[index] = (at, next(self._order))
            self._pass_on()
            while self._current != index:
                self._cond.wait()

    def finish(self, index: int) -> None:
        with self._cond:
            self._pass_on()



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
    # Hands the turn to a sibling Parallel branch (virtual clock only; see Turns); ``turn(at)`` returns
    # when this branch may go on, ``at`` being its simulated time then (default: now).
    turn: Callable[..., None] | None = None

    def child(self, *, clock: Clock, cancel: CancelToken, cursor: int, query_language: str,
              map_item: dict[str, Any] | None = None, history: History | None = None) -> Scope:
        # Branches read the enclosing variables but their own assignments stay inside (AWS scoping).
        return Scope(variables=dict(self.variables), clock=clock, cancel=cancel, cursor=cursor,
                     query_language=query_language, map_item=map_item, history=history or self.history,
                     turn=self.turn)

    def checkpoint(self, at: datetime | None = None) -> None:
        """Let a sibling branch run (interleaved Parallel); Cancelled if a sibling failed meanwhile."""
        if self.turn is not None:
            self.turn(at)
            if self.cancel.is_set():
                raise Cancelled()

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
    redrive_count: int = 0                  # RedriveExecution: $$.Execution.RedriveCount (local/interpreter/redrive.py)
    redrive_time: datetime | None = None
    express: bool = False
    _rng_lock: threading.Lock = field(default_factory=threading.Lock)

    # -- context object ---------------------------------------------------------------------------
    def context(self, *, scope: Scope, state_name: str, entered: datetime, retry_count: int | None,
                task_token: str | None = None) -> dict[str, Any]:
        context: dict[str, Any] = {
            "Execution": {"Id": self.execution_arn, "Input": self.execution_input, "Name": self.execution_name,
                          "RoleArn": self.role_arn, "StartTime": iso(self.start), "RedriveCount": self.redrive_count},
            "StateMachine": {"Id": self.state_machine_arn, "Name": self.state_machine_name},
            "State": {"EnteredTime": iso(entered), "Name": state_name},
        }
        if self.redrive_time is not None:
            context["Execution"]["RedriveTime"] = iso(self.redrive_time)
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
            if scope.turn is not None:
                scope.turn(None)
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
                     scope: Scope, max_concurrency: int, stop_on_failure: Callable[[int, BaseException], bool],
                     interleave: bool = False) -> list[tuple[bool, Any]]:
        """Run ``jobs`` (Parallel branches / Map iterations); ``(ok, result_or_exception)`` for each.

        ``stop_on_failure(index, exc)`` says whether a failure cancels the jobs not yet finished (they
        then report :class:`Cancelled`). ``max_concurrency`` 0 means unlimited. ``interleave`` (Parallel,
        default False): on a virtual clock, all jobs start at once and take turns (:class:`Turns`).
        """
        results: list[tuple[bool, Any] | None] = [None] * len(jobs)
        # A cancel of the enclosing run reaches the children too.
        cancel = CancelToken(parent=scope.cancel)
        parent_cancel = scope.cancel
        if isinstance(scope.clock, VirtualClock) and interleave and len(jobs) > 1:
            return self._run_interleaved(jobs, make_scope=make_scope, scope=scope, cancel=cancel,
                                         stop_on_failure=stop_on_failure)
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

    def _run_interleaved(self, jobs: list[Callable[[Scope], Any]], *,
                         make_scope: Callable[[int, Clock, CancelToken], Scope], scope: Scope, cancel: CancelToken,
                         stop_on_failure: Callable[[int, BaseException], bool]) -> list[tuple[bool, Any]]:
        start = scope.clock.now()
        turns = Turns(len(jobs), start)
        clocks = [_BranchClock(start=start) for _ in jobs]
        results: list[tuple[bool, Any]] = [(False, Cancelled())] * len(jobs)
        crashes: list[BaseException] = []

        def branch(index: int) -> None:
            clock = clocks[index]

            def turn(at: datetime | None = None) -> None:
                turns.checkpoint(index, at or clock.now())
                if cancel.is_set() and turns.cancel_time is not None:
                    clock.set(turns.cancel_time)   # aborted when the sibling failed, whatever it was doing

            turns.wait_first(index)
            try:
                child = make_scope(index, clock, cancel)
                child.turn = turn
                results[index] = (True, jobs[index](child))
            except (Failure, TimedOut, Cancelled, HistoryLimitExceeded) as exc:
                results[index] = (False, exc)
                if not isinstance(exc, Cancelled) and (isinstance(exc, (TimedOut, HistoryLimitExceeded)) or
                                                       stop_on_failure(index, exc)):
                    if not cancel.is_set():
                        turns.cancel_time = clock.now()
                    cancel.set()
            except BaseException as exc:  # re-raised in the caller's thread, as a sequential run would
                crashes.append(exc)
                cancel.set()
            finally:
                turns.finish(index)

        threads = [threading.Thread(target=branch, args=(index,), name=f"branch-{index}", daemon=True)
                   for index in range(len(jobs))]
        for thread in threads:
            thread.start()
        turns.begin()
        for thread in threads:
            thread.join()
        if crashes:
            raise crashes[0]
        end = max(clock.now() for clock in clocks)
        if end > scope.clock.now():
            scope.clock.sleep((end - scope.clock.now()).total_seconds())
        return results
