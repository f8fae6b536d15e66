"""What happened to each state, read from GetExecutionHistory events.

Events are tied to a state *visit* through ``previousEventId`` (AWS links events along each branch of
control, so interleaved Parallel branches and Map iterations stay apart). Facts used, from executions
recorded on AWS (shared/conformance, e.g. ``test_map_state_catch`` / ``test_map_state_retry``):
a caught error still ends the state with ``<Type>StateExited`` (its output is the error); a retried
state logs one more ``TaskScheduled`` / ``MapStateStarted`` / ``ParallelStateStarted`` per attempt
without a new ``StateEntered``; a Map's or Parallel's own ``*StateFailed`` event is linked to the
inner event that failed, so such events are tied to the nearest enclosing visit of that type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sagemaker_sfn.report.record import event_details

# Worst first: a state visited many times (loops, Map iterations) shows its worst visit.
STATUSES = ("failed", "caught", "running", "retried", "succeeded", "not-reached")
STATUS_LABELS = {"failed": "failed", "caught": "error caught", "running": "running", "retried": "retried",
                 "succeeded": "succeeded", "not-reached": "not reached"}
ATTEMPT_EVENTS = {"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled", "MapStateStarted",
                  "ParallelStateStarted"}
_FAMILIES = (("MapIteration", "Map"), ("MapRun", "Map"), ("MapState", "Map"), ("ParallelState", "Parallel"))


@dataclass
class Visit:
    """One entry into a state, up to its exit (or the end of the execution)."""

    id: int                          # the StateEntered event's id
    name: str
    type: str                        # Task, Map, ... (from the event type)
    entered: datetime | None
    parent: int | None               # the enclosing Map/Parallel visit
    exited: datetime | None = None
    attempts: list[datetime] = field(default_factory=list)   # each Scheduled/Started
    failures: list[tuple[datetime | None, str | None, str | None]] = field(default_factory=list)
    input: Any = None
    output: Any = None
    last_attempt_failed: bool = False

    @property
    def retries(self) -> int:
        return max(0, len(self.attempts) - 1)

    def status(self, *, execution_running: bool) -> str:
        if self.exited is not None:
            if self.failures and self.last_attempt_failed:
                return "caught"
            return "retried" if self.retries else "succeeded"
        if self.type == "Fail" or self.failures or not execution_running:
            return "failed"
        return "running"


@dataclass
class StateOutcome:
    """Every visit of one state name, summed up for colouring the graph."""

    name: str
    status: str = "not-reached"
    visits: int = 0
    retries: int = 0
    error: str | None = None
    cause: str | None = None

    @property
    def label(self) -> str:
        text = STATUS_LABELS[self.status]
        if self.retries:
            text += f", retried {self.retries}×"
        if self.visits > 1:
            text += f", ran {self.visits}×"
        return text


def _is_failure(kind: str) -> bool:
    return (kind.endswith(("Failed", "TimedOut")) and not kind.startswith(("Execution", "MapIteration"))
            and kind != "MapRunFailed")


def read_visits(events: Iterable[Mapping[str, Any]]) -> list[Visit]:
    """Every state visit in the order entered."""
    visits: dict[int, Visit] = {}
    visit_of_event: dict[int, int] = {}      # event id -> visit id
    exited_events: set[int] = set()
    for event in events:
        kind = str(event.get("type", ""))
        event_id = event.get("id")
        previous = event.get("previousEventId")
        details = event_details(event)
        here = visit_of_event.get(previous) if isinstance(previous, int) else None
        if kind.endswith("StateEntered"):
            parent = None
            if here is not None:
                # After an exit the next state is a sibling; otherwise it is inside the visit (a branch).
                parent = visits[here].parent if previous in exited_events else here
            visit = Visit(id=event_id, name=str(details.get("name", "?")), type=kind[: -len("StateEntered")],
                          entered=event.get("timestamp"), parent=parent, input=details.get("input"))
            visits[event_id] = visit
            visit_of_event[event_id] = event_id
            continue
        if here is None:
            continue
        family = next((state_type for prefix, state_type in _FAMILIES if kind.startswith(prefix)), None)
        if family is not None:
            owner: int | None = here
            while owner is not None and visits[owner].type != family:
                owner = visits[owner].parent
            here = owner if owner is not None else here
        visit_of_event[event_id] = here
        visit = visits[here]
        if kind.endswith("StateExited"):
            name = details.get("name")
            if name and name != visit.name:   # an inner state's exit cannot close its parent
                continue
            visit.exited = event.get("timestamp")
            visit.output = details.get("output")
            exited_events.add(event_id)
        elif kind in ATTEMPT_EVENTS:
            visit.attempts.append(event.get("timestamp"))
            visit.last_attempt_failed = False
        elif _is_failure(kind):
            visit.failures.append((event.get("timestamp"), details.get("error"), details.get("cause")))
            visit.last_attempt_failed = True
    return list(visits.values())


def state_outcomes(visits: Iterable[Visit], *, execution_status: str) -> dict[str, StateOutcome]:
    """State name -> its outcome over all visits (states never entered are absent: not reached)."""
    outcomes: dict[str, StateOutcome] = {}
    running = execution_status == "RUNNING"
    for visit in visits:
        outcome = outcomes.setdefault(visit.name, StateOutcome(visit.name))
        status = visit.status(execution_running=running)
        if outcome.visits == 0 or STATUSES.index(status) < STATUSES.index(outcome.status):
            outcome.status = status
        outcome.visits += 1
        outcome.retries += visit.retries
        if visit.failures:
            _, outcome.error, outcome.cause = visit.failures[-1]
    return outcomes
