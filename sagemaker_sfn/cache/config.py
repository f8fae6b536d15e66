"""What ``cache:`` on a step says: how long an entry may be reused (SageMaker Pipelines' ``ExpireAfter``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# ISO-8601 durations as SageMaker Pipelines' CacheConfig.ExpireAfter takes them (P30D, PT12H, P1W,
# P1Y2M10DT2H30M). Calendar units have no fixed length; like SageMaker we count a month as 30 days
# and a year as 365 days.
_DURATION = re.compile(r"^P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
                       r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$")
_SECONDS = {"Y": 365 * 86400, "M": 30 * 86400, "W": 7 * 86400, "D": 86400, "h": 3600, "m": 60, "s": 1}


def duration_seconds(text: str) -> int:
    """``P30D`` -> 2592000. ValueError (saying what is expected) for anything else or a zero duration."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"expected an ISO-8601 duration such as P30D, PT12H or P1DT6H, found {text!r}")
    seconds = sum(int(value) * _SECONDS[unit] for unit, value in match.groupdict().items() if value)
    if seconds <= 0:
        raise ValueError(f"the duration {text!r} is zero: an entry could never be reused")
    return seconds


@dataclass(frozen=True)
class CacheConfig:
    """``expire_after``: an ISO-8601 duration; an entry older than that is not reused (default P30D)."""

    expire_after: str = "P30D"

    def __post_init__(self) -> None:
        duration_seconds(self.expire_after)   # refuse a bad duration when the config is made

    @property
    def seconds(self) -> int:
        return duration_seconds(self.expire_after)

    @classmethod
    def parse(cls, value: Any) -> CacheConfig:
        """A pipeline file's ``cache:`` value: ``true`` (defaults) or ``{expire_after: P30D}``."""
        if value is True:
            return cls()
        if not isinstance(value, dict):
            raise ValueError(f"expected true or a mapping such as {{expire_after: P30D}}, found {value!r}")
        unknown = sorted(set(value) - {"expire_after"})
        if unknown:
            raise ValueError(f"unknown cache option {unknown[0]!r}; allowed: expire_after")
        return cls(expire_after=value.get("expire_after", "P30D"))
