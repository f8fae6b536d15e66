"""The ``cache:`` option of SageMaker job steps in pipeline files (see :mod:`sagemaker_sfn.cache`)."""

from __future__ import annotations

from typing import Any

from sagemaker_sfn.cache import CacheConfig, CacheError, apply_cache
from sagemaker_sfn.pipeline.context import BuildContext
from sagemaker_sfn.pipeline.spec import StepSpec

JOB_TYPES = ("training", "processing", "transform", "tuning")


def take_cache(spec: StepSpec, ctx: BuildContext) -> None:
    """Read a step's ``cache:`` (``true`` or ``{expire_after: P30D}``) and remember it for the transform."""
    value = spec.take("cache", (dict, bool))
    if value is None or value is False:
        return
    if spec.raw.get("type") not in JOB_TYPES:
        raise spec.error(f"only SageMaker job steps ({', '.join(JOB_TYPES)}) can be cached: a finished job's "
                         "result is what the cache reuses", field="cache")
    try:
        ctx.cache[spec.name] = CacheConfig.parse(value)
    except ValueError as exc:
        raise spec.error(str(exc), field="cache") from exc


def cache_steps(definition: dict[str, Any], ctx: BuildContext) -> dict[str, Any]:
    """``definition`` with the cached steps' states added (unchanged when no step asked for it)."""
    if not ctx.cache:
        return definition
    try:
        return apply_cache(definition, ctx.cache)
    except CacheError as exc:
        raise ctx.error(str(exc), step=exc.state, field="cache") from exc
