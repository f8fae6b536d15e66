"""The report: one self-contained HTML page for one :class:`~sagemaker_sfn.report.record.ExecutionRecord`.

Everything is inline (CSS, SVG) and nothing is fetched: the page reads the same from a file, in a
browser, as an e-mail attachment or a CI artifact, with or without scripts. Links go to the run's
local files (relative, so the run directory can be moved or zipped) or to the AWS console.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sagemaker_sfn.report.diagram import definition_svg
from sagemaker_sfn.report.outcome import STATUS_LABELS, Visit, read_visits, state_outcomes
from sagemaker_sfn.report.record import ExecutionRecord, JobRecord

MAX_JSON_CHARS = 262_144     # a state's input/output is at most 256 KiB in Step Functions
MAX_CAUSE_CHARS = 2_000

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1a1a1a;background:#fff}
main{max-width:1200px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e0e0e0;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.status{display:inline-block;padding:2px 10px;border-radius:12px;font-size:13px;font-weight:600;vertical-align:middle}
.status.SUCCEEDED,.status.Completed{background:#dff5e1;color:#1b5e20}.status.FAILED,.status.Failed,.status.TIMED_OUT{background:#fde2e1;color:#b71c1c}
.status.RUNNING,.status.InProgress{background:#e3f2fd;color:#0d47a1}.status.ABORTED,.status.Stopped,.status.Stopping{background:#eeeeee;color:#424242}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:8px 0;font-size:14px}dl.facts dt{color:#616161}dl.facts dd{margin:0}
.graph{overflow:auto;border:1px solid #eceff1;border-radius:6px;padding:6px;max-height:900px}
.graph svg.sfn-graph{max-width:100%;height:auto}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;margin:6px 0}.legend span{display:inline-flex;align-items:center;gap:5px}
.legend i{display:inline-block;width:14px;height:12px;border:2px solid;border-radius:3px}
.timeline{overflow:auto;max-height:700px;border:1px solid #eceff1;border-radius:6px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border:1px solid #e0e0e0;padding:3px 8px;text-align:left}
th{background:#f5f5f5}tr.best td{background:#fff8e1;font-weight:600}
pre{background:#f7f7f7;border:1px solid #e0e0e0;border-radius:4px;padding:8px;overflow:auto;max-height:360px;font-size:12px}
.job{border:1px solid #e0e0e0;border-radius:6px;padding:4px 14px 10px;margin:12px 0}
.reason{color:#b71c1c;white-space:pre-wrap}a{color:#1565c0}.muted{color:#757575}
"""
LEGEND = (("succeeded", "#dff5e1", "#2e7d32"), ("retried", "#dff5e1", "#f9a825"), ("caught", "#ffe8cc", "#e65100"),
          ("failed", "#fde2e1", "#c62828"), ("running", "#e3f2fd", "#1565c0"), ("not-reached", "#f5f5f5", "#9e9e9e"))
BAR_COLOURS = {"succeeded": "#66bb6a", "retried": "#f9a825", "caught": "#fb8c00", "failed": "#e53935",
               "running": "#42a5f5", "Completed": "#66bb6a", "Failed": "#e53935", "InProgress": "#42a5f5",
               "Stopped": "#9e9e9e", "Stopping": "#9e9e9e"}


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "-"


def _json_block(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False, default=str)
    if len(text) > MAX_JSON_CHARS:
        text = text[:MAX_JSON_CHARS] + f"\n… ({len(text) - MAX_JSON_CHARS} more characters)"
    return f"<pre>{escape(text)}</pre>"


# --------------------------------------------------------------------------------------------
# Links


