"""Validate what a pipeline file generates, and say where in the *pipeline file* each problem is.

Users edit YAML, not ASL: a finding at ``$.States.Train.Parameters.ResourceConfig.InstanceType``
is reported as step 'Train', field 'request.ResourceConfig.InstanceType' of the file, so the
mistake is found where it was made. The states step caching adds (``Cache key: Train``, ...; see
sagemaker_sfn.cache.transform) are the step's too: a finding in them is reported against the step,
at the field of the step's request it was copied from, and dropped when the step's own state
already reports that field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from sagemaker_sfn.pipeline.model import Pipeline

# One `.States.<name>` or `.States['<name>']` segment of a validator location.
_STATE = re.compile(r"\.States(?:\.([A-Za-z_][A-Za-z0-9_$-]*)|\['((?:[^'\\]|\\.)*)'\])")
# Fields of a Task state that hold the step's request in the pipeline file.
_REQUEST_FIELDS = (".Parameters", ".Arguments")
# One segment of the rest of a location: .key, ['key'] or [index].
_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_$-]*)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]")


@dataclass(frozen=True)
class PipelineFinding:
    file: str
    step: str | None        # the innermost state the finding is in (a step name, or a generated state)
    field: str              # 'request.X.Y' for request members, else the ASL location within the state
    severity: str
    message: str

    def line(self) -> str:
        where = f"step '{self.step}', field '{self.field}'" if self.step else f"field '{self.field}'"
        return f"{self.file}: {self.severity}: {where}: {self.message}"


def pipeline_findings(pipeline: Pipeline) -> list[PipelineFinding]:
    """Every validator finding about the pipeline's definition, located in the pipeline file."""
    from sagemaker_sfn.validate import validate_definition

    file = str(pipeline.path) if pipeline.path else pipeline.name
    # The data-flow rule follows the execution input's shape: the file's input_schema, else its example input.
    findings = validate_definition(pipeline.definition, input_schema=pipeline.input_schema,
                                   example_input=pipeline.example_input)
    located = [(_locate(file, f.location, f.severity, f.message), f.location) for f in findings]
    seen = {(f.step, f.field, f.severity) for f, location in located if _cache_step(location) is None}
    out: list[PipelineFinding] = []
    for finding, location in located:
        if _cache_step(location) is not None:
            finding = _in_step_terms(finding, location, pipeline.definition)
            if (finding.step, finding.field, finding.severity) in seen:
                continue   # the step's own state (or another cache state) reports that field: once is enough
            seen.add((finding.step, finding.field, finding.severity))
        out.append(finding)
    return out


def _locate(file: str, location: str, severity: str, message: str) -> PipelineFinding:
    matches = list(_STATE.finditer(location))
    if not matches:
        return PipelineFinding(file=file, step=None, field=location, severity=severity, message=message)
    last = matches[-1]
    step = last.group(1) if last.group(1) is not None else re.sub(r"\\(.)", r"\1", last.group(2))
    rest = location[last.end():]
    for prefix in _REQUEST_FIELDS:
        if rest == prefix or rest.startswith(prefix + ".") or rest.startswith(prefix + "["):
            rest = "request" + rest[len(prefix):]
            break
    else:
        rest = rest.lstrip(".") or "(the state)"
    return PipelineFinding(file=file, step=step, field=rest, severity=severity, message=message)


# --- the states step caching adds --------------------------------------------------------------------

def _cache_step(location: str) -> tuple[str, str] | None:
    """``("key", "Train")`` when the innermost state of ``location`` is one step caching added."""
    from sagemaker_sfn.cache.transform import step_of

    matches = list(_STATE.finditer(location))
    if not matches:
        return None
    last = matches[-1]
    name = last.group(1) if last.group(1) is not None else re.sub(r"\\(.)", r"\1", last.group(2))
    return step_of(name)


