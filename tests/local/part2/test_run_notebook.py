"""`notebook` steps run for real by `run --local`: papermill executes the notebook with the job's
parameters injected after the cell tagged `parameters`, the executed notebook lands in the job's
output.tar.gz in local S3 (the run's s3/ folder), a failing cell fails the job with papermill's error,
and without the notebook packages (simulated: not importable, pip offline) the step is reported
before the run."""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main
from sagemaker_sfn.local.sagemaker import notebook
from sagemaker_sfn.pipeline import load_pipeline


def _cell(kind: str, source: str, tags: list[str] | None = None) -> dict:
    cell = {"cell_type": kind, "metadata": {"tags": tags} if tags else {}, "source": source}
    if kind == "code":
        cell.update({"execution_count": None, "outputs": []})
    return cell


NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "cells": [
        _cell("markdown", "# Explore"),
        _cell("code", "rows = '10'\nlabel = 'default'\nfail = 'no'", tags=["parameters"]),
        _cell("code", "import json, os\n"
                      "if fail == 'yes':\n    raise RuntimeError('asked to fail')\n"
                      "total = sum(range(int(rows)))\n"
                      "print(json.dumps({'label': label, 'total': total, 'region': os.environ['AWS_DEFAULT_REGION'],"
                      " 'local_file': open('lookup.txt').read().strip()}))"),
    ],
}


@pytest.fixture
def nb_project(project: Path, monkeypatch) -> Path:
    folder = project / "examples" / "nb"
    folder.mkdir(parents=True)
    (folder / "explore.ipynb").write_text(json.dumps(NOTEBOOK))
    (folder / "lookup.txt").write_text("from the notebook's folder\n")
    (project / "pipelines").mkdir(exist_ok=True)
    (project / "pipelines" / "nb.yaml").write_text(
        "name: nb\ninput: {rows: 5}\nsteps:\n"
        "  - name: Explore data\n    type: notebook\n    notebook: nb/explore.ipynb\n"
        "    parameters: {rows: $.rows, label: weekly}\n"
        "  - name: Use\n    type: pass\n    parameters:\n"
        "      archive.$: $.Explore_data.OutputNotebookArchive\n"
        "      name.$: $.Explore_data.OutputNotebookName\n    result_path: $.Used\n", encoding="utf-8")
    (project / "asl_templates").mkdir(exist_ok=True)
    definition = load_pipeline(project / "pipelines" / "nb.yaml").definition
    (project / "asl_templates" / "nb.asl.json").write_text(json.dumps(definition))
    monkeypatch.chdir(project)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return project


def _executed(nb_project: Path, execution: str) -> dict:
    stored = nb_project / ".sfn-local" / execution / "s3" / "sagemaker-sfn-local" / "nb" / execution / "Explore-data"
    [archive] = stored.glob("*/output/output.tar.gz")
    with tarfile.open(archive) as tar:
        [member] = [m for m in tar.getmembers() if m.isfile()]
        assert Path(member.name).name == "Explore-data.ipynb"
        return json.load(tar.extractfile(member))


def test_the_notebook_runs_with_its_parameters_and_the_executed_notebook_is_an_output(nb_project: Path, capsys) -> None:
    code = main(["run", "nb", "--local", "--name", "nb-1", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0, summary
    result = summary["output"]["Explore_data"]
    assert result["ComputingJobStatus"] == "Completed"
    assert result["InputNotebookName"] == "explore.ipynb" and result["OutputNotebookName"] == "Explore-data.ipynb"
    # The notebook's folder, pinned to its content-addressed copy (sagemaker_sfn.code_pin).
    assert re.fullmatch(r"s3://sagemaker-sfn-local/code/sha256-[0-9a-f]{16}/nb/", result["NotebookJobInputLocation"])
    assert result["NotebookJobOutputLocationPrefix"] == "s3://sagemaker-sfn-local/nb/nb-1/Explore-data"
    assert summary["output"]["Used"]["archive"] == (
        f"s3://sagemaker-sfn-local/nb/nb-1/Explore-data/{result['ComputingJobName']}/output/output.tar.gz")
    executed = _executed(nb_project, "nb-1")
    # papermill's injected cell follows the `parameters` cell, with the HyperParameters (strings).
    injected = executed["cells"][2]
    assert "injected-parameters" in injected["metadata"]["tags"]
    assert "rows = \"5\"" in "".join(injected["source"]) and "label = \"weekly\"" in "".join(injected["source"])
    [output] = executed["cells"][3]["outputs"]
    assert json.loads("".join(output["text"])) == {"label": "weekly", "total": 10, "region": "us-east-1",
                                                   "local_file": "from the notebook's folder"}


def test_a_failing_cell_fails_the_job_with_papermills_error(nb_project: Path, capsys) -> None:
    definition = load_pipeline(nb_project / "pipelines" / "nb.yaml").definition
    state = definition["States"]["Explore data"]
    state["Parameters"]["HyperParameters"]["fail"] = "yes"
    (nb_project / "asl_templates" / "nb.asl.json").write_text(json.dumps(definition))
    code = main(["run", "nb", "--local", "--name", "nb-2", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1 and summary["error"] == "nb.StepFailed"
    [describe] = (nb_project / ".sfn-local" / "nb-2" / "jobs").glob("explore-data-*/describe.json")
    job = json.loads(describe.read_text())
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"] == "AlgorithmError: cell 3 raised RuntimeError: asked to fail"


def test_without_the_notebook_packages_the_step_is_reported_before_the_run(nb_project: Path, capsys, monkeypatch,
                                                                          tmp_path: Path) -> None:
    # Simulated absence: this Python lacks them, and pip finds no package (no index, no local wheels).
    monkeypatch.setattr(notebook, "_importable", lambda: False)
    monkeypatch.setenv("SAGEMAKER_SFN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    code = main(["run", "nb", "--local", "--name", "nb-3", "--json"])
    captured = capsys.readouterr()
    assert code != 0
    assert ("state 'Explore data': the notebook job needs papermill, nbclient and ipykernel to run locally"
            in captured.out + captured.err)
    assert "`pip install papermill nbclient ipykernel`, or run with --mock-config" in captured.out + captured.err
    assert not (nb_project / ".sfn-local" / "nb-3" / "jobs").exists()
