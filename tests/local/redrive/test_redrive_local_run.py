"""`run --local --redrive EXECUTION`: a real local run fails in its second job; after the script is
fixed, the redrive runs only that job, and the history is the first attempt's plus the redrive's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main

PIPELINE = """\
name: demo
input: {}
steps:
  - name: Prepare
    type: processing
    catch: false
    request:
      AppSpecification:
        ImageUri: ${SKLearnImageUri}
        ContainerEntrypoint: [python3, /opt/ml/processing/input/code/prepare.py]
      ProcessingInputs:
        - InputName: code
          S3Input: {S3Uri: "s3://${DataBucket}/code/demo/prepare.py", LocalPath: /opt/ml/processing/input/code,
                    S3DataType: S3Prefix, S3InputMode: File}
      ProcessingOutputConfig:
        Outputs:
          - OutputName: out
            S3Output:
              S3Uri.$: States.Format('s3://${DataBucket}/demo/{}/prepared', $$.Execution.Name)
              LocalPath: /opt/ml/processing/output
              S3UploadMode: EndOfJob
      ProcessingResources: {ClusterConfig: {InstanceCount: 1, InstanceType: ml.m5.large, VolumeSizeInGB: 10}}
      RoleArn: ${SageMakerRoleArn}
    result_selector:
      Uri.$: $.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri
  - name: Score
    type: processing
    catch: false
    retry: false
    request:
      AppSpecification:
        ImageUri: ${SKLearnImageUri}
        ContainerEntrypoint: [python3, /opt/ml/processing/input/code/score.py]
      ProcessingInputs:
        - InputName: code
          S3Input: {S3Uri: "s3://${DataBucket}/code/demo/score.py", LocalPath: /opt/ml/processing/input/code,
                    S3DataType: S3Prefix, S3InputMode: File}
        - InputName: prepared
          S3Input: {S3Uri.$: $.Prepare.Uri, LocalPath: /opt/ml/processing/input/prepared, S3DataType: S3Prefix,
                    S3InputMode: File}
      ProcessingResources: {ClusterConfig: {InstanceCount: 1, InstanceType: ml.m5.large, VolumeSizeInGB: 10}}
      RoleArn: ${SageMakerRoleArn}
    result_selector:
      Status.$: $.ProcessingJobStatus
"""
# The local runner gives processing scripts their /opt/ml/processing folder in SAGEMAKER_SFN_PROCESSING_DIR.
BASE = "import os\nbase = os.environ.get('SAGEMAKER_SFN_PROCESSING_DIR', '/opt/ml/processing')\n"
PREPARE = BASE + "open(base + '/output/numbers.txt', 'w').write('1 2 3')\n"
BROKEN = "raise SystemExit('score.py: not written yet')\n"
FIXED = BASE + "print(sum(map(int, open(base + '/input/prepared/numbers.txt').read().split())))\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "demo"
    (root / "pipelines").mkdir(parents=True)
    (root / "pipelines" / "demo.yaml").write_text(PIPELINE)
    (root / "examples" / "demo").mkdir(parents=True)
    (root / "examples" / "demo" / "prepare.py").write_text(PREPARE)
    (root / "examples" / "demo" / "score.py").write_text(BROKEN)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SAGEMAKER_SFN_PROJECT", str(root))
    assert main(["generate"]) == 0
    return root


def jobs(root: Path) -> list[str]:
    return sorted(p.name.split("-")[0] for p in (root / ".sfn-local" / "r1" / "jobs").iterdir())


def test_failed_run_redriven_to_success_after_the_fix(project: Path, capsys) -> None:
    assert main(["run", "demo", "--local", "--name", "r1"]) == 1
    first = json.loads((project / ".sfn-local" / "r1" / "history.json").read_text())
    assert first[-1]["type"] == "ExecutionFailed"
    assert jobs(project) == ["prepare", "score"]

    # Redriving before the fix fails again, in the same state.
    assert main(["run", "demo", "--local", "--redrive", "r1"]) == 1
    (project / "examples" / "demo" / "score.py").write_text(FIXED)
    capsys.readouterr()
    assert main(["run", "demo", "--local", "--redrive", "r1"]) == 0
    out = capsys.readouterr().out
    assert "> Prepare" not in out and "> Score" in out

    history = json.loads((project / ".sfn-local" / "r1" / "history.json").read_text())
    types = [e["type"] for e in history]
    assert types.count("ExecutionRedriven") == 2 and types[-1] == "ExecutionSucceeded"
    assert [e["executionRedrivenEventDetails"]["redriveCount"] for e in history if e["type"] == "ExecutionRedriven"] == [1, 2]
    assert history[:len(first)] == first
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
    assert entered == ["Prepare", "Score", "Score", "Score"]
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))
    output = json.loads((project / ".sfn-local" / "r1" / "output.json").read_text())
    assert output["status"] == "SUCCEEDED" and output["output"]["Prepare"]["Uri"].endswith("/demo/r1/prepared")
    score_logs = sorted((project / ".sfn-local" / "r1" / "jobs").glob("score-*/logs.txt"))
    assert any("6" in p.read_text() for p in score_logs)


def test_refusals_are_clear(project: Path, capsys) -> None:
    assert main(["run", "demo", "--local", "--redrive", "nope"]) == 2
    assert "no local execution named 'nope'" in capsys.readouterr().err
    (project / "examples" / "demo" / "score.py").write_text(FIXED)
    assert main(["run", "demo", "--local", "--name", "ok"]) == 0
    capsys.readouterr()
    assert main(["run", "demo", "--local", "--redrive", "ok"]) == 2
    assert "Execution is SUCCEEDED and cannot be redriven." in capsys.readouterr().err
