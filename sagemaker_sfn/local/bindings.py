"""Local values for the deploy-time ``${Name}`` placeholders (see docs/CONVENTIONS.md).

Shared by mocked runs (where any well-formed value will do) and by the local AWS environment
(where the values must lead back to local resources: the Lambda function name is its folder under
``lambdas/``, image URIs are the real us-east-1 URIs that the local SageMaker recognises).
"""

from __future__ import annotations

import re

from sagemaker_sfn.errors import DefinitionError

LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT = "123456789012"
LOCAL_BUCKET = "sagemaker-sfn-local"
LOCAL_CACHE_TABLE = "sagemaker-sfn-cache"   # step cache (sagemaker_sfn.cache), persisted under .sfn-local/

# SageMaker's own registry accounts for us-east-1, so local runs carry realistic URIs.
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
CLARIFY_IMAGE = "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"

_FUNCTION = re.compile(r"^(?P<pascal>[A-Z][A-Za-z0-9]*)FunctionArn$")


def pascal_to_snake(name: str) -> str:
    """``GenerateDataset`` -> ``generate_dataset`` (the handler's folder under lambdas/)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def snake_to_pascal(name: str) -> str:
    """``generate_dataset`` -> ``GenerateDataset``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def function_placeholder(folder: str) -> str:
    """The placeholder name for the Lambda in ``lambdas/<folder>/``."""
    return f"{snake_to_pascal(folder)}FunctionArn"


def local_value(name: str, *, region: str = LOCAL_REGION, account: str = LOCAL_ACCOUNT,
                bucket: str = LOCAL_BUCKET) -> str:
    """The local value of one conventional placeholder; DefinitionError for an unknown name."""
    fixed = {
        "DataBucket": bucket,
        "SageMakerRoleArn": f"arn:aws:iam::{account}:role/SageMakerExecutionRole",
        "FailureTopicArn": f"arn:aws:sns:{region}:{account}:sagemaker-sfn-failures",
        "CallbackQueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/sagemaker-sfn-callbacks",
        "XGBoostImageUri": XGBOOST_IMAGE,
        "SKLearnImageUri": SKLEARN_IMAGE,
        "ClarifyImageUri": CLARIFY_IMAGE,
        "CacheTableName": LOCAL_CACHE_TABLE,
    }
    if name in fixed:
        return fixed[name]
    if match := _FUNCTION.match(name):
        return f"arn:aws:lambda:{region}:{account}:function:{pascal_to_snake(match['pascal'])}"
    known = ", ".join(sorted(fixed) + ["<Name>FunctionArn"])
    raise DefinitionError(f"unknown placeholder ${{{name}}}: expected one of {known} (see docs/CONVENTIONS.md)")


def local_substitutions(names: set[str], **kwargs: str) -> dict[str, str]:
    """Local values for every placeholder in ``names``."""
    return {name: local_value(name, **kwargs) for name in sorted(names)}
