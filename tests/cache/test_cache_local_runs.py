"""Real local runs of the shipped train-evaluate pipeline (a copy of the project): the second run
reuses preprocessing, training and evaluation; a change re-runs exactly the steps that depend on it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "project"
    for folder in ("pipelines", "asl_templates", "examples", "lambdas"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("SAGEMAKER_SFN_PROJECT", str(root))
    return root


def run(name: str, capsys, *extra: str) -> dict[str, str]:
    # --approve: the pipeline's approval gate would otherwise wait for `approve --local`.
    code = main(["run", "train-evaluate", "--local", "--approve", "--name", name, *extra])
    out = capsys.readouterr().out
    assert code == 0, out
    verdicts = dict(re.findall(r"^  cache: (\w+): (.*)$", out, flags=re.M))
    assert set(verdicts) == {"Preprocess", "Train", "Evaluate"}, out
    return verdicts


def jobs_of(project: Path, name: str) -> set[str]:
    folder = project / ".sfn-local" / name / "jobs"
    return {p.name.split("-")[0] for p in folder.iterdir()} if folder.is_dir() else set()


def code_uris(project: Path, name: str) -> dict[str, str]:
    """Each processing step's code input as the run's definition names it (run.json)."""
    definition = json.loads((project / ".sfn-local" / name / "run.json").read_text())["definition"]
    return {step: definition["States"][step]["Parameters"]["ProcessingInputs"][0]["S3Input"]["S3Uri"]
            for step in ("Preprocess", "Evaluate")}


def test_second_run_reuses_the_three_jobs_and_changes_rerun_their_dependents(project: Path, capsys) -> None:
    first = run("cold", capsys)
    assert all(v.startswith("cache miss: no earlier result") for v in first.values()), first
    second = run("warm", capsys)
    assert all(v.startswith("cache hit (from execution cold, ") for v in second.values()), second
    assert jobs_of(project, "warm") == {"train"}   # only the (uncached) batch transform ran: its job folder
    output = json.loads((project / ".sfn-local" / "warm" / "output.json").read_text())
    assert output["status"] == "SUCCEEDED"

    # A hyperparameter: training and evaluation (which reads the new model) run again.
    pipeline = project / "pipelines" / "train-evaluate.yaml"
    pipeline.write_text(pipeline.read_text().replace('max_depth: "5"', 'max_depth: "4"'))
    assert main(["generate"]) == 0
    capsys.readouterr()
    changed = run("hyper", capsys)
    assert changed["Preprocess"].startswith("cache hit")
    assert changed["Train"] == "cache miss: HyperParameters.max_depth changed"
    assert changed["Evaluate"].startswith("cache miss: ProcessingInputs[1] changed")

    # The evaluation script: only evaluation. The run's definition names the code content-addressed
    # (code/sha256-<hash>/...): Evaluate's URI changed, Preprocess's did not.
    script = project / "examples" / "train-evaluate" / "evaluate.py"
    script.write_text(script.read_text() + "\n# reviewed\n")
    changed = run("script", capsys)
    assert [k for k, v in changed.items() if v.startswith("cache miss")] == ["Evaluate"]
    assert re.search(r"the code under ProcessingInputs\[0\]\.S3Input\.S3Uri changed: train-evaluate/evaluate\.py "
                     r"\(now code/sha256-[0-9a-f]{16}/\)", changed["Evaluate"]), changed["Evaluate"]
    before, after = (code_uris(project, name) for name in ("hyper", "script"))
    assert before["Preprocess"] == after["Preprocess"] and before["Evaluate"] != after["Evaluate"]
    assert all(re.match(r"s3://\$\{DataBucket\}/code/sha256-[0-9a-f]{16}/train-evaluate/", uri)
               for uri in [*before.values(), *after.values()])

    # The input data: everything.
    data = project / "examples" / "train-evaluate" / "data" / "data.csv"
    lines = data.read_text().splitlines()
    data.write_text("\n".join(lines[:-1]) + "\n")
    changed = run("data", capsys)
    assert all(v.startswith("cache miss") for v in changed.values()), changed
    assert "content under ProcessingInputs[1].S3Input.S3Uri changed" in changed["Preprocess"]

    # --no-cache runs every job, and what it stores is reused next time.
    forced = run("forced", capsys, "--no-cache")
    assert all(v.startswith("cache miss: --no-cache") for v in forced.values())
    after = run("after", capsys)
    assert all(v.startswith("cache hit (from execution forced") for v in after.values()), after
