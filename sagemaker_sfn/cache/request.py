"""Reading a SageMaker job request template for its cache key.

The key covers the request *minus* what changes on every run by design — the generated job name,
the tags (Step Functions' execution tag among them), and any value computed from per-run context
(``$$.Execution.Name``: the output locations) — *plus* the content of the S3 inputs it can name
before the run (literal URIs and ``States.Format('s3://...', ...)``), so new data or new code under
the same URI is a different key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sagemaker_sfn.asl.intrinsic_syntax import IntrinsicSyntaxError, Literal, Node, PathArg, parse, \
    template_pieces

PATH_SUFFIX = ".$"

# Job APIs whose .sync result is the job's Describe* response, and the request field naming the job.
JOB_NAME_FIELDS = {
    "createTrainingJob": "TrainingJobName",
    "createProcessingJob": "ProcessingJobName",
    "createTransformJob": "TransformJobName",
    "createHyperParameterTuningJob": "HyperParameterTuningJobName",
}
# Request fields that never change what a job computes.
IGNORED_FIELDS = ("Tags",)
# Context values that differ on every execution or attempt (the Context object reference).
_PER_RUN = re.compile(r"\$\$\.(Execution\.(Id|Name|StartTime|RedriveCount|RedriveTime)|State\.(EnteredTime|RetryCount)"
                      r"|Task\.Token)|States\.UUID\(|States\.MathRandom\(")
# A literal S3 URI: bucket, then the key prefix.
_S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<prefix>.*)$")


def per_run(template: Any) -> bool:
    """True when a ``.$`` expression reads per-run context (execution name, entered time, UUID, ...)."""
    return isinstance(template, str) and bool(_PER_RUN.search(template))


def _base(key: str) -> str:
    return key[: -len(PATH_SUFFIX)] if key.endswith(PATH_SUFFIX) else key


def _dynamic(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k.endswith(PATH_SUFFIX) or _dynamic(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_dynamic(v) for v in value)
    return False


def keyed_request(parameters: dict[str, Any], *, action: str) -> tuple[dict[str, Any], list[str]]:
    """The request template without the per-run fields; also the dropped fields' locations."""
    dropped: list[str] = []
    ignored = {JOB_NAME_FIELDS.get(action, ""), *IGNORED_FIELDS}

    def strip(value: Any, where: str, top: bool) -> Any:
        if isinstance(value, dict):
            kept = {}
            for key, item in value.items():
                location = f"{where}.{_base(key)}" if where else _base(key)
                if (top and _base(key) in ignored) or (key.endswith(PATH_SUFFIX) and per_run(item)):
                    dropped.append(location)
                    continue
                kept[key] = strip(item, location, False)
            return kept
        if isinstance(value, list):
            return [strip(item, f"{where}[{i}]", False) for i, item in enumerate(value)]
        return value

    return strip(parameters, "", True), dropped


@dataclass(frozen=True)
class Part:
    """One piece of the keyed request, hashed on its own (States.Hash takes at most 10,000 characters)."""

    label: str              # "HyperParameters.eta", "ProcessingInputs[1]"
    template: Any           # the piece of the Parameters template
    path: str               # where a dynamic piece lands under the key state's Parameters ("$.Request.X.i1")
    dynamic: bool           # holds ``.$`` values: hashed at run time (else now)


def _key_path(key: str) -> str:
    return f".{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else f"['{key}']"


def parts(keyed: dict[str, Any]) -> tuple[list[Part], dict[str, Any]]:
    """Each top-level field, or each item of a list/mapping field (inputs, hyperparameters), so a
    single hash input stays far below the limit and a miss can say which piece changed; also the
    Parameters template that materialises the dynamic pieces (a list's dynamic items under keys
    ``i<index>``: the ASL schema refuses null placeholders in Parameters arrays)."""
    out: list[Part] = []
    request: dict[str, Any] = {}
    for key, value in keyed.items():
        base = _base(key)
        where = f"$.Request{_key_path(base)}"
        if key.endswith(PATH_SUFFIX):
            out.append(Part(base, value, where, True))
            request[key] = value
        elif isinstance(value, list) and value:
            items = {}
            for index, item in enumerate(value):
                dynamic = _dynamic(item)
                out.append(Part(f"{key}[{index}]", item, f"{where}.i{index}", dynamic))
                if dynamic:
                    items[f"i{index}"] = item
            if items:
                request[key] = items
        elif isinstance(value, dict) and value:
            members = {}
            for sub, item in value.items():
                dynamic = sub.endswith(PATH_SUFFIX) or _dynamic(item)
                out.append(Part(f"{key}.{_base(sub)}", item, f"{where}{_key_path(_base(sub))}", dynamic))
                if dynamic:
                    members[sub] = item
            if members:
                request[key] = members
        else:
            out.append(Part(key, value, where, False))
    return out, request


