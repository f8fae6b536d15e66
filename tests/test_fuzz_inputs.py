"""Thousands of mutated files (bytes, JSON, YAML) thrown at validate, graph, policy and generate:
whatever the file holds, each command answers with its own exit status (0, 1 or 2) and a message,
never a traceback nor an internal error (exit 70). Seeded, so a failure reproduces."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from sagemaker_sfn.cli import main

SEED = 20261130
REPO = Path(__file__).resolve().parents[1]
TRAIN = {"StartAt": "Train", "States": {
    "Train": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
              "Parameters": {"TrainingJobName.$": "States.Format('t-{}', $$.Execution.Name)",
                             "AlgorithmSpecification": {"TrainingImage": "${XGBoostImageUri}",
                                                        "TrainingInputMode": "File"},
                             "RoleArn": "${SageMakerRoleArn}",
                             "OutputDataConfig": {"S3OutputPath": "s3://${DataBucket}/m"},
                             "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                                "VolumeSizeInGB": 5},
                             "StoppingCondition": {"MaxRuntimeInSeconds": 600},
                             "HyperParameters": {"num_round": "5"}},
              "ResultSelector": {"model.$": "$.ModelArtifacts.S3ModelArtifacts"}, "ResultPath": "$.train",
              "Retry": [{"ErrorEquals": ["SageMaker.AmazonSageMakerException"], "MaxAttempts": 2}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}], "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.train.model", "IsPresent": True, "Next": "Fan"}],
              "Default": "Failed"},
    "Fan": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"x.$": "$"}, "End": True}}}, "Next": "Done"},
    "Done": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "Error": "TrainingFailed"}}}
PIPELINE = """\
name: p
input: {rows: 10}
steps:
  - name: Train
    type: training
    request:
      AlgorithmSpecification: {TrainingImage: "${XGBoostImageUri}", TrainingInputMode: File}
      RoleArn: ${SageMakerRoleArn}
      OutputDataConfig: {S3OutputPath: "s3://${DataBucket}/p/models"}
      ResourceConfig: {InstanceCount: 1, InstanceType: ml.m5.large, VolumeSizeInGB: 5}
      StoppingCondition: {MaxRuntimeInSeconds: 600}
      HyperParameters: {num_round: "5"}
  - name: Wait
    type: wait
    seconds: 5
  - name: End
    type: succeed