def _segments(text: str) -> list[str | int]:
    return [int(m.group(3)) if m.group(3) is not None else m.group(1) if m.group(1) is not None
            else re.sub(r"\\(.)", r"\1", m.group(2)) for m in _SEGMENT.finditer(text)]


def _job_state(definition: dict[str, Any], generated: str, step: str) -> dict[str, Any] | None:
    """The state ``step`` in the scope that holds the generated state ``generated`` (None: no such state)."""
    from sagemaker_sfn.cache.transform import scopes

    for scope in scopes(definition):
        states = scope.get("States") or {}
        if generated in states and isinstance(states.get(step), dict):
            return states[step]
    return None


def _request_field(parameters: dict[str, Any], path: list[str | int]) -> str:
    """``request.X[1].Y`` for a path into the step's Parameters, keys written as the validator writes them."""
    from sagemaker_sfn.validate.findings import location_of

    return "request" + location_of("", tuple(path))


def _in_step_terms(finding: PipelineFinding, location: str, definition: dict[str, Any]) -> PipelineFinding:
    """A finding in a generated cache state, reported against its step and (where the state copies the
    step's request) the request field it comes from; elsewhere the field names the generated state."""
    from sagemaker_sfn.cache.request import s3_inputs

    kind, step = _cache_step(location) or ("", "")
    generated = finding.step or ""
    job = _job_state(definition, generated, step)
    if job is None:
        return finding   # named like a cache state, but no step of that name beside it: not ours
    parameters = job.get("Parameters") if isinstance(job.get("Parameters"), dict) else None
    rest = location[list(_STATE.finditer(location))[-1].end():]
    segments = _segments(rest)
    # The generated states' requests: the key Pass's Parameters, a listing's Arguments.
    path = segments[1:] if segments[:1] in (["Parameters"], ["Arguments"]) else []
    field = None
    if parameters is not None and kind == "key" and path[:1] == ["Request"] and len(path) > 1:
        # The keyed request: the step's fields, a list field's items under "i<index>" (cache.request.parts).
        top = str(path[1])
        rest = path[2:]
        base = top.removesuffix(".$")
        if isinstance(parameters.get(base), list) and rest and isinstance(rest[0], str) \
                and re.fullmatch(r"i\d+", rest[0]):
            rest = [int(rest[0][1:]), *rest[1:]]
        field = _request_field(parameters, [top, *rest])
    elif parameters is not None and ((kind == "key" and path[:1] == ["Inputs"] and len(path) > 1)
                                     or (kind == "input" and segments[:1] == ["Arguments"])):
        # The n-th S3 input the key lists (Parameters.Inputs[n]), or the listing of input n ("Cache input n+1").
        index = path[1] if kind == "key" else int(generated.split(":")[0].split()[-1]) - 1
        inputs = s3_inputs(parameters)
        if isinstance(index, int) and 0 <= index < len(inputs):
            field = _s3_uri_field(parameters, inputs[index].label)
    if field is None:
        field = f"{rest.lstrip('.') or '(the state)'} of generated state '{generated}'"
    message = finding.message
    for generated_key in ("'Prefix.$'", "'Bucket.$'"):
        if field.startswith("request") and message.startswith(generated_key):
            message = "'S3Uri.$'" + message[len(generated_key):]
    return replace(finding, step=step, field=field, message=message)


def _s3_uri_field(parameters: dict[str, Any], label: str) -> str:
    """The request field of an S3 input labelled ``ProcessingInputs[1].S3Input.S3Uri``, with ``.$`` when the
    request computes it (as the validator names the key)."""
    path: list[str | int] = []
    node: Any = parameters
    for segment in _segments("." + label):
        if isinstance(segment, int):
            node = node[segment] if isinstance(node, list) and segment < len(node) else None
            path.append(segment)
            continue
        if isinstance(node, dict) and f"{segment}.$" in node:
            path.append(f"{segment}.$")
            node = node[f"{segment}.$"]
        else:
            path.append(segment)
            node = node.get(segment) if isinstance(node, dict) else None
    return _request_field(parameters, path)
