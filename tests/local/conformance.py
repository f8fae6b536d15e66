"""Run the AWS-recorded conformance corpus (``<repo>/../shared/conformance/executions``) locally.

Shared by tests/local/test_conformance.py and anyone who wants the figure (bench scripts): a case
passes when status and output (or error and cause) equal AWS's, after the corpus's normalisation.
Expected values holding placeholders (``<uuid:1>``, ``<ArnPart_0idx>``, ``"date"``...) are matched
with each placeholder standing for any text.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.interpreter import run_definition

REPO = Path(__file__).resolve().parents[2]


def _corpus() -> Path:
    """``shared/`` beside the clone; for a git worktree, beside the main checkout it belongs to."""
    if os.environ.get("SAGEMAKER_SFN_CONFORMANCE"):
        return Path(os.environ["SAGEMAKER_SFN_CONFORMANCE"])
    beside = REPO.parent / "shared" / "conformance" / "executions"
    git = REPO / ".git"
    if not beside.is_dir() and git.is_file():  # a worktree's .git is a file: "gitdir: <main>/.git/worktrees/<n>"
        gitdir = Path(git.read_text().partition("gitdir:")[2].strip())
        main = gitdir.parents[2] if gitdir.parent.name == "worktrees" else None
        if main is not None and (main.parent / "shared" / "conformance" / "executions").is_dir():
            return main.parent / "shared" / "conformance" / "executions"
    return beside


CORPUS = _corpus()

_PLACEHOLDER = re.compile(r"<[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z0-9_]+)?>")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass
class Outcome:
    name: str
    identical: bool
    detail: str
    skipped: bool = False


# Whole values the recorder replaced by a label (LocalStack's snapshot transformers).
_LABELS = {"timestamp": "string", "date": "timestamp", "map_run_arn": "string", "start-time": "timestamp", "entered-time": "timestamp", "snf_role_arn": "string", "sfn_role_arn": "string",
           "RandomNumberGenerated": "number"}


def _string_matches(expected: str, actual: Any) -> bool:
    if expected == actual:
        return True
    kind = _LABELS.get(expected)
    if kind == "number":
        return isinstance(actual, (int, float)) and not isinstance(actual, bool)
    if not isinstance(actual, str):
        return False
    if kind == "timestamp":
        return bool(_ISO.match(actual))
    if kind == "string":
        return True
    if not _PLACEHOLDER.search(expected):
        # A JSON text whose timestamp the recorder replaced: '"date"' stands for '"2024-..."'.
        return expected == '"date"' and actual[:1] == '"' and bool(_ISO.match(actual.strip('"')))
    pattern = "".join(".+?" if _PLACEHOLDER.fullmatch(part) else re.escape(part)
                      for part in re.split(f"({_PLACEHOLDER.pattern})", expected))
    return re.fullmatch(pattern, actual, flags=re.DOTALL) is not None


def same(expected: Any, actual: Any) -> bool:
    """Equality where placeholder strings in ``expected`` match what they stand for; 1 != true."""
    if isinstance(expected, str):
        return _string_matches(expected, actual)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() == actual.keys() and \
            all(same(value, actual[key]) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and \
            all(same(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return expected == actual
    return expected == actual


def cases() -> list[Path]:
    return sorted(CORPUS.glob("*.json"))


def run_case(path: Path) -> Outcome:
    case = json.loads(path.read_text())
    expected = case["expected"]
    clock = VirtualClock(start=datetime(2024, 6, 19, 12, 38, 41, 123000, tzinfo=timezone.utc))
    try:
        # The corpus normalised the account to 111111111111; use it so ARNs compare.
        result = run_definition(case["definition"], case.get("input"), state_machine_name="conformance",
                                clock=clock, account="111111111111", execution_type=_execution_type(case))
    except Exception as exc:  # an interpreter crash is a failed case, reported with its reason
        return Outcome(case["name"], False, f"crashed: {type(exc).__name__}: {exc}")
    actual = {"status": result.status}
    if result.status == "SUCCEEDED":
        actual["output"] = result.output
    else:
        actual.update(error=result.error, cause=result.cause)
    wanted = {"status": expected["status"]}
    if expected["status"] == "SUCCEEDED":
        wanted["output"] = expected.get("output")
    else:
        wanted.update(error=expected.get("error"), cause=expected.get("cause"))
    if expected["status"] not in ("SUCCEEDED", "FAILED"):
        actual = {"status": actual["status"]}
        wanted = {"status": wanted["status"]}
    identical = same(wanted, actual)
    detail = "" if identical else f"expected {json.dumps(wanted)[:400]}\n   got {json.dumps(actual, default=str)[:400]}"
    return Outcome(case["name"], identical, detail)


@dataclass
class HistoryOutcome:
    name: str
    same_types: bool     # the same event types in the same order
    identical: bool      # and every event equal (ids, previousEventId, details), timestamps aside
    detail: str


def _parse_like(expected: Any, actual: Any) -> Any:
    """The recorder parsed some JSON-string fields (input, output, variables): parse ours the same way."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {key: _parse_like(expected.get(key), value) for key, value in actual.items()}
    if isinstance(actual, str) and actual[:1] in "[{\"" or isinstance(actual, str) and not isinstance(expected, str):
        try:
            parsed = json.loads(actual)
        except ValueError:
            return actual
        if not isinstance(expected, str):
            return parsed
        try:
            # Same JSON written with other spacing (AWS echoes the caller's input text verbatim).
            return expected if json.loads(expected) == parsed else actual
        except ValueError:
            return actual
    return actual


