"""See a run: an execution's report page, its state machine as a picture, and the runs listed.

- :func:`load_record` reads a local run (``.sfn-local/<name>``) or a deployed execution (its ARN) into
  one :class:`ExecutionRecord`; ``report``, ``runs`` and ``logs`` read only that.
- :func:`write_report` writes the record as one self-contained HTML page.
- :class:`Diagram` draws any ASL definition as SVG; in a notebook it shows itself (``_repr_html_``).
- :func:`save_local_run` is what ``run --local`` calls when a run ends: it records the execution and
  its definition beside ``history.json`` and writes ``report.html`` there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sagemaker_sfn.report.record import ExecutionRecord, JobRecord, Trial, load_local, load_record

REPORT_FILE = "report.html"

__all__ = ["Diagram", "ExecutionRecord", "ExecutionReport", "JobRecord", "Trial", "load_record", "save_local_run",
           "write_report", "REPORT_FILE"]


def _write_text(path: Path, text: str) -> None:
    """Write through a temporary file, so a reader never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def write_report(record: ExecutionRecord, path: Path) -> Path:
    """Write the report of ``record`` to ``path`` (links to the run's files relative to its folder)."""
    from sagemaker_sfn.report.page import render_page

    path = Path(path)
    _write_text(path, render_page(record, base_dir=path.resolve().parent))
    return path


def save_local_run(run_dir: Path, *, result: Any, definition: Mapping[str, Any],
                   state_machine_name: str) -> Path | None:
    """Record a finished local run beside its history.json and write its report; returns the report's
    path, or None when the report could not be written (said on stderr: the run itself stands).

    ``result``: the interpreter's ExecutionResult (its ``describe()`` is saved as ``execution.json``);
    ``definition``: the ASL the run executed (saved as ``definition.json``, drawn in the report).
    """
    import sys

    run_dir = Path(run_dir)
    described = {**result.describe(), "stateMachineName": state_machine_name}
    _write_text(run_dir / "execution.json", json.dumps(described, indent=2, default=str) + "\n")
    _write_text(run_dir / "definition.json", json.dumps(definition, indent=2) + "\n")
    try:
        return write_report(load_local(run_dir), run_dir / REPORT_FILE)
    except Exception as exc:  # a report is a view of the run: failing to draw it must not fail the run
        print(f"sagemaker-sfn: the run's report was not written ({type(exc).__name__}: {exc}); "
              f"`sagemaker-sfn report {run_dir}` retries it", file=sys.stderr)
        return None


class Diagram:
    """A state machine drawn as SVG; shows itself inline in Jupyter and other notebooks.

    ``definition``: an ASL dict; ``name`` (default "state machine") titles it; ``outcomes`` (default
    None) colours states by what happened (see :func:`sagemaker_sfn.report.outcome.state_outcomes`).
    """

    def __init__(self, definition: Mapping[str, Any], *, name: str = "state machine",
                 outcomes: Mapping[str, Any] | None = None) -> None:
        self.definition = definition
        self.name = name
        self.outcomes = outcomes
        self._svg: str | None = None

    @classmethod
    def of_execution(cls, record: ExecutionRecord) -> Diagram:
        """The execution's state machine coloured by what happened in it."""
        from sagemaker_sfn.report.outcome import read_visits, state_outcomes

        if record.definition is None:
            raise ValueError(f"execution {record.name}: its definition is not recorded")
        outcomes = state_outcomes(read_visits(record.events), execution_status=record.status)
        return cls(record.definition, name=record.state_machine_name, outcomes=outcomes)

    @property
    def svg(self) -> str:
        if self._svg is None:
            import uuid

            from sagemaker_sfn.report.diagram import definition_svg

            # Unique marker ids: a notebook page may show several diagrams.
            self._svg = definition_svg(self.definition, name=self.name, outcomes=self.outcomes,
                                       uid=f"sfn-{uuid.uuid4().hex[:8]}")
        return self._svg

    def html(self) -> str:
        """A standalone HTML page holding the SVG."""
        from html import escape

        return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(self.name)}</title>'
                f'</head><body style="margin:16px">{self.svg}</body></html>\n')

    def _repr_html_(self) -> str:
        return f'<div style="overflow:auto;max-width:100%">{self.svg}</div>'

    def _repr_svg_(self) -> str:
        return self.svg


class ExecutionReport:
    """An execution's report; ``_repr_html_`` shows it in a notebook, :meth:`save` writes the page."""

    def __init__(self, record: ExecutionRecord) -> None:
        self.record = record

    @classmethod
    def load(cls, execution: str, **kwargs: Any) -> ExecutionReport:
        """A local run's name or a deployed execution's ARN (see :func:`load_record`)."""
        return cls(load_record(execution, **kwargs))

    def save(self, path: Path) -> Path:
        return write_report(self.record, path)

    def _repr_html_(self) -> str:
        from html import escape

        from sagemaker_sfn.report.page import render_page

        # In an iframe: the page's own styles (body, tables, headings) must not restyle the notebook.
        page = render_page(self.record, base_dir=Path.cwd())
        return f'<iframe srcdoc="{escape(page)}" style="width:100%;height:900px;border:1px solid #ddd"></iframe>'
