import pytest

from sagemaker_sfn.errors import DefinitionError
from sagemaker_sfn.local.bindings import function_placeholder, local_substitutions, pascal_to_snake


def test_function_placeholder_round_trips_to_folder() -> None:
    assert function_placeholder("generate_dataset") == "GenerateDatasetFunctionArn"
    assert pascal_to_snake("GenerateDataset") == "generate_dataset"
    values = local_substitutions({"GenerateDatasetFunctionArn", "DataBucket"})
    assert values == {"DataBucket": "sagemaker-sfn-local",
                      "GenerateDatasetFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:generate_dataset"}


def test_unknown_placeholder_is_refused() -> None:
    with pytest.raises(DefinitionError, match=r"unknown placeholder \$\{Bucket\}: expected one of CacheTableName, CallbackQueueUrl, ClarifyImageUri"):
        local_substitutions({"Bucket"})