def compare_history(path: Path) -> HistoryOutcome | None:
    """Our history against the recorded one; None when the case has no recorded history."""
    case = json.loads(path.read_text())
    recorded = case.get("history")
    if not recorded:
        return None
    clock = VirtualClock(start=datetime(2024, 6, 19, 12, 38, 41, 123000, tzinfo=timezone.utc))
    result = run_definition(case["definition"], case.get("input"), state_machine_name="conformance", clock=clock,
                            account="111111111111")
    ours = result.history_json()
    if case.get("source", {}).get("snapshot_key", "").endswith("reverseOrder[True]"):
        ours = ours[::-1]   # recorded with GetExecutionHistory(reverseOrder=True)
    if any(event.get("id") == [0] for event in recorded):
        ours = _parallel_normalised(ours)
        recorded, ours = _sorted_branch_runs(recorded), _sorted_branch_runs(ours)
    recorded = _as_aws_links_today(recorded, recorded_date=case.get("source", {}).get("recorded_date", ""))
    wanted_types, our_types = [e["type"] for e in recorded], [e["type"] for e in ours]
    if wanted_types != our_types:
        return HistoryOutcome(case["name"], False, False, f"types {wanted_types}\n   got {our_types}")
    for wanted, got in zip(recorded, ours):
        wanted = {key: value for key, value in wanted.items() if key != "timestamp"}
        got = _parse_like(wanted, {key: value for key, value in got.items() if key != "timestamp"})
        if not same(wanted, got):
            return HistoryOutcome(case["name"], True, False, f"event {json.dumps(wanted)[:300]}\n   got "
                                  f"{json.dumps(got)[:300]}")
    return HistoryOutcome(case["name"], True, True, "")


_PARALLEL_END = {"ParallelStateSucceeded", "ParallelStateAborted", "ParallelStateExited", "ParallelStateFailed"}


def _parallel_normalised(events: list[dict]) -> list[dict]:
    """What LocalStack's ``SfnNoneRecursiveParallelTransformer`` (tests/aws/services/stepfunctions/conftest.py)
    did to the recorded history, done to ours: the events between ParallelStateStarted and the next
    Parallel end event get id ``[0]`` and previousEventId 0, and are sorted. Its slice assignment at
    the *second* end event also drops the first one (ParallelStateSucceeded), which the recordings show."""
    events = [dict(event) for event in events]
    start, sublist, inside = None, [], False
    index = 0
    while index < len(events):   # as its enumerate() over the list it shortens
        event = events[index]
        kind = event.get("type")
        if kind in _PARALLEL_END:
            events[start:index] = sorted(sublist, key=lambda e: json.dumps(e))
            inside = False
        elif kind == "ParallelStateStarted":
            inside, sublist, start = True, [], index + 1
        elif inside:
            event["id"], event["previousEventId"] = [0], 0
            sublist.append(event)
        index += 1
    return events


def _sorted_branch_runs(events: list[dict]) -> list[dict]:
    """Runs of normalised branch events compared as multisets: the recorder sorted them by their JSON
    text as AWS returned it, which our spacing of the same JSON does not reproduce."""
    out, run = [], []

    def key(event: dict) -> str:
        return event["type"] + json.dumps({k: v for k, v in event.items() if k not in ("timestamp", "type")},
                                          sort_keys=True, default=str)

    for event in events + [{}]:
        if event.get("id") == [0]:
            run.append(event)
            continue
        out.extend(sorted(run, key=key))
        run = []
        if event:
            out.append(event)
    return out


def _as_aws_links_today(events: list[dict], *, recorded_date: str) -> list[dict]:
    """AWS changed one link in late 2024: a distributed Map's MapStateExited pointed at MapRunSucceeded in
    every recording up to June 2024 and at MapRunStarted in every one since November 2024 (the corpus
    holds 16 and 5). The interpreter follows today's AWS; older recordings are compared with the link
    rewritten the same way, and only that link."""
    day, month, year = (recorded_date.split(",")[0].split("-") + ["", "", ""])[:3]
    if not year.isdigit() or (int(year), int(month)) >= (2024, 11):
        return events
    by_id = {event["id"]: event for event in events if isinstance(event.get("id"), int)}
    out = []
    for event in events:
        previous = by_id.get(event.get("previousEventId"))
        if event.get("type") == "MapStateExited" and previous and previous["type"] == "MapRunSucceeded":
            run_started = by_id.get(previous.get("previousEventId"))
            if run_started and run_started["type"] == "MapRunStarted":
                event = {**event, "previousEventId": run_started["id"]}
        out.append(event)
    return out


def _execution_type(case: dict) -> str:
    """EXPRESS for cases recorded with StartSyncExecution on an Express machine (tests/.../v2/express/)."""
    return "EXPRESS" if "/express/" in case.get("source", {}).get("nodeid", "") else "STANDARD"
