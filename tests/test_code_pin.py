"""pin_code: a definition's code/ references rewritten to content-addressed copies of exactly the
files each one names (S3 key-prefix semantics)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from sagemaker_sfn.code_pin import pin_code, pinned_references, stale_pins
from sagemaker_sfn.errors import UsageError

URI = "s3://${DataBucket}/code/"
PINNED = re.compile(r"^s3://\$\{DataBucket\}/code/(sha256-[0-9a-f]{16})/(.*)$")


@pytest.fixture
def code(tmp_path: Path) -> Path:
    root = tmp_path / "examples"
    for name, text in {"train-evaluate/preprocess.py": "print('pre')\n",
                       "train-evaluate/evaluate.py": "print('eval')\n",
                       "train-evaluate/data/data.csv": "1,2\n",
                       "function-demo/features.py": "x = 1\n",
                       "function-demo/baseline/statistics.json": "{}\n",
                       "_sagemaker_sfn/function_runner.py": "run()\n"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    # Never uploaded, so never hashed (CodeUpload's default excludes).
    (root / "train-evaluate" / "__pycache__").mkdir()
    (root / "train-evaluate" / "__pycache__" / "evaluate.cpython-312.pyc").write_bytes(b"\0")
    (root / "train-evaluate" / ".DS_Store").write_bytes(b"\0")
    return root


def task(parameters: dict, **extra) -> dict:
    return {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
            "Parameters": parameters, "End": True, **extra}


def processing(uri: str) -> dict:
    return task({"ProcessingInputs": [{"InputName": "code", "S3Input": {"S3Uri": uri, "S3DataType": "S3Prefix"}}]})


def machine(**states: dict) -> dict:
    return {"StartAt": next(iter(states)), "States": states}


def uri_of(definition: dict, state: str = "A") -> str:
    return definition["States"][state]["Parameters"]["ProcessingInputs"][0]["S3Input"]["S3Uri"]


def expected_hash(code: Path, files: list[str]) -> str:
    text = "".join(f"{name}\0{hashlib.sha256((code / name).read_bytes()).hexdigest()}\n" for name in sorted(files))
    return "sha256-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def test_file_reference_pins_that_file_only(code: Path) -> None:
    definition = machine(A=processing(URI + "train-evaluate/preprocess.py"))
    pinned = pin_code(definition, code)
    digest = expected_hash(code, ["train-evaluate/preprocess.py"])
    assert uri_of(pinned.definition) == f"{URI}{digest}/train-evaluate/preprocess.py"
    assert pinned.objects == {f"{digest}/train-evaluate/preprocess.py": code / "train-evaluate" / "preprocess.py"}
    assert pinned.pins == {"train-evaluate/preprocess.py": f"{digest}/train-evaluate/preprocess.py"}
    assert uri_of(definition) == URI + "train-evaluate/preprocess.py"   # the input is not modified


def test_folder_reference_pins_every_file_under_it_but_the_excluded(code: Path) -> None:
    pinned = pin_code(machine(A=processing(URI + "train-evaluate/")), code)
    files = ["train-evaluate/data/data.csv", "train-evaluate/evaluate.py", "train-evaluate/preprocess.py"]
    digest = expected_hash(code, files)
    assert uri_of(pinned.definition) == f"{URI}{digest}/train-evaluate/"
    assert sorted(pinned.objects) == [f"{digest}/{name}" for name in files]


def test_prefix_semantics_a_partial_name_matches_like_s3(code: Path) -> None:
    # S3 prefixes are not folders: "train-evaluate/pre" selects preprocess.py, as the job would receive.
    pinned = pin_code(machine(A=processing(URI + "train-evaluate/pre")), code)
    digest = expected_hash(code, ["train-evaluate/preprocess.py"])
    assert uri_of(pinned.definition) == f"{URI}{digest}/train-evaluate/pre"
    assert list(pinned.objects) == [f"{digest}/train-evaluate/preprocess.py"]


def test_editing_one_script_changes_only_its_references(code: Path) -> None:
    definition = machine(A={**processing(URI + "train-evaluate/preprocess.py"), "End": False, "Next": "B"},
                         B=processing(URI + "train-evaluate/evaluate.py"),)
    before = pin_code(definition, code).definition
    (code / "train-evaluate" / "evaluate.py").write_text("print('eval v2')\n")
    after = pin_code(definition, code).definition
    assert uri_of(after, "A") == uri_of(before, "A")
    assert uri_of(after, "B") != uri_of(before, "B")
    # A cache file or a .DS_Store appearing changes nothing.
    (code / "train-evaluate" / "__pycache__" / "preprocess.cpython-312.pyc").write_bytes(b"\1")
    assert pin_code(definition, code).definition == after


def test_same_files_same_hash_whatever_the_reference_is_called(code: Path) -> None:
    a = uri_of(pin_code(machine(A=processing(URI + "train-evaluate/preprocess.py")), code).definition)
    b = uri_of(pin_code(machine(A=processing(URI + "train-evaluate/prep")), code).definition)
    assert PINNED.match(a)[1] == PINNED.match(b)[1]


def test_idempotent(code: Path) -> None:
    once = pin_code(machine(A=processing(URI + "train-evaluate/evaluate.py")), code)
    twice = pin_code(once.definition, code)
    assert twice.definition == once.definition and twice.objects == {} and twice.pins == {}


def test_unmatched_and_foreign_references_are_untouched(code: Path) -> None:
    definition = machine(
        A={**processing(URI + "train-evaluate/missing.py"), "End": False, "Next": "B"},
        B={**processing("s3://my-literal-bucket/code/train-evaluate/evaluate.py"), "End": False, "Next": "C"},
        C=processing("s3://${DataBucket}/train-evaluate/input/data.csv"))
    pinned = pin_code(definition, code)
    assert pinned.definition == definition and pinned.objects == {}


def test_expressions_and_comments_are_untouched(code: Path) -> None:
    ref = URI + "train-evaluate/evaluate.py"
    state = task({"Uri.$": f"States.Format('{ref}')", "Jsonata": "{% '" + ref + "' %}", "Literal": ref},
                 Comment=f"reads {ref}")
    pinned = pin_code(machine(A=state), code).definition["States"]["A"]
    assert pinned["Parameters"]["Uri.$"] == f"States.Format('{ref}')"
    assert pinned["Parameters"]["Jsonata"] == "{% '" + ref + "' %}"
    assert pinned["Comment"] == f"reads {ref}"
    assert PINNED.match(pinned["Parameters"]["Literal"])


def test_every_field_and_nested_branches(code: Path) -> None:
    ref = URI + "function-demo/"
    inner = {"Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:addStep.sync",
             "Parameters": {"Step": {"HadoopJarStep": {"Args": ["spark-submit", URI + "function-demo/features.py"]}}},
             "End": True}
    training = task({"HyperParameters": {"sagemaker_submit_directory": f'"{URI}_sagemaker_sfn/"'},
                     "Environment": {"BASELINE": URI + "function-demo/baseline/statistics.json"}})
    definition = machine(
        P={"Type": "Parallel", "Branches": [machine(T=training)], "Next": "M"},
        M={"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **machine(E=inner)},
           "ItemSelector": {"code": ref}, "End": True})
    pinned = pin_code(definition, code).definition
    branch = pinned["States"]["P"]["Branches"][0]["States"]["T"]["Parameters"]
    submit = branch["HyperParameters"]["sagemaker_submit_directory"]
    assert submit.startswith('"') and submit.endswith('"') and PINNED.match(submit.strip('"'))[2] == "_sagemaker_sfn/"
    assert PINNED.match(branch["Environment"]["BASELINE"])[2] == "function-demo/baseline/statistics.json"
    args = pinned["States"]["M"]["ItemProcessor"]["States"]["E"]["Parameters"]["Step"]["HadoopJarStep"]["Args"]
    assert args[0] == "spark-submit" and PINNED.match(args[1])[2] == "function-demo/features.py"
    assert PINNED.match(pinned["States"]["M"]["ItemSelector"]["code"])[2] == "function-demo/"


def test_s3_api_arguments_beside_the_data_bucket(code: Path) -> None:
    # The step cache lists a code input with aws-sdk:s3:listObjectsV2 {Bucket, Prefix}: it must list
    # the pinned copy, the one the job reads.
    listing = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listObjectsV2",
               "Arguments": {"Bucket": "${DataBucket}", "Prefix": "code/train-evaluate/evaluate.py"}, "Next": "A"}
    definition = machine(L=listing, A=processing(URI + "train-evaluate/evaluate.py"))
    pinned = pin_code(definition, code).definition
    digest = PINNED.match(uri_of(pinned))[1]
    assert pinned["States"]["L"]["Arguments"]["Prefix"] == f"code/{digest}/train-evaluate/evaluate.py"
    other = {"Bucket": "elsewhere", "Prefix": "code/train-evaluate/evaluate.py"}
    assert pin_code(machine(L={**listing, "Arguments": other}), code).definition["States"]["L"]["Arguments"] == other


def test_shipped_template_pins_and_lists_its_pins(code: Path) -> None:
    repo = Path(__file__).resolve().parents[1]
    definition = json.loads((repo / "asl_templates" / "train-evaluate.asl.json").read_text())
    pinned = pin_code(definition, repo / "examples")
    assert set(pinned.pins) == {"train-evaluate/preprocess.py", "train-evaluate/evaluate.py"}
    text = json.dumps(pinned.definition)
    assert "/code/train-evaluate/" not in text and '"code/train-evaluate/' not in text
    assert pinned_references(pinned.definition) == set(pinned.pins.values())
    assert stale_pins(pinned.definition, repo / "examples") == []


def test_stale_pins_name_the_changed_file(code: Path) -> None:
    definition = machine(A={**processing(URI + "train-evaluate/evaluate.py"), "End": False, "Next": "B"},
                         B=processing(URI + "function-demo/"))
    pinned = pin_code(definition, code).definition
    (code / "train-evaluate" / "evaluate.py").write_text("print('eval v2')\n")
    (code / "function-demo" / "features.py").unlink()
    stale = stale_pins(pinned, code)
    assert [s.describe() for s in stale] == ["examples/function-demo/* (1 file now)",
                                             "examples/train-evaluate/evaluate.py"]
    (code / "train-evaluate" / "evaluate.py").unlink()
    assert stale_pins(pinned, code)[-1].describe() == "examples/train-evaluate/evaluate.py (no longer exists)"


def test_refuses_a_top_level_sha256_folder(code: Path) -> None:
    (code / "sha256-mine").mkdir()
    with pytest.raises(UsageError, match=r"sha256-mine: a top-level name starting with 'sha256-' is reserved"):
        pin_code(machine(A=processing(URI + "train-evaluate/")), code)


def test_missing_code_dir_pins_nothing(tmp_path: Path) -> None:
    definition = machine(A=processing(URI + "train-evaluate/evaluate.py"))
    assert pin_code(definition, tmp_path / "nowhere").definition == definition