class Links:
    """Where a thing can be looked at: relative links to local files, or AWS console pages."""

    def __init__(self, record: ExecutionRecord, *, base_dir: Path | None) -> None:
        self.record = record
        self.base_dir = base_dir
        self.region = record.region or "us-east-1"

    def local(self, path: Path, text: str | None = None) -> str:
        target = os.path.relpath(path, self.base_dir) if self.base_dir else str(path)
        return f'<a href="{escape(quote(Path(target).as_posix()))}">{escape(text or Path(target).as_posix())}</a>'

    def console(self, url: str, text: str) -> str:
        return f'<a href="{escape(url)}">{escape(text)}</a>'

    def execution(self) -> str:
        record = self.record
        if record.run_dir is not None:
            return " · ".join(self.local(record.run_dir / name, name) for name in
                              ("history.json", "output.json", "execution.json") if (record.run_dir / name).is_file())
        url = (f"https://{self.region}.console.aws.amazon.com/states/home?region={self.region}"
               f"#/v2/executions/details/{record.execution_arn}")
        return self.console(url, "Step Functions console")

    def job(self, job: JobRecord) -> str:
        if self.record.run_dir is not None:
            folder = self.record.run_dir / "jobs" / job.name
            links = [self.local(folder / name, name) for name in ("describe.json", "logs.txt") if (folder / name).is_file()]
            return " · ".join(links)
        page = {"TrainingJob": "jobs", "HyperParameterTuningJob": "hyper-tuning-jobs", "TransformJob": "transform-jobs",
                "ProcessingJob": "processing-jobs"}[job.kind]
        links = [self.console(f"https://{self.region}.console.aws.amazon.com/sagemaker/home?region={self.region}"
                              f"#/{page}/{job.name}", "SageMaker console")]
        if job.log is not None and job.log.group:
            for stream in job.log.streams or []:
                links.append(self.console(self.log_stream(job.log.group, stream), f"CloudWatch: {stream}"))
        return " · ".join(links)

    def log_stream(self, group: str, stream: str) -> str:
        # The CloudWatch console escapes path parts twice ('/' -> %2F -> $252F).
        def enc(text: str) -> str:
            return quote(quote(text, safe=""), safe="").replace("%", "$")
        return (f"https://{self.region}.console.aws.amazon.com/cloudwatch/home?region={self.region}"
                f"#logsV2:log-groups/log-group/{enc(group)}/log-events/{enc(stream)}")

    def s3(self, uri: str) -> str:
        if not uri.startswith("s3://"):
            return escape(uri)
        bucket, _, key = uri[5:].partition("/")
        if self.record.run_dir is not None:
            local = self.record.run_dir / "s3" / bucket / key
            if local.exists():
                return f"{escape(uri)} ({self.local(local, 'local copy')})"
            return escape(uri)
        return self.console(f"https://s3.console.aws.amazon.com/s3/buckets/{quote(bucket)}?region={self.region}"
                            f"&prefix={quote(key)}", uri)


# --------------------------------------------------------------------------------------------
# Sections


def _legend() -> str:
    items = "".join(f'<span><i style="background:{fill};border-color:{stroke}"></i>{escape(STATUS_LABELS[name])}</span>'
                    for name, fill, stroke in LEGEND)
    return (f'<div class="legend">{items}<span><svg width="34" height="10"><path d="M0,5 L34,5" stroke="#c62828" '
            f'stroke-dasharray="6 4" stroke-width="1.4"/></svg>Catch</span><span>↻N retried N times</span>'
            f"<span>×N ran N times</span></div>")


def _visit_depths(visits: list[Visit]) -> dict[int, int]:
    depth: dict[int, int] = {}
    for visit in visits:
        depth[visit.id] = depth[visit.parent] + 1 if visit.parent in depth else 0
    return depth


