"""Lambda tasks answered by the handlers in ``lambdas/<name>/handler.py``, run in this process.

Both forms Step Functions offers:

- the optimized integration ``arn:aws:states:::lambda:invoke`` (Parameters ``FunctionName`` and
  ``Payload``): the result is Lambda's Invoke response as Step Functions returns it
  (``Payload``, ``StatusCode``, ``ExecutedVersion``, ``SdkHttpMetadata``, ``SdkResponseMetadata``);
- the legacy bare function ARN: the state's input is the event, the result is the handler's return.

A handler that raises fails the task the way AWS reports a function error in both forms: Error is the
exception's type name and Cause is Lambda's error payload as compact JSON
(``{"errorMessage","errorType","requestId","stackTrace"}``). An unknown function fails with
``Lambda.ResourceNotFoundException`` and AWS's message. The handler's module is imported once per
local environment (a warm container) from a fresh module object, so module-level state never leaks
between runs; its prints go to ``<log_dir>/lambda-<name>.log``, never to the run's stdout.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from sagemaker_sfn.local.integrations.base import TaskFailure, TaskRequest
from sagemaker_sfn.local.integrations.lambda_errors import import_module_error

LAMBDAS_DIR = "lambdas"
HANDLER_FILE = "handler.py"
HANDLER_FUNCTION = "handler"
DEFAULT_TIMEOUT_SECONDS = 900   # Lambda's maximum; the context reports time left against it

_NAME = re.compile(r"^(?:arn:[^:]+:lambda:[^:]*:[^:]*:function:|[0-9]{12}:function:)?(?P<name>[A-Za-z0-9_-]+)(?::[^:]+)?$")


def function_name_of(ref: str) -> str:
    """``arn:aws:lambda:us-east-1:123:function:generate_dataset:$LATEST`` / ``generate_dataset`` -> ``generate_dataset``."""
    match = _NAME.match(ref or "")
    if not match:
        raise ValueError(ref)
    return match["name"]


def handler_path(project_root: Path, name: str) -> Path:
    """The conventional handler of function ``name``: ``lambdas/<folder>/handler.py``, where the folder
    is ``name`` itself or the one folder matching it up to case, ``-`` and ``_`` (``generate-dataset``,
    ``GenerateDataset`` and ``generate_dataset`` match each other); ``lambdas/<name>/handler.py`` (which
    may not exist) when none or several do."""
    from sagemaker_sfn.local.bindings import folder_key

    exact = project_root / LAMBDAS_DIR / name / HANDLER_FILE
    if exact.is_file():
        return exact
    folder = project_root / LAMBDAS_DIR
    if folder.is_dir():
        matches = [p for p in folder.iterdir() if folder_key(p.name) == folder_key(name) and (p / HANDLER_FILE).is_file()]
        if len(matches) == 1:
            return matches[0] / HANDLER_FILE
    return exact


def resolve_handler(project_root: Path, ref: str, handlers: dict[str, Any] | None = None) -> tuple[str, Path, str] | None:
    """(function name, handler file, function) for a function reference (name, partial or full ARN, with
    or without a version/alias): a bindings file's ``lambdas`` entry for the exact reference, then for
    the reference without its qualifier, then for the function name; else ``lambdas/<folder>/handler.py``
    by convention. None when nothing local answers it; ValueError when ``ref`` is no function reference."""
    name = function_name_of(ref)
    handlers = handlers or {}
    unqualified = re.sub(r"(:function:[^:]+):[^:]+$", r"\1", ref)
    candidates = [ref, unqualified, name]
    for key in candidates:
        if key in handlers:
            return name, handlers[key].path, handlers[key].function
    by_name = [h for k, h in handlers.items() if _name_or_none(k) == name]
    if len(by_name) == 1:
        return name, by_name[0].path, by_name[0].function
    path = handler_path(project_root, name)
    return (name, path, HANDLER_FUNCTION) if path.is_file() else None


def _name_or_none(ref: str) -> str | None:
    try:
        return function_name_of(ref)
    except ValueError:
        return None


class LambdaContext:
    """The attributes of the Python runtime's context object that handlers use."""

    def __init__(self, *, name: str, arn: str, request_id: str, timeout_seconds: float) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = "128"
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = f"local/{request_id}"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class _ThreadRoutedStream(io.TextIOBase):
    """Stands in for sys.stdout / sys.stderr: writes from a thread running a handler go to that
    handler's log; every other thread (the run's own progress) writes where it always did."""

    def __init__(self, original: TextIO, routes: threading.local) -> None:
        self.original = original
        self.routes = routes

    def write(self, text: str) -> int:
        target = getattr(self.routes, "stream", None)
        return (target or self.original).write(text)

    def flush(self) -> None:
        target = getattr(self.routes, "stream", None)
        (target or self.original).flush()


