"""The app's settings, read from CDK context (cdk.json or ``cdk deploy -c key=value``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from constructs import Node

from sagemaker_sfn.constructs.names import DEFAULT_PREFIX
from sagemaker_sfn.errors import UsageError

PIPELINES_DIR = "pipelines"


@dataclass(frozen=True)
class AppConfig:
    """``pipelines`` (default: every pipelines/*.yaml), ``retraining_schedule`` (default None),
    ``notification_email`` (default None), ``resource_prefix`` (default ``sagemaker-sfn``),
    ``stack_prefix`` (default ``SageMakerSfn``), ``existing_model_package_groups`` (default none:
    context ``existingModelPackageGroups``, "all" or names, for groups a destroyed deployment kept)."""

    pipelines: tuple[Path, ...]
    retraining_schedule: str | None = None
    notification_email: str | None = None
    resource_prefix: str = DEFAULT_PREFIX
    stack_prefix: str = "SageMakerSfn"
    existing_model_package_groups: tuple[str, ...] = ()


def _text(node: Node, key: str) -> str | None:
    value = node.try_get_context(key)
    if value in (None, "", "none", "None", False):
        return None
    if not isinstance(value, str):
        raise UsageError(f"context '{key}' must be a string, got {value!r}")
    return value.strip()


def _names(value: Any) -> list[str] | None:
    """``"all"``, a list, a JSON list, or a comma-separated string (as ``-c pipelines=a,b`` gives)."""
    if value in (None, "", "all", ["all"]):
        return None
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else [v.strip() for v in text.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"context 'pipelines' must be \"all\" or a list of pipeline names, got {value!r}")
    return value


def read_config(node: Node, *, root: Path) -> AppConfig:
    """Settings from ``node``'s context; pipeline files looked up under ``root/pipelines``."""
    available = {p.name.rsplit(".", 1)[0]: p for p in sorted((root / PIPELINES_DIR).glob("*.y*ml"))}
    chosen = _names(node.try_get_context("pipelines"))
    if chosen is None:
        paths = tuple(available.values())
    else:
        unknown = [name for name in chosen if name not in available]
        if unknown:
            raise UsageError(f"context 'pipelines' names unknown pipeline(s) {', '.join(unknown)}; "
                             f"available under {root / PIPELINES_DIR}: {', '.join(available) or 'none'}")
        paths = tuple(available[name] for name in chosen)
    return AppConfig(
        pipelines=paths,
        retraining_schedule=_text(node, "retrainingSchedule"),
        notification_email=_text(node, "notificationEmail"),
        resource_prefix=_text(node, "resourcePrefix") or DEFAULT_PREFIX,
        stack_prefix=_stack_prefix(_text(node, "stackPrefix") or "SageMakerSfn"),
        existing_model_package_groups=_existing_groups(node.try_get_context("existingModelPackageGroups")),
    )


def _existing_groups(value: Any) -> tuple[str, ...]:
    """``existingModelPackageGroups``: "all" (-> ``("*",)``), a list, or comma-separated names."""
    if value in (None, "", "none", [], False):
        return ()
    if value in ("all", "*", ["all"]):
        return ("*",)
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else [v.strip() for v in text.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"context 'existingModelPackageGroups' must be \"all\" or a list of group names, got {value!r}")
    return tuple(value)


def _stack_prefix(value: str) -> str:
    # CloudFormation stack names: a letter, then letters, digits and hyphens (the pipeline name follows).
    if not re.match(r"^[A-Za-z][A-Za-z0-9-]{0,39}$", value):
        raise UsageError(f"context 'stackPrefix' {value!r}: expected 1-40 letters, digits or '-', starting with "
                         "a letter (CloudFormation stack names allow nothing else)")
    return value
