"""Lambda's Python runtime errors, worded as AWS Lambda words them.

A handler module that cannot be imported fails the invocation before the handler runs: the runtime
reports ``errorType`` ``Runtime.ImportModuleError`` with ``errorMessage``
``Unable to import module '<module>': <the ImportError's message>`` and an empty ``stackTrace``
(AWS Lambda developer guide, python-exceptions.html / troubleshooting-invocation.html).
"""

from __future__ import annotations

from typing import Any


def import_module_error(module: str, exc: BaseException, *, request_id: str) -> dict[str, Any]:
    """The error payload for ``module`` (the handler's module name, e.g. ``handler``) failing to import."""
    return {"errorMessage": f"Unable to import module '{module}': {exc}", "errorType": "Runtime.ImportModuleError",
            "requestId": request_id, "stackTrace": []}