class LambdaIntegration:
    """Runs ``lambdas/<name>/handler.py`` for Lambda tasks.

    ``project_root``: the project holding ``lambdas/``. ``log_dir``: where handler output goes.
    ``region`` / ``account``: used in the ARNs the context and errors show (default: the local ones).
    """

    def __init__(self, *, project_root: Path, log_dir: Path, region: str = "us-east-1",
                 account: str = "123456789012", handlers: dict[str, Any] | None = None) -> None:
        self.project_root = project_root
        self.handlers = dict(handlers or {})   # bindings file ``lambdas``: reference -> HandlerRef
        self.log_dir = log_dir
        self.region = region
        self.account = account
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.Lock()
        self._routes = threading.local()
        self._saved_streams: tuple[TextIO, TextIO] | None = None

    # -- the Integration protocol -------------------------------------------------------------
    def invoke(self, request: TaskRequest, clock: Any) -> Any:
        if request.ref.action == "invoke-arn":   # legacy form: the Resource is the function
            payload = self.call(request.ref.resource, request.parameters, timeout=request.timeout_seconds)
            return payload
        params = request.parameters if isinstance(request.parameters, dict) else {}
        if "FunctionName" not in params:
            raise TaskFailure("States.Runtime", f"An error occurred while executing the state '{request.state_name}'. "
                              "The Parameters of a lambda:invoke Task must contain FunctionName.")
        event = params.get("Payload", {})
        if isinstance(event, str) and params.get("Payload") is not None:
            # Payload given as a JSON string is sent as those bytes; the runtime parses them.
            try:
                event = json.loads(event)
            except ValueError:
                pass
        payload = self.call(params["FunctionName"], event, timeout=request.timeout_seconds)
        request_id = str(uuid.uuid4())
        headers = {"Connection": "keep-alive", "Content-Type": "application/json",
                   "X-Amz-Executed-Version": "$LATEST", "x-amzn-Remapped-Content-Length": "0",
                   "x-amzn-RequestId": request_id}
        return {
            "ExecutedVersion": "$LATEST",
            "Payload": payload,
            "SdkHttpMetadata": {"AllHttpHeaders": {k: [v] for k, v in headers.items()},
                                "HttpHeaders": headers, "HttpStatusCode": 200},
            "SdkResponseMetadata": {"RequestId": request_id},
            "StatusCode": 200,
        }

    # -- running a handler --------------------------------------------------------------------
    def call(self, function_ref: str, event: Any, *, timeout: float | None = None) -> Any:
        """Run the handler for ``function_ref`` with ``event``; the JSON-round-tripped return value,
        or :class:`TaskFailure` as AWS reports a function error."""
        arn_for_errors = self._arn(function_ref)
        try:
            name = function_name_of(function_ref)
        except ValueError:
            raise TaskFailure("Lambda.AWSLambdaException",
                              f"1 validation error detected: Value '{function_ref}' at 'functionName' failed to satisfy "
                              "constraint (Service: AWSLambda; Status Code: 400; Error Code: ValidationException; "
                              f"Request ID: {uuid.uuid4()}; Proxy: null)") from None
        resolved = resolve_handler(self.project_root, function_ref, self.handlers)
        if resolved is None:
            raise TaskFailure("Lambda.ResourceNotFoundException",
                              f"Function not found: {arn_for_errors} (Service: AWSLambda; Status Code: 404; "
                              f"Error Code: ResourceNotFoundException; Request ID: {uuid.uuid4()}; Proxy: null)")
        _, path, function = resolved
        if not path.is_file():
            raise TaskFailure("Lambda.ResourceNotFoundException",
                              f"Function not found: {arn_for_errors} (the bindings file points it to {path}, which "
                              "does not exist)")
        request_id = str(uuid.uuid4())
        context = LambdaContext(name=name, arn=self._arn(name), request_id=request_id,
                                timeout_seconds=timeout or DEFAULT_TIMEOUT_SECONDS)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"lambda-{name}.log", "a", encoding="utf-8") as log:
            log.write(f"START RequestId: {request_id} Version: $LATEST\n")
            try:
                return self._run_handler(name, path, event, context, log=log, function=function)
            finally:
                log.write(f"END RequestId: {request_id}\n")

    def _run_handler(self, name: str, path: Path, event: Any, context: LambdaContext, *, log: TextIO,
                     function: str = HANDLER_FUNCTION) -> Any:
        request_id = context.aws_request_id
        self._route_output(log)
        try:
            try:
                module = self._module(name, path, function)
            except ImportError as exc:   # Runtime.ImportModuleError, as AWS Lambda words it
                error = import_module_error(path.stem, exc, request_id=request_id)
                log.write(json.dumps(error) + "\n")
                raise TaskFailure(error["errorType"], json.dumps(error, separators=(",", ":"))) from None
            result = getattr(module, function)(event, context)
        except TaskFailure:
            raise
        except Exception as exc:  # the function's error, reported as Lambda reports it
            error = self._error_payload(exc, request_id=request_id, path=path)
            log.write(json.dumps(error) + "\n")
            raise TaskFailure(error["errorType"], json.dumps(error, separators=(",", ":"))) from None
        finally:
            self._routes.stream = None
        try:
            return json.loads(json.dumps(result))   # what crosses the wire is JSON
        except (TypeError, ValueError) as exc:
            # The Python runtime cannot serialise the return value: Runtime.MarshalError.
            error = {"errorMessage": f"Unable to marshal response: {exc}", "errorType": "Runtime.MarshalError",
                     "requestId": request_id, "stackTrace": []}
            raise TaskFailure(error["errorType"], json.dumps(error, separators=(",", ":"))) from None

    def close(self) -> None:
        """Give sys.stdout / sys.stderr back (the environment calls this when it closes)."""
        with self._lock:
            if self._saved_streams:
                sys.stdout, sys.stderr = self._saved_streams
                self._saved_streams = None

    # -- helpers ------------------------------------------------------------------------------
    def _arn(self, ref: str) -> str:
        if ref.startswith("arn:"):
            return ref
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{ref}"

    def _route_output(self, log: TextIO) -> None:
        with self._lock:
            if self._saved_streams is None:
                self._saved_streams = (sys.stdout, sys.stderr)
                sys.stdout = _ThreadRoutedStream(sys.stdout, self._routes)  # type: ignore[assignment]
                sys.stderr = _ThreadRoutedStream(sys.stderr, self._routes)  # type: ignore[assignment]
        self._routes.stream = log

    def _module(self, name: str, path: Path, function: str = HANDLER_FUNCTION) -> ModuleType:
        with self._lock:
            module = self._modules.get(str(path))
            if module is not None:
                return module
            # A module name of our own: a fresh object, never a stale sys.modules entry.
            module_name = f"_sagemaker_sfn_lambda_{re.sub(r'[^A-Za-z0-9_]', '_', name)}_{uuid.uuid4().hex[:8]}"
            spec = importlib.util.spec_from_file_location(module_name, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            folder = str(path.parent)
            # Handlers may import sibling modules, as in the Lambda runtime's /var/task.
            sys.path.insert(0, folder)
            try:
                spec.loader.exec_module(module)
            finally:
                if folder in sys.path:
                    sys.path.remove(folder)
            if not callable(getattr(module, function, None)):
                raise AttributeError(f"module '{path.stem}' has no attribute '{function}'")
            self._modules[str(path)] = module
            return module

    @staticmethod
    def _error_payload(exc: BaseException, *, request_id: str, path: Path) -> dict[str, Any]:
        # Lambda's Python runtime: the handler's frames only, each formatted as traceback prints it.
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).parent == path.parent]
        error_type = type(exc).__name__
        if isinstance(exc, AttributeError) and str(exc).startswith("module '"):
            error_type = "Runtime.HandlerNotFound"
        elif isinstance(exc, (ImportError, SyntaxError)) and not frames:
            error_type = f"Runtime.{'ImportModuleError' if isinstance(exc, ImportError) else 'UserCodeSyntaxError'}"
        return {"errorMessage": str(exc), "errorType": error_type, "requestId": request_id,
                "stackTrace": traceback.format_list(frames)}
