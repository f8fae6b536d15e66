"""``requirements.txt`` beside a job's script, installed as SageMaker's framework containers do.

The training toolkit runs ``pip install -r requirements.txt`` in the code directory before the user's
script (sagemaker-training-toolkit, ``src/sagemaker_training/modules.py``, ``install``), and the
FrameworkProcessor's ``runproc.sh`` does the same for processing scripts. Locally the packages go into
a cache folder keyed by the file's content and this Python's version (``pip install --target``), which
the job gets on its PYTHONPATH: the second run of the same requirements installs nothing, and the
project's own virtualenv is never changed.

Cache: ``$SAGEMAKER_SFN_CACHE/requirements/<key>/`` (default ``~/.cache/sagemaker-sfn``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from sagemaker_sfn.local.sagemaker.context import JobFailed

REQUIREMENTS_FILE = "requirements.txt"
_DONE = ".installed"
_LOCK = threading.Lock()


def cache_root() -> Path:
    return Path(os.environ.get("SAGEMAKER_SFN_CACHE") or Path.home() / ".cache" / "sagemaker-sfn") / "requirements"


def requirements_key(text: str) -> str:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return hashlib.sha256(f"{version}\n{text}".encode()).hexdigest()[:20]


def install_requirements(code_dir: Path, *, python: str, log: Path) -> Path | None:
    """The folder holding ``code_dir/requirements.txt``'s packages (installed on first use), or None
    when there is no such file. JobFailed (``ClientError``, as the toolkit reports it) when pip fails;
    pip's output is appended to ``log``."""
    requirements = code_dir / REQUIREMENTS_FILE
    if not requirements.is_file():
        return None
    text = requirements.read_text(encoding="utf-8")
    target = cache_root() / requirements_key(text)
    with _LOCK:   # tuning runs jobs side by side: one installs, the others wait and reuse it
        if (target / _DONE).is_file():
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"# requirements.txt: cached in {target}\n")
            return target
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        command = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-warn-script-location",
                   "--target", str(partial), "-r", REQUIREMENTS_FILE]
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"# {' '.join(command)}\n")
            out.flush()
            result = subprocess.run(command, cwd=code_dir, stdout=out, stderr=subprocess.STDOUT, check=False)
        if result.returncode != 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise JobFailed(f"ClientError: InstallRequirementsError: pip install -r {REQUIREMENTS_FILE} failed "
                            f"(exit code {result.returncode}); see {log}")
        (partial / _DONE).write_text(text, encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
        return target
