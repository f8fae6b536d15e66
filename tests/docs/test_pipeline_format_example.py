"""docs/pipeline-format.md's complete example is runnable: its files, written to a new project,
generate and run locally end to end (processing -> script-mode training -> model -> batch transform)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "pipeline-format.md"
BLOCK = re.compile(r"```(?:yaml|python)\n# file: (?P<path>\S+)\n(?P<body>.*?)```", re.S)


def doc_files() -> dict[str, str]:
    return {m["path"]: m["body"] for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))}


def test_the_example_has_a_file_for_each_job_type() -> None:
    assert sorted(doc_files()) == ["examples/my-model/inference.py", "examples/my-model/prepare.py",
                                   "examples/my-model/train.py", "pipelines/my-model.yaml"]


def test_the_example_generates_and_runs_locally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    for relative, body in doc_files().items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(body, encoding="utf-8")
    rng = random.Random(1)
    rows = []
    for _ in range(200):
        a, b = rng.random(), rng.random()
        rows.append(f"{2 * a - b + rng.gauss(0, 0.01):.4f},{a:.4f},{b:.4f}")
    (tmp_path / "examples/my-model/data").mkdir()
    (tmp_path / "examples/my-model/data/data.csv").write_text("\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAGEMAKER_SFN_PROJECT", str(tmp_path))
    assert main(["generate"]) == 0
    assert main(["run", "my-model", "--local", "--name", "doc"]) == 0, capsys.readouterr()
    [out] = (tmp_path / ".sfn-local/doc/s3/sagemaker-sfn-local/my-model/doc/predictions").glob("*.out")
    predictions = [float(v) for v in out.read_text().split()]
    assert len(predictions) == 40 and all(-1.5 < v < 2.5 for v in predictions)
    log = next((tmp_path / ".sfn-local/doc/jobs").glob("train-*/logs.txt")).read_text()
    mse = float(re.search(r"train_mse=([0-9.e+-]+)", log)[1])
    assert mse < 0.01
