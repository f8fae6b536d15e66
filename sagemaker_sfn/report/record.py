"""One execution record, two sources: a local run's files or a deployed execution's AWS answers.

A local run leaves ``.sfn-local/<execution>/`` (``history.json``, ``execution.json``,
``definition.json``, ``jobs/<job>/describe.json`` and ``logs.txt``); a deployed execution has
DescribeExecution, DescribeStateMachineForExecution, GetExecutionHistory, the SageMaker Describe*
answers and CloudWatch Logs. Both are the same data, so both are read into one
:class:`ExecutionRecord`, and ``report``, ``runs`` and ``logs`` read only that.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sagemaker_sfn.errors import UsageError

RUN_DIR = ".sfn-local"              # where `run --local` keeps runs (commands/run.py RUN_DIR)
LOG_TAIL_LINES = 40

# SageMaker job kinds: Describe* name member -> kind (SageMaker's own nouns), most specific first
# (a tuning job's Describe response also holds a TrainingJobDefinition, not a TrainingJobName).
JOB_NAME_MEMBERS: tuple[tuple[str, str], ...] = (
    ("HyperParameterTuningJobName", "HyperParameterTuningJob"),
    ("TrainingJobName", "TrainingJob"),
    ("TransformJobName", "TransformJob"),
    ("ProcessingJobName", "ProcessingJob"),
)
# The Step Functions SageMaker integration's Create* actions (resource arn:...:states:::sagemaker:<action>[.sync])
# -> the job kind they start. Source: AWS Step Functions developer guide, "Create and manage Amazon
# SageMaker AI jobs with Step Functions" (docs.aws.amazon.com/step-functions/latest/dg/connect-sagemaker.html).
CREATE_ACTIONS: dict[str, str] = {
    "createTrainingJob": "TrainingJob",
    "createHyperParameterTuningJob": "HyperParameterTuningJob",
    "createTransformJob": "TransformJob",
    "createProcessingJob": "ProcessingJob",
}
# SageMaker writes each job kind's container logs to this CloudWatch Logs group, one stream per
# instance, every stream name starting "<job name>/" (training: <job>/algo-<n>-<epoch>; processing:
# <job>/<hostname>-<epoch>; transform: <job>/<instance-id>-<epoch>). Source: SageMaker developer
# guide, "Log groups and streams that Amazon SageMaker AI sends to Amazon CloudWatch Logs"
# (docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html).
LOG_GROUPS: dict[str, str] = {
    "TrainingJob": "/aws/sagemaker/TrainingJobs",
    "ProcessingJob": "/aws/sagemaker/ProcessingJobs",
    "TransformJob": "/aws/sagemaker/TransformJobs",
}
STATUS_MEMBER = {kind: f"{kind}Status" for _, kind in JOB_NAME_MEMBERS}
TERMINAL_JOB_STATUSES = {"Completed", "Failed", "Stopped"}
TERMINAL_EXECUTION_STATUSES = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def moment(value: Any) -> datetime | None:
    """A timezone-aware datetime from what the sources hold: a datetime (boto3), an ISO-8601 string
    (history.json), or epoch seconds / milliseconds (describe.json numbers)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, tz=timezone.utc)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def parse_json(text: Any) -> Any:
    """JSON text from an event or a Describe answer, parsed; anything else unchanged."""
    if isinstance(text, str):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text


@dataclass
class LogSource:
    """Where a job's log is: a local file, or CloudWatch Logs streams (group + stream names)."""

    path: Path | None = None
    group: str | None = None
    streams: list[str] = field(default_factory=list)
    region: str | None = None


@dataclass
class Trial:
    """One training job of a tuning job: its tuned hyperparameters and objective value."""

    name: str
    status: str
    objective: float | None
    hyperparameters: dict[str, str]
    start: datetime | None = None
    end: datetime | None = None
    best: bool = False


