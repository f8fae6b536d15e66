"""Reading and deleting cache entries (the ``cache list|clear`` command's library side).

An entry is one DynamoDB item of the cache table: ``CacheKey``, ``StateMachine``, ``Step``,
``Execution`` (the ARN that ran the job), ``CreatedAt``, ``ExpiresAt`` and the stored ``Result``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class Entry:
    key: str
    state_machine: str
    step: str
    execution: str
    created: str
    expires: float | None
    result_bytes: int

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Entry:
        def text(name: str) -> str:
            return str(item.get(name, {}).get("S", ""))

        expires = item.get("ExpiresAt", {}).get("N")
        return cls(key=text("CacheKey"), state_machine=text("StateMachine"), step=text("Step"),
                   execution=text("Execution"), created=text("CreatedAt"),
                   expires=float(expires) if expires is not None else None, result_bytes=len(text("Result")))

    def expired(self, now: float) -> bool:
        return self.expires is None or self.expires <= now

    def row(self, now: float) -> dict[str, Any]:
        expires = datetime.fromtimestamp(self.expires, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") \
            if self.expires is not None else None
        return {"pipeline": self.state_machine, "step": self.step, "execution": self.execution.rsplit(":", 1)[-1],
                "created": self.created, "expires": expires, "expired": self.expired(now), "key": self.key}


def select(items: list[dict[str, Any]], *, pipeline: str | None = None, step: str | None = None) -> list[Entry]:
    """The entries of ``pipeline`` (default: all) and ``step`` (default: all), newest first."""
    entries = [Entry.from_item(item) for item in items]
    chosen = [e for e in entries if (pipeline is None or e.state_machine == pipeline) and (step is None or e.step == step)]
    return sorted(chosen, key=lambda e: (e.state_machine, e.step, e.created), reverse=False)


def format_rows(entries: list[Entry], *, now: float) -> str:
    if not entries:
        return "no cache entries"
    lines = [f"{'PIPELINE':<20} {'STEP':<20} {'FROM EXECUTION':<36} {'CREATED':<24} EXPIRES"]
    for entry in entries:
        row = entry.row(now)
        expiry = "expired" if row["expired"] else row["expires"]
        lines.append(f"{row['pipeline']:<20} {row['step']:<20} {row['execution']:<36} {row['created']:<24} {expiry}")
    return "\n".join(lines)


def as_json(entries: list[Entry], *, now: float) -> str:
    return json.dumps([e.row(now) for e in entries], indent=2)
