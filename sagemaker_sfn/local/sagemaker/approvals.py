"""Local UpdateModelPackage: approval status and CustomerMetadataProperties, and who hears a decision.

As SageMaker does, only the members given change (``CustomerMetadataPropertiesToRemove`` removes keys);
when ``ModelApprovalStatus`` changes, the listeners registered with :func:`on_state_change` get the
"SageMaker Model Package State Change" event EventBridge would deliver (``detail`` = the package's
description), which is how the local approval gate hears of a decision.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sagemaker_sfn.local.sagemaker.context import JobFailed
from sagemaker_sfn.local.sagemaker.store import ResourceStore

if TYPE_CHECKING:
    from sagemaker_sfn.local.sagemaker.context import LocalSageMaker

EVENT_DETAIL_TYPE = "SageMaker Model Package State Change"
Listener = Callable[[dict[str, Any]], None]
_LISTENERS: "weakref.WeakKeyDictionary[ResourceStore, list[Listener]]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def on_state_change(sm: LocalSageMaker, listener: Listener) -> None:
    """Call ``listener(event)`` after every approval-status change of a package of ``sm``."""
    with _LOCK:
        _LISTENERS.setdefault(sm.store, []).append(listener)


def package_name(sm: LocalSageMaker, ref: str) -> str:
    """The store name of a package given by name or ARN (versioned ARNs end ``<group>/<version>``,
    lower-cased as SageMaker writes them)."""
    if ":model-package/" not in ref:
        return ref
    wanted = ref.split(":model-package/", 1)[1].lower()
    return next((n for n in sm.store.names("ModelPackage") if n.lower() == wanted), wanted)


def update_model_package(request: dict[str, Any], *, sm: LocalSageMaker) -> dict[str, Any]:
    arn = request["ModelPackageArn"]
    name = package_name(sm, arn)
    if not sm.store.exists("ModelPackage", name):
        raise JobFailed(f"ModelPackage {arn} does not exist.")
    current = sm.store.get("ModelPackage", name)
    properties = dict(current.get("CustomerMetadataProperties") or {})
    properties.update(request.get("CustomerMetadataProperties") or {})
    for key in request.get("CustomerMetadataPropertiesToRemove") or []:
        properties.pop(key, None)
    changes: dict[str, Any] = {"CustomerMetadataProperties": properties, "LastModifiedTime": sm.now_millis()}
    for member in ("ModelApprovalStatus", "ApprovalDescription"):
        if member in request:
            changes[member] = request[member]
    record = sm.store.update("ModelPackage", name, **changes)
    if request.get("ModelApprovalStatus") not in (None, current.get("ModelApprovalStatus")):
        sm.log.info("model package %s %s", arn, request["ModelApprovalStatus"])
        event = {"version": "0", "source": "aws.sagemaker", "detail-type": EVENT_DETAIL_TYPE,
                 "account": sm.account, "region": sm.region, "resources": [record["ModelPackageArn"]],
                 "detail": record}
        with _LOCK:
            listeners = list(_LISTENERS.get(sm.store, []))
        for listener in listeners:
            listener(event)
    return {"ModelPackageArn": record["ModelPackageArn"]}