@dataclass
class JobRecord:
    kind: str                       # TrainingJob | HyperParameterTuningJob | TransformJob | ProcessingJob
    name: str
    describe: dict[str, Any]        # the Describe* answer
    state: str | None = None        # the state that started it
    log: LogSource | None = None
    log_tail: list[str] = field(default_factory=list)
    trials: list[Trial] = field(default_factory=list)   # tuning jobs only
    parent: str | None = None       # training jobs of a tuning job: the tuning job's name

    @property
    def status(self) -> str:
        return str(self.describe.get(STATUS_MEMBER.get(self.kind, ""), "?"))

    @property
    def start(self) -> datetime | None:
        for key in ("TrainingStartTime", "TransformStartTime", "ProcessingStartTime", "CreationTime"):
            if (value := moment(self.describe.get(key))) is not None:
                return value
        return None

    @property
    def end(self) -> datetime | None:
        for key in ("TrainingEndTime", "TransformEndTime", "ProcessingEndTime", "HyperParameterTuningEndTime"):
            if (value := moment(self.describe.get(key))) is not None:
                return value
        if self.status in TERMINAL_JOB_STATUSES:
            return moment(self.describe.get("LastModifiedTime"))
        return None

    @property
    def resources(self) -> tuple[str | None, int | None]:
        """(instance type, instance count) the job asked for."""
        config = (self.describe.get("ResourceConfig") or self.describe.get("TransformResources")
                  or (self.describe.get("ProcessingResources") or {}).get("ClusterConfig")
                  or (self.describe.get("TrainingJobDefinition") or {}).get("ResourceConfig") or {})
        return config.get("InstanceType"), config.get("InstanceCount")

    @property
    def metrics(self) -> list[tuple[str, float]]:
        return [(m.get("MetricName", "?"), m["Value"]) for m in self.describe.get("FinalMetricDataList") or []
                if isinstance(m.get("Value"), (int, float))]

    @property
    def objective(self) -> tuple[str, str] | None:
        """A tuning job's (metric name, Minimize|Maximize)."""
        spec = (self.describe.get("HyperParameterTuningJobConfig") or {}).get("HyperParameterTuningJobObjective")
        return (spec.get("MetricName", "objective"), spec.get("Type", "Minimize")) if spec else None


@dataclass
class ExecutionRecord:
    """What happened in one execution, local or deployed, in GetExecutionHistory's terms."""

    source: str                     # "local" | "deployed"
    name: str
    execution_arn: str
    state_machine_name: str
    status: str                     # RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    start: datetime | None
    stop: datetime | None
    input: Any
    output: Any
    error: str | None
    cause: str | None
    definition: dict[str, Any] | None
    events: list[dict[str, Any]]    # GetExecutionHistory events, "timestamp" as datetime
    jobs: list[JobRecord] = field(default_factory=list)
    run_dir: Path | None = None     # local runs: .sfn-local/<name>
    region: str | None = None       # deployed runs

    @property
    def duration(self) -> float | None:
        if self.start is None:
            return None
        end = self.stop or (moment(self.events[-1]["timestamp"]) if self.events else None)
        return (end - self.start).total_seconds() if end else None

    def best_metric(self) -> tuple[str, float] | None:
        """The tuning job's best objective, else the last training job's first validation metric
        (else its first metric): what `runs` shows to compare executions."""
        for job in self.jobs:
            if job.kind == "HyperParameterTuningJob":
                best = [t for t in job.trials if t.best and t.objective is not None]
                if best and job.objective:
                    return job.objective[0], best[0].objective  # type: ignore[return-value]
        for job in reversed(self.jobs):
            if job.kind == "TrainingJob" and job.parent is None and job.metrics:
                chosen = [m for m in job.metrics if m[0].startswith("validation")] or job.metrics
                return chosen[0]
        return None


# --------------------------------------------------------------------------------------------
# Shared readers


