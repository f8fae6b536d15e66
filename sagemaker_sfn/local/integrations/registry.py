"""The integration a local-AWS run uses: routes each Task to Lambda, SageMaker or the moto services.

``.waitForTaskToken`` tasks really send their message (SQS / SNS / Lambda), then complete with a
callback answer, because no worker exists locally to call SendTaskSuccess:

- the project's ``.sagemaker-sfn-callbacks.json`` (or the ``callbacks`` given to the environment),
  ``{"<state name>": {"output": <JSON>}}`` or ``{"<state name>": {"error": "...", "cause": "..."}}``,
  answers that state as SendTaskSuccess / SendTaskFailure would;
- an approval gate (its token stored on a model package by ``lambdas/model_approval``) waits until the
  package is approved or rejected (sagemaker_sfn.local.approval_gate);
- otherwise the task succeeds at once and its output is the message it sent (SQS ``MessageBody``,
  SNS ``Message``, Lambda ``Payload``; parsed when it is JSON text) — an "echo" worker.
"""

from __future__ import annotations

import json
from typing import Any

from sagemaker_sfn.local.integrations.base import TaskFailure, TaskRequest, UnsupportedIntegration

CALLBACKS_FILE = ".sagemaker-sfn-callbacks.json"

_MESSAGE_MEMBER = {"sqs": "MessageBody", "sns": "Message", "lambda": "Payload"}


class LocalIntegration:
    """``sagemaker``, ``lambda_``, ``services``: the integrations behind it. ``callbacks``: answers
    for ``.waitForTaskToken`` states by state name (default: none, every callback echoes)."""

    def __init__(self, *, sagemaker: Any, lambda_: Any, services: Any,
                 callbacks: dict[str, dict[str, Any]] | None = None, emr: Any = None,
                 gate: Any = None) -> None:
        self.sagemaker = sagemaker
        self.lambda_ = lambda_
        self.services = services
        self.emr = emr   # elasticmapreduce:* (local/integrations/emr.py); None: not answered
        self.callbacks = dict(callbacks or {})
        self.gate = gate   # sagemaker_sfn.local.approval_gate.ApprovalGate, or None

    def route(self, request: TaskRequest) -> Any:
        ref = request.ref
        if ref.service == "lambda":
            return self.lambda_
        if ref.service == "sagemaker" or (ref.service == "aws-sdk" and ref.action.startswith("sagemaker:")):
            return self.sagemaker
        if ref.service in {"sns", "sqs", "aws-sdk"}:
            return self.services
        if ref.service == "elasticmapreduce" and self.emr is not None:
            return self.emr
        raise UnsupportedIntegration(
            "States.Runtime", f"An error occurred while executing the state '{request.state_name}': the local runner "
                              f"does not answer Resource '{ref.resource}' (it answers sagemaker:*, lambda:invoke, "
                              "sns:publish, sqs:sendMessage and aws-sdk:* calls moto emulates)")

    def invoke(self, request: TaskRequest, clock: Any) -> Any:
        result = self.route(request).invoke(request, clock)
        if request.ref.pattern != "waitForTaskToken":
            return result
        return self.callback_answer(request)

    def callback_answer(self, request: TaskRequest) -> Any:
        answer = self.callbacks.get(request.state_name)
        if answer is not None:
            if "error" in answer:
                raise TaskFailure(str(answer["error"]), answer.get("cause"))
            return answer.get("output", {})
        if self.gate is not None and self.gate.waits_for(request.task_token):
            # An approval gate: the token was stored on a model package; wait for the decision.
            return self.gate.wait(request.task_token)
        params = request.parameters if isinstance(request.parameters, dict) else {}
        message = params.get(_MESSAGE_MEMBER.get(request.ref.service, ""), {})
        if isinstance(message, str):
            try:
                return json.loads(message)
            except ValueError:
                return message
        return message


def load_callbacks(path: Any) -> dict[str, dict[str, Any]]:
    """Read a callbacks file (see the module doc); an empty mapping when it does not exist."""
    from pathlib import Path

    from sagemaker_sfn.errors import UsageError

    path = Path(path)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read callback answers: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) and ({"output"} & v.keys() or "error" in v)
                                             for v in data.values()):
        raise UsageError(f"{path}: expected {{\"<state>\": {{\"output\": ...}} | {{\"error\": ..., \"cause\": ...}}}}")
    return data
