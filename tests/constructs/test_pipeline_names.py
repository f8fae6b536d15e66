"""Issue 10 item 5: one naming rule for pipelines, applied by the pipeline format and the CDK app.

CloudFormation stack names match [A-Za-z][A-Za-z0-9-]* (AWS CloudFormation User Guide, "Stack name"
constraints); SageMaker job names [a-zA-Z0-9](-*[a-zA-Z0-9])*: a '_' in a pipeline name can be in
neither, so it is refused where the name is first read, with a message, never a synth traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sagemaker_sfn.errors import PipelineError, UsageError
from sagemaker_sfn.pipeline import load_pipeline
from stacks.pipeline_stack import pipeline_stack_name
from tests.constructs.conftest import REPO

SOURCE = (REPO / "pipelines" / "clarify-bias.yaml").read_text(encoding="utf-8")


def _renamed(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "pipelines" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SOURCE.replace("name: clarify-bias", f"name: {name}", 1), encoding="utf-8")
    return path


def test_pipeline_format_refuses_an_underscore_in_the_name(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"name.*expected 1-80 letters, digits or '-', starting with a letter "
                                            r"or digit .*CloudFormation stack.*found a string \('bias_check'\)"):
        load_pipeline(_renamed(tmp_path, "bias_check"))
    assert load_pipeline(_renamed(tmp_path, "bias-check")).name == "bias-check"


@pytest.mark.parametrize("name", ["bias_check", "-lead", "x" * 81, "a.b"])
def test_stack_names_follow_the_same_rule(name: str) -> None:
    with pytest.raises(UsageError, match=r"expected 1-80 letters, digits or '-'.*CloudFormation stack name"):
        pipeline_stack_name("SageMakerSfn", name)
    assert pipeline_stack_name("SageMakerSfn", "9-lives") == "SageMakerSfn-9-lives"


def test_cdk_app_reports_a_bad_pipeline_name_without_a_traceback(tmp_path: Path) -> None:
    # app.py as `cdk synth` runs it, in a copy of the project holding a pipeline named with '_'.
    shutil.copy(REPO / "app.py", tmp_path / "app.py")
    _renamed(tmp_path, "bias_check")
    env = {**os.environ, "PYTHONPATH": str(REPO), "CDK_OUTDIR": str(tmp_path / "cdk.out")}
    result = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("sagemaker-sfn app: error: ")
    assert "bias_check" in result.stderr and "expected 1-80 letters, digits or '-'" in result.stderr
