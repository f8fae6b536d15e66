"""DynamoDB item calls, through the optimized integration (``arn:aws:states:::dynamodb:getItem``)
or the AWS SDK integration (``arn:aws:states:::aws-sdk:dynamodb:getItem``): the step cache's table
(``${CacheTableName}``) is read and written this way.

Both authorise ``dynamodb:<Action>`` on the table the request names (the Step Functions DynamoDB IAM
page and aws-cdk's DynamoDB tasks use ``arn:<partition>:dynamodb:<region>:<account>:table/<name>``).
"""

from __future__ import annotations

from sagemaker_sfn.iam.base import CDK_TASKS, SOURCE_AWS_SDK, ArnContext, Grant, TaskRef, name_ref
from sagemaker_sfn.local.integrations.base import ResourceRef

SOURCE_DYNAMODB = ("https://docs.aws.amazon.com/step-functions/latest/dg/dynamo-iam.html (dynamodb:<Action> on"
                   " table/<TableName>; \"*\" tables when the name is dynamic)")
SOURCE_CDK_DYNAMODB = f"{CDK_TASKS}/dynamodb/get-item.ts, put-item.ts ... (dynamodb:<Action> on the table's ARN)"

# The item calls (camelCase, as in the Resource) -> the IAM action.
ITEM_CALLS: dict[str, str] = {
    "getItem": "dynamodb:GetItem",
    "putItem": "dynamodb:PutItem",
    "updateItem": "dynamodb:UpdateItem",
    "deleteItem": "dynamodb:DeleteItem",
    "query": "dynamodb:Query",
    "scan": "dynamodb:Scan",
    "batchGetItem": "dynamodb:BatchGetItem",
    "batchWriteItem": "dynamodb:BatchWriteItem",
}

_VERBS = {"dynamodb:GetItem": "Read", "dynamodb:BatchGetItem": "Read", "dynamodb:Query": "Query",
          "dynamodb:Scan": "Scan", "dynamodb:PutItem": "Write", "dynamodb:BatchWriteItem": "Write",
          "dynamodb:UpdateItem": "Update", "dynamodb:DeleteItem": "Delete"}


def _tables(task: TaskRef, call: str) -> tuple[list[str | None], bool]:
    """Table names the request touches (None: read at run time) and whether any is dynamic."""
    params = task.parameters
    if call in {"batchGetItem", "batchWriteItem"}:
        items = params.get("RequestItems")
        if isinstance(items, dict):
            names: list[str | None] = [name for name in items if not name.endswith(".$")]
            return names, False
        return [None], True
    table = name_ref(params, "TableName")
    if table is not None and table.is_static:
        return [table.static], False
    return [None], True


def dynamodb_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                    role_arns: list[str] | None) -> list[Grant]:
    call = ref.action.split(":", 1)[1] if ref.service == "aws-sdk" else ref.action
    action = ITEM_CALLS[call]
    names, dynamic = _tables(task, call)
    resources = tuple(sorted(
        name if name is not None and name.startswith("arn:") else ctx.arn("dynamodb", f"table/{name or '*'}")
        for name in names))
    verb = _VERBS[action]
    why = " A table named at run time allows any table." if dynamic else ""
    sources = (SOURCE_AWS_SDK, SOURCE_DYNAMODB) if ref.service == "aws-sdk" else (SOURCE_DYNAMODB, SOURCE_CDK_DYNAMODB)
    return [Grant(sid=f"DynamoDB{verb}", actions=(action,), resources=resources,
                  reason=f"{verb} items of the DynamoDB tables the states name.{why}",
                  states=(task.location,), sources=sources)]