def event_details(event: Mapping[str, Any]) -> dict[str, Any]:
    """A history event's ``<kind>EventDetails`` member ({} when it has none)."""
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def scheduled_jobs(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(state, kind, job name) for every SageMaker Create*Job a TaskScheduled event asked for, in order."""
    found: list[tuple[str, str, str]] = []
    state_of: dict[int, str] = {}
    for event in events:
        details = event_details(event)
        if event.get("type", "").endswith("StateEntered"):
            state_of[event["id"]] = details.get("name", "?")
        state = state_of.get(event.get("previousEventId", -1), "?")
        state_of.setdefault(event["id"], state)
        if event.get("type") != "TaskScheduled" or details.get("resourceType") != "sagemaker":
            continue
        kind = CREATE_ACTIONS.get(str(details.get("resource", "")).split(".")[0])
        params = parse_json(details.get("parameters"))
        if kind and isinstance(params, dict) and isinstance(params.get(f"{kind}Name"), str):
            found.append((state, kind, params[f"{kind}Name"]))
    return found


def _kind_of(describe: Mapping[str, Any]) -> tuple[str, str] | None:
    for member, kind in JOB_NAME_MEMBERS:
        if isinstance(describe.get(member), str):
            return kind, describe[member]
    return None


def _trial_from_training(describe: Mapping[str, Any], *, metric: str | None, tuned: set[str]) -> Trial:
    values = {m.get("MetricName"): m.get("Value") for m in describe.get("FinalMetricDataList") or []}
    hyperparameters = {k: str(v).strip('"') for k, v in (describe.get("HyperParameters") or {}).items()
                       if not tuned or k in tuned}
    objective = values.get(metric)
    return Trial(name=describe["TrainingJobName"], status=str(describe.get("TrainingJobStatus", "?")),
                 objective=float(objective) if isinstance(objective, (int, float)) else None,
                 hyperparameters=hyperparameters, start=moment(describe.get("TrainingStartTime")),
                 end=moment(describe.get("TrainingEndTime")))


def _trial_from_summary(summary: Mapping[str, Any]) -> Trial:
    """A ListTrainingJobsForHyperParameterTuningJob summary as a Trial."""
    objective = (summary.get("FinalHyperParameterTuningJobObjectiveMetric") or {}).get("Value")
    return Trial(name=summary["TrainingJobName"], status=str(summary.get("TrainingJobStatus", "?")),
                 objective=float(objective) if isinstance(objective, (int, float)) else None,
                 hyperparameters={k: str(v).strip('"') for k, v in (summary.get("TunedHyperParameters") or {}).items()},
                 start=moment(summary.get("TrainingStartTime")), end=moment(summary.get("TrainingEndTime")))


def _tuned_names(describe: Mapping[str, Any]) -> set[str]:
    ranges = (describe.get("HyperParameterTuningJobConfig") or {}).get("ParameterRanges") or {}
    return {r.get("Name") for values in ranges.values() if isinstance(values, list) for r in values}


def mark_best(job: JobRecord) -> None:
    """Mark the tuning job's best trial: BestTrainingJob when SageMaker named one, else the best value."""
    best_name = (job.describe.get("BestTrainingJob") or {}).get("TrainingJobName")
    if best_name is None and job.objective:
        scored = [t for t in job.trials if t.objective is not None]
        if scored:
            pick = min if job.objective[1] == "Minimize" else max
            best_name = pick(scored, key=lambda t: t.objective).name  # type: ignore[arg-type,return-value]
    for trial in job.trials:
        trial.best = trial.name == best_name


def _tail(lines: list[str], count: int = LOG_TAIL_LINES) -> list[str]:
    return [line.rstrip("\n") for line in lines[-count:]]


def _events_with_datetimes(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**event, "timestamp": moment(event.get("timestamp"))} for event in events]


