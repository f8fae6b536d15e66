"""Shared by the report tests: a real local run of the shipped tune-xgboost pipeline, and Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT_PARTS = ("asl_templates", "pipelines", "lambdas", "examples")


@pytest.fixture(scope="session")
def tune_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of this project, where `sagemaker-sfn run tune-xgboost --local --name tune-1` ran for real;
    yields the run directory."""
    from sagemaker_sfn.cli import main

    project = tmp_path_factory.mktemp("project")
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    before = Path.cwd()
    saved = os.environ.pop("SAGEMAKER_SFN_PROJECT", None)
    os.chdir(project)
    try:
        assert main(["run", "tune-xgboost", "--local", "--name", "tune-1"]) == 0
        yield project / ".sfn-local" / "tune-1"
    finally:
        os.chdir(before)
        if saved is not None:
            os.environ["SAGEMAKER_SFN_PROJECT"] = saved


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium; installed with apt-get where missing (root), else the test is skipped, saying why."""
    found = _chromium()
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("chromium is not installed and cannot be installed here (needs apt-get as root): "
                    "`apt-get install chromium` to run the browser tests")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"chromium could not be installed ({' '.join(command)}: {done.stderr.strip()[-300:]})")
    found = _chromium()
    if not found:
        pytest.skip("apt-get installed chromium but no chromium command is on PATH")
    return found
