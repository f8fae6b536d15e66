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

What is checked:
  structure       StartAt/Next/Default targets, every state reachable, a terminal state reachable,
                  unique state names, fields required and forbidden per state type (JSONPath and
                  JSONata states), Retry/Catch shape, Choice rules, nested branches and Map processors
  paths           JSONPath syntax of InputPath, ResultPath (a reference path), ItemsPath, Variable,
                  every "Key.$" value; intrinsic functions (names, arity, arguments)
  SageMaker       Parameters against the SageMaker API model (botocore): required and unknown fields,
                  types, enums such as instance types, patterns, lengths and ranges; job names against
                  SageMaker's limits (63 characters, 32 for tuning jobs)
  integrations    Lambda, SNS and SQS request fields; .waitForTaskToken tasks pass $$.Task.Token
  size            the definition fits Step Functions' 1,048,576-character limit

${Name} deploy-time placeholders are accepted wherever a value is a string.

Errors are definitions AWS would reject or that must fail at run time; warnings are legal but risky
(a SageMaker task without Retry or Catch, a static job name that collides on the next execution).

exit status:
  0  no errors (warnings are printed)
  1  at least one error (with --strict, at least one error or warning)
  2  a file cannot be used (missing, a directory, unreadable, empty, binary, not UTF-8, too large,
     not JSON, nested too deeply, a pipeline YAML file), or a usage error
  Every file is checked even when one fails; the exit status is the worst of them.

examples:
  sagemaker-sfn validate asl_templates/*.asl.json
  sagemaker-sfn validate tune-xgboost --strict
  sagemaker-sfn validate exported.json --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("definitions", nargs="+", metavar="FILE|PIPELINE",
                        help="ASL JSON files, or pipeline names (read from asl_templates/<name>.asl.json)")
    parser.add_argument("--strict", action="store_true",
                        help="count warnings as errors for the exit status (default: only errors fail)")
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
    for ref in args.definitions:
        try:
            loaded = load_definition(ref)
        except SagemakerSfnError as exc:
            unreadable += 1
            print(f"sagemaker-sfn validate: error: {exc}", file=sys.stderr)
            continue
        file = _display(loaded.path)
        try:
            # The file's own text is what gets deployed, so the size limit is measured on it.
            findings = validate_definition(loaded.definition, source=read_text(loaded.path))
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