def _outcome(events: list[dict[str, Any]]) -> tuple[str, Any, str | None, str | None, datetime | None]:
    """(status, output, error, cause, stop) from the history's last execution event."""
    for event in reversed(events):
        kind = event.get("type", "")
        details = event_details(event)
        if kind == "ExecutionSucceeded":
            return "SUCCEEDED", parse_json(details.get("output")), None, None, moment(event["timestamp"])
        for ending, status in (("ExecutionFailed", "FAILED"), ("ExecutionTimedOut", "TIMED_OUT"),
                               ("ExecutionAborted", "ABORTED")):
            if kind == ending:
                return status, None, details.get("error"), details.get("cause"), moment(event["timestamp"])
    return "RUNNING", None, None, None, None


# --------------------------------------------------------------------------------------------
# Local runs


def runs_root(root: Path | None = None) -> Path:
    from sagemaker_sfn.project import find_project_root

    return (root or find_project_root()) / RUN_DIR


def find_local_run(name: str, *, root: Path | None = None) -> Path:
    """The run directory for ``name``: a run's name under .sfn-local/ or a path to a run directory."""
    given = Path(name)
    if (given / "history.json").is_file():
        return given
    candidate = runs_root(root) / name
    if (candidate / "history.json").is_file():
        return candidate
    known = [p.name for p in iter_local_runs(root=root)][-5:]
    hint = f" (recent runs: {', '.join(known)})" if known else " (no local runs yet: `sagemaker-sfn run PIPELINE --local`)"
    raise UsageError(f"no local run '{name}': expected {candidate}/history.json, or an execution ARN "
                     f"(arn:aws:states:<region>:<account>:execution:<machine>:<name>){hint}")


def iter_local_runs(*, root: Path | None = None) -> list[Path]:
    """Run directories under .sfn-local/ that hold a history, oldest first."""
    base = runs_root(root)
    if not base.is_dir():
        return []
    runs = [p for p in base.iterdir() if (p / "history.json").is_file()]
    return sorted(runs, key=lambda p: (p / "history.json").stat().st_mtime)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc


def _machine_name_from_history(events: list[dict[str, Any]], fallback: str) -> str:
    """The local runner names the execution role StepFunctions-<machine>-role (interpreter/__init__.py)."""
    role = str(event_details(events[0]).get("roleArn", "")) if events else ""
    tail = role.rsplit("/", 1)[-1]
    if tail.startswith("StepFunctions-") and tail.endswith("-role"):
        return tail[len("StepFunctions-"):-len("-role")]
    return fallback


def load_local(run_dir: Path, *, summary_only: bool = False) -> ExecutionRecord:
    """The record of a local run directory. ``summary_only`` (default False) skips log tails."""
    run_dir = Path(run_dir)
    events = _events_with_datetimes(_read_json(run_dir / "history.json"))
    status, output, error, cause, stop = _outcome(events)
    execution = _read_json(run_dir / "execution.json") if (run_dir / "execution.json").is_file() else {}
    definition = _read_json(run_dir / "definition.json") if (run_dir / "definition.json").is_file() else None
    started = event_details(events[0]) if events else {}
    machine = execution.get("stateMachineName") or _machine_name_from_history(events, run_dir.name)
    if definition is None:
        # Runs older than definition.json: the project's generated template, if the machine is one.
        template = run_dir.resolve().parent.parent / "asl_templates" / f"{machine}.asl.json"
        definition = _read_json(template) if template.is_file() else None
    record = ExecutionRecord(
        source="local", name=execution.get("name", run_dir.name),
        execution_arn=execution.get("executionArn", f"local:{run_dir.name}"), state_machine_name=machine,
        status=execution.get("status", status), start=moment(execution.get("startDate")) or (
            moment(events[0]["timestamp"]) if events else None),
        stop=moment(execution.get("stopDate")) or stop,
        input=parse_json(execution.get("input", started.get("input"))), output=output,
        error=execution.get("error", error), cause=execution.get("cause", cause), definition=definition,
        events=events, run_dir=run_dir)
    record.jobs = _local_jobs(run_dir, events, summary_only=summary_only)
    return record


