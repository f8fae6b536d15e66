"""``sagemaker-sfn run PIPELINE|FILE --local``: execute a state machine on this machine."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
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
log; --json adds a "failure" object (failing state, error, job name, FailureReason, log, and
"caused_by" when a Catch carried a state's error to the Fail state that ended the run).
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


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def run(args: argparse.Namespace) -> int:
    from sagemaker_sfn.errors import UsageError
    from sagemaker_sfn.local.runs import prepare_local_run

    if not args.local:
        raise UsageError("only local runs are supported here: add --local "
                         "(to run a state machine deployed to AWS, use `sagemaker-sfn start`)")
    if bool(args.mock_config) != bool(args.test_case):
        raise UsageError("--mock-config and --test-case go together: give both to run with mocked tasks, "
                         "or neither to run the tasks for real")
    planned = prepare_local_run(args.target, execution_input=_read_input(args.input, default=None),
                                name=args.name, replace=args.replace, state_machine_name=args.state_machine_name,
                                mock_config=args.mock_config, test_case=args.test_case,
                                bindings_file=getattr(args, "bindings", None), redrive=args.redrive,
                                approve=args.approve, no_cache=args.no_cache, history_file=args.history)
    from sagemaker_sfn.local.progress import Progress
    from sagemaker_sfn.local.record import first_interrupt_aborts
    from sagemaker_sfn.outcomes import exit_code_for

    # In --json mode stdout carries exactly one JSON object: progress goes nowhere and anything
    # else printed in-process is sent to stderr.
    progress = Progress(out=None if args.json else sys.stdout, jobs_dir=planned.run_dir / "jobs")
    real = planned.mock_config is None
    with first_interrupt_aborts():
        try:
            with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext(), \
                    _job_lines_shown(progress) if real else contextlib.nullcontext(), \
                    _job_output_streamed(args.logs and real, json_mode=args.json):
                result = planned.execute(on_event=progress)
        except KeyboardInterrupt:
            return _report_interrupted(planned, args=args)
    if args.json:
        print(json.dumps(result.outcome()))
    else:
        _print_summary(result, progress=progress, history_file=args.history)
    return exit_code_for(result.status)


def _report_interrupted(planned: Any, *, args: argparse.Namespace) -> int:
    """Ctrl-C: the run was recorded ABORTED (LocalRun.execute); say where, exit 130."""
    from sagemaker_sfn.local.record import ABORT_CAUSE
    from sagemaker_sfn.outcomes import EXIT_INTERRUPTED

    if args.json:
        print(json.dumps({"status": "ABORTED", "output": None, "error": None, "cause": ABORT_CAUSE}))
    else:
        where = _shown(planned.run_dir)
        print(f"\nABORTED  {planned.name} (interrupted)\n  history:   {where}/history.json\n"
              f"  output:    {where}/output.json")
    return EXIT_INTERRUPTED


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


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


def _print_summary(result: Any, *, progress: Any, history_file: str | None) -> None:
    """The lines after a run: status, failure, durations, states, where the records are, the report."""
    stats = progress.stats
    execution = result.execution
    simulated = (execution.stop_date - execution.start_date).total_seconds() \
        if execution.stop_date and execution.start_date else 0.0
    run_dir, failure, real_seconds, extra = result.run_dir, result.failure, result.real_seconds, result.summary_lines
    where = _shown(run_dir)
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
