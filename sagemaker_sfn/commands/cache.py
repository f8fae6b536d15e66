"""``sagemaker-sfn cache list|clear``: the step cache's entries, local or deployed."""

from __future__ import annotations

import argparse

HELP = "list or clear cached step results (local runs, or a deployed cache table with --table)"
DESCRIPTION = """\
Steps with `cache:` reuse an earlier job's result when nothing they depend on changed. Each stored
result is an entry of the cache table: `list` shows them (pipeline, step, the execution that ran the
job, when, and when the entry expires), `clear` deletes them so the next run runs those jobs again.

Without --table this acts on local runs' cache (.sfn-local/cache/ in the project); with --table NAME
on that DynamoDB table in your AWS account (the Foundation stack's cache table).

examples:
  sagemaker-sfn cache list
  sagemaker-sfn cache list train-evaluate --step Train
  sagemaker-sfn cache clear train-evaluate --step Evaluate
  sagemaker-sfn cache clear --table sagemaker-sfn-cache --region eu-west-1
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sagemaker_sfn.commands.start import add_common_aws_arguments

    parser.add_argument("action", choices=("list", "clear"), help="list entries, or delete them")
    parser.add_argument("pipeline", nargs="?", metavar="PIPELINE", help="only this pipeline's entries (default: all)")
    parser.add_argument("--step", metavar="STEP", help="only this step's entries (default: every step)")
    parser.add_argument("--table", metavar="NAME", help="a deployed cache table (default: local runs' cache)")
    parser.add_argument("--json", action="store_true", help="list: print the entries as JSON")
    add_common_aws_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import time

    from sagemaker_sfn.cache.entries import as_json, format_rows, select
    from sagemaker_sfn.errors import UsageError

    if args.step and not args.pipeline:
        raise UsageError("--step needs a PIPELINE: step names repeat across pipelines")
    now = time.time()
    if args.table:
        from sagemaker_sfn.aws import call, client
        from sagemaker_sfn.cache.local import scan

        dynamodb = client("dynamodb", region=args.region, profile=args.profile)
        items = call(scan, dynamodb=dynamodb, table=args.table)
        entries = select(items, pipeline=args.pipeline, step=args.step)
        if args.action == "clear":
            for entry in entries:
                call(dynamodb.delete_item, TableName=args.table, Key={"CacheKey": {"S": entry.key}})
    else:
        from sagemaker_sfn.cache.local import LocalCache
        from sagemaker_sfn.project import find_project_root

        cache = LocalCache(root=find_project_root())
        items = cache.load_items()
        entries = select(items, pipeline=args.pipeline, step=args.step)
        if args.action == "clear":
            doomed = {e.key for e in entries}
            cache.save_items([item for item in items if item["CacheKey"]["S"] not in doomed])
            cache.prune()   # the objects only the cleared entries led to
    if not entries:
        _refuse_unknown_names(args, items)
    if args.action == "clear":
        print(f"cleared {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
    else:
        print(as_json(entries, now=now) if args.json else format_rows(entries, now=now))
    return 0


def _refuse_unknown_names(args: argparse.Namespace, items: list) -> None:
    """Nothing selected because PIPELINE or --step is misspelt: say so (a `clear` of a typo that
    reported "cleared 0 entries" would let the next run reuse what the user meant to clear). Known
    names: those of stored entries and, in a project, its pipelines and the steps their templates cache."""
    from sagemaker_sfn.errors import UsageError
    from sagemaker_sfn.suggest import did_you_mean

    steps: dict[str, set[str]] = {}
    for item in items:
        steps.setdefault(item.get("StateMachine", {}).get("S", ""), set()).add(item.get("Step", {}).get("S", ""))
    for name, cached in _project_pipelines().items():
        steps.setdefault(name, set()).update(cached)
    if args.pipeline and args.pipeline not in steps:
        known = ", ".join(sorted(n for n in steps if n)) or "none"
        raise UsageError(f"no pipeline named '{args.pipeline}' has cache entries or is in this project "
                         f"(known: {known}){did_you_mean(args.pipeline, steps)}")
    if args.pipeline and args.step and args.step not in steps[args.pipeline]:
        known = ", ".join(sorted(s for s in steps[args.pipeline] if s)) or "none"
        raise UsageError(f"pipeline '{args.pipeline}' caches no step named '{args.step}' "
                         f"(cached steps: {known}){did_you_mean(args.step, steps[args.pipeline])}")


def _project_pipelines() -> dict[str, set[str]]:
    """The project's templates (asl_templates/) -> the steps each caches; {} outside a project."""
    import json

    from sagemaker_sfn.cache.transform import cached_steps
    from sagemaker_sfn.pipeline.loader import discover_pipelines
    from sagemaker_sfn.project import TEMPLATE_SUFFIX, TEMPLATES_DIR, find_project_root, state_machine_name_for

    root = find_project_root()
    found: dict[str, set[str]] = {}
    for path in sorted((root / TEMPLATES_DIR).glob(f"*{TEMPLATE_SUFFIX}")):
        try:
            found[state_machine_name_for(path)] = set(cached_steps(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue   # an unreadable template names no steps; `validate` is where it is reported
    for path in discover_pipelines(root):
        found.setdefault(path.stem, set())
    return found
