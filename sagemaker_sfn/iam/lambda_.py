"""Lambda: the optimized ``lambda:invoke`` integration and a function ARN as Resource."""

from __future__ import annotations

import re

from sagemaker_sfn.errors import DefinitionError
from sagemaker_sfn.iam.base import PLACEHOLDER_ONLY, ArnContext, Grant, NameRef, TaskRef, name_ref, why_wildcard
from sagemaker_sfn.local.integrations.base import ResourceRef

SOURCE_LAMBDA = ("https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html"
                 " (lambda:InvokeFunction on the function and its versions/aliases, '<function>:*')")


_FUNCTION_ARN = re.compile(r"^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+(?P<qualifier>:[^:]+)?$")
_PARTIAL_FUNCTION = re.compile(r"^(?P<account>\d{12}):function:(?P<name>[^:]+)(?P<qualifier>:[^:]+)?$")


def _function_resources(function: str, ctx: ArnContext) -> tuple[str, ...]:
    """A function and its versions/aliases (``:*``) unless the reference is already qualified."""
    if PLACEHOLDER_ONLY.match(function):
        return (function, f"{function}:*")
    if match := _FUNCTION_ARN.match(function):
        return (function,) if match["qualifier"] else (function, f"{function}:*")
    account, name, qualifier = ctx.account, *function.partition(":")[::2]
    if match := _PARTIAL_FUNCTION.match(function):  # "123456789012:function:name[:qualifier]"
        account, name, qualifier = match["account"], match["name"], (match["qualifier"] or "")[1:]
    arn = f"arn:{ctx.partition}:lambda:{ctx.region}:{account}:function:{name}"
    return (f"{arn}:{qualifier}",) if qualifier else (arn, f"{arn}:*")


def lambda_grants(task: TaskRef, ref: ResourceRef, ctx: ArnContext,
                  role_arns: list[str] | None) -> list[Grant]:
    """lambda:invoke (optimized, FunctionName parameter) or a bare function ARN as Resource."""
    if ref.action == "invoke-arn":
        function = NameRef(static=ref.resource)
    else:
        function = name_ref(task.parameters, "FunctionName")
        if function is None:
            raise DefinitionError("lambda:invoke needs Parameters.FunctionName",
                                  location=f"{task.location}.Parameters")
    if function.is_static:
        resources = _function_resources(function.static or "", ctx)
        reason = "Invoke the Lambda functions the states call (and their versions and aliases)."
    else:
        prefix = function.prefix
        resources = ((f"{prefix}*",) if prefix.startswith("arn:") else (ctx.arn("lambda", f"function:{prefix}*"),))
        reason = "Invoke the Lambda functions the states call." + why_wildcard(function, "function name")
    return [Grant(sid="InvokeLambdaFunctions", actions=("lambda:InvokeFunction",), resources=resources,
                  reason=reason, states=(task.location,), sources=(SOURCE_LAMBDA,))]
