"""Why a cached step missed: the differences between two entries' key components, named for people."""

from __future__ import annotations

from sagemaker_sfn.cache.report import changes

LABELS = ["ProcessingInputs[0].S3Input.S3Uri", "ProcessingInputs[1].S3Input.S3Uri"]


def test_a_changed_pinned_code_input_is_named_by_its_script() -> None:
    prefixes = [{"Bucket": "sagemaker-sfn-local", "Prefix": "code/sha256-0123456789abcdef/train-evaluate/evaluate.py"},
                {"Bucket": "sagemaker-sfn-local", "Prefix": "train-evaluate/input/data.csv"}]
    now = {"request": {"ProcessingInputs[0]": "a"}, "inputs": ["new", "same"]}
    then = {"request": {"ProcessingInputs[0]": "a"}, "inputs": ["old", "same"]}
    assert changes(now, then, input_labels=LABELS, input_prefixes=prefixes) == [
        "the code under ProcessingInputs[0].S3Input.S3Uri changed: train-evaluate/evaluate.py "
        "(now code/sha256-0123456789abcdef/)"]


def test_other_inputs_and_unknown_prefixes_say_content_changed() -> None:
    now = {"request": {"HyperParameters.eta": "x"}, "inputs": ["same", "new"]}
    then = {"request": {"HyperParameters.eta": "y"}, "inputs": ["same", "old"]}
    mutable = [{"Bucket": "b", "Prefix": "code/train-evaluate/evaluate.py"}, {"Bucket": "b", "Prefix": "data/"}]
    expected = ["HyperParameters.eta changed", "content under ProcessingInputs[1].S3Input.S3Uri changed"]
    assert changes(now, then, input_labels=LABELS, input_prefixes=mutable) == expected
    assert changes(now, then, input_labels=LABELS) == expected
