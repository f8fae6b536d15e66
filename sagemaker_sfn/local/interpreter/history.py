"""Execution history in GetExecutionHistory's shape.

Events get consecutive ids; ``previousEventId`` is supplied by the caller because AWS links events
along each branch of control, not in global order (a Map iteration's first event points at its
MapIterationStarted, even when other iterations logged events in between).
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any, Callable

from sagemaker_sfn.local.clock import Clock


def iso(moment: datetime) -> str:
    """``2024-06-19T12:38:41.123Z``: the millisecond UTC form AWS uses in contexts and histories."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History events with ISO-8601 timestamps: ready for ``json.dump``."""
    return [{**event, "timestamp": iso(event["timestamp"])} for event in events]


def with_outcome(described: dict[str, Any], *, status: str, output: Any, error: str | None,
                 cause: str | None) -> dict[str, Any]:
    """DescribeExecution's outcome members added to ``described``: output (as JSON text) only when
    SUCCEEDED, error and cause only when set (absent keys left out, as the API does)."""
    from sagemaker_sfn.local.interpreter.paths import to_json

    if status == "SUCCEEDED":
        described["output"] = to_json(output)
        described["outputDetails"] = {"included": True}
    if error is not None:
        described["error"] = error
    if cause is not None:
        described["cause"] = cause
    return described


class History:
    """Thread-safe, append-only list of events; ``on_event`` sees each one as it is appended."""

    def __init__(self, *, clock: Clock, on_event: Callable[[dict], None] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self._clock = clock
        self._on_event = on_event
        self._lock = threading.Lock()

    def add(self, event_type: str, *, previous: int, clock: Clock | None = None,
            **details: Any) -> int:
        """Append an event (``details``: ``xxxEventDetails=...``) and return its id.

        ``clock`` (default: the execution's clock) stamps it; branches with their own simulated
        clock pass theirs.
        """
        with self._lock:
            event = {"timestamp": (clock or self._clock).now(), "type": event_type,
                     "id": len(self.events) + 1, "previousEventId": previous, **details}
            self.events.append(event)
            # Called under the lock so listeners see events in id order even from branch threads.
            if self._on_event is not None:
                self._on_event(event)
            return event["id"]
