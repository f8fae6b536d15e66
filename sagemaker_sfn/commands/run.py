"""``sagemaker-sfn run PIPELINE|FILE --local``: execute a state machine on this machine."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HELP = "run a pipeline or ASL file on this machine (--local); deployed runs use `start`"
DESCRIPTION = """\
Run a state machine locally, the way AWS Step Functions would run it.

PIPELINE is a name under asl_templates/ (tune-xgboost) or any ASL file. Without a mock file, Task
states really run: SageMaker jobs from local training code, Lambdas from lambdas/, S3 in-process.
With --mock-config FILE --test-case NAME (AWS Step Functions Local's MockConfigFile format), Tasks
answer from the file and waits and retry intervals pass in simulated time.

Results go to .sfn-local/<execution name>/ (history.json, output.json and, for real runs, the S3
objects the run wrote). To run a state machine deployed to AWS, use `sagemaker-sfn start`.

exit status: 0 SUCCEEDED, 1 FAILED / TIMED_OUT / ABORTED, 2 bad input (input JSON, mock file,
test case, invalid definition).

examples:
  sagemaker-sfn run tune-xgboost --local
  sagemaker-sfn run tune-xgboost --local --mock-config tests/local/mocks/tune-xgboost.json --test-case HappyPath
  sagemaker-sfn run my.asl.json --local --input '{"x": 1}' --json
"""

RUN_DIR = ".sfn-local"
# StartExecution's rule for names: 1-80 characters, none of whitespace, brackets, wildcards,
# the listed punctuation or control characters.
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="PIPELINE|FILE", help="pipeline name or path to an ASL JSON file")
    parser.add_argument("--local", action="store_true",
                        help="run on this machine (required for now; deployed runs use `start`)")
    parser.add_argument("--input", metavar="JSON|@FILE",
                        help="execution input as JSON text or @file (default: the pipeline file's `input`, else {})")
    parser.add_argument("--name", metavar="EXECUTION_NAME",
                        help="execution name (default: <state machine>-<UTC time>); also the run directory's name")
    parser.add_argument("--mock-config", metavar="FILE",
                        help="Step Functions Local mock file: Tasks answer from it (needs --test-case)")
    parser.add_argument("--test-case", metavar="NAME", help="test case in the mock file (needs --mock-config)")
    parser.add_argument("--state-machine-name", metavar="NAME",
                        help="state machine name, the key in the mock file (default: the pipeline name, "
                             "or the file name without .asl.json / .json)")
    parser.add_argument("--json", action="store_true",
                        help='print only {"status", "output", "error", "cause"} as one JSON object')
    parser.add_argument("--history", metavar="FILE", help="also write the execution history (JSON) to FILE")
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
        path = Path(value[1:])
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read input file {path}: {exc.strerror or exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
                         + ("" if value.startswith("@") else " (use @FILE to read the input from a file)")) from exc


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


def _execution_name(requested: str | None, *, state_machine: str) -> str:
    from sagemaker_sfn.errors import UsageError

    if requested is None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")[:-4]
        return f"{state_machine}-{stamp}"[-80:]
    if not 1 <= len(requested) <= 80 or _BAD_NAME.search(requested):
        raise UsageError(f"invalid execution name '{requested}': 1-80 characters without whitespace, brackets, "
                         f"wildcards or any of \" # % \\ ^ | ~ ` $ & , ; : /")
    return requested


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


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, default=str) + "\n", encoding="utf-8")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def run(args: argparse.Namespace) -> int:
    from sagemaker_sfn.errors import SagemakerSfnError, UsageError
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
    execution_input = _read_input(args.input, default=None)
    if execution_input is None:
        execution_input = _default_input(args.target, root=root, name=loaded.name)
    execution_name = _execution_name(args.name, state_machine=name)
    run_dir = root / RUN_DIR / execution_name

    from sagemaker_sfn.local.progress import Progress

    # In --json mode stdout carries exactly one JSON object: progress goes nowhere and anything
    # else printed in-process is sent to stderr.
    progress = Progress(out=None if args.json else sys.stdout)
    started = time.monotonic()
    summary_extra: list[str] = []
    try:
        with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
            if args.mock_config:
                result = _run_mocked(loaded.definition, execution_input, args=args, name=name,
                                     execution_name=execution_name, progress=progress)
            else:
                with _job_lines_shown(progress):
                    result, summary_extra = _run_real(loaded.definition, execution_input, root=root, name=name,
                                                      execution_name=execution_name, run_dir=run_dir,
                                                      progress=progress, approve=args.approve)
    except SagemakerSfnError:
        raise
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a bug in the runner: say so in one paragraph, not a traceback
        raise SagemakerSfnError(f"the local runner failed unexpectedly ({type(exc).__name__}: {exc}); "
                                f"please report this with the definition and input") from exc
    real_seconds = time.monotonic() - started

    history = result.history_json()
    history = json.loads(history) if isinstance(history, str) else history
    output = _parsed_output(result.output)
    _write_json(run_dir / "history.json", history)
    _write_json(run_dir / "output.json", {"status": result.status, "output": output,
                                          "error": result.error, "cause": result.cause})
    if args.history:
        _write_json(Path(args.history), history)

    if args.json:
        print(json.dumps({"status": result.status, "output": output, "error": result.error,
                          "cause": result.cause}))
    else:
        _print_summary(result, progress=progress, real_seconds=real_seconds, run_dir=run_dir, root=root,
                       history_file=args.history, extra=summary_extra)
    return 0 if result.status == "SUCCEEDED" else 1


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

    return (substitute_placeholders(definition, values), substitute_placeholders(execution_input, values))


def _run_mocked(definition: dict[str, Any], execution_input: Any, *, args: argparse.Namespace, name: str,
                execution_name: str, progress: Any) -> Any:
    from sagemaker_sfn.local.bindings import local_substitutions
    from sagemaker_sfn.local.clock import VirtualClock
    from sagemaker_sfn.local.integrations.mock import MockIntegration
    from sagemaker_sfn.local.interpreter import run_definition
    from sagemaker_sfn.local.mock_config import load_mock_config
    from sagemaker_sfn.project import placeholders_in

    config = load_mock_config(args.mock_config)
    responses = config.test_case(state_machine=name, test_case=args.test_case)
    values = local_substitutions(placeholders_in(definition) | placeholders_in(execution_input))
    definition, execution_input = _substituted(definition, execution_input, values)
    integration = MockIntegration(responses, test_case=args.test_case, source=config.source)
    return run_definition(definition, execution_input, state_machine_name=name, execution_name=execution_name,
                          integration=integration, clock=VirtualClock(), on_event=progress)


def _run_real(definition: dict[str, Any], execution_input: Any, *, root: Path, name: str, execution_name: str,
              run_dir: Path, progress: Any, approve: bool = False) -> tuple[Any, list[str]]:
    from sagemaker_sfn.errors import UsageError
    from sagemaker_sfn.local.interpreter import run_definition

    try:
        from sagemaker_sfn.local.environment import open_local_environment
    except ImportError as exc:
        raise UsageError("local AWS environment not available (sagemaker_sfn.local.environment could not be "
                         f"imported: {exc}); run with --mock-config FILE --test-case NAME to mock the tasks") from exc
    with open_local_environment(project_root=root, pipeline_name=name, run_dir=run_dir,
                                definition=definition, approve=approve) as env:
        problems = env.check(definition)
        if problems:
            listing = "\n".join(f"  {p}" for p in problems)
            raise UsageError(f"not starting: {len(problems)} problem{'s' if len(problems) > 1 else ''} found "
                             f"before any job ran:\n{listing}")
        definition, execution_input = _substituted(definition, execution_input, env.substitutions)
        result = run_definition(definition, execution_input, state_machine_name=name,
                                execution_name=execution_name, integration=env.integration, clock=env.clock,
                                on_event=progress)
        env.finish(result)
        return result, list(env.summary_lines(result))


def _print_summary(result: Any, *, progress: Any, real_seconds: float, run_dir: Path, root: Path,
                   history_file: str | None, extra: list[str]) -> None:
    stats = progress.stats
    simulated = (result.stop_date - result.start_date).total_seconds() if result.stop_date and result.start_date else 0.0
    try:
        where = run_dir.relative_to(Path.cwd())
    except ValueError:
        where = run_dir
    lines = ["", f"{result.status}  {result.name}"]
    if result.status != "SUCCEEDED":
        lines.append(f"  error:     {result.error or '-'}")
        if result.cause:
            lines.append(f"  cause:     {result.cause}")
    lines.append(f"  duration:  {_duration(simulated)} simulated, {_duration(real_seconds)} real")
    retried = ", ".join(f"{state} x{count}" for state, count in stats.retries_by_state.items())
    lines.append(f"  states:    {stats.states_run} run, {stats.retries} retr{'y' if stats.retries == 1 else 'ies'}"
                 + (f" ({retried})" if retried else "")
                 + (f", {stats.caught} error{'s' if stats.caught != 1 else ''} caught" if stats.caught else ""))
    lines.append(f"  history:   {where}/history.json" + (f" (and {history_file})" if history_file else ""))
    lines.append(f"  output:    {where}/output.json")
    lines.extend(f"  {line}" for line in extra)
    print("\n".join(lines))