def _local_jobs(run_dir: Path, events: list[dict[str, Any]], *, summary_only: bool) -> list[JobRecord]:
    jobs_dir = run_dir / "jobs"
    described: dict[str, JobRecord] = {}
    if jobs_dir.is_dir():
        for path in jobs_dir.glob("*/describe.json"):
            data = _read_json(path)
            found = _kind_of(data) if isinstance(data, dict) else None
            if found is None:
                continue
            kind, name = found
            log = path.parent / "logs.txt"
            job = JobRecord(kind=kind, name=name, describe=data,
                            log=LogSource(path=log) if log.is_file() else None)
            if log.is_file() and not summary_only:
                with log.open(encoding="utf-8", errors="replace") as handle:
                    job.log_tail = _tail(handle.readlines())
            described[name] = job
    return _assemble(described, scheduled_jobs(events))


def _assemble(described: dict[str, JobRecord], scheduled: list[tuple[str, str, str]]) -> list[JobRecord]:
    """Jobs in the order the execution started them, each tuning job with its trials."""
    tuning_by_arn = {j.describe.get("HyperParameterTuningJobArn"): j for j in described.values()
                     if j.kind == "HyperParameterTuningJob"}
    for job in described.values():
        parent = tuning_by_arn.get(job.describe.get("TuningJobArn")) if job.kind == "TrainingJob" else None
        if parent is not None:
            job.parent = parent.name
            metric = parent.objective[0] if parent.objective else None
            parent.trials.append(_trial_from_training(job.describe, metric=metric,
                                                      tuned=_tuned_names(parent.describe)))
    ordered: list[JobRecord] = []
    for state, _kind, name in scheduled:
        if name in described and described[name] not in ordered:
            described[name].state = state
            ordered.append(described[name])
            ordered.extend(j for j in described.values() if j.parent == name)
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    ordered.extend(sorted((j for j in described.values() if j not in ordered), key=lambda j: j.start or epoch))
    for job in ordered:
        if job.kind == "HyperParameterTuningJob":
            job.trials.sort(key=lambda t: (t.start or epoch, t.name))
            mark_best(job)
    return ordered


# --------------------------------------------------------------------------------------------
# Deployed executions


def is_execution_arn(text: str) -> bool:
    return text.startswith("arn:") and ":execution:" in text


def load_deployed(execution_arn: str, *, session: Any, summary_only: bool = False) -> ExecutionRecord:
    """The record of a deployed execution, read through ``session`` (a boto3 session).

    ``summary_only`` (default False): skip log tails and tuning trials (``runs`` lists many executions).
    """
    from sagemaker_sfn.aws import AwsError, call

    stepfunctions = session.client("stepfunctions")
    execution = call(stepfunctions.describe_execution, executionArn=execution_arn)
    definition = None
    try:
        described = call(stepfunctions.describe_state_machine_for_execution, executionArn=execution_arn)
        definition = parse_json(described.get("definition"))
    except AwsError:  # older endpoints (and emulators) lack it: fall back to the machine
        described = call(stepfunctions.describe_state_machine, stateMachineArn=execution["stateMachineArn"])
        definition = parse_json(described.get("definition"))
    from sagemaker_sfn.commands.history import iter_events   # GetExecutionHistory, every page

    events = _events_with_datetimes(list(iter_events(stepfunctions, execution_arn)))
    region = execution_arn.split(":")[3]
    record = ExecutionRecord(
        source="deployed", name=execution["name"], execution_arn=execution_arn,
        state_machine_name=execution["stateMachineArn"].split(":")[-1], status=execution["status"],
        start=moment(execution.get("startDate")), stop=moment(execution.get("stopDate")),
        input=parse_json(execution.get("input")), output=parse_json(execution.get("output")),
        error=execution.get("error"), cause=execution.get("cause"),
        definition=definition if isinstance(definition, dict) else None, events=events, region=region)
    record.jobs = _deployed_jobs(session, events, region=region, summary_only=summary_only)
    return record


