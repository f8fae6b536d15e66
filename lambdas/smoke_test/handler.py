"""Smoke-test a deployed endpoint: send one request, expect numeric predictions back.

Event ``{"EndpointName": str, "Body": str, "ContentType": str = "text/csv", "Accept": str = "text/csv"}``.
Returns ``{"EndpointName", "Predictions": [float, ...]}``; raises :class:`SmokeTestFailed` (the state's
error is then ``SmokeTestFailed``) when the endpoint answers with something that is not one number
per line (CSV) or per JSON ``predictions`` entry. Errors of the call itself (the endpoint is not
InService, the model raised: ``ModelError``) surface as the SDK raised them.

Standard library plus boto3 (provided by the Lambda Python runtime).
"""

from __future__ import annotations

import json
import math
from typing import Any

_client: Any = None


class SmokeTestFailed(Exception):
    """The endpoint answered, but not with predictions."""


def _runtime() -> Any:
    # Created lazily and reused across warm invocations; lazily so tests can patch AWS first.
    global _client
    if _client is None:
        import boto3

        _client = boto3.client("sagemaker-runtime")
    return _client


def predictions(body: str, accept: str) -> list[float]:
    """The numbers in a response: CSV (one or more per line) or JSON ``{"predictions": [{"score": x}]}``."""
    if "json" in accept:
        data = json.loads(body)
        items = data.get("predictions", []) if isinstance(data, dict) else data
        values = [item.get("score") if isinstance(item, dict) else item for item in items]
    else:
        values = [v for line in body.splitlines() if line.strip() for v in line.split(",")]
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):
        raise SmokeTestFailed(f"the endpoint answered {body[:200]!r}, which holds no predictions") from None
    if not numbers or not all(math.isfinite(n) for n in numbers):
        raise SmokeTestFailed(f"the endpoint answered {body[:200]!r}: expected finite numbers")
    return numbers


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    endpoint, body = event.get("EndpointName"), event.get("Body")
    if not isinstance(endpoint, str) or not isinstance(body, str):
        raise ValueError(f"expected {{EndpointName, Body}} (strings), got keys {sorted(event)}")
    accept = event.get("Accept", "text/csv")
    response = _runtime().invoke_endpoint(EndpointName=endpoint, Body=body.encode(),
                                          ContentType=event.get("ContentType", "text/csv"), Accept=accept)
    answer = response["Body"].read().decode("utf-8")
    return {"EndpointName": endpoint, "Predictions": predictions(answer, accept)}