def timeline_svg(record: ExecutionRecord, visits: list[Visit]) -> str:
    """One row per state visit and per job, on the execution's time axis; retries as amber ticks,
    failures as red ticks, Wait states hatched."""
    start = record.start or (visits[0].entered if visits else None)
    ends = [t for t in [record.stop, *(v.exited for v in visits), *(j.end for j in record.jobs)] if t]
    last_event = record.events[-1]["timestamp"] if record.events else None
    end = max(ends + ([last_event] if last_event else []), default=start)
    if start is None or end is None:
        return '<p class="muted">no events</p>'
    span = max((end - start).total_seconds(), 0.001)
    label_w, bar_w, row_h = 250.0, 640.0, 18.0
    depth = _visit_depths(visits)
    running = record.status == "RUNNING"
    rows: list[str] = []

    def x_of(moment_: datetime | None) -> float:
        seconds = ((moment_ or end) - start).total_seconds()
        return label_w + bar_w * min(max(seconds / span, 0.0), 1.0)

    def row(index: int, label: str, begin: datetime | None, finish: datetime | None, colour: str, tip: str,
            *, hatch: bool = False, ticks: list[tuple[datetime | None, str]] = ()) -> None:  # type: ignore[assignment]
        y = 22 + index * row_h
        x0, x1 = x_of(begin), x_of(finish)
        fill = "url(#tl-hatch)" if hatch else colour
        parts = [f'<g class="row"><title>{escape(tip)}</title>'
                 f'<text x="4" y="{y + 12:.0f}">{escape(label)}</text>'
                 f'<rect x="{x0:.1f}" y="{y + 3:.0f}" width="{max(x1 - x0, 2):.1f}" height="12" rx="2" fill="{fill}" '
                 f'stroke="{colour}"/>']
        for when, tick_colour in ticks:
            tx = x_of(when)
            parts.append(f'<path d="M{tx:.1f},{y + 1:.0f} v16" stroke="{tick_colour}" stroke-width="2"/>')
        parts.append("</g>")
        rows.append("".join(parts))

    index = 0
    for visit in visits:
        status = visit.status(execution_running=running)
        finish = visit.exited or (visit.failures[-1][0] if visit.failures else (None if running else end))
        took = (finish - visit.entered).total_seconds() if finish and visit.entered else None
        tip = f"{visit.name} ({visit.type}): {STATUS_LABELS[status]}, {duration_text(took)}"
        if visit.retries:
            tip += f", {visit.retries} retr{'y' if visit.retries == 1 else 'ies'}"
        ticks = [(t, "#f57f17") for t in visit.attempts[1:]] + [(f[0], "#b71c1c") for f in visit.failures]
        label = "  " * depth.get(visit.id, 0) + _short(visit.name, 34 - 2 * depth.get(visit.id, 0))
        row(index, label, visit.entered, finish, BAR_COLOURS.get(status, "#90a4ae"), tip, hatch=visit.type == "Wait",
            ticks=ticks)
        index += 1
    for job in record.jobs:
        if job.parent is not None:
            continue
        row(index, "⚙ " + _middle(job.name, 32), job.start, job.end, BAR_COLOURS.get(job.status, "#90a4ae"),
            f"{job.kind} {job.name}: {job.status}, {duration_text(_seconds(job))}")
        index += 1
        for trial in next((j.trials for j in record.jobs if j.name == job.name), []):
            row(index, "   trial " + _middle(trial.name, 28), trial.start, trial.end,
                BAR_COLOURS.get(trial.status, "#90a4ae"), f"training job {trial.name}: {trial.status}"
                + (f", objective {trial.objective:.6g}" if trial.objective is not None else ""))
            index += 1
    height = 22 + index * row_h + 8
    axis = []
    for step in range(6):
        x = label_w + bar_w * step / 5
        axis.append(f'<path d="M{x:.1f},16 V{height:.0f}" stroke="#eceff1"/>'
                    f'<text x="{x:.1f}" y="12" text-anchor="middle" fill="#616161">+{duration_text(span * step / 5)}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="sfn-timeline" width="{label_w + bar_w + 50:.0f}" '
            f'height="{height:.0f}" font-size="11" font-family="Helvetica,Arial,sans-serif">'
            '<defs><pattern id="tl-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e0e0e0"/><path d="M0,0 V6" '
            'stroke="#90a4ae" stroke-width="3"/></pattern></defs>' + "".join(axis) + "".join(rows) + "</svg>")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def _middle(text: str, limit: int) -> str:
    """``text`` shortened in the middle: job names differ at their ends (trial numbers, hashes)."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def _seconds(job: JobRecord) -> float | None:
    seconds = job.describe.get("TrainingTimeInSeconds")
    if isinstance(seconds, (int, float)):
        return float(seconds)
    if job.start and job.end:
        return (job.end - job.start).total_seconds()
    return None


def tuning_chart(job: JobRecord) -> str:
    """The objective per trial (in start order), the best one marked."""
    scored = [(i, t) for i, t in enumerate(job.trials, 1) if t.objective is not None]
    if not scored:
        return '<p class="muted">no trial reported the objective metric</p>'
    metric, direction = job.objective or ("objective", "Minimize")
    width, height, left, bottom, top = 560.0, 240.0, 60.0, 36.0, 18.0
    values = [t.objective for _, t in scored]
    low, high = min(values), max(values)  # type: ignore[type-var]
    if high == low:
        low, high = low - 1, high + 1    # type: ignore[operator]
    count = len(job.trials)

    def pos(index: int, value: float) -> tuple[float, float]:
        inner = left + 24   # clear of the axis and its labels
        x = inner + (width - inner - 24) * ((index - 1) / max(count - 1, 1) if count > 1 else 0.5)
        y = top + (height - top - bottom) * (1 - (value - low) / (high - low))  # type: ignore[operator]
        return x, y

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sfn-tuning" width="{width:.0f}" height="{height:.0f}" '
             f'font-size="11" font-family="Helvetica,Arial,sans-serif">'
             f'<path d="M{left},{top} V{height - bottom} H{width - 10}" stroke="#9e9e9e" fill="none"/>'
             f'<text x="{left}" y="11" fill="#424242">{escape(metric)} ({"lower" if direction == "Minimize" else "higher"}'
             f' is better)</text>']
    for fraction in (0.0, 0.5, 1.0):
        value = low + (high - low) * fraction  # type: ignore[operator]
        y = top + (height - top - bottom) * (1 - fraction)
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#616161">{value:.4g}</text>')
    points = [pos(i, t.objective) for i, t in scored]  # type: ignore[arg-type]
    parts.append('<path d="M' + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
                 + '" fill="none" stroke="#b0bec5" stroke-dasharray="3 3"/>')
    for (index, trial), (x, y) in zip(scored, points):
        tip = f"trial {index}: {trial.name}\n{metric} = {trial.objective:.6g}\n" + ", ".join(
            f"{k}={v}" for k, v in trial.hyperparameters.items())
        if trial.best:
            parts.append(f'<g class="trial best"><title>best {escape(tip)}</title><circle cx="{x:.1f}" cy="{y:.1f}" '
                         f'r="9" fill="#ffca28" stroke="#e65100" stroke-width="2"/><text x="{x:.1f}" y="{y - 13:.1f}" '
                         f'text-anchor="middle" font-weight="bold" fill="#e65100">best</text></g>')
        else:
            parts.append(f'<g class="trial"><title>{escape(tip)}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="5" '
                         f'fill="#42a5f5"/></g>')
    for index, trial in enumerate(job.trials, 1):
        x, _ = pos(index, low)  # type: ignore[arg-type]
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 16:.1f}" text-anchor="middle" fill="#616161">{index}</text>')
        if trial.objective is None:
            parts.append(f'<text x="{x:.1f}" y="{height - bottom - 4:.1f}" text-anchor="middle" fill="#c62828">✕</text>')
    parts.append(f'<text x="{(left + width) / 2:.0f}" y="{height - 4:.0f}" text-anchor="middle" fill="#616161">'
                 "trial (in start order)</text></svg>")
    return "".join(parts)


def _trials_table(job: JobRecord) -> str:
    names: list[str] = []
    for trial in job.trials:
        names.extend(k for k in trial.hyperparameters if k not in names)
    metric = job.objective[0] if job.objective else "objective"
    head = "".join(f"<th>{escape(n)}</th>" for n in ["#", "training job", "status", metric, *names])
    rows = []
    for index, trial in enumerate(job.trials, 1):
        cells = [str(index), escape(trial.name) + (" ★" if trial.best else ""), escape(trial.status),
                 f"{trial.objective:.6g}" if trial.objective is not None else "-",
                 *(escape(_number(trial.hyperparameters.get(n, "-"))) for n in names)]
        rows.append(f'<tr{" class=best" if trial.best else ""}>' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _number(text: str) -> str:
    """A hyperparameter as a table shows it: numbers to 4 significant digits, text shortened."""
    try:
        value = float(text)
    except ValueError:
        return _short(text, 24)
    return text if value.is_integer() and "." not in text else f"{value:.4g}"


def _artifacts(job: JobRecord) -> list[tuple[str, str]]:
    describe = job.describe
    found: list[tuple[str, str]] = []
    if uri := (describe.get("ModelArtifacts") or {}).get("S3ModelArtifacts"):
        found.append(("model", uri))
    if uri := (describe.get("TransformOutput") or {}).get("S3OutputPath"):
        found.append(("predictions", uri))
    for output in (describe.get("ProcessingOutputConfig") or {}).get("Outputs", []) or []:
        if uri := (output.get("S3Output") or {}).get("S3Uri"):
            found.append((f"output {output.get('OutputName', '')}".strip(), uri))
    return found


def job_section(job: JobRecord, links: Links) -> str:
    instance_type, count = job.resources
    facts = [("status", f'<span class="status {escape(job.status)}">{escape(job.status)}</span>'),
             ("state", escape(job.state or "-")), ("started", _when(job.start)),
             ("duration", duration_text(_seconds(job)))]
    if instance_type:
        facts.append(("instances", f"{count or 1} × {escape(instance_type)}"))
    if job.metrics:
        facts.append(("final metrics", ", ".join(f"{escape(n)} = {v:.6g}" for n, v in job.metrics)))
    for label, uri in _artifacts(job):
        facts.append((escape(label), links.s3(str(uri))))
    if (linked := links.job(job)):
        facts.append(("links", linked))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    parts = [f'<section class="job" id="job-{escape(job.name)}"><h3>{escape(job.kind)} {escape(job.name)}</h3>'
             f'<dl class="facts">{body}</dl>']
    if job.describe.get("FailureReason"):
        parts.append(f'<p class="reason">{escape(str(job.describe["FailureReason"]))}</p>')
    if job.kind == "HyperParameterTuningJob":
        parts.append(tuning_chart(job))
        if job.trials:
            parts.append(_trials_table(job))
    if job.log_tail:
        parts.append(f"<details{' open' if job.status == 'Failed' else ''}><summary>last {len(job.log_tail)} log lines"
                     f"</summary><pre>{escape(chr(10).join(job.log_tail))}</pre></details>")
    parts.append("</section>")
    return "".join(parts)


def _errors(visits: list[Visit]) -> str:
    rows = []
    for visit in visits:
        for when, error, cause in visit.failures:
            text = " ".join(str(cause or "").split())
            rows.append(f"<tr><td>{escape(visit.name)}</td><td>{_when(when)}</td><td>{escape(str(error or '-'))}</td>"
                        f"<td>{escape(_short(text, MAX_CAUSE_CHARS))}</td></tr>")
    if not rows:
        return ""
    return ("<h2>Errors</h2><table><tr><th>state</th><th>when</th><th>error</th><th>cause</th></tr>"
            + "".join(rows) + "</table>")


def render_page(record: ExecutionRecord, *, base_dir: Path | None = None) -> str:
    """The report of ``record`` as one HTML document. ``base_dir`` (default None: absolute paths) is the
    folder the page will be saved in: links to the run's files are made relative to it."""
    visits = read_visits(record.events)
    outcomes = state_outcomes(visits, execution_status=record.status)
    links = Links(record, base_dir=base_dir)
    if record.definition is not None:
        graph = definition_svg(record.definition, name=record.state_machine_name, outcomes=outcomes)
    else:
        graph = '<p class="muted">the state machine definition is not recorded for this run</p>'
    facts = [("state machine", escape(record.state_machine_name)),
             ("execution", escape(record.execution_arn)),
             ("started", _when(record.start)), ("stopped", _when(record.stop)),
             ("duration", duration_text(record.duration)),
             ("states", f"{len(visits)} entered, {sum(v.retries for v in visits)} retries"),
             ("source", "local run" + (f" ({escape(record.run_dir.name)} under .sfn-local/)" if record.run_dir else "")
              if record.source == "local" else f"AWS ({escape(record.region or '')})"),
             ("files" if record.source == "local" else "links", links.execution())]
    if record.error or record.cause:
        facts.append(("error", f'<span class="reason">{escape(str(record.error or ""))}: '
                               f'{escape(_short(str(record.cause or ""), MAX_CAUSE_CHARS))}</span>'))
    best = record.best_metric()
    if best:
        facts.append(("best metric", f"{escape(best[0])} = {best[1]:.6g}"))
    for job in record.jobs:
        for label, uri in _artifacts(job):
            if label == "predictions":
                facts.append(("predictions", links.s3(str(uri))))
    jobs = [job_section(job, links) for job in record.jobs if job.parent is None]
    trial_jobs = [job_section(job, links) for job in record.jobs if job.parent is not None]
    title = f"{record.name} · {record.status}"
    return "".join([
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>",
        f'<h1>{escape(record.name)} <span class="status {escape(record.status)}">{escape(record.status)}</span></h1>',
        '<dl class="facts">', "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts), "</dl>",
        "<h2>State machine</h2>", _legend(), f'<div class="graph">{graph}</div>',
        "<h2>Timeline</h2>", f'<div class="timeline">{timeline_svg(record, visits)}</div>',
        _errors(visits),
        "<h2>SageMaker jobs</h2>" if jobs else "", *jobs,
        (f"<details><summary>the tuning jobs' {len(trial_jobs)} training jobs</summary>{''.join(trial_jobs)}</details>"
         if trial_jobs else ""),
        "<h2>Input</h2>", _json_block(record.input),
        "<h2>Output</h2>" if record.output is not None else "", _json_block(record.output) if record.output is not None else "",
        f'<p class="muted">written by sagemaker-sfn report from the {"local run files" if record.source == "local" else "AWS APIs"}'
        "; nothing on this page is fetched from the network.</p>",
        "</main></body></html>\n"])


__all__ = ["render_page", "timeline_svg", "tuning_chart", "duration_text", "Links"]
