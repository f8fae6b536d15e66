"""Why each cached step ran or not, read from the execution's history events.

The cache states record everything in their ``assignedVariables``: the key pieces (``Cache key``),
the inputs' content hashes (``Cache input N``), and the item the lookup found (``Cache lookup``).
A :class:`CacheReporter` follows the events as they come (an interpreter ``on_event`` listener) and
says per step ``cache hit (from execution X, N days ago)`` or ``cache miss: <what changed>``,
comparing with the newest earlier entry of the same step (``previous``) for the reason.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sagemaker_sfn.cache.transform import step_of
from sagemaker_sfn.code_pin import CODE_PREFIX, is_pinned

LOGGER = logging.getLogger("sagemaker_sfn.local.cache")


def _parse(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text


def _age(created: str | None, now: datetime) -> str:
    if not created:
        return "at an unknown time"
    try:
        then = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return "at an unknown time"
    seconds = max((now - then).total_seconds(), 0)
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day{'s' if days != 1 else ''} ago"


def execution_name(arn: str | None) -> str:
    return (arn or "?").rsplit(":", 1)[-1]


def _pinned_code(where: Any) -> str | None:
    """``train-evaluate/evaluate.py (now code/sha256-.../)`` for an input listed at a pinned code
    prefix (sagemaker_sfn.code_pin), else None."""
    prefix = where.get("Prefix") if isinstance(where, dict) else None
    if not isinstance(prefix, str) or not prefix.startswith(CODE_PREFIX) or not is_pinned(prefix[len(CODE_PREFIX):]):
        return None
    pinned_dir, _, relative = prefix[len(CODE_PREFIX):].partition("/")
    return f"{relative} (now {CODE_PREFIX}{pinned_dir}/)"


def changes(current: dict[str, Any], previous: dict[str, Any], *, input_labels: list[str],
            input_prefixes: list[Any] = ()) -> list[str]:
    """What differs between two entries' components: request pieces and inputs' content.
    ``input_prefixes``: this run's listed ``{Bucket, Prefix}`` per input (default unknown), so that
    a pinned code input is named by its script."""
    now_request, then_request = current.get("request", {}), previous.get("request", {})
    out = []
    for label in sorted(set(now_request) | set(then_request)):
        if now_request.get(label) == then_request.get(label):
            continue
        name = {"resource": "the job's API", "selector": "ResultSelector"}.get(label, label)
        if label not in then_request:
            out.append(f"{name} added")
        elif label not in now_request:
            out.append(f"{name} removed")
        else:
            out.append(f"{name} changed")
    now_inputs, then_inputs = current.get("inputs", []), previous.get("inputs", [])
    for index in range(max(len(now_inputs), len(then_inputs))):
        now = now_inputs[index] if index < len(now_inputs) else None
        then = then_inputs[index] if index < len(then_inputs) else None
        if now != then:
            label = input_labels[index] if index < len(input_labels) else f"input {index + 1}"
            code = _pinned_code(input_prefixes[index]) if index < len(input_prefixes) else None
            if isinstance(now, str) and now.startswith("over "):
                out.append(f"{label} holds {now.split(':')[0]} (more than one listing page): never reused")
            elif code is not None:
                out.append(f"the code under {label} changed: {code}")
            else:
                out.append(f"content under {label} changed")
    return out


@dataclass
class _Step:
    components: dict[str, Any] = field(default_factory=dict)
    inputs: dict[int, Any] = field(default_factory=dict)
    prefixes: list[Any] = field(default_factory=list)   # each input's {Bucket, Prefix} as listed
    item: dict[str, Any] | None = None
    looked_up: bool = False
    failed: str | None = None


@dataclass
class CacheReporter:
    """Listens to history events; ``lines`` holds one verdict per cached step, also logged.

    ``previous(step, state_machine)``: the newest stored entry's components for that step, or None
    (default: none known). ``input_labels``: step -> labels of its listed inputs (for messages).
    ``skipped`` (default False): the run ignores stored entries (``--no-cache``)."""

    state_machine: str
    previous: Callable[[str, str], dict[str, Any] | None] = lambda step, machine: None
    input_labels: dict[str, list[str]] = field(default_factory=dict)
    skipped: bool = False
    lines: list[str] = field(default_factory=list)
    verdicts: dict[str, str] = field(default_factory=dict)
    _steps: dict[str, _Step] = field(default_factory=dict)
    _pending: str | None = None     # a step whose next Entered event decides hit or miss
    _pending_failure: str | None = None   # a step whose cache Task is running (its TaskFailed is ours)

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("type", "")
        if kind.endswith("StateEntered"):
            self._entered(event["stateEnteredEventDetails"]["name"], event)
        elif kind.endswith("StateExited"):
            details = event["stateExitedEventDetails"]
            parsed = step_of(details["name"])
            if parsed:
                self._exited(parsed, details.get("assignedVariables") or {})
        elif kind == "TaskFailed" and self._pending_failure is not None:
            details = event.get("taskFailedEventDetails", {})
            self._steps.setdefault(self._pending_failure, _Step()).failed = \
                f"{details.get('error', 'error')}: {details.get('cause', '')}"[:200]

    def _exited(self, parsed: tuple[str, str], assigned: dict[str, str]) -> None:
        kind, step = parsed
        state = self._steps.setdefault(step, _Step())
        values = {name.rsplit("_", 1)[-1]: _parse(value) for name, value in assigned.items()}
        if kind == "key":
            state.components = values.get("c") or {}
            state.prefixes = values.get("in") if isinstance(values.get("in"), list) else []
        elif kind == "input":
            for name, value in values.items():
                if name.startswith("d") and name[1:].isdigit():
                    state.inputs[int(name[1:])] = value
        elif kind == "lookup":
            state.looked_up = True
            state.item = values.get("i") if isinstance(values.get("i"), dict) else {}
        elif kind == "check":
            self._pending = step

    def _entered(self, name: str, event: dict[str, Any]) -> None:
        parsed = step_of(name)
        if parsed and parsed[0] in ("key", "input", "lookup"):
            self._pending_failure = parsed[1]
            if parsed[0] == "key":
                self._steps[parsed[1]] = _Step()
            return
        self._pending_failure = None
        if parsed and parsed[0] == "hit":
            self._verdict(parsed[1], self._hit(parsed[1], event))
            self._pending = None
            return
        step = self._steps.get(name)
        if step is not None and (self._pending == name or step.failed):
            self._verdict(name, self._miss(name, step))
        self._pending = None

    def _verdict(self, step: str, text: str) -> None:
        self.verdicts[step] = text
        self.lines.append(f"{step}: {text}")
        LOGGER.info("%s", text)

    def _hit(self, step: str, event: dict[str, Any]) -> str:
        item = (self._steps.get(step) or _Step()).item or {}
        entry = item.get("Item", {})
        now = event.get("timestamp")
        now = now if isinstance(now, datetime) else datetime.now(timezone.utc)
        return (f"cache hit (from execution {execution_name(entry.get('Execution', {}).get('S'))}, "
                f"{_age(entry.get('CreatedAt', {}).get('S'), now)})")

    def _miss(self, step: str, state: _Step) -> str:
        if state.failed:
            return f"cache not used ({state.failed}): running the job"
        if self.skipped:
            return "cache miss: --no-cache (stored results ignored, the new one is stored)"
        entry = (state.item or {}).get("Item")
        if entry:
            return (f"cache miss: the entry from execution {execution_name(entry.get('Execution', {}).get('S'))} "
                    "has expired")
        current = {"request": state.components, "inputs": [state.inputs[i] for i in sorted(state.inputs)]}
        previous = self.previous(step, self.state_machine)
        if previous is None:
            return "cache miss: no earlier result of this step is stored"
        changed = changes(current, previous, input_labels=self.input_labels.get(step, []),
                          input_prefixes=state.prefixes)
        if not changed:
            return "cache miss: an earlier entry exists but its key differs (a cache format change?)"
        return "cache miss: " + "; ".join(changed)
