"""Step caching: a transform of the ASL (:func:`apply_cache`) that reuses a SageMaker job's result
when its request, code and input data are unchanged, and the tools around it (local table, listing
and clearing entries, telling why a step ran)."""

from sagemaker_sfn.cache.config import CacheConfig, duration_seconds
from sagemaker_sfn.cache.transform import CacheError, apply_cache, cached_steps

__all__ = ["CacheConfig", "CacheError", "apply_cache", "cached_steps", "duration_seconds"]
