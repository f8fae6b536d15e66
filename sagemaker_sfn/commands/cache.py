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
    if args.action == "clear":
        print(f"cleared {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
    else:
        print(as_json(entries, now=now) if args.json else format_rows(entries, now=now))
    return 0
