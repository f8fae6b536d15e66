"""JSONPath / intrinsic helpers: escaping and dynamic-value detection."""

import pytest

from sagemaker_sfn.asl.paths import fmt, is_dynamic_value, literal, put, result_key
from sagemaker_sfn.local.interpreter.intrinsics import evaluate_intrinsic


def test_fmt_keeps_placeholders_and_escapes_specials() -> None:
    expression = fmt("s3://${DataBucket}/it's {braces}/{}", "$$.Execution.Name")
    assert expression == "States.Format('s3://${DataBucket}/it\\'s \\{braces\\}/{}', $$.Execution.Name)"
    assert evaluate_intrinsic(expression, resolve_path=lambda p: "exec-1") == "s3://${DataBucket}/it's {braces}/exec-1"


def test_fails_fmt_argument_count() -> None:
    with pytest.raises(ValueError, match=r"has 2 '\{\}' but 1 arguments"):
        fmt("{}-{}", "$.a")


def test_literal_escapes() -> None:
    assert literal("a'b\\c{d}") == "'a\\'b\\\\c\\{d\\}'"


def test_dynamic_values() -> None:
    assert [is_dynamic_value(v) for v in ("$", "$.a", "$$.Execution.Id", "$[0]", "States.UUID()",
                                          "${DataBucket}", "s3://x", 3)] == [True, True, True, True, True,
                                                                               False, False, False]


def test_put_sets_the_right_key() -> None:
    assert put({}, "S3Uri", "$.a") == {"S3Uri.$": "$.a"}
    assert put({}, "S3Uri", "s3://${DataBucket}/a") == {"S3Uri": "s3://${DataBucket}/a"}


def test_result_key() -> None:
    assert [result_key(n) for n in ("Train", "Train model", "1st")] == ["Train", "Train_model", "_1st"]


def test_result_key_of_non_ascii_names_is_valid_jsonpath() -> None:
    from jsonpath_ng import parse

    names = ("Modèle", "Über-Prüfung", "模型", "模板", "Étape 2", "ﬁt")
    keys = [result_key(n) for n in names]
    assert keys == ["Modele", "Uber_Prufung", "u6a21u578b", "u6a21u677f", "Etape_2", "fit"]
    for key in keys:
        parse(f"$.{key}")   # raises on an invalid path
