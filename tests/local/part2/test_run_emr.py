"""`sagemaker-sfn run --local` with an EMR Spark step and no pyspark: refused before any job runs,
with what to do (install pyspark, or mock the state)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main
from sagemaker_sfn.tasks import emr


@pytest.mark.skipif(importlib.util.find_spec("pyspark") is not None, reason="pyspark is installed: the step would run")
def test_spark_step_without_pyspark_is_reported_before_the_run(project: Path, monkeypatch, capsys) -> None:
    step = emr.spark_step_config(name="Featurize", script="s3://${DataBucket}/code/scripts/train.py")
    definition = {"StartAt": "Featurize", "States": {"Featurize": emr.add_step(cluster_id="j-1", step=step, end=True)}}
    (project / "asl_templates").mkdir()
    (project / "asl_templates" / "demo.asl.json").write_text(json.dumps(definition))
    monkeypatch.chdir(project)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    code = main(["run", "demo", "--local", "--name", "emr-1"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "not starting: 1 problem found before any job ran" in err
    assert ("state 'Featurize': the EMR step runs spark-submit, which needs a local Spark to run: `pip install "
            "pyspark` (Java is needed too), or run with --mock-config FILE --test-case NAME to mock this state") in err
    assert not (project / ".sfn-local" / "emr-1" / "history.json").exists()
