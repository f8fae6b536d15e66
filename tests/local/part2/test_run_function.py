"""`function` steps run for real by `run --local`: the runner in a script-mode training job, the
arguments and the return value through local S3, a raised exception as the job's failure reason,
and a script (not a function) returning through SAGEMAKER_SFN_RETURN_FILE."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main
from sagemaker_sfn.pipeline import load_pipeline

ROOT = Path(__file__).resolve().parents[3]

CODE = """\
import json, os
def scale(values, factor=2):
    if factor == 0:
        raise ValueError("factor must not be 0")
    return {"scaled": [v * factor for v in values], "n": len(values)}
"""
SCRIPT = """\
import argparse, json, os
p = argparse.ArgumentParser(); p.add_argument("--word"); p.add_argument("--times", type=int)
a = p.parse_args()
json.dump({"text": " ".join([a.word] * a.times)}, open(os.environ["SAGEMAKER_SFN_RETURN_FILE"], "w"))
"""


@pytest.fixture
def fn_project(project: Path, monkeypatch) -> Path:
    shutil.copytree(ROOT / "examples" / "_sagemaker_sfn", project / "examples" / "_sagemaker_sfn")
    (project / "examples" / "fn").mkdir()
    (project / "examples" / "fn" / "maths.py").write_text(CODE)
    (project / "examples" / "fn" / "say.py").write_text(SCRIPT)
    (project / "pipelines").mkdir(exist_ok=True)
    (project / "pipelines" / "fn.yaml").write_text(
        "name: fn\ninput: {factor: 3}\nsteps:\n"
        "  - name: Scale\n    type: function\n    function: fn/maths.py:scale\n"
        "    args: {values: [1, 2, 5], factor: $.factor}\n"
        "  - name: Say\n    type: function\n    function: fn/say.py\n    args: {word: $.Scale.Return.document.value.n, times: 2}\n"
        "  - name: Use\n    type: pass\n    parameters:\n"
        "      first.$: $.Scale.Return.document.value.scaled[0]\n      said.$: $.Say.Return.document.value.text\n"
        "    result_path: $.Used\n", encoding="utf-8")
    (project / "asl_templates").mkdir(exist_ok=True)
    definition = load_pipeline(project / "pipelines" / "fn.yaml").definition
    (project / "asl_templates" / "fn.asl.json").write_text(json.dumps(definition))
    monkeypatch.chdir(project)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return project


def test_function_and_script_steps_pass_values_through_s3(fn_project: Path, capsys) -> None:
    code = main(["run", "fn", "--local", "--name", "fn-1", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0, summary
    assert summary["output"]["Used"] == {"first": 3, "said": "3 3"}
    assert summary["output"]["Scale"]["Return"]["document"] == {"format": "sagemaker-sfn/function/v1",
                                                                "value": {"scaled": [3, 6, 15], "n": 3}}
    stored = fn_project / ".sfn-local" / "fn-1" / "s3" / "sagemaker-sfn-local"
    arguments = json.loads((stored / "tmp" / "fn" / "fn-1" / "Scale" / "arguments.json").read_text())
    assert arguments == {"format": "sagemaker-sfn/function/v1", "function": "maths.py:scale",
                         "args": {"values": [1, 2, 5], "factor": 3}, "requirements": None}
    assert json.loads((stored / "fn" / "fn-1" / "Say" / "return.json").read_text())["value"] == {"text": "3 3"}


def test_an_exception_fails_the_job_with_its_type_and_message(fn_project: Path, capsys) -> None:
    code = main(["run", "fn", "--local", "--name", "fn-2", "--json", "--input", '{"factor": 0}'])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1 and summary["error"] == "fn.StepFailed"
    [describe] = (fn_project / ".sfn-local" / "fn-2" / "jobs").glob("scale-*/describe.json")
    job = json.loads(describe.read_text())
    assert job["TrainingJobStatus"] == "Failed"
    assert "ValueError: factor must not be 0" in job["FailureReason"]
