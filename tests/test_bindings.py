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


# -- bindings files --------------------------------------------------------------------------------

from pathlib import Path  # noqa: E402

from sagemaker_sfn.errors import UsageError  # noqa: E402
from sagemaker_sfn.local.bindings import (Bindings, HandlerRef, bind_placeholders, bindings_for_run,  # noqa: E402
                                          load_bindings, unbound_warning)
from sagemaker_sfn.local.integrations.lambda_ import resolve_handler  # noqa: E402


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_are_relative_to_the_bindings_file(tmp_path: Path) -> None:
    bindings = load_bindings(write(tmp_path / "conf" / "b.yaml", """\
substitutions: {MyTableName: local-table, Count: 3}
lambdas:
  "arn:aws:lambda:us-west-2:012345678912:function:Gen-1TF": handlers/gen.py:make
  extract: handlers/extract.py
images:
  "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-trainer:3": ../examples/train.py
"""))
    assert bindings.substitutions == {"MyTableName": "local-table", "Count": "3"}
    assert bindings.lambdas == {
        "arn:aws:lambda:us-west-2:012345678912:function:Gen-1TF": HandlerRef(tmp_path / "conf/handlers/gen.py", "make"),
        "extract": HandlerRef(tmp_path / "conf/handlers/extract.py", "handler")}
    assert bindings.images == {"123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-trainer:3": str(tmp_path / "examples/train.py")}


@pytest.mark.parametrize("text, message", [
    ("lambdas: [a]", r"lambdas: expected a mapping of name: value"),
    ("lambda: {}", r"unknown section 'lambda'; expected substitutions, lambdas, images"),
    ("substitutions: {Bad-Name: x}", r"substitutions: 'Bad-Name' is not a placeholder name"),
    ("images: {x: {a: 1}}", r"images: 'x': expected a string, found dict"),
    ("substitutions: [", r"not valid YAML at line 2"),
])
def test_malformed_bindings_are_refused_naming_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "b.yaml", text + "\n")
    with pytest.raises(UsageError, match=rf"^{path}: {message}"):
        load_bindings(path)


def test_bindings_for_run_layers_declared_project_and_flag(tmp_path: Path) -> None:
    write(tmp_path / "sagemaker-sfn.bindings.yaml", "substitutions: {A: project, B: project}\n")
    flag = write(tmp_path / "other.yaml", "substitutions: {B: flag}\n")
    result = bindings_for_run(project_root=tmp_path, bindings_file=flag, declared={"A": "declared", "C": "declared"})
    assert result.substitutions == {"A": "project", "B": "flag", "C": "declared"}
    assert result.file_for_hints == "other.yaml"
    with pytest.raises(UsageError, match="--bindings nope.yaml: no such file"):
        bindings_for_run(project_root=tmp_path, bindings_file=Path("nope.yaml"))


def test_unbound_placeholders_are_listed_not_refused() -> None:
    values, unbound = bind_placeholders({"DataBucket", "Zeta", "Alpha", "Given"},
                                        bindings=Bindings(substitutions={"Given": "g"}))
    assert values == {"DataBucket": "sagemaker-sfn-local", "Given": "g"} and unbound == ["Alpha", "Zeta"]
    assert unbound_warning(unbound) == ("warning: no local value for ${Alpha}, ${Zeta}: left in the definition as "
                                        "written (give values under substitutions: in sagemaker-sfn.bindings.yaml)")


def test_function_references_resolve_by_arn_qualifier_name_and_folder(tmp_path: Path) -> None:
    gen = HandlerRef(tmp_path / "gen.py", "handler")
    handlers = {"arn:aws:lambda:us-west-2:012345678912:function:Gen-1TF": gen}
    for ref in ("arn:aws:lambda:us-west-2:012345678912:function:Gen-1TF",
                "arn:aws:lambda:us-west-2:012345678912:function:Gen-1TF:$LATEST", "Gen-1TF"):
        assert resolve_handler(tmp_path, ref, handlers) == ("Gen-1TF", gen.path, "handler")
    write(tmp_path / "lambdas" / "Score-Model" / "handler.py", "def handler(e, c): return e\n")
    assert resolve_handler(tmp_path, "arn:aws:lambda:eu-west-1:111122223333:function:score_model", {})[1] == \
        tmp_path / "lambdas" / "Score-Model" / "handler.py"
    assert resolve_handler(tmp_path, "missing", handlers) is None


def test_function_placeholder_of_any_folder_form() -> None:
    assert [function_placeholder(f) for f in ("generate-dataset", "GenerateDataset", "score_model2")] == [
        "GenerateDatasetFunctionArn", "GenerateDatasetFunctionArn", "ScoreModel2FunctionArn"]
