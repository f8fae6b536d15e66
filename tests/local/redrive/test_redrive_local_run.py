"""`run --local --redrive EXECUTION`: a real local run fails in its second job; after its input data
is fixed, the redrive runs only that job, and the history is the first attempt's plus the redrive's.

A redrive runs the definition the execution started with (AWS RedriveExecution), whose code is
pinned (code/sha256-<hash>/...): a script edited since is *not* what the redrive runs, and it says so."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main

PIPELINE = """\
name: demo
input: {}
on_failure: stop          # no step catches its failure: the execution fails in the step, which a redrive re-runs
steps:
  - name: Prepare
    type: processing
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
        - InputName: limits
          S3Input: {S3Uri: "s3://${DataBucket}/demo/input/limit.txt", LocalPath: /opt/ml/processing/input/limits,
                    S3DataType: S3Prefix, S3InputMode: File}
      ProcessingResources: {ClusterConfig: {InstanceCount: 1, InstanceType: ml.m5.large, VolumeSizeInGB: 10}}
      RoleArn: ${SageMakerRoleArn}
    result_selector:
      Status.$: $.ProcessingJobStatus
"""
# The local runner gives processing scripts their /opt/ml/processing folder in SAGEMAKER_SFN_PROCESSING_DIR.
BASE = "import os\nbase = os.environ.get('SAGEMAKER_SFN_PROCESSING_DIR', '/opt/ml/processing')\n"
PREPARE = BASE + "open(base + '/output/numbers.txt', 'w').write('1 2 3')\n"
SCORE = BASE + """\
total = sum(map(int, open(base + '/input/prepared/numbers.txt').read().split()))
limit = int(open(base + '/input/limits/limit.txt').read())
if total > limit:
    raise SystemExit(f'score.py: total {total} is over the limit {limit}')
print('total', total)
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "demo"
    (root / "pipelines").mkdir(parents=True)
    (root / "pipelines" / "demo.yaml").write_text(PIPELINE)
    (root / "examples" / "demo").mkdir(parents=True)
    (root / "examples" / "demo" / "prepare.py").write_text(PREPARE)
    (root / "examples" / "demo" / "score.py").write_text(SCORE)
    # Uploaded to s3://<bucket>/demo/input/ for every run (and every redrive): the cause to fix.
    (root / "examples" / "demo" / "data").mkdir()
    (root / "examples" / "demo" / "data" / "limit.txt").write_text("1")
    monkeypatch.chdir(root)
    monkeypatch.setenv("SAGEMAKER_SFN_PROJECT", str(root))
    assert main(["generate"]) == 0
    return root


def jobs(root: Path) -> list[str]:
    return sorted(p.name.split("-")[0] for p in (root / ".sfn-local" / "r1" / "jobs").iterdir())


def fix_the_data(root: Path) -> None:
    (root / "examples" / "demo" / "data" / "limit.txt").write_text("10")


def test_failed_run_redriven_to_success_after_the_fix(project: Path, capsys) -> None:
    assert main(["run", "demo", "--local", "--name", "r1"]) == 1
    first = json.loads((project / ".sfn-local" / "r1" / "history.json").read_text())
    assert first[-1]["type"] == "ExecutionFailed"
    assert jobs(project) == ["prepare", "score"]

    # Redriving before the fix fails again, in the same state.
    assert main(["run", "demo", "--local", "--redrive", "r1"]) == 1
    fix_the_data(project)
    capsys.readouterr()
    assert main(["run", "demo", "--local", "--redrive", "r1"]) == 0
    captured = capsys.readouterr()
    assert "> Prepare" not in captured.out and "> Score" in captured.out
    assert "changed since this execution started" not in captured.err   # no code changed

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
    assert any("total 6" in p.read_text() for p in score_logs)


def test_a_redrive_runs_the_code_the_execution_started_with_and_says_a_script_changed(project: Path,
                                                                                    capsys) -> None:
    assert main(["run", "demo", "--local", "--name", "r1"]) == 1
    run_json = json.loads((project / ".sfn-local" / "r1" / "run.json").read_text())
    pinned = run_json["definition"]["States"]["Score"]["Parameters"]["ProcessingInputs"][0]["S3Input"]["S3Uri"]
    assert re.fullmatch(r"s3://\$\{DataBucket\}/code/sha256-[0-9a-f]{16}/demo/score\.py", pinned)

    script = project / "examples" / "demo" / "score.py"
    script.write_text(SCORE.replace("print('total', total)", "print('edited total', total)"))
    fix_the_data(project)
    capsys.readouterr()
    assert main(["run", "demo", "--local", "--redrive", "r1"]) == 0
    err = capsys.readouterr().err
    assert ("warning: examples/demo/score.py changed since this execution started; a redrive runs the code the "
            "execution started with") in err
    assert "start a new execution" in err
    logs = [p.read_text() for p in (project / ".sfn-local" / "r1" / "jobs").glob("score-*/logs.txt")]
    assert any("total 6" in text for text in logs) and not any("edited" in text for text in logs)

    # A new execution runs the edit (a fresh definition, pinned to the new content).
    assert main(["run", "demo", "--local", "--name", "r2"]) == 0
    logs = [p.read_text() for p in (project / ".sfn-local" / "r2" / "jobs").glob("score-*/logs.txt")]
    assert any("edited total 6" in text for text in logs)
    second = json.loads((project / ".sfn-local" / "r2" / "run.json").read_text())
    assert second["definition"]["States"]["Score"]["Parameters"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] != pinned
    assert second["definition"]["States"]["Prepare"] == run_json["definition"]["States"]["Prepare"]


def test_refusals_are_clear(project: Path, capsys) -> None:
    assert main(["run", "demo", "--local", "--redrive", "nope"]) == 2
    assert "no local execution named 'nope'" in capsys.readouterr().err
    fix_the_data(project)
    assert main(["run", "demo", "--local", "--name", "ok"]) == 0
    capsys.readouterr()
    assert main(["run", "demo", "--local", "--redrive", "ok"]) == 2
    assert "Execution is SUCCEEDED and cannot be redriven." in capsys.readouterr().err
