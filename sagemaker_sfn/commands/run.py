"""``sagemaker-sfn run PIPELINE|FILE --local``: execute a state machine on this machine."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sagemaker_sfn.outcomes import EXIT_STATUS_HELP

HELP = "run a pipeline or ASL file on this machine (--local); deployed runs use `start`"
DESCRIPTION = """\
Run a state machine locally, the way AWS Step Functions would run it.

PIPELINE is a name under asl_templates/ (tune-xgboost) or any ASL file. Without a mock file, Task
states really run: SageMaker jobs from local training code, Lambdas from lambdas/, S3 in-process.
With --mock-config FILE --test-case NAME (AWS Step Functions Local's MockConfigFile format), Tasks
answer from the file and waits and retry intervals pass in simulated time.

Results go to .sfn-local/<execution name>/ (history.json, output.json and, for real runs, each
job's logs.txt and describe.json, and the S3 objects the run wrote). A name already used there is
refused (ExecutionAlreadyExists, as Step Functions answers) unless --replace. To run a state machine
deployed to AWS, use `sagemaker-sfn start`.

When a job fails, its exception and the last traceback lines are shown, with the path of its full
log; --json adds a "failure" object (failing state, error, job name, FailureReason, log).
Ctrl-C stops the running jobs and records the execution ABORTED (ExecutionAborted in history.json,
each stopped job's describe.json Stopped), then exits 130; a second Ctrl-C exits at once.

""" + EXIT_STATUS_HELP + """
  (2 here also covers: input JSON, mock file, test case, invalid definition, execution name.)

examples:
  sagemaker-sfn run tune-xgboost --local
  sagemaker-sfn run tune-xgboost --local --logs              each job's output, live
  sagemaker-sfn run tune-xgboost --local --mock-config tests/local/mocks/tune-xgboost.json --test-case HappyPath
  sagemaker-sfn run my.asl.json --local --input '{"x": 1}' --json
  sagemaker-sfn run exported.asl.json --local --bindings bindings.yaml
"""

RUN_DIR = ".sfn-local"   # sagemaker_sfn.local.record.RUN_DIR, kept here for importers of this module


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="PIPELINE|FILE", help="pipeline name or path to an ASL JSON file")
    parser.add_argument("--local", action="store_true",
                        help="run on this machine (required for now; deployed runs use `start`)")
    parser.add_argument("--input", metavar="JSON|@FILE",
                        help="execution input as JSON text or @file (default: the pipeline file's `input`, else {})")
    parser.add_argument("--name", metavar="EXECUTION_NAME",
                        help="execution name (default: <state machine>-<UTC time>); also the run directory's name")
    parser.add_argument("--replace", action="store_true",
                        help="delete an earlier run of the same --name first (default: refuse the name, "
                             "ExecutionAlreadyExists)")
    parser.add_argument("--logs", action="store_true",
                        help="stream each job's output live, each line prefixed by [job name] (default: only "
                             "progress lines; the output is always in .sfn-local/<name>/jobs/<job>/logs.txt)")
    parser.add_argument("--mock-config", metavar="FILE",
                        help="Step Functions Local mock file: Tasks answer from it (needs --test-case)")
    parser.add_argument("--test-case", metavar="NAME", help="test case in the mock file (needs --mock-config)")
    parser.add_argument("--state-machine-name", metavar="NAME",
                        help="state machine name, the key in the mock file (default: the pipeline name, "
                             "or the file name without .asl.json / .json)")
    parser.add_argument("--json", action="store_true",
                        help='print only {"status", "output", "error", "cause"} as one JSON object, plus '
                             '"failure" {state, error, job} when the run did not succeed')
    parser.add_argument("--history", metavar="FILE", help="also write the execution history (JSON) to FILE")
    parser.add_argument("--bindings", metavar="FILE",
                        help="local values for this definition: substitutions, lambdas, images (YAML; default: "
                             "the project's sagemaker-sfn.bindings.yaml when present; see docs/local-runner.md)")
    parser.add_argument("--redrive", metavar="EXECUTION",
                        help="continue the failed local execution EXECUTION from the state that did not finish "
                             "(AWS RedriveExecution: same definition and input, finished states not run again)")
    parser.add_argument("--no-cache", action="store_true",
                        help="run every cached step's job: stored results are not reused (new ones are stored)")
    parser.add_argument("--approve", action="store_true",
                        help="approval gates approve their model package at once (default: they wait for "
                             "`sagemaker-sfn approve|reject PACKAGE_ARN --local` from another terminal)")


def _read_input(value: str | None, *, default: Any) -> Any:
    from sagemaker_sfn.errors import UsageError

    if value is None:
        return default
    source = "--input"
    text = value
    if value.startswith("@"):
        from sagemaker_sfn.files import read_json

        return read_json(Path(value[1:]), what="the execution input (JSON)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
                         " (use @FILE to read the input from a file)") from exc
    except RecursionError:
        raise UsageError(f"{source}: JSON nested too deeply") from None


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


def _previous_run(args: argparse.Namespace, *, root: Path, name: str) -> Any:
    """``--redrive EXECUTION``: the saved local run to continue (None without the flag)."""
    from sagemaker_sfn.errors import UsageError

    if not getattr(args, "redrive", None):
        return None
    if args.mock_config:
        raise UsageError("--redrive continues a real local run; it does not combine with --mock-config")
    if args.name or args.input:
        raise UsageError("--redrive keeps the execution's name and input: drop --name / --input")
    from sagemaker_sfn.local.record import check_execution_name
    from sagemaker_sfn.local.redrive_run import load_previous_run

    previous = load_previous_run(root / RUN_DIR / check_execution_name(args.redrive))
    if previous.state_machine != name:
        raise UsageError(f"local execution {args.redrive!r} ran state machine {previous.state_machine!r}, not {name!r}")
    return previous


def _claim_run(requested: str | None, *, state_machine: str, root: Path, replace: bool) -> tuple[str, Path]:
    """(execution name, run directory): the requested name checked and its directory free (or
    emptied with --replace); a default name made unique if two runs start in the same instant."""
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
    """Print the validator's errors and stop (exit 2) before anything runs."""
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


def _parsed_output(output: Any) -> Any:
    if isinstance(output, str):
        try:
            return json.loads(output)
        except json.JSONDecodeError:
            return output
    return output


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def run(args: argparse.Namespace) -> int:
    from sagemaker_sfn.errors import UsageError
    from sagemaker_sfn.project import find_project_root, load_definition

    if not args.local:
        raise UsageError("only local runs are supported here: add --local "
                         "(to run a state machine deployed to AWS, use `sagemaker-sfn start`)")
    if bool(args.mock_config) != bool(args.test_case):
        raise UsageError("--mock-config and --test-case go together: give both to run with mocked tasks, "
                         "or neither to run the tasks for real")
    root = find_project_root()
    loaded = load_definition(args.target, root=root)
    name = args.state_machine_name or loaded.name
    _refuse_invalid(loaded.definition, source=str(loaded.path))
    previous = _previous_run(args, root=root, name=name)
    code_objects: dict[str, Path] = {}
    if previous is None and not args.mock_config:
        # The run executes (records, and caches against) the definition with its code pinned to
        # content-addressed copies of examples/ (local.environment.EXAMPLES_DIR, uploaded to code/),
        # as the CDK app deploys it (sagemaker_sfn.code_pin).
        from sagemaker_sfn.code_pin import pin_code

        pinned = pin_code(loaded.definition, root / "examples")
        loaded = dataclasses.replace(loaded, definition=pinned.definition)
        code_objects = pinned.objects
    execution_input = _read_input(args.input, default=None)
    if execution_input is None:
        execution_input = _default_input(args.target, root=root, name=loaded.name)
    if previous is not None:   # the redriven execution keeps its name, input and folder
        execution_input = previous.execution_input
        execution_name, run_dir = args.redrive, root / RUN_DIR / args.redrive
    else:
        execution_name, run_dir = _claim_run(args.name, state_machine=name, root=root, replace=args.replace)
    from sagemaker_sfn.local.bindings import bindings_for_target

    bindings = bindings_for_target(args.target, root=root, bindings_file=getattr(args, "bindings", None))

    from sagemaker_sfn.local.progress import Progress
    from sagemaker_sfn.local.record import EventRecorder, first_interrupt_aborts

    # In --json mode stdout carries exactly one JSON object: progress goes nowhere and anything
    # else printed in-process is sent to stderr.
    progress = Progress(out=None if args.json else sys.stdout, jobs_dir=run_dir / "jobs")
    recorder = EventRecorder(progress)
    started = time.monotonic()
    summary_extra: list[str] = []
    with first_interrupt_aborts():
        try:
            with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
                if args.mock_config:
                    result = _run_mocked(loaded.definition, execution_input, args=args, name=name,
                                         execution_name=execution_name, on_event=recorder, bindings=bindings,
                                         root=root, run_dir=run_dir)
                else:
                    with _job_lines_shown(progress), _job_output_streamed(args.logs, json_mode=args.json):
                        definition = loaded.definition if previous is None else previous.definition
                        result, summary_extra = _run_real(definition, execution_input, root=root, name=name,
                                                          execution_name=execution_name, run_dir=run_dir,
                                                          on_event=recorder, bindings=bindings,
                                                          no_cache=args.no_cache, previous=previous,
                                                          approve=args.approve, code_objects=code_objects)
        except KeyboardInterrupt:
            return _record_interrupted(recorder, run_dir=run_dir, name=execution_name, args=args)
        real_seconds = time.monotonic() - started
        return _record_and_report(result, args=args, run_dir=run_dir, root=root, progress=progress,
                                  definition=loaded.definition if previous is None else previous.definition,
                                  state_machine_name=name,
                                  real_seconds=real_seconds, summary_extra=summary_extra)


def _record_and_report(result: Any, *, args: argparse.Namespace, run_dir: Path, root: Path, progress: Any,
                       definition: dict[str, Any], state_machine_name: str,
                       real_seconds: float, summary_extra: list[str]) -> int:
    from sagemaker_sfn.failures import explain_execution
    from sagemaker_sfn.local.record import write_run_record
    from sagemaker_sfn.outcomes import exit_code_for

    history = result.history_json()
    history = json.loads(history) if isinstance(history, str) else history
    output = _parsed_output(result.output)
    failure = None
    if result.status != "SUCCEEDED":
        failure = explain_execution(result.history, log_for=lambda kind, job: run_dir / "jobs" / job / "logs.txt")
    outcome: dict[str, Any] = {"status": result.status, "output": output, "error": result.error,
                               "cause": result.cause}
    if failure is not None:
        outcome["failure"] = failure.as_json()
    write_run_record(run_dir, history=history, result=outcome,
                     extra_history=Path(args.history) if args.history else None)
    from sagemaker_sfn.files import write_json_atomic

    for map_run in getattr(result, "map_runs", []):   # Distributed Map: each child execution's own record
        write_json_atomic(run_dir / "map-runs" / map_run.run_id / "map-run.json", map_run.describe())
        for child in map_run.children:
            write_json_atomic(run_dir / "map-runs" / map_run.run_id / "executions" / f"{child.name}.json",
                              {**child.describe(), "history": child.history_json()})
    from sagemaker_sfn.report import save_local_run  # execution.json, definition.json, report.html

    save_local_run(run_dir, result=result, definition=definition, state_machine_name=state_machine_name)
    if args.json:
        print(json.dumps(outcome))
    else:
        _print_summary(result, progress=progress, real_seconds=real_seconds, run_dir=run_dir, root=root,
                       history_file=args.history, extra=summary_extra, failure=failure)
    return exit_code_for(result.status)


def _record_interrupted(recorder: Any, *, run_dir: Path, name: str, args: argparse.Namespace) -> int:
    """Ctrl-C: the execution as Step Functions records a stopped one (ExecutionAborted), exit 130."""
    from sagemaker_sfn.local.interpreter.history import iso
    from sagemaker_sfn.local.record import ABORT_CAUSE, aborted, write_run_record
    from sagemaker_sfn.outcomes import EXIT_INTERRUPTED

    events = list(recorder.events)
    event = aborted(events)
    if recorder.forward is not None:
        recorder.forward(event)   # the progress line: "execution aborted: ..."
    history = [{**event, "timestamp": iso(event["timestamp"])} for event in events]
    outcome = {"status": "ABORTED", "output": None, "error": None, "cause": ABORT_CAUSE}
    write_run_record(run_dir, history=history, result=outcome,
                     extra_history=Path(args.history) if args.history else None)
    try:
        where = run_dir.relative_to(Path.cwd())
    except ValueError:
        where = run_dir
    if args.json:
        print(json.dumps(outcome))
    else:
        print(f"\nABORTED  {name} (interrupted)\n  history:   {where}/history.json\n  output:    {where}/output.json")
    return EXIT_INTERRUPTED


@contextlib.contextmanager
def _job_output_streamed(enabled: bool, *, json_mode: bool) -> Iterator[None]:
    """--logs: every job's output lines printed as they are written, prefixed by ``[job name]``
    (stderr in --json mode, so stdout stays one JSON object)."""
    import logging

    from sagemaker_sfn.local.sagemaker.failure import OUTPUT_LOGGER

    if not enabled:
        yield
        return
    handler = logging.StreamHandler(sys.stderr if json_mode else sys.stdout)
    handler.setFormatter(logging.Formatter("[%(job)s] %(message)s"))
    level, propagate = OUTPUT_LOGGER.level, OUTPUT_LOGGER.propagate
    OUTPUT_LOGGER.addHandler(handler)
    OUTPUT_LOGGER.setLevel(logging.INFO)
    OUTPUT_LOGGER.propagate = False
    try:
        yield
    finally:
        OUTPUT_LOGGER.removeHandler(handler)
        OUTPUT_LOGGER.setLevel(level)
        OUTPUT_LOGGER.propagate = propagate


@contextlib.contextmanager
def _job_lines_shown(progress: Any) -> Iterator[None]:
    """Jobs' progress (the ``sagemaker_sfn.local`` logger) printed live under the running state, for
    the run only; nothing when progress prints nothing (--json keeps stdout to one JSON object)."""
    import logging

    from sagemaker_sfn.local.progress import JobLogHandler

    if progress.out is None:
        yield
        return
    logger = logging.getLogger("sagemaker_sfn.local")
    handler, level, propagate = JobLogHandler(progress), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False   # shown once, here, not again by a root handler
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _substituted(definition: dict[str, Any], execution_input: Any, values: dict[str, str]) -> tuple[Any, Any]:
    from sagemaker_sfn.project import substitute_placeholders

    # strict=False: a placeholder nothing binds stays as written, as on AWS without substitutions.
    return (substitute_placeholders(definition, values, strict=False),
            substitute_placeholders(execution_input, values, strict=False))


def _run_mocked(definition: dict[str, Any], execution_input: Any, *, args: argparse.Namespace, name: str,
                execution_name: str, on_event: Any, root: Path, run_dir: Path, bindings: Any = None) -> Any:
    from sagemaker_sfn.local.bindings import bind_placeholders, unbound_warning
    from sagemaker_sfn.local.clock import VirtualClock
    from sagemaker_sfn.local.integrations.mock import MockIntegration, unmocked_task_states
    from sagemaker_sfn.local.interpreter import run_definition
    from sagemaker_sfn.local.mock_config import load_mock_config
    from sagemaker_sfn.project import placeholders_in

    config = load_mock_config(args.mock_config)
    responses = config.test_case(state_machine=name, test_case=args.test_case)
    if unmocked_task_states(definition, responses):
        # Step Functions Local's "HybridPath": states the test case does not mock call the (local) services.
        from sagemaker_sfn.local.environment import open_local_environment

        with open_local_environment(project_root=root, pipeline_name=name, run_dir=run_dir,
                                    definition=definition, bindings=bindings,
                                    execution_input=execution_input) as env:
            definition, execution_input = _substituted(definition, execution_input, env.substitutions)
            integration = MockIntegration(responses, test_case=args.test_case, source=config.source,
                                          fallback=env.integration)
            result = run_definition(definition, execution_input, state_machine_name=name,
                                    execution_name=execution_name, integration=integration, clock=VirtualClock(),
                                    on_event=on_event)
            env.finish(result)
            return result
    values, unbound = bind_placeholders(placeholders_in(definition) | placeholders_in(execution_input), bindings=bindings)
    if unbound:
        print(unbound_warning(unbound), file=sys.stderr)
    definition, execution_input = _substituted(definition, execution_input, values)
    integration = MockIntegration(responses, test_case=args.test_case, source=config.source)
    return run_definition(definition, execution_input, state_machine_name=name, execution_name=execution_name,
                          integration=integration, clock=VirtualClock(), on_event=on_event)


def _run_real(definition: dict[str, Any], execution_input: Any, *, root: Path, name: str, execution_name: str,
              run_dir: Path, on_event: Any, bindings: Any = None, no_cache: bool = False,
              previous: Any = None, approve: bool = False,
              code_objects: dict[str, Path] | None = None) -> tuple[Any, list[str]]:
    from sagemaker_sfn.errors import UsageError
    from sagemaker_sfn.local.interpreter import run_definition

    try:
        from sagemaker_sfn.local.environment import open_local_environment
    except ImportError as exc:
        raise UsageError("local AWS environment not available (sagemaker_sfn.local.environment could not be "
                         f"imported: {exc}); run with --mock-config FILE --test-case NAME to mock the tasks") from exc
    with open_local_environment(project_root=root, pipeline_name=name, run_dir=run_dir, definition=definition,
                                bindings=bindings, execution_input=execution_input, no_cache=no_cache,
                                approve=approve, code_objects=code_objects) as env:
        if env.unbound:
            from sagemaker_sfn.local.bindings import unbound_warning

            print(unbound_warning(env.unbound, hint_file=env.bindings.file_for_hints), file=sys.stderr)
        if previous is not None:
            from sagemaker_sfn.local.redrive_run import restore_run_state, stale_code_warning

            # First, so the checks below find the first attempt's pinned code in the bucket.
            restore_run_state(env, previous)
            warning = stale_code_warning(previous.definition, project_root=root)
            if warning:
                print(warning, file=sys.stderr)
        problems = env.check(definition)
        if problems:
            listing = "\n".join(f"  {p}" for p in problems)
            raise UsageError(f"not starting: {len(problems)} problem{'s' if len(problems) > 1 else ''} found "
                             f"before any job ran:\n{listing}")
        as_run = definition
        definition, execution_input = _substituted(definition, execution_input, env.substitutions)
        try:
            if previous is not None:
                from sagemaker_sfn.local.interpreter.redrive import redrive_definition

                result = redrive_definition(definition, previous.history, state_machine_name=name,
                                            execution_name=execution_name, integration=env.integration, clock=env.clock,
                                            on_event=env.listen(on_event))
            else:
                result = run_definition(definition, execution_input, state_machine_name=name,
                                        execution_name=execution_name, integration=env.integration, clock=env.clock,
                                        on_event=env.listen(on_event))
        except KeyboardInterrupt:
            _stop_jobs(env, run_dir=run_dir)
            raise
        env.finish(result)
        from sagemaker_sfn.local.redrive_run import save_run_state

        save_run_state(env, state_machine=name, definition=as_run)
        return result, list(env.summary_lines(result))


def _stop_jobs(env: Any, *, run_dir: Path) -> None:
    """Interrupted: every running job stopped and recorded Stopped, each describe.json written."""
    from sagemaker_sfn.local.environment import write_job_records
    from sagemaker_sfn.local.record import stop_running_jobs

    sm = env.sagemaker
    stop_running_jobs(sm.store, request_stop=sm.request_stop, now_millis=sm.now_millis())
    env.integration.sagemaker.wait(timeout=10)   # request-response jobs see the stop and end
    write_job_records(sm.store, jobs_dir=run_dir / "jobs")


def _print_summary(result: Any, *, progress: Any, real_seconds: float, run_dir: Path, root: Path,
                   history_file: str | None, extra: list[str], failure: Any = None) -> None:
    stats = progress.stats
    simulated = (result.stop_date - result.start_date).total_seconds() if result.stop_date and result.start_date else 0.0
    try:
        where = run_dir.relative_to(Path.cwd())
    except ValueError:
        where = run_dir
    lines = ["", f"{result.status}  {result.name}"]
    if failure is not None:
        from sagemaker_sfn.failures import failure_lines

        lines.extend(f"  {line}" for line in failure_lines(failure))
    elif result.status != "SUCCEEDED":
        from sagemaker_sfn.failures import short_cause

        lines.append(f"  error:     {result.error or '-'}")
        if result.cause:
            lines.append(f"  cause:     {short_cause(result.cause)}")
    lines.append(f"  duration:  {_duration(simulated)} simulated, {_duration(real_seconds)} real")
    retried = ", ".join(f"{state} x{count}" for state, count in stats.retries_by_state.items())
    lines.append(f"  states:    {stats.states_run} run, {stats.retries} retr{'y' if stats.retries == 1 else 'ies'}"
                 + (f" ({retried})" if retried else "")
                 + (f", {stats.caught} error{'s' if stats.caught != 1 else ''} caught" if stats.caught else ""))
    lines.append(f"  history:   {where}/history.json" + (f" (and {history_file})" if history_file else ""))
    lines.append(f"  output:    {where}/output.json")
    lines.extend(f"  {line}" for line in extra)
    if (run_dir / "report.html").is_file():   # last: the one line to open after a run
        lines.append(f"  report:    {where}/report.html")
    print("\n".join(lines))