_DESCRIBE = {"TrainingJob": "describe_training_job", "HyperParameterTuningJob": "describe_hyper_parameter_tuning_job",
             "TransformJob": "describe_transform_job", "ProcessingJob": "describe_processing_job"}


def _deployed_jobs(session: Any, events: list[dict[str, Any]], *, region: str, summary_only: bool) -> list[JobRecord]:
    from sagemaker_sfn.aws import AwsError, call

    sagemaker = session.client("sagemaker")
    logs = None if summary_only else session.client("logs")
    described: dict[str, JobRecord] = {}
    scheduled = scheduled_jobs(events)
    for _state, kind, name in scheduled:
        if name in described:
            continue
        try:
            answer = call(getattr(sagemaker, _DESCRIBE[kind]), **{f"{kind}Name": name})
        except AwsError:
            continue   # the Create call failed (or the job was deleted): the history says why
        answer.pop("ResponseMetadata", None)
        job = JobRecord(kind=kind, name=name, describe=answer)
        described[name] = job
        if kind == "HyperParameterTuningJob":
            best = answer.get("BestTrainingJob")
            job.trials = [_trial_from_summary(best)] if best else []
            if not summary_only:
                try:
                    job.trials = [_trial_from_summary(s) for s in _tuning_summaries(sagemaker, name)]
                except AwsError:   # not allowed to list them (or an emulator without the API): the best one
                    pass
        if kind in LOG_GROUPS and logs is not None:
            job.log = find_log_streams(logs, kind=kind, job=name, region=region)
            job.log_tail = cloudwatch_tail(logs, job.log)
    jobs = _assemble(described, scheduled)
    return jobs


def _tuning_summaries(sagemaker: Any, name: str) -> list[dict[str, Any]]:
    from sagemaker_sfn.aws import call

    request: dict[str, Any] = {"HyperParameterTuningJobName": name, "MaxResults": 100}
    found: list[dict[str, Any]] = []
    while True:
        page = call(sagemaker.list_training_jobs_for_hyper_parameter_tuning_job, **request)
        found.extend(page.get("TrainingJobSummaries", []))
        if not page.get("NextToken"):
            return found
        request["NextToken"] = page["NextToken"]


def find_log_streams(logs: Any, *, kind: str, job: str, region: str | None = None) -> LogSource:
    """The CloudWatch streams of ``job`` (``<job>/...`` in its kind's group); none when the group or
    the streams do not exist (yet)."""
    from sagemaker_sfn.aws import AwsError, call

    group = LOG_GROUPS[kind]
    try:
        page = call(logs.describe_log_streams, logGroupName=group, logStreamNamePrefix=f"{job}/")
    except AwsError:
        return LogSource(group=group, region=region)
    return LogSource(group=group, streams=[s["logStreamName"] for s in page.get("logStreams", [])], region=region)


def cloudwatch_tail(logs: Any, source: LogSource | None, *, count: int = LOG_TAIL_LINES) -> list[str]:
    """The last ``count`` messages of the first stream (algo-1: the one that reports metrics)."""
    from sagemaker_sfn.aws import AwsError, call

    if source is None or not source.streams:
        return []
    try:
        page = call(logs.get_log_events, logGroupName=source.group, logStreamName=source.streams[0],
                    limit=count, startFromHead=False)
    except AwsError:
        return []
    return [str(e.get("message", "")).rstrip("\n") for e in page.get("events", [])]


def load_record(execution: str, *, root: Path | None = None, session: Any = None) -> ExecutionRecord:
    """A local run (its name under .sfn-local/ or its directory) or a deployed execution ARN, read.

    ``session``: a boto3 session for ARNs (default: :func:`sagemaker_sfn.aws.session` from the environment).
    """
    if is_execution_arn(execution):
        if session is None:
            from sagemaker_sfn.aws import session as make_session

            session = make_session(region=execution.split(":")[3])
        return load_deployed(execution, session=session)
    return load_local(find_local_run(execution, root=root))
