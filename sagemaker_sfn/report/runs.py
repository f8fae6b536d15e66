"""Executions listed: local runs from .sfn-local/, deployed ones through ListExecutions.

Each listed run is read into the same :class:`~sagemaker_sfn.report.record.ExecutionRecord` the report
uses (without log tails), so its status, duration and best metric mean the same for both sources.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sagemaker_sfn.report.record import ExecutionRecord, iter_local_runs, load_deployed, load_local

DEFAULT_LIMIT = 20


def local_runs(*, root: Path | None = None, pipeline: str | None = None,
               limit: int = DEFAULT_LIMIT) -> list[ExecutionRecord]:
    """The newest ``limit`` (default 20) local runs, newest first; only ``pipeline``'s when given
    (default None: all). Runs whose files cannot be read are left out."""
    from sagemaker_sfn.errors import UsageError

    found: list[ExecutionRecord] = []
    for run_dir in reversed(iter_local_runs(root=root)):
        try:
            record = load_local(run_dir, summary_only=True)
        except UsageError:
            continue
        if pipeline is None or record.state_machine_name == pipeline:
            found.append(record)
        if len(found) >= limit:
            break
    return found


def deployed_runs(*, session: Any, state_machine_arns: list[str], limit: int = DEFAULT_LIMIT) -> list[ExecutionRecord]:
    """The newest ``limit`` (default 20) executions of each state machine (ListExecutions), newest first."""
    from sagemaker_sfn.aws import call

    stepfunctions = session.client("stepfunctions")
    records: list[ExecutionRecord] = []
    for arn in state_machine_arns:
        page = call(stepfunctions.list_executions, stateMachineArn=arn, maxResults=limit)
        for execution in page.get("executions", [])[:limit]:
            records.append(load_deployed(execution["executionArn"], session=session, summary_only=True))
    records.sort(key=lambda r: r.start.timestamp() if r.start else 0.0, reverse=True)
    return records[:limit]


def state_machine_arns(session: Any) -> list[str]:
    """Every state machine in the session's region (ListStateMachines, all pages)."""
    from sagemaker_sfn.aws import call

    stepfunctions = session.client("stepfunctions")
    arns: list[str] = []
    request: dict[str, Any] = {}
    while True:
        page = call(stepfunctions.list_state_machines, **request)
        arns.extend(m["stateMachineArn"] for m in page.get("stateMachines", []))
        if not page.get("nextToken"):
            return arns
        request["nextToken"] = page["nextToken"]


def table(records: list[ExecutionRecord]) -> str:
    """The runs as aligned text columns: status, start, duration, state machine, name, best metric."""
    from sagemaker_sfn.report.page import duration_text

    rows = [("STATUS", "STARTED (UTC)", "DURATION", "PIPELINE", "EXECUTION", "BEST METRIC")]
    for record in records:
        best = record.best_metric()
        rows.append((record.status, record.start.strftime("%Y-%m-%d %H:%M:%S") if record.start else "-",
                     duration_text(record.duration), record.state_machine_name, record.name,
                     f"{best[0]} = {best[1]:.6g}" if best else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1]
                     for row in rows) + "\n"
