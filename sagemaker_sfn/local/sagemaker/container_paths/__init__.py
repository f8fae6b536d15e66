"""SageMaker's container paths (``/opt/ml/...``) for job code that hard-codes them, without Docker.

A job's Python gets :mod:`.sitecustomize` (this folder on PYTHONPATH) and a prefix map in
``SAGEMAKER_SFN_PATH_MAP``; its file-system calls naming ``/opt/ml/...`` then reach the job's local
tree. Why not a mount namespace (``unshare --user --map-root-user --mount`` with bind mounts): it needs
unprivileged user namespaces, which Docker's default seccomp profile, many CI runners and macOS do
not allow; this works wherever Python runs. Its limits are in docs/local-runner.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATH_MAP_ENV = "SAGEMAKER_SFN_PATH_MAP"


def path_map_env(mapping: dict[str, Path], *, env: dict[str, str]) -> dict[str, str]:
    """The variables that map each container prefix in ``mapping`` to its local directory for a job
    whose environment is ``env`` (its PYTHONPATH is kept, after ours)."""
    pythonpath = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH", "")) if p)
    return {PATH_MAP_ENV: json.dumps([[prefix, str(target)] for prefix, target in mapping.items()]),
            "PYTHONPATH": pythonpath}
