"""Notebook jobs locally (``notebook`` steps, :mod:`sagemaker_sfn.tasks.notebook`).

A training job whose ``ContainerEntrypoint`` is SageMaker's notebook-job scheduler
(``amazon_sagemaker_scheduler``) runs here as :mod:`.notebook_runner`: papermill executes the input
notebook from the ``sagemaker_headless_execution_pipelinestep`` channel with the job's
HyperParameters injected after the cell tagged ``parameters`` (papermill's convention, which the
scheduler follows), in the kernel ``SM_KERNEL_NAME``, and writes the executed notebook as
``SM_OUTPUT_NOTEBOOK_NAME`` into the job's output data, which becomes ``output/output.tar.gz`` under
the job's ``OutputDataConfig`` in local S3, as on SageMaker.

papermill, nbclient and ipykernel are not dependencies of the runner: when this Python lacks them
they are pip-installed once into ``$SAGEMAKER_SFN_CACHE/requirements/notebook-<key>/`` (the cache of
:mod:`.requirements`) and put on the job's PYTHONPATH. When they are missing and cannot be installed
(no network), :func:`notebook_problems` reports each notebook step before the run.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from sagemaker_sfn.local.integrations.base import task_states
from sagemaker_sfn.local.sagemaker.requirements import cache_root, requirements_key

ENTRY_POINT = "amazon_sagemaker_scheduler"
PACKAGES = ("papermill>=2.5", "nbclient>=0.10", "ipykernel>=6")
MODULES = ("papermill", "nbclient", "ipykernel")
RUNNER = Path(__file__).with_name("notebook_runner.py")
_DONE = ".installed"
_LOCK = threading.Lock()
_NEEDS = ("needs papermill, nbclient and ipykernel to run locally, which are not installed and could not be "
          "installed ({reason}): `pip install papermill nbclient ipykernel`, or run with --mock-config FILE "
          "--test-case NAME to mock this state")


class NotebookPackagesMissing(Exception):
    """The notebook packages are missing and pip could not install them; the message says why."""


def is_notebook_job(request: Any) -> bool:
    """A CreateTrainingJob request for SageMaker's notebook-job scheduler."""
    spec = request.get("AlgorithmSpecification") if isinstance(request, dict) else None
    return isinstance(spec, dict) and spec.get("ContainerEntrypoint") == [ENTRY_POINT]


def _importable() -> bool:
    return all(importlib.util.find_spec(module) is not None for module in MODULES)


def notebook_site(*, python: str = sys.executable, log: Path | None = None) -> Path | None:
    """Where the notebook packages are: None when this Python has them, else the cache folder they
    are installed into on first use. NotebookPackagesMissing when pip cannot install them."""
    if _importable():
        return None
    target = cache_root() / f"notebook-{requirements_key(chr(10).join(PACKAGES))}"
    with _LOCK:
        if (target / _DONE).is_file():
            return target
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        command = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                   "--no-warn-script-location", "--target", str(partial), *PACKAGES]
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        if log is not None:
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"# {' '.join(command)}\n{result.stdout}")
        if result.returncode != 0:
            shutil.rmtree(partial, ignore_errors=True)
            last = next((line for line in reversed(result.stdout.splitlines()) if line.strip()), "")
            raise NotebookPackagesMissing(f"pip install exited with {result.returncode}"
                                          + (f": {last.strip()}" if last else ""))
        (partial / _DONE).write_text("\n".join(PACKAGES), encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
        return target


def notebook_problems(definition: dict[str, Any]) -> list[str]:
    """One line per notebook-job state when the notebook packages are missing and cannot be installed
    (installing them here when they can be, so the run finds them)."""
    names = [name for name, state in task_states(definition.get("States")) if _runs_notebook(state)]
    if not names:
        return []
    try:
        notebook_site()
    except NotebookPackagesMissing as exc:
        return [f"state '{name}': the notebook job {_NEEDS.format(reason=exc)}" for name in names]
    return []


def _runs_notebook(state: dict[str, Any]) -> bool:
    resource = state.get("Resource")
    if not (isinstance(resource, str) and ":sagemaker:createTrainingJob" in resource):
        return False
    return is_notebook_job(state.get("Parameters", state.get("Arguments")))



__all__ = ["ENTRY_POINT", "NotebookPackagesMissing", "is_notebook_job", "notebook_problems", "notebook_site"]
