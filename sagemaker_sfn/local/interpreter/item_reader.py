"""A Distributed Map's ItemReader and ItemBatcher: the items read from S3, grouped into batches.

What AWS documents (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html):

- ``arn:aws:states:::s3:listObjectsV2`` (Parameters ``Bucket``, ``Prefix``): one item per object,
  ``{"Etag", "Key", "LastModified" (epoch seconds), "Size", "StorageClass"}``; every page is read.
- ``arn:aws:states:::s3:getObject`` (``Bucket``, ``Key``) with ``ReaderConfig.InputType``:
  ``JSON`` (the object is a JSON array), ``JSONL`` (one JSON value a line), ``CSV`` (one object a row,
  keys from the first row with ``CSVHeaderLocation: FIRST_ROW`` or ``CSVHeaders`` with ``GIVEN``;
  every value a string; ``CSVDelimiter`` COMMA (default), PIPE, SEMICOLON, SPACE, TAB), or
  ``MANIFEST`` (an S3 Inventory ``manifest.json``: its CSV ``files`` are read, gzip or not, each row
  an object keyed by the manifest's ``fileSchema``).
- ``ReaderConfig.MaxItems`` / ``MaxItemsPath`` keeps the first N items.
- A read that fails (missing object, unparsable content, duplicate CSV headers) fails the Map state
  with ``States.ItemReaderFailed``.

S3 is reached through the execution's integration as an ``aws-sdk:s3:*`` call made *by the Map
state*: a local run reads the in-process (moto) account; a mocked run answers the call from the mock
file's entry for the Map state (ListObjectsV2's or GetObject's response, in call order).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sagemaker_sfn.local.integrations.base import ResourceRef, TaskFailure, TaskRequest
from sagemaker_sfn.local.interpreter.errors import StatesError
from sagemaker_sfn.local.interpreter.paths import PathNotFound, to_json

if TYPE_CHECKING:
    from sagemaker_sfn.local.interpreter.step import Step

ITEM_READER_FAILED = "States.ItemReaderFailed"
_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
# AWS's payload quota for one child execution's input (MaxInputBytesPerBatch's upper bound).
MAX_BATCH_BYTES = 262_144


class ReaderFailed(StatesError):
    def __init__(self, cause: str) -> None:
        super().__init__(ITEM_READER_FAILED, cause)


def s3_call(step: Step, action: str, parameters: dict[str, Any]) -> Any:
    """An S3 API call the Map state makes (``listObjectsV2``, ``getObject``, ``putObject``)."""
    engine = step.engine
    if engine.integration is None:
        raise StatesError("States.Runtime", f"the Map state '{step.name}' reads or writes S3 "
                          f"({action}) but the run has no integration to answer S3 calls")
    ref = ResourceRef.parse(f"arn:aws:states:::aws-sdk:s3:{action}")
    request = TaskRequest(ref=ref, parameters=parameters, state_name=step.name,
                          execution_name=engine.execution_name, execution_arn=engine.execution_arn,
                          state_machine_name=engine.state_machine_name, context=step.context())
    return engine.integration.invoke(request, step.scope.clock)


# -- parameters ------------------------------------------------------------------------------------
def _parameters(step: Step, spec: dict[str, Any], *, effective: Any) -> dict[str, Any]:
    """``Parameters`` (JSONPath, paths resolved against the state input) or ``Arguments`` (JSONata)."""
    if step.jsonata:
        value = step.jsonata_value(spec.get("Arguments", {}), field_name="Arguments")
    else:
        value = step.template(spec.get("Parameters", {}), effective)
    if not isinstance(value, dict):
        raise StatesError("States.Runtime", f"the ItemReader's parameters must be an object, got {to_json(value)}")
    return value


def _max_items(step: Step, config: dict[str, Any], *, effective: Any) -> int | None:
    if "MaxItemsPath" in config and not step.jsonata:
        try:
            value = step.resolve_path(config["MaxItemsPath"], effective)
        except PathNotFound:
            raise StatesError("States.Runtime", f"Invalid path '{config['MaxItemsPath']}' : No results for path: "
                              f"{config['MaxItemsPath']}") from None
    elif "MaxItems" in config:
        value = config["MaxItems"]
        if step.jsonata and isinstance(value, str):
            value = step.jsonata_value(value, field_name="MaxItems")
    else:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise StatesError("States.Runtime", f"ReaderConfig.MaxItems must be a non-negative integer, got {to_json(value)}")
    return value or None   # 0 means no limit (AWS: "MaxItems ... 0 reads all items")


# -- reading ---------------------------------------------------------------------------------------
def read_items(step: Step, *, effective: Any) -> list[Any]:
    """The items the state's ItemReader reads (raises StatesError / ReaderFailed)."""
    reader = step.state["ItemReader"]
    resource = str(reader.get("Resource", ""))
    config = reader.get("ReaderConfig") or {}
    params = _parameters(step, reader, effective=effective)
    limit = _max_items(step, config, effective=effective)
    action = resource.rsplit(":", 1)[-1]
    if action == "listObjectsV2":
        items = _list_objects(step, params, limit=limit)
    elif action == "getObject":
        input_type = config.get("InputType", "JSON")
        body = _get_body(step, params)
        items = _parse(step, body, input_type=input_type, config=config, params=params, limit=limit)
    else:
        raise StatesError("States.Runtime", f"ItemReader Resource '{resource}' is not one Step Functions "
                          "supports (arn:aws:states:::s3:listObjectsV2 or arn:aws:states:::s3:getObject)")
    return items[:limit] if limit else items


