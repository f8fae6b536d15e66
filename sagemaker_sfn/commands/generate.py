"""``sagemaker-sfn generate``: every pipelines/*.yaml -> asl_templates/<name>.asl.json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "turn every pipelines/*.yaml into asl_templates/<name>.asl.json"
DESCRIPTION = """\
Turn every pipeline file (pipelines/<name>.yaml, format in docs/pipeline-format.md) into its
ASL state machine, asl_templates/<name>.asl.json. Deploy-time values stay ${Name} placeholders.
Prints one line per pipeline (written, unchanged, or with --check up to date / out of date),
one line per orphaned template (asl_templates/<name>.asl.json with no pipelines/<name>.yaml: a
renamed or deleted pipeline's leftover, never deleted for you), then a summary: pipelines, states (those in Parallel branches and Map processors included) and
Task states calling SageMaker, e.g. "3 pipelines: 41 states, 12 SageMaker tasks".

Every generated definition is validated first (the checks of `sagemaker-sfn validate`), and each
finding is reported where it was made: the pipeline file, the step and the field, e.g.
  pipelines/train.yaml: error: step 'Train', field 'request.ResourceConfig.InstanceType': ...
When any pipeline has an error, no template is written. Warnings are printed and do not stop it.

examples:
  sagemaker-sfn generate                 regenerate the templates of this project
  sagemaker-sfn generate --check         exit 1 when a committed template is out of date or orphaned (CI)
  sagemaker-sfn generate --root ../proj  another project directory

Templates are written to a temporary file and renamed into place, so a full disk or an interrupt
leaves each committed template either intact or completely new, never truncated.

exit status: 0 success; 1 a generated definition has errors, or --check found out-of-date or
orphaned templates; 2 a pipeline file is malformed (bad YAML, unknown step type or option) or cannot be
read, or a template cannot be written (read-only directory, disk full, permission: named).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a template is missing or differs (default: write)")
    parser.add_argument("--root", type=Path, default=None, metavar="DIR",
                        help="project directory holding pipelines/ (default: the nearest one at or above the "
                             "current directory)")
    parser.add_argument("--no-validate", action="store_true",
                        help="write templates without validating them first, saying so on stderr (default: validate)")


def run(args: argparse.Namespace) -> int:
    from sagemaker_sfn.errors import UsageError
    from sagemaker_sfn.files import describe_os_error
    from sagemaker_sfn.pipeline import (discover_pipelines, load_all, orphaned_templates, summarize, template_path,
                                        write_templates)
    from sagemaker_sfn.pipeline.checks import pipeline_findings
    from sagemaker_sfn.project import PIPELINES_DIR, find_project_root

    root = args.root.resolve() if args.root else find_project_root()
    if args.root and not root.is_dir():
        raise UsageError(f"--root {args.root}: no such directory")
    files = discover_pipelines(root)
    if not files:
        raise UsageError(f"no pipeline files (*.yaml) in {root / PIPELINES_DIR}")
    pipelines = load_all(root)
    if not args.no_validate:
        findings = [f for pipeline in pipelines for f in pipeline_findings(pipeline)]
        for finding in findings:
            print(finding.line(), file=sys.stderr)
        errors = sum(f.severity == "error" for f in findings)
        if errors:
            print(f"{errors} error(s) in the generated definitions: no template written "
                  "(fix the pipeline files, or --no-validate to write them anyway)", file=sys.stderr)
            return 1
    else:
        print("not validated (--no-validate): templates are written without the checks of `sagemaker-sfn "
              "validate` (structure, paths, SageMaker parameters); run it before deploying", file=sys.stderr)
    try:
        stale = set(write_templates(root, pipelines, check=args.check))
    except OSError as exc:
        # Each template is replaced atomically: the one that failed keeps its previous content.
        raise UsageError(describe_os_error(exc, action="write") + " (that template is unchanged)") from None
    for file in files:
        target = template_path(root, file.stem)
        shown = _relative(target, root)
        if target in stale:
            status = "out of date" if args.check else "written"
        else:
            status = "up to date" if args.check else "unchanged"
        print(f"{status:<12} {shown}  <- {_relative(file, root)}")
    orphaned = orphaned_templates(root, pipelines)
    for path in orphaned:
        print(f"{'orphaned':<12} {_relative(path, root)}  (no {PIPELINES_DIR}/{path.name[:-len('.asl.json')]}.yaml)")
    print(summarize(p.definition for p in pipelines).line())
    if args.check and (stale or orphaned):
        if stale:
            print(f"{len(stale)} template(s) out of date: run `sagemaker-sfn generate`", file=sys.stderr)
        if orphaned:
            print(f"{len(orphaned)} orphaned template(s): delete them, or restore their pipeline files",
                  file=sys.stderr)
        return 1
    if orphaned:
        print(f"{len(orphaned)} orphaned template(s) left in place: delete them, or restore their pipeline files",
              file=sys.stderr)
    return 0


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
