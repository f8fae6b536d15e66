"""Which local code an image URI runs.

SageMaker runs containers; locally we run Python. An image URI is recognised by its ECR repository
name, whatever the account, region or tag:

- ``sagemaker-xgboost``              -> the built-in XGBoost algorithm (``xgboost_trainer.py``);
- ``xgboost`` (``:1``, ``:latest``)  -> the same trainer with the deprecated 0.72 algorithm's defaults
  (``objective`` ``reg:linear``; hyperparameters it does not know are ignored, not refused). AWS:
  "the image URI ending with :1 is for the old version" (docs.aws.amazon.com/sagemaker/latest/dg/
  xgboost-72.html); AWS's Step Functions sample projects use ``<account>.dkr.ecr.<region>.amazonaws.com/xgboost:latest``;
- ``sagemaker-scikit-learn``, ``pytorch-training``, ``tensorflow-training``, ``sagemaker-pytorch`` ...
  (framework images)                 -> script mode: the step's ``sagemaker_program`` /
  ``sagemaker_submit_directory`` hyperparameters (training) or ContainerEntrypoint (processing);
- ``sagemaker-clarify-processing``   -> the Clarify analysis (the partner's processing module);
- ``sagemaker-distribution-prod``    -> notebook jobs (entry point ``amazon_sagemaker_scheduler``):
  the notebook run with papermill (``notebook.py``);
- anything else                      -> the ``images:`` section of a bindings file (paths relative to
  that file) or the project's image map, ``.sagemaker-sfn-images.json`` at the project root:
  ``{"<image URI or repository name>": "examples/path/to/train.py"}``; the script runs in script mode
  for that image.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from sagemaker_sfn.errors import UsageError
from sagemaker_sfn.suggest import closest

IMAGE_MAP_FILE = ".sagemaker-sfn-images.json"

BUILTIN_REPOSITORIES: dict[str, str] = {
    "sagemaker-xgboost": "xgboost",
    "xgboost": "xgboost",           # the deprecated 0.72 algorithm (LEGACY_XGBOOST)
    "sagemaker-scikit-learn": "framework",
    "sagemaker-pytorch": "framework",
    "pytorch-training": "framework",
    "pytorch-inference": "framework",
    "tensorflow-training": "framework",
    "tensorflow-inference": "framework",
    "sagemaker-tensorflow": "framework",
    "sagemaker-mxnet": "framework",
    "huggingface-pytorch-training": "framework",
    "sagemaker-clarify-processing": "clarify",
    "sagemaker-model-monitor-analyzer": "model-monitor",   # local/sagemaker/model_monitor.py (a stand-in)
    "sagemaker-distribution-prod": "notebook",   # notebook jobs: local/sagemaker/notebook.py (papermill)
}

LEGACY_XGBOOST = "xgboost"

_ECR = re.compile(r"^(?:[^/]+\.amazonaws\.com(?:\.cn)?/)?(?P<repo>[^:@]+)(?:[:@].*)?$")


def repository_of(image_uri: str) -> str:
    """``683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1`` -> ``sagemaker-xgboost``."""
    match = _ECR.match(image_uri.strip())
    return match["repo"] if match else image_uri


@dataclass(frozen=True)
class ImageCode:
    """What an image runs locally. ``kind``: "xgboost" | "framework" | "clarify" | "script".
    ``program``: for "script", the file from the image map (absolute)."""

    kind: str
    repository: str
    program: Path | None = None

    @property
    def legacy(self) -> bool:
        """The deprecated XGBoost 0.72 image (repository ``xgboost``): its defaults, not 1.x's."""
        return self.kind == "xgboost" and self.repository == LEGACY_XGBOOST


class ImageResolver:
    """``image_map``: image URI or repository name -> script path relative to ``project_root``
    (default: none; :meth:`from_project` reads ``.sagemaker-sfn-images.json``)."""

    def __init__(self, *, project_root: Path, image_map: dict[str, str] | None = None) -> None:
        self.project_root = project_root
        self.image_map = dict(image_map or {})

    @classmethod
    def from_project(cls, project_root: Path, *, bindings_images: dict[str, str] | None = None) -> ImageResolver:
        """The project's image map, with ``bindings_images`` (absolute paths, default none) over it."""
        resolver = cls._from_map_file(project_root)
        resolver.image_map.update(bindings_images or {})
        return resolver

    @classmethod
    def _from_map_file(cls, project_root: Path) -> ImageResolver:
        path = project_root / IMAGE_MAP_FILE
        if not path.is_file():
            return cls(project_root=project_root)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path}: cannot read the local image map: {exc}") from exc
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise UsageError(f"{path}: expected {{\"<image URI or repository>\": \"examples/<script>.py\"}}")
        return cls(project_root=project_root, image_map=data)

    def resolve(self, image_uri: str) -> ImageCode | None:
        """The local code for ``image_uri``, or None for an image nothing here knows."""
        repo = repository_of(image_uri)
        for key in (image_uri, repo):
            if key in self.image_map:
                return ImageCode(kind="script", repository=repo, program=self.project_root / self.image_map[key])
        if repo in BUILTIN_REPOSITORIES:
            return ImageCode(kind=BUILTIN_REPOSITORIES[repo], repository=repo)
        return None

    def explain_unknown(self, image_uri: str, *, hint: bool = True) -> str:
        """A message for an image nothing maps, with the nearest known repository when it looks like a
        typo; ``hint`` (default True) ends it with where to map it."""
        repo = repository_of(image_uri)
        known = sorted(BUILTIN_REPOSITORIES) + sorted(self.image_map)
        close = closest(repo, known, cutoff=0.75)
        if close:
            return (f"image '{image_uri}': no local equivalent for repository '{repo}' — did you mean '{close}'?")
        return (f"image '{image_uri}': no local equivalent for repository '{repo}' (known: "
                f"{', '.join(sorted(BUILTIN_REPOSITORIES))})"
                + ("; map it to a script under images: in a bindings file" if hint else ""))

    def looks_like_typo(self, image_uri: str) -> bool:
        repo = repository_of(image_uri)
        return closest(repo, sorted(BUILTIN_REPOSITORIES) + sorted(self.image_map), cutoff=0.75) is not None