def _failed_call(exc: TaskFailure, what: str) -> ReaderFailed:
    return ReaderFailed(f"{what}: {exc.error}" + (f": {exc.cause}" if exc.cause else ""))


def _list_objects(step: Step, params: dict[str, Any], *, limit: int | None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    request = dict(params)
    while True:
        try:
            page = s3_call(step, "listObjectsV2", request)
        except TaskFailure as exc:
            raise _failed_call(exc, f"cannot list s3://{params.get('Bucket')}/{params.get('Prefix', '')}") from None
        page = page if isinstance(page, dict) else {}
        for entry in page.get("Contents") or []:
            items.append({"Etag": entry.get("ETag", entry.get("Etag")), "Key": entry.get("Key"),
                          "LastModified": _epoch(entry.get("LastModified")), "Size": entry.get("Size"),
                          "StorageClass": entry.get("StorageClass", "STANDARD")})
        if limit and len(items) >= limit:
            return items
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return items
        request = {**params, "ContinuationToken": token}


def _epoch(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return value
    return value


def _get_body(step: Step, params: dict[str, Any]) -> str:
    try:
        response = s3_call(step, "getObject", params)
    except TaskFailure as exc:
        raise _failed_call(exc, f"cannot read s3://{params.get('Bucket')}/{params.get('Key')}") from None
    body = response.get("Body", "") if isinstance(response, dict) else response
    if isinstance(body, (bytes, bytearray)):
        body = _decode(bytes(body), key=str(params.get("Key", "")))
    if not isinstance(body, str):
        body = json.dumps(body)
    return body


def _decode(raw: bytes, *, key: str) -> str:
    if key.endswith(".gz") or raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


def _parse(step: Step, body: str, *, input_type: str, config: dict[str, Any], params: dict[str, Any],
           limit: int | None) -> list[Any]:
    where = f"s3://{params.get('Bucket')}/{params.get('Key')}"
    if input_type == "JSON":
        try:
            value = json.loads(body)
        except ValueError as exc:
            raise ReaderFailed(f"{where} is not valid JSON: {exc}") from None
        if not isinstance(value, list):
            raise ReaderFailed(f"{where}: a JSON ItemReader needs a JSON array, got {type(value).__name__}")
        return value
    if input_type == "JSONL":
        items = []
        for number, line in enumerate(body.splitlines(), start=1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except ValueError as exc:
                    raise ReaderFailed(f"{where} line {number} is not valid JSON: {exc}") from None
        return items
    if input_type == "CSV":
        return parse_csv(body, config=config, where=where, limit=limit)
    if input_type == "MANIFEST":
        return _read_manifest(step, body, where=where, limit=limit)
    raise StatesError("States.Runtime", f"ReaderConfig.InputType '{input_type}' is not one of JSON, JSONL, CSV, MANIFEST")


def parse_csv(body: str, *, config: dict[str, Any], where: str, limit: int | None = None,
              headers: list[str] | None = None) -> list[dict[str, str]]:
    """CSV rows as objects, every value a string (AWS does not convert types); a short row's missing
    columns read ``""`` as LocalStack's AWS-validated reader does."""
    delimiter = _DELIMITERS.get(str(config.get("CSVDelimiter", "COMMA")))
    if delimiter is None:
        raise StatesError("States.Runtime", f"ReaderConfig.CSVDelimiter '{config.get('CSVDelimiter')}' is not one of "
                          f"{', '.join(_DELIMITERS)}")
    rows = csv.reader(io.StringIO(body), delimiter=delimiter)
    if headers is None:
        location = config.get("CSVHeaderLocation", "FIRST_ROW")
        if location == "GIVEN":
            headers = list(config.get("CSVHeaders") or [])
            if not headers:
                raise StatesError("States.Runtime", "ReaderConfig.CSVHeaderLocation GIVEN needs CSVHeaders")
        elif location == "FIRST_ROW":
            headers = next(rows, [])
        else:
            raise StatesError("States.Runtime", f"ReaderConfig.CSVHeaderLocation '{location}' is not FIRST_ROW or GIVEN")
    if len(set(headers)) < len(headers):
        raise ReaderFailed("CSV headers cannot contain duplicates.")
    items = []
    for row in rows:
        if not row:
            continue
        items.append({header: row[i] if i < len(row) else "" for i, header in enumerate(headers)})
        if limit and len(items) >= limit:
            break
    return items


def _read_manifest(step: Step, body: str, *, where: str, limit: int | None) -> list[dict[str, str]]:
    """An S3 Inventory manifest (https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html):
    ``fileFormat`` CSV, ``fileSchema`` the column names, ``files[].key`` in ``destinationBucket``."""
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        raise ReaderFailed(f"{where} is not a valid S3 Inventory manifest (JSON): {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise ReaderFailed(f"{where} is not an S3 Inventory manifest: expected an object with \"files\"")
    if str(manifest.get("fileFormat", "CSV")).upper() != "CSV":
        raise ReaderFailed(f"{where}: only CSV inventory files can be read (fileFormat "
                           f"{manifest.get('fileFormat')!r}); Step Functions supports CSV inventories")
    schema = [name.strip() for name in str(manifest.get("fileSchema", "Bucket, Key")).split(",")]
    bucket = str(manifest.get("destinationBucket", "")).removeprefix("arn:aws:s3:::")
    items: list[dict[str, str]] = []
    for entry in manifest["files"]:
        key = entry.get("key") if isinstance(entry, dict) else None
        if not key:
            raise ReaderFailed(f"{where}: every entry of \"files\" needs a \"key\"")
        try:
            response = s3_call(step, "getObject", {"Bucket": bucket, "Key": key})
        except TaskFailure as exc:
            raise _failed_call(exc, f"cannot read inventory file s3://{bucket}/{key}") from None
        raw = response.get("Body", "") if isinstance(response, dict) else response
        text = raw if isinstance(raw, str) else _decode(bytes(raw), key=key)
        if key.endswith(".gz") and isinstance(raw, str):
            # The SDK integration hands non-UTF-8 bodies over base64-encoded (see services.to_json).
            import base64
            try:
                text = _decode(base64.b64decode(raw), key=key)
            except ValueError:
                pass
        remaining = (limit - len(items)) if limit else None
        items.extend(parse_csv(text, config={}, where=f"s3://{bucket}/{key}", limit=remaining, headers=schema))
        if limit and len(items) >= limit:
            break
    return items


# -- batching --------------------------------------------------------------------------------------
def _batcher_number(step: Step, batcher: dict[str, Any], name: str, *, effective: Any) -> int | None:
    if f"{name}Path" in batcher and not step.jsonata:
        path = batcher[f"{name}Path"]
        try:
            value = step.resolve_path(path, effective)
        except PathNotFound:
            raise StatesError("States.Runtime", f"Invalid path '{path}' : No results for path: {path}") from None
    elif name in batcher:
        value = batcher[name]
        if step.jsonata and isinstance(value, str):
            value = step.jsonata_value(value, field_name=name)
    else:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise StatesError("States.Runtime", f"ItemBatcher.{name} must be a positive integer, got {to_json(value)}")
    return value


def batch_items(step: Step, items: list[Any], *, effective: Any) -> list[dict[str, Any]]:
    """Group ``items`` as AWS's ItemBatcher does: ``{"Items": [...], "BatchInput": ...}`` per child
    execution (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html);
    a batch closes at ``MaxItemsPerBatch`` items or before it would exceed ``MaxInputBytesPerBatch``
    bytes of JSON (at most 256 KiB, the payload quota, when only bytes are limited)."""
    batcher = step.state["ItemBatcher"]
    max_items = _batcher_number(step, batcher, "MaxItemsPerBatch", effective=effective)
    max_bytes = _batcher_number(step, batcher, "MaxInputBytesPerBatch", effective=effective)
    if max_items is None and max_bytes is None:
        raise StatesError("States.Runtime", "ItemBatcher needs MaxItemsPerBatch(Path) or MaxInputBytesPerBatch(Path)")
    if max_bytes is not None:
        max_bytes = min(max_bytes, MAX_BATCH_BYTES)
    spec = batcher.get("BatchInput")
    if spec is None:
        batch_input = None
    elif step.jsonata:
        batch_input = step.jsonata_value(spec, field_name="BatchInput")
    else:
        batch_input = step.template(spec, effective)
    extra = {"BatchInput": batch_input} if batch_input is not None else {}
    overhead = len(to_json({"Items": [], **extra}).encode())
    batches: list[dict[str, Any]] = []
    current: list[Any] = []
    size = overhead
    for item in items:
        item_bytes = len(to_json(item).encode()) + 1
        full = (max_items is not None and len(current) >= max_items) or \
               (max_bytes is not None and current and size + item_bytes > max_bytes)
        if full:
            batches.append({"Items": current, **extra})
            current, size = [], overhead
        if max_bytes is not None and overhead + item_bytes > max_bytes:
            raise StatesError("States.Runtime", f"an item of {item_bytes} bytes does not fit in a batch of "
                              f"MaxInputBytesPerBatch {max_bytes}")
        current.append(item)
        size += item_bytes
    if current:
        batches.append({"Items": current, **extra})
    return batches
