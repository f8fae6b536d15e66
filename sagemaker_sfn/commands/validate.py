"""``sagemaker-sfn validate``: check ASL definitions before deploying them."""

from __future__ import annotations

import argparse
import sys

HELP = "check ASL definitions (structure, paths, SageMaker parameters) before deploying"
DESCRIPTION = """\
Check one or more Amazon States Language definitions without calling AWS: any ASL file (generated
by `sagemaker-sfn generate`, hand-written, or exported from the Step Functions console), or a
pipeline name, which reads asl_templates/<name>.asl.json.

Each finding names its place in the definition as a JSONPath and says what was found and what was
expected:
  asl_templates/train.asl.json: error: $.States.Train.Parameters.ResourceConfig.InstanceType: "ml.m9.huge" is not a valid TrainingInstanceType: expected one of ...

Rules (the id in --json's "rule"; E = errors, W = warnings):
  structure            E StartAt/Next/Default targets, every state reachable, a terminal state
                         reachable, unique state names, top-level and nested-machine fields
                       W a state from which no terminal state is reachable (loops until timeout)
  state-fields         E fields required and forbidden per state type and query language (JSONPath
                         or JSONata; a Map/Parallel's own QueryLanguage does not reach the states
                         inside it), Map and Distributed Map limits (ReaderConfig.MaxItems,
                         ItemBatcher, ResultWriter), Wait/Timeout values, ${ without its }
  retry-catch          E Retry/Catch shape, States.ALL last and alone, numeric ranges
                       W an unknown States.* error name (never matches); MaxDelaySeconds with
                         BackoffRate 1.0 (no effect)
  choice-rules         E one comparison per rule, And/Or/Not nesting, operand types
  jsonpath             E path syntax in InputPath, ResultPath, ItemsPath, ..., every "Key.$" value;
                         $$ where only the state's input may be read
                       W a literal value that looks like a path but lacks ".$" (sent as text)
  intrinsic-functions  E intrinsic function names, arity, arguments
  jsonata              E JSONata syntax; a bare top-level name ({% phone %}: AWS refuses it)
                       W a {% %} string in a JSONPath state or without its closing %} (sent as
                         text); "Key.$" in a JSONata state. Comments are never evaluated.
  data-flow            E a reference that can never resolve on any path into the state ($.Tunning
                         after a step wrote $.Tuning), a field the producing API never returns
                         (botocore's output shapes: Describe* for SageMaker .sync, the Create*
                         answer without it), a value whose type the consumer cannot take (a string
                         into a SageMaker integer, a non-array ItemsPath, a non-number
                         MaxConcurrencyPath, a non-timestamp TimestampPath), an unassigned JSONata
                         variable
                       W a reference that resolves on some paths into the state only
                       Nothing where the shape is unknown (a Lambda's payload, an undeclared input).
                       The execution input's shape comes from --input, else (for a pipeline name)
                       its file's input_schema, else its example input; for an ASL file without
                       --input it is unknown. A schema given in the pipeline file wins over both.
  sagemaker-parameters E Parameters against the SageMaker API model (botocore): required and unknown
                         fields, types, enums such as instance types, patterns, lengths, ranges
                         (integer fields are 32-bit, long fields 64-bit)
  sagemaker-integration E optimized vs aws-sdk SageMaker actions, .sync support
  sagemaker-resilience W a SageMaker .sync job without Retry or without Catch (its own or an
                         enclosing state's); request-response calls such as createModel are not
                         warned about
  job-names            E job names against SageMaker's limits (63 characters, 32 for tuning jobs)
                       W a static job name: the next execution or a retry is rejected
  task-integrations    E Lambda, SNS and SQS request fields
  task-token           E a .waitForTaskToken task that never sends $$.Task.Token
                       W no TimeoutSeconds/HeartbeatSeconds on it (a lost callback waits a year)
  definition-size      E the definition exceeds Step Functions' 1,048,576 characters

${Name} deploy-time placeholders are accepted wherever a value is a string.

Errors are definitions AWS would reject or that must fail at run time; warnings are legal but risky.

exit status:
  0  no errors (warnings are printed)
  1  at least one error (with --strict, at least one error or warning)
  2  a file cannot be used (missing, a directory, unreadable, empty, binary, not UTF-8, too large,
     not JSON, nested too deeply, a pipeline YAML file), or a usage error
  Every file is checked even when one fails; the exit status is the worst of them.

examples:
  sagemaker-sfn validate asl_templates/*.asl.json
  sagemaker-sfn validate exported.json --input @input.json
  sagemaker-sfn validate tune-xgboost --strict
  sagemaker-sfn validate exported.json --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("definitions", nargs="+", metavar="FILE|PIPELINE",
                        help="ASL JSON files, or pipeline names (read from asl_templates/<name>.asl.json)")
    parser.add_argument("--strict", action="store_true",
                        help="count warnings as errors for the exit status (default: only errors fail)")
    parser.add_argument("--input", metavar="JSON|@FILE",
                        help="an execution input, as JSON text or @file: the data-flow rule follows its exact shape "
                             "(default: for a pipeline name, its file's input_schema, else its example input; for "
                             "an ASL file, the input is unknown and only what the definition itself fixes is checked)")
    parser.add_argument("--json", action="store_true",
                        help="print the findings as one JSON list of {file, location, severity, message, rule} "
                             "instead of text (default: text)")


def run(args: argparse.Namespace) -> int:
    import json

    from sagemaker_sfn.errors import SagemakerSfnError
    from sagemaker_sfn.files import read_text
    from sagemaker_sfn.project import load_definition
    from sagemaker_sfn.validate import ERROR, WARNING, Finding, has_errors, validate_definition

    rows: list[dict[str, str]] = []
    every: list[Finding] = []
    unreadable = 0
    checked = 0
    try:
        given = _read_input(args.input) if args.input is not None else None
    except SagemakerSfnError as exc:
        print(f"sagemaker-sfn validate: error: {exc}", file=sys.stderr)
        return 2
    for ref in args.definitions:
        try:
            loaded = load_definition(ref)
            declared = _pipeline_input(ref, loaded.path)
        except SagemakerSfnError as exc:
            unreadable += 1
            print(f"sagemaker-sfn validate: error: {exc}", file=sys.stderr)
            continue
        file = _display(loaded.path)
        # The execution input's shape for the data-flow rule: a schema wins; --input over the example.
        schema, example = declared
        if given is not None:
            example = given
        extra = {"example_input": example[0]} if example else {}
        try:
            # The file's own text is what gets deployed, so the size limit is measured on it.
            findings = validate_definition(loaded.definition, source=read_text(loaded.path),
                                           input_schema=schema, **extra)
        except SagemakerSfnError as exc:   # the file changed or vanished since it was read
            unreadable += 1
            print(f"sagemaker-sfn validate: error: {exc}", file=sys.stderr)
            continue
        except RecursionError:
            unreadable += 1
            print(f"sagemaker-sfn validate: error: {file}: nested too deeply to check", file=sys.stderr)
            continue
        checked += 1
        every.extend(findings)
        rows.extend({"file": file, "location": f.location, "severity": f.severity, "message": f.message,
                     "rule": f.rule} for f in findings)
        if not args.json:
            for f in findings:
                print(f"{file}: {f.severity}: {f.location}: {f.message}")
            if not findings:
                print(f"{file}: ok")

    errors = sum(row["severity"] == ERROR for row in rows)
    warnings = sum(row["severity"] == WARNING for row in rows)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        parts = [f"{checked} definition{'s' if checked != 1 else ''} checked",
                 f"{errors} error{'s' if errors != 1 else ''}", f"{warnings} warning{'s' if warnings != 1 else ''}"]
        if unreadable:
            parts.append(f"{unreadable} unreadable")
        if args.strict and warnings:
            parts.append("warnings count as errors (--strict)")
        print(", ".join(parts))
    # The worst result decides: an unreadable file (2) outranks findings (1); every other file is
    # still checked and reported first.
    if unreadable:
        return 2
    return 1 if has_errors(every, strict=args.strict) else 0


def _read_input(value: str) -> tuple[object]:
    """``--input``: JSON text or @FILE, as a 1-tuple (the input may be null); the same reader as
    ``run --input`` so both commands word a bad input alike."""
    from sagemaker_sfn.commands.run import _read_input as read_execution_input

    return (read_execution_input(value, default=None),)


def _pipeline_input(ref: str, template: object) -> tuple[object, tuple[object] | None]:
    """(input_schema, (example input,) or None) of the pipeline file behind a pipeline name's template;
    (None, None) for an ASL file given by path."""
    from pathlib import Path

    from sagemaker_sfn.errors import UsageError

    if Path(ref).is_file():
        return None, None
    pipeline_file = Path(str(template)).parent.parent / "pipelines" / f"{ref}.yaml"
    if not pipeline_file.is_file():
        return None, None
    import yaml

    try:
        doc = yaml.load(pipeline_file.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read the pipeline file {pipeline_file} for its input: {exc}") from exc
    if not isinstance(doc, dict):
        return None, None
    schema = doc.get("input_schema") if isinstance(doc.get("input_schema"), dict) else None
    return schema, ((doc["input"],) if "input" in doc else ({},))


def _display(path: object) -> str:
    """A pipeline's template path relative to the current directory when it lies under it."""
    from pathlib import Path

    path = Path(str(path))
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd().resolve()))
        except ValueError:
            pass
    return str(path)