"""
ODD_VALUES: list[Any] = [None, True, 0, -1, 2**31, 2**63, 10**30, 1.5e308, "", "x" * 300, "Modèle ✓", "$.a",
                         "$$.Execution.Name", "States.Format('{}', $.a)", "{% $x %}", "${Nope}", "\u0000\ud7ff",
                         [], {}, [1, [2, [3]]], {"Type": "Pass"}, {"Next": "Nowhere"}]


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        choice = rng.randrange(7)
        at = rng.randrange(len(data) + 1)
        if choice == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif choice == 1:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif choice == 2:
            del data[at:at + rng.randint(1, 40)]
        elif choice == 3:
            data = data[:at]
        elif choice == 4:
            data[at:at] = rng.choice([b"\x00", b"\xff\xfe", b"\xe9", b"\xc3", b"[" * 50, b"{\"a\":" * 30, b"\n\t"])
        elif choice == 5 and data:
            start = rng.randrange(len(data))
            data[at:at] = data[start:start + rng.randint(1, 30)]
        else:
            data = bytearray(data.replace(b'"', b"'", 1)) if rng.random() < 0.5 else data
    return bytes(data)


def _containers(value: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    found = []
    if isinstance(value, dict):
        found.append((path, value))
        for key, item in value.items():
            found.extend(_containers(item, path + (key,)))
    elif isinstance(value, list):
        found.append((path, value))
        for index, item in enumerate(value):
            found.extend(_containers(item, path + (index,)))
    return found


def mutate_document(doc: Any, rng: random.Random, *, depths: tuple[int, ...] = (5, 150, 199, 300)) -> Any:
    """``doc`` with 1-4 random edits: odd values, deleted or renamed keys, deep nesting (``depths``),
    subtrees copied elsewhere."""
    doc = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 4)):
        _, container = rng.choice(_containers(doc))
        keys = list(container.keys()) if isinstance(container, dict) else list(range(len(container)))
        if not keys:
            continue
        key = rng.choice(keys)
        choice = rng.randrange(5)
        if choice == 0:
            container[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif choice == 1 and isinstance(container, dict):
            del container[key]
        elif choice == 2 and isinstance(container, dict):
            container[rng.choice(["Type", "Next", "End", "Parameters", "States", "Resource", "ItemsPath", "x.$",
                                  "request", "steps", "type", "name", "Retry", "Catch"])] = container.pop(key)
        elif choice == 3:
            nested: Any = "deep"
            for _ in range(rng.choice(depths)):
                nested = [nested] if rng.random() < 0.5 else {"k": nested}
            container[key] = nested
        else:
            other = rng.choice(_containers(doc))[1]
            container[key] = copy.deepcopy(other) if other is not container else "self"
    return doc


def _call(argv: list[str]) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = main(argv)
    return code, buffer.getvalue()


def _assert_clean(results: list[tuple[str, list[str], int, str]]) -> None:
    bad = [(label, argv, code, text[-400:]) for label, argv, code, text in results
           if code not in (0, 1, 2) or "Traceback" in text or "internal error" in text]
    assert not bad, f"{len(bad)} of {len(results)} cases crashed; first ones: {bad[:3]}"


def json_seeds() -> list[bytes]:
    seeds = [json.dumps(TRAIN, indent=2).encode()]
    template = REPO / "asl_templates" / "clarify-bias.asl.json"
    if template.is_file():
        seeds.append(template.read_bytes())
    return seeds


@pytest.mark.parametrize("kind", ["bytes", "json"])
def test_mutated_definitions_never_crash_validate_graph_or_policy(tmp_path: Path, kind: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAGEMAKER_SFN_DEBUG", raising=False)
    rng = random.Random(f"{SEED}-{kind}")
    seeds = json_seeds()
    results = []
    for index in range(500 if kind == "bytes" else 400):
        seed = rng.choice(seeds)
        if kind == "bytes":
            data = mutate_bytes(seed, rng)
        else:
            data = json.dumps(mutate_document(json.loads(seed), rng)).encode()
        path = tmp_path / f"case{index}.json"
        path.write_bytes(data)
        for command in ("validate", "graph", "policy"):
            argv = [command, str(path)]
            results.append((f"{kind} #{index}", argv, *_call(argv)))
    _assert_clean(results)
    # The mutations reach past the reader: some files parse and get checked, some are refused.
    codes = {code for _, _, code, _ in results}
    assert 2 in codes and (0 in codes or 1 in codes)


@pytest.mark.parametrize("kind", ["bytes", "yaml"])
def test_mutated_pipeline_files_never_crash_generate(tmp_path: Path, kind: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAGEMAKER_SFN_DEBUG", raising=False)
    rng = random.Random(f"{SEED}-{kind}")
    pipelines = tmp_path / "pipelines"
    pipelines.mkdir()
    results = []
    seed_doc = yaml.safe_load(PIPELINE)
    for index in range(300):
        if kind == "bytes":
            data = mutate_bytes(PIPELINE.encode(), rng)
        else:
            try:
                data = yaml.safe_dump(mutate_document(seed_doc, rng, depths=(5, 100)), allow_unicode=True).encode()
            except RecursionError:   # PyYAML's dumper recurses too: what it cannot write, bytes cover
                data = ("steps: " + "[" * 5000 + "]" * 5000).encode()
        (pipelines / "p.yaml").write_bytes(data)
        argv = ["generate", "--root", str(tmp_path), "--check"]
        results.append((f"{kind} #{index}", argv, *_call(argv)))
    _assert_clean(results)
    codes = {code for _, _, code, _ in results}
    assert 2 in codes and 1 in codes