def literal_digest(value: Any) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# -- S3 inputs ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class S3Input:
    """An S3 input whose bucket and key prefix can be named before the job runs."""

    label: str              # "ProcessingInputs[1].S3Input.S3Uri"
    bucket: dict[str, Any]  # {"Bucket": "..."} or {"Bucket.$": "<expr>"}
    prefix: dict[str, Any]  # {"Prefix": "..."} or {"Prefix.$": "<expr>"}


def _unparse(node: Node) -> str:
    if isinstance(node, PathArg):
        return node.path
    if isinstance(node, Literal):
        if isinstance(node.value, str):
            return "'" + (node.raw if node.raw is not None else node.value.replace("\\", "\\\\").replace("'", "\\'")) + "'"
        return json.dumps(node.value)
    return f"{node.name}({', '.join(_unparse(arg) for arg in node.args)})"


def _split_format(expression: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``States.Format('s3://{}/{}', $.b, $.k)`` -> ({"Bucket.$": "$.b"}, {"Prefix.$": "States.Format('{}', $.k)"});
    None when the bucket is not one literal or one value."""
    try:
        call = parse(expression)
    except IntrinsicSyntaxError:
        return None
    if call.name != "States.Format" or not call.args or not isinstance(call.args[0], Literal) \
            or not isinstance(call.args[0].value, str):
        return None
    template = str(call.args[0].source)      # as written: escapes kept, so "{}" slots are unambiguous
    if not template.startswith("s3://"):
        return None
    slash = _first_unescaped_slash(template[5:])
    if slash is None:
        return None
    bucket_text, rest = template[5:5 + slash], template[6 + slash:]
    args = list(call.args[1:])
    bucket_slots = len(template_pieces(bucket_text)) - 1
    if bucket_text == "{}" and args:
        first = args[0]
        bucket: dict[str, Any] = {"Bucket": str(first.value)} if isinstance(first, Literal) \
            else {"Bucket.$": _unparse(first)}
    elif bucket_slots == 0:
        bucket = {"Bucket": "".join(template_pieces(bucket_text))}
    else:
        return None   # a bucket made of text and values: not worth the guess
    remaining = args[bucket_slots:]
    if len(template_pieces(rest)) - 1 != len(remaining):
        return None
    if not remaining:
        return bucket, {"Prefix": "".join(template_pieces(rest))}
    return bucket, {"Prefix.$": f"States.Format('{rest}', {', '.join(_unparse(a) for a in remaining)})"}


def _first_unescaped_slash(text: str) -> int | None:
    escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "/":
            return index
    return None


def _input_of(label: str, key: str, value: Any) -> S3Input | None:
    if key.endswith(PATH_SUFFIX):
        if not isinstance(value, str) or not value.strip().startswith("States.Format"):
            return None   # a bare path: the URI itself (kept in the request) identifies it
        split = _split_format(value.strip())
        return S3Input(label, *split) if split else None
    match = _S3_URI.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    return S3Input(label, {"Bucket": match["bucket"]}, {"Prefix": match["prefix"]})


def s3_inputs(parameters: dict[str, Any]) -> list[S3Input]:
    """Every ``S3Uri`` of the request outside an output configuration, and a script-mode
    ``sagemaker_submit_directory``: the data and code the job reads."""
    found: list[S3Input] = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                base = _base(key)
                location = f"{where}.{base}" if where else base
                if "Output" in base:
                    continue   # ProcessingOutputConfig, OutputDataConfig, TransformOutput, S3Output...
                if base in ("S3Uri", "sagemaker_submit_directory"):
                    text = item.strip('"') if isinstance(item, str) and not key.endswith(PATH_SUFFIX) else item
                    if (entry := _input_of(location, key, text)) is not None:
                        found.append(entry)
                    continue
                walk(item, location)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")

    walk(parameters, "")
    return found
