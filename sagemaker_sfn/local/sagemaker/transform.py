"""Local CreateTransformJob (batch transform): the model scores every input object, in process.

As SageMaker does:

- every object under ``TransformInput.DataSource.S3DataSource.S3Uri`` (S3Prefix; or the objects a
  ManifestFile lists) is read, split into records by ``SplitType`` (``Line``; ``None`` = the whole
  object is one record), grouped into requests by ``BatchStrategy`` (``MultiRecord`` packs records up
  to ``MaxPayloadInMB``, default 6; ``SingleRecord`` sends one at a time), scored, and written to
  ``<S3OutputPath>/<path below the input prefix>.out``, responses joined by ``AssembleWith``
  (``Line``: one output per line; ``None``: responses concatenated as they are);
- ``DataProcessing``: ``InputFilter`` (JSONPath on each record: a CSV record is the array of its
  fields, so ``$[1:]`` drops the first column), ``JoinSource: Input`` (CSV: the prediction appended to
  the input record's fields; JSON: the input object gains ``SageMakerOutput``; the unfiltered input is
  joined, as in SageMaker) and ``OutputFilter`` (JSONPath on the joined record).

Which model code runs (from the Model's PrimaryContainer, or its first Containers entry):

- the built-in XGBoost image: ``xgboost-model`` from ``model.tar.gz`` in an ``xgboost.Booster``
  (pickled Boosters of older images too). Requests may be ``text/csv`` (features only, no header),
  ``text/libsvm`` or ``application/jsonlines`` (each line a JSON array or ``{"features": [...]}``;
  the last is a local convenience); responses are ``text/csv`` (one prediction per line),
  ``application/jsonlines`` (``{"score": v}`` per line) or ``application/json``
  (``{"predictions": [{"score": v}, ...]}``);
- other images: a script in SageMaker's inference-toolkit conventions, ``model_fn(model_dir)``,
  ``input_fn(body, content_type)``, ``predict_fn(data, model)``, ``output_fn(prediction, accept)``,
  found through ``SAGEMAKER_PROGRAM`` (+ ``SAGEMAKER_SUBMIT_DIRECTORY``, a local or S3 folder or
  ``sourcedir.tar.gz``) in the container's Environment, ``code/inference.py`` inside the model
  archive, or the project's image map. Missing ``input_fn``/``output_fn`` default to CSV/JSON handling.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import json
import pickle
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sagemaker_sfn.local.sagemaker import s3io, shapes
from sagemaker_sfn.local.sagemaker.context import JobFailed
from sagemaker_sfn.local.sagemaker.store import ResourceNotFound

if TYPE_CHECKING:
    from sagemaker_sfn.local.sagemaker.context import LocalSageMaker

DEFAULT_MAX_PAYLOAD_MB = 6
CSV = "text/csv"
JSON = "application/json"
JSON_LINES = "application/jsonlines"
LIBSVM = "text/libsvm"
_JSON_TYPES = (JSON, JSON_LINES, "application/x-jsonlines", "application/jsonl")


def base_type(content_type: str | None, *, default: str = CSV) -> str:
    """``text/csv; charset=utf-8`` -> ``text/csv``; None -> ``default``."""
    return (content_type or default).split(";")[0].strip().lower() or default


def is_json(content_type: str) -> bool:
    return base_type(content_type) in _JSON_TYPES


# --------------------------------------------------------------------------------------------------
# Records: splitting, batching, assembling


def split_records(data: bytes, *, split_type: str = "None") -> list[bytes]:
    """An object's records. ``Line``: each non-empty line, without its newline (``\\r\\n`` too);
    ``None`` (default): the whole object. RecordIO / TFRecord are not supported locally."""
    if split_type == "None":
        return [data] if data else []
    if split_type == "Line":
        return [line.rstrip(b"\r") for line in data.split(b"\n") if line.strip()]
    raise JobFailed(f"ClientError: SplitType {split_type} is not supported by the local runner (Line, None)")


def batch_records(records: list[bytes], *, strategy: str = "MultiRecord",
                  max_payload_mb: float = DEFAULT_MAX_PAYLOAD_MB) -> list[list[bytes]]:
    """Group records into requests. ``MultiRecord`` (default) fills each request up to
    ``max_payload_mb`` (default 6, SageMaker's); ``SingleRecord`` sends each record alone.
    A single record larger than the limit fails the job, as in SageMaker."""
    limit = int(max_payload_mb * 1024 * 1024) if max_payload_mb else None
    for record in records:
        if limit is not None and len(record) > limit:
            raise JobFailed(f"ClientError: a record of {len(record)} bytes exceeds MaxPayloadInMB ({max_payload_mb:g})")
    if strategy == "SingleRecord":
        return [[record] for record in records]
    batches: list[list[bytes]] = []
    size = 0
    for record in records:
        # Records are sent newline-separated, so each costs its length plus one byte.
        if batches and (limit is None or size + len(record) + 1 <= limit):
            batches[-1].append(record)
            size += len(record) + 1
        else:
            batches.append([record])
            size = len(record) + 1
    return batches


def assemble(responses: Iterable[bytes], *, assemble_with: str = "None") -> bytes:
    """The ``.out`` object. ``Line``: each response on its own line(s), newline-terminated;
    ``None`` (default): responses concatenated byte for byte."""
    parts = list(responses)
    if assemble_with == "Line":
        return b"".join(part if part.endswith(b"\n") else part + b"\n" for part in parts if part)
    return b"".join(parts)


def output_key(input_key: str, *, input_prefix: str, output_uri: str) -> tuple[str, str]:
    """Where the output of ``input_key`` goes: ``<output>/<path below the input prefix>.out``.

    ``s3://b/csv/test.csv`` (one object) gives ``<output>/test.csv.out``; the prefix ``batch`` or
    ``batch/`` with the key ``batch/day1/x.csv`` gives ``<output>/day1/x.csv.out``; a prefix that ends
    inside a name (``batch/da``) keeps the path below its folder (``data.csv.out``).
    """
    if input_key == input_prefix:
        relative = input_key.rsplit("/", 1)[-1]
    elif input_prefix.endswith("/") or input_key[len(input_prefix):].startswith("/") or not input_prefix:
        relative = input_key[len(input_prefix):].lstrip("/")
    else:
        relative = input_key[input_prefix.rfind("/") + 1:]
    bucket, prefix = s3io.parse_s3_uri(output_uri)
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/{relative}.out" if prefix else f"{relative}.out"


# --------------------------------------------------------------------------------------------------
# DataProcessing: InputFilter, JoinSource, OutputFilter


def _parse_record(record: bytes, content_type: str) -> Any:
    text = record.decode("utf-8")
    if is_json(content_type):
        return json.loads(text)
    return next(csv.reader([text]), [])


def _render_record(value: Any, content_type: str) -> bytes:
    if is_json(content_type):
        return json.dumps(value, separators=(",", ":")).encode()
    if not isinstance(value, list):
        value = [value]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(["" if v is None else v for v in value])
    return buffer.getvalue().encode()


def apply_filter(record: bytes, path: str | None, *, content_type: str) -> bytes:
    """A JSONPath InputFilter/OutputFilter on one record (CSV records are arrays of fields).
    ``$`` or None returns the record unchanged."""
    if not path or path == "$":
        return record
    expression = _filter_expression(path)
    value = _parse_record(record, content_type)
    found = expression.find(value)
    matches = [m.value for m in found]
    if isinstance(value, dict) and len(found) > 1 and all(hasattr(m.path, "fields") for m in found):
        # $['id','SageMakerOutput'] on an object keeps an object of those members, as SageMaker does.
        result: Any = {m.path.fields[0]: m.value for m in found}
    elif len(matches) == 1 and not _selects_many(path):
        result = matches[0]
    else:
        # Several elements (slices, unions on arrays) make an array.
        result = matches
    return _render_record(result, content_type)


@functools.lru_cache(maxsize=64)
def _filter_expression(path: str) -> Any:
    """The parsed filter: a job applies the same one or two filters to every record, and parsing
    (jsonpath-ng builds a PLY parser) costs about a millisecond, far more than applying it."""
    from jsonpath_ng.ext import parse

    try:
        return parse(path)
    except Exception as exc:  # jsonpath-ng raises several exception types for a bad path
        raise JobFailed(f"ClientError: invalid JSONPath filter '{path}': {exc}") from None


def _selects_many(path: str) -> bool:
    return any(token in path for token in (":", ",", "*", ".."))


def join_record(source: bytes, output: bytes, *, content_type: str, accept: str) -> bytes:
    """JoinSource Input: CSV fields of the output appended to the input's; a JSON object input gets
    ``SageMakerOutput``; a JSON array input gets the output appended."""
    if is_json(content_type):
        joined = _parse_record(source, content_type)
        result = _parse_record(output, accept) if is_json(accept) else output.decode("utf-8").strip()
        if isinstance(joined, dict):
            joined["SageMakerOutput"] = result
        elif isinstance(joined, list):
            joined.append(result)
        else:
            raise JobFailed("ClientError: JoinSource Input needs JSON objects or arrays as input records")
        return _render_record(joined, content_type)
    if is_json(accept):
        raise JobFailed(f"ClientError: JoinSource Input with {content_type} input needs text/csv output, not {accept}")
    fields = _parse_record(source, CSV) + _parse_record(output, CSV)
    return _render_record(fields, CSV)


def process_object(data: bytes, *, predict: Callable[[bytes, str, str], bytes], content_type: str, accept: str,
                   split_type: str = "None", batch_strategy: str = "MultiRecord",
                   max_payload_mb: float = DEFAULT_MAX_PAYLOAD_MB, assemble_with: str = "None",
                   data_processing: dict[str, Any] | None = None) -> bytes:
    """One input object's ``.out`` content. ``predict(payload, content_type, accept) -> response``
    scores one request of newline-separated records. Defaults as in CreateTransformJob."""
    processing = data_processing or {}
    input_filter, output_filter = processing.get("InputFilter"), processing.get("OutputFilter")
    join = processing.get("JoinSource", "None") == "Input"
    records = split_records(data, split_type=split_type)
    if join and split_type != "Line":
        raise JobFailed("ClientError: JoinSource Input needs SplitType Line locally (one output per input record)")
    filtered = [apply_filter(r, input_filter, content_type=content_type) for r in records]
    responses: list[bytes] = []
    per_record_filters = join or (output_filter not in (None, "$"))
    start = 0   # index of the batch's first record, to join each output with its own input
    for batch in batch_records(filtered, strategy=batch_strategy, max_payload_mb=max_payload_mb):
        response = predict(b"\n".join(batch), content_type, accept)
        if not per_record_filters:
            responses.append(response)
            start += len(batch)
            continue
        outputs = split_records(response, split_type="Line")
        if len(outputs) != len(batch):
            raise JobFailed(f"ClientError: the model returned {len(outputs)} records for {len(batch)} inputs; "
                            "JoinSource and OutputFilter need one output line per input record")
        lines = []
        for offset, out in enumerate(outputs):
            joined = join_record(records[start + offset], out, content_type=content_type, accept=accept) if join else out
            lines.append(apply_filter(joined, output_filter, content_type=content_type if join else accept))
        responses.append(b"\n".join(lines))
        start += len(batch)
    return assemble(responses, assemble_with=assemble_with)


# --------------------------------------------------------------------------------------------------
# Models


def _decode_features(payload: bytes, content_type: str) -> Any:
    """Request body -> an xgboost.DMatrix, for the content types the XGBoost algorithm serves."""
    import numpy as np
    import xgboost as xgb

    kind = base_type(content_type)
    text = payload.decode("utf-8")
    if kind == CSV:
        rows = [[float(v) if v.strip() else np.nan for v in row] for row in csv.reader(io.StringIO(text)) if row]
        return xgb.DMatrix(np.array(rows, dtype=float))
    if kind in _JSON_TYPES:
        rows = []
        for line in text.splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            rows.append(item["features"] if isinstance(item, dict) else item)
        return xgb.DMatrix(np.array(rows, dtype=float))
    if kind in (LIBSVM, "text/x-libsvm"):
        return _libsvm_matrix(text)
    raise ValueError(f"Content-type {content_type} not supported. Supported content-type is text/csv, text/libsvm, "
                     "application/jsonlines")


def _libsvm_matrix(text: str) -> Any:
    import numpy as np
    import xgboost as xgb

    rows: list[dict[int, float]] = []
    for line in text.splitlines():
        tokens = line.split()
        if not tokens:
            continue
        # A leading token without ':' is a label, ignored at inference.
        pairs = tokens[1:] if ":" not in tokens[0] else tokens
        rows.append({int(k): float(v) for k, v in (p.split(":", 1) for p in pairs)})
    width = 1 + max((max(r) for r in rows if r), default=0)
    matrix = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        for j, value in row.items():
            matrix[i, j] = value
    return xgb.DMatrix(matrix)


def encode_predictions(predictions: Any, accept: str) -> bytes:
    """XGBoost predictions -> response body in ``accept``."""
    values = predictions.tolist() if hasattr(predictions, "tolist") else list(predictions)
    kind = base_type(accept)
    if kind == CSV:
        return "\n".join(",".join(map(str, v)) if isinstance(v, list) else str(v) for v in values).encode()
    if kind == JSON:
        return json.dumps({"predictions": [_score(v) for v in values]}).encode()
    if kind in _JSON_TYPES:
        return "\n".join(json.dumps(_score(v)) for v in values).encode()
    raise ValueError(f"Accept {accept} not supported (text/csv, application/json, application/jsonlines)")


def _score(value: Any) -> dict[str, Any]:
    return {"scores": value} if isinstance(value, list) else {"score": value}


@dataclass
class XGBoostModel:
    booster: Any
    lock: threading.Lock

    @classmethod
    def load(cls, model_dir: Path) -> XGBoostModel:
        import xgboost as xgb

        path = model_dir / "xgboost-model"
        if not path.is_file():
            found = ", ".join(sorted(p.name for p in model_dir.iterdir())) or "nothing"
            raise JobFailed(f"ClientError: model.tar.gz holds no xgboost-model (found: {found})")
        booster = xgb.Booster()
        try:
            # SageMaker's file has no extension: loaded from a path, XGBoost warns (on stdout, from its
            # C++ logger, past any warnings filter) that it guesses the format; from bytes it reads
            # the format from the content.
            booster.load_model(bytearray(path.read_bytes()))
        except xgb.core.XGBoostError:
            # XGBoost images before 1.3 pickled the Booster.
            with path.open("rb") as handle:
                booster = pickle.load(handle)
        return cls(booster=booster, lock=threading.Lock())

    def predict(self, payload: bytes, content_type: str, accept: str) -> bytes:
        matrix = _decode_features(payload, content_type)
        with self.lock:
            predictions = self.booster.predict(matrix)
        return encode_predictions(predictions, accept)


@dataclass
class ScriptModel:
    """A model served by an inference script's handler functions (inference-toolkit conventions)."""

    module: Any
    model: Any

    @classmethod
    def load(cls, script: Path, model_dir: Path) -> ScriptModel:
        if not script.is_file():
            raise JobFailed(f"ClientError: inference script {script} not found")
        # The script may import modules beside it, as in the serving container's code directory.
        sys.path.insert(0, str(script.parent))
        try:
            spec = importlib.util.spec_from_file_location(f"sagemaker_sfn_inference_{abs(hash(script))}", script)
            module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
            spec.loader.exec_module(module)  # type: ignore[union-attr]
        finally:
            sys.path.remove(str(script.parent))
        if not hasattr(module, "model_fn"):
            raise JobFailed(f"ClientError: {script.name} defines no model_fn(model_dir)")
        return cls(module=module, model=module.model_fn(str(model_dir)))

    def predict(self, payload: bytes, content_type: str, accept: str) -> bytes:
        module = self.module
        data = module.input_fn(payload, content_type) if hasattr(module, "input_fn") else _default_input(payload, content_type)
        prediction = module.predict_fn(data, self.model) if hasattr(module, "predict_fn") else self.model.predict(data)
        if hasattr(module, "output_fn"):
            result = module.output_fn(prediction, accept)
            if isinstance(result, tuple):   # (body, content type), as some handlers return
                result = result[0]
        else:
            result = encode_predictions(prediction, accept)
        return result.encode() if isinstance(result, str) else bytes(result)


def _default_input(payload: bytes, content_type: str) -> Any:
    import numpy as np

    if is_json(content_type):
        text = payload.decode("utf-8")
        if base_type(content_type) == JSON:
            return np.array(json.loads(text))
        return np.array([json.loads(line) for line in text.splitlines() if line.strip()])
    return np.loadtxt(io.StringIO(payload.decode("utf-8")), delimiter=",", ndmin=2)


def _container(model: dict[str, Any]) -> dict[str, Any]:
    if model.get("PrimaryContainer"):
        return model["PrimaryContainer"]
    if model.get("Containers"):
        return model["Containers"][0]
    raise JobFailed("ClientError: the model has no PrimaryContainer or Containers")


def load_model(model: dict[str, Any], *, sm: LocalSageMaker, model_dir: Path) -> XGBoostModel | ScriptModel:
    """The local predictor for a Model record (a DescribeModel response)."""
    container = _container(model)
    image = container.get("Image", "")
    code = sm.images.resolve(image)
    if code is None:
        raise JobFailed(f"ClientError: {sm.images.explain_unknown(image)}")
    if container.get("ModelDataUrl"):
        s3io.fetch_model(sm.s3, container["ModelDataUrl"], model_dir)
    else:
        model_dir.mkdir(parents=True, exist_ok=True)
    if code.kind == "xgboost" and not (container.get("Environment") or {}).get("SAGEMAKER_PROGRAM"):
        return XGBoostModel.load(model_dir)
    return ScriptModel.load(_inference_script(container, code_program=code.program, sm=sm, model_dir=model_dir), model_dir)


def _inference_script(container: dict[str, Any], *, code_program: Path | None, sm: LocalSageMaker, model_dir: Path) -> Path:
    env = container.get("Environment") or {}
    program = env.get("SAGEMAKER_PROGRAM")
    if program:
        submit = env.get("SAGEMAKER_SUBMIT_DIRECTORY", "/opt/ml/model/code")
        if submit.startswith("s3://"):
            code_dir = model_dir.parent / "code"
            if submit.endswith(".tar.gz"):
                bucket, key = s3io.parse_s3_uri(submit)
                code_dir.mkdir(parents=True, exist_ok=True)
                s3io.get_file(sm.s3, bucket, key, code_dir / "sourcedir.tar.gz")
                s3io.extract_tar(code_dir / "sourcedir.tar.gz", code_dir)
            else:
                s3io.download_prefix(sm.s3, submit, code_dir)
        elif submit.startswith("/opt/ml/model"):
            code_dir = model_dir / submit[len("/opt/ml/model"):].strip("/")
        else:
            code_dir = sm.project_root / submit
        return code_dir / program
    if code_program is not None:
        return code_program
    bundled = model_dir / "code" / "inference.py"
    if bundled.is_file():
        return bundled
    raise JobFailed("ClientError: no inference code for this model: set SAGEMAKER_PROGRAM in the container's "
                    "Environment, bundle code/inference.py in model.tar.gz, or map the image to a script")


# --------------------------------------------------------------------------------------------------
# The job


def _input_objects(sm: LocalSageMaker, source: dict[str, Any]) -> list[tuple[str, str]]:
    """(bucket, key) of every input object."""
    kind = source.get("S3DataType", "S3Prefix")
    uri = source["S3Uri"]
    bucket, prefix = s3io.parse_s3_uri(uri)
    if kind == "S3Prefix":
        keys = [k for k in s3io.list_keys(sm.s3, bucket, prefix) if not k.endswith("/")]
        if not keys:
            raise JobFailed(f"ClientError: No S3 objects found under S3 URL \"{uri}\" given in input data source. "
                            "Please ensure that the bucket exists in the selected region, that objects exist under "
                            "that S3 prefix, and that the role has permission to read objects.")
        return [(bucket, k) for k in keys]
    if kind == "ManifestFile":
        manifest = json.loads(sm.s3.get_object(Bucket=bucket, Key=prefix)["Body"].read())
        base_bucket, base_prefix = s3io.parse_s3_uri(manifest[0]["prefix"])
        return [(base_bucket, base_prefix + str(rel)) for rel in manifest[1:]]
    raise JobFailed(f"ClientError: S3DataType {kind} is not supported by the local runner (S3Prefix, ManifestFile)")


def create_transform_job(request: dict[str, Any], *, sm: LocalSageMaker) -> dict[str, Any]:
    """Run a batch transform job to its end; returns CreateTransformJob's response.

    An unknown model is rejected before anything is recorded (SageMaker's ValidationException);
    failures while scoring are recorded on the job with a ClientError FailureReason.
    """
    name = request["TransformJobName"]
    try:
        model = sm.store.get("Model", request["ModelName"])
    except ResourceNotFound:
        raise JobFailed(f"Could not find model \"{sm.arn('Model', request['ModelName'])}\".") from None
    arn = sm.arn("TransformJob", name)
    created = sm.now_millis()
    record = {**shapes.carried_over("DescribeTransformJob", request), "TransformJobArn": arn,
              "TransformJobStatus": "InProgress", "CreationTime": created}
    sm.store.create("TransformJob", name, record)
    sm.log.info("transform job %s started (model %s)", name, request["ModelName"])
    job_dir = sm.job_dir(name)
    log_path = job_dir / "logs.txt"
    started = sm.now_millis()
    sm.store.update("TransformJob", name, TransformStartTime=started)
    transform_input = request["TransformInput"]
    transform_output = request["TransformOutput"]
    content_type = base_type(transform_input.get("ContentType"))
    accept = base_type(transform_output.get("Accept"), default=content_type)
    written: list[str] = []
    try:
        # Appended: SageMaker names are per kind, so a transform job may share its name (and folder)
        # with the training job that made the model (AWS's tuning sample does).
        with log_path.open("a", encoding="utf-8") as log:
            try:
                predictor = load_model(model, sm=sm, model_dir=job_dir / "model")
            except JobFailed:
                raise
            except Exception as exc:  # model code or archive problems belong to the job, not to us
                raise JobFailed(f"ClientError: cannot load the model: {type(exc).__name__}: {exc}") from None
            if transform_input.get("CompressionType", "None") != "None":
                raise JobFailed("ClientError: CompressionType Gzip is not supported by the local runner")
            source = transform_input["DataSource"]["S3DataSource"]
            for bucket, key in _input_objects(sm, source):
                data = sm.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                try:
                    out = process_object(
                        data, predict=predictor.predict, content_type=content_type, accept=accept,
                        split_type=transform_input.get("SplitType", "None"),
                        batch_strategy=request.get("BatchStrategy", "MultiRecord"),
                        max_payload_mb=request.get("MaxPayloadInMB", DEFAULT_MAX_PAYLOAD_MB),
                        assemble_with=transform_output.get("AssembleWith", "None"),
                        data_processing=request.get("DataProcessing"))
                except JobFailed:
                    raise
                except Exception as exc:
                    log.write(f"s3://{bucket}/{key}: {type(exc).__name__}: {exc}\n")
                    raise JobFailed(f"ClientError: See job logs for more information ({log_path}): "
                                    f"s3://{bucket}/{key}: {type(exc).__name__}: {exc}") from None
                out_bucket, out_key = output_key(key, input_prefix=s3io.parse_s3_uri(source["S3Uri"])[1],
                                                 output_uri=transform_output["S3OutputPath"])
                sm.s3.put_object(Bucket=out_bucket, Key=out_key, Body=out)
                written.append(f"s3://{out_bucket}/{out_key}")
                log.write(f"s3://{bucket}/{key} -> s3://{out_bucket}/{out_key} ({len(out)} bytes)\n")
    except JobFailed as exc:
        ended = sm.now_millis()
        sm.store.update("TransformJob", name, TransformJobStatus=exc.status, FailureReason=exc.reason[:1024],
                        TransformEndTime=ended)
        sm.log.info("transform job %s %s: %s", name, exc.status, exc.reason)
        return {"TransformJobArn": arn}
    sm.store.update("TransformJob", name, TransformJobStatus="Completed", TransformEndTime=sm.now_millis())
    sm.log.info("transform job %s Completed: %s", name, ", ".join(written))
    return {"TransformJobArn": arn}
