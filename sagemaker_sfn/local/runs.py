"""Run a state machine locally from Python: what ``sagemaker-sfn run --local`` does, as a library.

For a user's own tests (pytest, a notebook) and for the command, which only adds arguments, progress
lines and the summary::

    from sagemaker_sfn.local import run_local

    run = run_local("train-evaluate", approve=True)              # real local jobs
    assert run.status == "SUCCEEDED", run.failure
    run = run_local("tune-xgboost", mock_config="mocks.json", test_case="HappyPath")   # mocked tasks
    run.output, run.history, run.run_dir                         # as recorded in .sfn-local/<name>/

:func:`prepare_local_run` resolves everything a run needs before anything runs (definition checked
by the validator, code pinned, input, execution name and folder, bindings) and raises
:class:`~sagemaker_sfn.errors.UsageError` / :class:`~sagemaker_sfn.errors.DefinitionError` for bad
input; :meth:`LocalRun.execute` runs it and records it (history.json, output.json, report.html, the
redrive state). Ctrl-C during a run records it ABORTED, as StopExecution would, and the
KeyboardInterrupt goes on to the caller.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagemaker_sfn.local.record import RUN_DIR

Listener = Callable[[dict[str, Any]], None]


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass(frozen=True)
class LocalRunResult:
    """A finished local execution, as its run folder records it."""

    name: str                        # the execution name
    status: str                      # SUCCEEDED, FAILED, TIMED_OUT or ABORTED
    output: Any                      # the execution's output (parsed JSON), None unless SUCCEEDED
    error: str | None
    cause: str | None
    history: list[dict[str, Any]]    # the events, as history.json holds them (GetExecutionHistory's shape)
    run_dir: Path                    # .sfn-local/<name>/
    failure: Any = None              # sagemaker_sfn.failures.ExecutionFailure: the failing state, job and log
    summary_lines: list[str] = field(default_factory=list)   # cache verdicts, best job, where outputs are
    execution: Any = None            # the interpreter's ExecutionResult (map runs, dates, redrive count)
    real_seconds: float = 0.0

    def outcome(self) -> dict[str, Any]:
        """``{"status", "output", "error", "cause"}`` (+ ``"failure"``): output.json, and ``run --json``."""
        outcome: dict[str, Any] = {"status": self.status, "output": self.output, "error": self.error,
                                   "cause": self.cause}
        if self.failure is not None:
            outcome["failure"] = self.failure.as_json()
        return outcome


@dataclass
class LocalRun:
    """A local execution resolved and ready to run (:func:`prepare_local_run`)."""

    root: Path                       # the project
    state_machine: str
    source: str                      # where the definition came from (for messages)
    definition: dict[str, Any]       # as it runs: placeholders kept, code pinned (sagemaker_sfn.code_pin)
    execution_input: Any
    name: str                        # the execution name
    run_dir: Path
    bindings: Any                    # sagemaker_sfn.local.bindings.Bindings
    code_objects: dict[str, Path] = field(default_factory=dict)   # pinned code: key under code/ -> file
    previous: Any = None             # sagemaker_sfn.local.redrive_run.PreviousRun when redriving
    mock_config: Path | None = None
    test_case: str | None = None
    approve: bool = False
    no_cache: bool = False
    history_file: Path | None = None  # a second copy of the history (``run --history FILE``)

    def execute(self, *, on_event: Listener | None = None, warn: Callable[[str], None] = _warn,
                interrupted: Callable[[dict[str, Any]], None] | None = None) -> LocalRunResult:
        """Run, record, return the result. ``on_event`` sees each history event as it happens;
        ``warn`` gets warnings (unbound placeholders, code changed since a redriven run started;
        default: printed to stderr); ``interrupted(outcome)`` is called after a Ctrl-C was recorded
        (the KeyboardInterrupt is raised again after it)."""
        from sagemaker_sfn.local.record import EventRecorder

        recorder = EventRecorder(on_event)
        started = time.monotonic()
        summary: list[str] = []
        try:
            if self.mock_config is not None:
                result = self._run_mocked(recorder, warn=warn)
            else:
                result, summary = self._run_real(recorder, warn=warn)
        except KeyboardInterrupt:
            outcome = self._record_interrupted(recorder)
            if interrupted is not None:
                interrupted(outcome)
            raise
        return self._record(result, summary=summary, real_seconds=time.monotonic() - started)

    # -- running ----------------------------------------------------------------------------------

    def _run_mocked(self, on_event: Listener, *, warn: Callable[[str], None]) -> Any:
        from sagemaker_sfn.local.bindings import bind_placeholders, unbound_warning
        from sagemaker_sfn.local.clock import VirtualClock
        from sagemaker_sfn.local.integrations.mock import MockIntegration, unmocked_task_states
        from sagemaker_sfn.local.interpreter import run_definition
        from sagemaker_sfn.local.mock_config import load_mock_config
        from sagemaker_sfn.project import placeholders_in

        config = load_mock_config(self.mock_config)
        responses = config.test_case(state_machine=self.state_machine, test_case=self.test_case)
        definition, execution_input = self.definition, self.execution_input
        if unmocked_task_states(definition, responses):
            # Step Functions Local's "HybridPath": states the test case does not mock call the (local) services.
            from sagemaker_sfn.local.environment import open_local_environment

            with open_local_environment(project_root=self.root, pipeline_name=self.state_machine,
                                        run_dir=self.run_dir, definition=definition, bindings=self.bindings,
                                        execution_input=execution_input) as env:
                definition, execution_input = _substituted(definition, execution_input, env.substitutions)
                integration = MockIntegration(responses, test_case=self.test_case, source=config.source,
                                              fallback=env.integration)
                result = run_definition(definition, execution_input, state_machine_name=self.state_machine,
                                        execution_name=self.name, integration=integration, clock=VirtualClock(),
                                        on_event=on_event)
                env.finish(result)
                return result
        values, unbound = bind_placeholders(placeholders_in(definition) | placeholders_in(execution_input),
                                            bindings=self.bindings)
        if unbound:
            warn(unbound_warning(unbound))
        definition, execution_input = _substituted(definition, execution_input, values)
        integration = MockIntegration(responses, test_case=self.test_case, source=config.source)
        return run_definition(definition, execution_input, state_machine_name=self.state_machine,
                              execution_name=self.name, integration=integration, clock=VirtualClock(),
                              on_event=on_event)

    def _run_real(self, on_event: Listener, *, warn: Callable[[str], None]) -> tuple[Any, list[str]]:
        from sagemaker_sfn.errors import UsageError
        from sagemaker_sfn.local.interpreter import run_definition

        try:
            from sagemaker_sfn.local.environment import open_local_environment
        except ImportError as exc:
            raise UsageError("local AWS environment not available (sagemaker_sfn.local.environment could not be "
                             f"imported: {exc}); run with --mock-config FILE --test-case NAME to mock the tasks") from exc
        previous = self.previous
        with open_local_environment(project_root=self.root, pipeline_name=self.state_machine, run_dir=self.run_dir,
                                    definition=self.definition, bindings=self.bindings,
                                    execution_input=self.execution_input, no_cache=self.no_cache,
                                    approve=self.approve, code_objects=self.code_objects) as env:
            if env.unbound:
                from sagemaker_sfn.local.bindings import unbound_warning

                warn(unbound_warning(env.unbound, hint_file=env.bindings.file_for_hints))
            if previous is not None:
                from sagemaker_sfn.local.redrive_run import restore_run_state, stale_code_warning

                # First, so the checks below find the first attempt's pinned code in the bucket.
                restore_run_state(env, previous)
                from sagemaker_sfn.redrive import fail_state_warning

                for warning in (stale_code_warning(previous.definition, project_root=self.root),
                                fail_state_warning(previous.history)):
                    if warning:
                        warn(warning)
            problems = env.check(self.definition)
            if problems:
                listing = "\n".join(f"  {p}" for p in problems)
                raise UsageError(f"not starting: {len(problems)} problem{'s' if len(problems) > 1 else ''} found "
                                 f"before any job ran:\n{listing}")
            definition, execution_input = _substituted(self.definition, self.execution_input, env.substitutions)
            try:
                if previous is not None:
                    from sagemaker_sfn.local.interpreter.redrive import redrive_definition

                    result = redrive_definition(definition, previous.history, state_machine_name=self.state_machine,
                                                execution_name=self.name, integration=env.integration,
                                                clock=env.clock, on_event=env.listen(on_event))
                else:
                    result = run_definition(definition, execution_input, state_machine_name=self.state_machine,
                                            execution_name=self.name, integration=env.integration, clock=env.clock,
                                            on_event=env.listen(on_event))
            except KeyboardInterrupt:
                _stop_jobs(env, run_dir=self.run_dir)
                raise
            env.finish(result)
            from sagemaker_sfn.local.redrive_run import save_run_state

            save_run_state(env, state_machine=self.state_machine, definition=self.definition)
            return result, list(env.summary_lines(result))

    # -- recording --------------------------------------------------------------------------------

    def _record(self, result: Any, *, summary: list[str], real_seconds: float) -> LocalRunResult:
        from sagemaker_sfn.failures import explain_execution
        from sagemaker_sfn.files import write_json_atomic
        from sagemaker_sfn.local.record import write_run_record
        from sagemaker_sfn.report import save_local_run  # execution.json, definition.json, report.html
        from sagemaker_sfn.report.record import parse_json

        history = result.history_json()
        history = json.loads(history) if isinstance(history, str) else history
        failure = None
        if result.status != "SUCCEEDED":
            failure = explain_execution(result.history,
                                        log_for=lambda kind, job: self.run_dir / "jobs" / job / "logs.txt")
        finished = LocalRunResult(name=self.name, status=result.status, output=parse_json(result.output),
                                  error=result.error, cause=result.cause, history=history, run_dir=self.run_dir,
                                  failure=failure, summary_lines=summary, execution=result,
                                  real_seconds=real_seconds)
        write_run_record(self.run_dir, history=history, result=finished.outcome(), extra_history=self.history_file)
        for map_run in getattr(result, "map_runs", []):   # Distributed Map: each child execution's own record
            write_json_atomic(self.run_dir / "map-runs" / map_run.run_id / "map-run.json", map_run.describe())
            for child in map_run.children:
                write_json_atomic(self.run_dir / "map-runs" / map_run.run_id / "executions" / f"{child.name}.json",
                                  {**child.describe(), "history": child.history_json()})
        save_local_run(self.run_dir, result=result, definition=self.definition, state_machine_name=self.state_machine)
        return finished

    def _record_interrupted(self, recorder: Any) -> dict[str, Any]:
        """Ctrl-C: the execution as Step Functions records a stopped one (ExecutionAborted)."""
        from sagemaker_sfn.local.interpreter.history import iso_events
        from sagemaker_sfn.local.record import ABORT_CAUSE, aborted, write_run_record

        events = list(recorder.events)
        event = aborted(events)
        if recorder.forward is not None:
            recorder.forward(event)   # the progress line: "execution aborted: ..."
        history = iso_events(events)
        outcome = {"status": "ABORTED", "output": None, "error": None, "cause": ABORT_CAUSE}
        write_run_record(self.run_dir, history=history, result=outcome, extra_history=self.history_file)
        return outcome


def prepare_local_run(target: str | Path, *, root: Path | None = None, execution_input: Any = None,
                      name: str | None = None, replace: bool = False, state_machine_name: str | None = None,
                      mock_config: str | Path | None = None, test_case: str | None = None,
                      bindings_file: str | Path | None = None, redrive: str | None = None,
                      approve: bool = False, no_cache: bool = False,
                      history_file: str | Path | None = None) -> LocalRun:
    """A run of ``target`` (a pipeline name under asl_templates/, or an ASL file), checked and ready.

    ``root``: the project (default: found from the working directory, as the CLI does).
    ``execution_input``: the input (default: the pipeline file's ``input``, else ``{}``).
    ``name``: the execution name (default ``<state machine>-<UTC time>``); taken already: refused
    (ExecutionAlreadyExists) unless ``replace``. ``mock_config`` + ``test_case``: Tasks answer from a
    Step Functions Local mock file, on a virtual clock. ``bindings_file``: local values (default: the
    project's sagemaker-sfn.bindings.yaml). ``redrive``: continue the failed local execution of that
    name (same definition and input). ``approve``: approval gates approve at once. ``no_cache``:
    cached steps run their jobs. ``history_file``: also write the history there.
    """
    from sagemaker_sfn.errors import UsageError
    from sagemaker_sfn.project import find_project_root, load_definition

    if bool(mock_config) != bool(test_case):
        raise UsageError("--mock-config and --test-case go together: give both to run with mocked tasks, "
                         "or neither to run the tasks for real")
    root = Path(root).resolve() if root is not None else find_project_root()
    target = str(target)
    loaded = load_definition(target, root=root)
    state_machine = state_machine_name or loaded.name
    _refuse_invalid(loaded.definition, source=str(loaded.path))
    previous = _previous_run(redrive, root=root, state_machine=state_machine, mocked=bool(mock_config),
                             renamed=name is not None or execution_input is not None)
    definition, code_objects = loaded.definition, {}
    if previous is None and not mock_config:
        # The run executes (records, and caches against) the definition with its code pinned to
        # content-addressed copies of examples/ (local.environment.EXAMPLES_DIR, uploaded to code/),
        # as the CDK app deploys it (sagemaker_sfn.code_pin).
        from sagemaker_sfn.code_pin import pin_code

        pinned = pin_code(loaded.definition, root / "examples")
        definition, code_objects = pinned.definition, pinned.objects
    if previous is not None:   # the redriven execution keeps its name, input, definition and folder
        definition, execution_input = previous.definition, previous.execution_input
        execution_name, run_dir = str(redrive), root / RUN_DIR / str(redrive)
    else:
        if execution_input is None:
            execution_input = _default_input(target, root=root, name=loaded.name)
        execution_name, run_dir = _claim_run(name, state_machine=state_machine, root=root, replace=replace)
    from sagemaker_sfn.local.bindings import bindings_for_target

    bindings = bindings_for_target(target, root=root, bindings_file=bindings_file)
    return LocalRun(root=root, state_machine=state_machine, source=str(loaded.path), definition=definition,
                    execution_input=execution_input, name=execution_name, run_dir=run_dir, bindings=bindings,
                    code_objects=code_objects, previous=previous,
                    mock_config=Path(mock_config) if mock_config else None, test_case=test_case,
                    approve=approve, no_cache=no_cache,
                    history_file=Path(history_file) if history_file else None)


def run_local(target: str | Path, *, on_event: Listener | None = None, **options: Any) -> LocalRunResult:
    """Prepare and execute a local run (see :func:`prepare_local_run` for ``options``)."""
    return prepare_local_run(target, **options).execute(on_event=on_event)


# -- preparing --------------------------------------------------------------------------------------

def _default_input(target: str, *, root: Path, name: str) -> Any:
    """A pipeline name's example input (pipelines/<name>.yaml `input`); {} for a file."""
    if Path(target).is_file():
        return {}
    pipeline_file = root / "pipelines" / f"{name}.yaml"
    if not pipeline_file.is_file():
        return {}
    from sagemaker_sfn.pipeline import load_pipeline

    example = load_pipeline(pipeline_file).example_input
    return {} if example is None else example


def _previous_run(redrive: str | None, *, root: Path, state_machine: str, mocked: bool, renamed: bool) -> Any:
    """``redrive``: the saved local run to continue (None without it)."""
    from sagemaker_sfn.errors import UsageError

    if not redrive:
        return None
    if mocked:
        raise UsageError("--redrive continues a real local run; it does not combine with --mock-config")
    if renamed:
        raise UsageError("--redrive keeps the execution's name and input: drop --name / --input")
    from sagemaker_sfn.local.record import check_execution_name
    from sagemaker_sfn.local.redrive_run import load_previous_run

    previous = load_previous_run(root / RUN_DIR / check_execution_name(redrive))
    if previous.state_machine != state_machine:
        raise UsageError(f"local execution {redrive!r} ran state machine {previous.state_machine!r}, "
                         f"not {state_machine!r}")
    return previous


def _claim_run(requested: str | None, *, state_machine: str, root: Path, replace: bool) -> tuple[str, Path]:
    """(execution name, run directory): the requested name checked and its directory free (or
    emptied with ``replace``); a default name made unique if two runs start in the same instant."""
    from sagemaker_sfn.local import record

    if requested is not None:
        name = record.check_execution_name(requested)
        return name, record.claim_run_dir(root, name, replace=replace)
    base = record.default_execution_name(state_machine)
    name, count = base, 1
    while (root / record.RUN_DIR / name).exists():
        count += 1
        name = f"{base[: 80 - len(str(count)) - 1]}-{count}"
    return name, root / record.RUN_DIR / name


def _refuse_invalid(definition: dict[str, Any], *, source: str) -> None:
    """The validator's errors, as one DefinitionError, before anything runs."""
    from sagemaker_sfn.errors import DefinitionError

    try:
        from sagemaker_sfn.validate import validate_definition
    except ImportError:  # the validator is optional for running; the interpreter still checks what it runs
        return
    errors = [f for f in validate_definition(definition) if getattr(f, "severity", "error") == "error"]
    if errors:
        lines = "\n".join(f"  {f.location}: {f.message}" for f in errors)
        raise DefinitionError(f"the definition is invalid, not running it ({len(errors)} error"
                              f"{'s' if len(errors) > 1 else ''}):\n{lines}", source=source)


def _substituted(definition: dict[str, Any], execution_input: Any, values: dict[str, str]) -> tuple[Any, Any]:
    from sagemaker_sfn.project import substitute_placeholders

    # strict=False: a placeholder nothing binds stays as written, as on AWS without substitutions.
    return (substitute_placeholders(definition, values, strict=False),
            substitute_placeholders(execution_input, values, strict=False))


def _stop_jobs(env: Any, *, run_dir: Path) -> None:
    """Interrupted: every running job stopped and recorded Stopped, each describe.json written."""
    from sagemaker_sfn.local.environment import write_job_records
    from sagemaker_sfn.local.record import stop_running_jobs

    sm = env.sagemaker
    stop_running_jobs(sm.store, request_stop=sm.request_stop, now_millis=sm.now_millis())
    env.integration.sagemaker.wait(timeout=10)   # request-response jobs see the stop and end
    write_job_records(sm.store, jobs_dir=run_dir / "jobs")


__all__ = ["LocalRun", "LocalRunResult", "prepare_local_run", "run_local"]
