"""Validate what a pipeline file generates, and say where in the *pipeline file* each problem is.

Users edit YAML, not ASL: a finding at ``$.States.Train.Parameters.ResourceConfig.InstanceType``
is reported as step 'Train', field 'request.ResourceConfig.InstanceType' of the file, so the
mistake is found where it was made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sagemaker_sfn.pipeline.model import Pipeline

# One `.States.<name>` or `.States['<name>']` segment of a validator location.
_STATE = re.compile(r"\.States(?:\.([A-Za-z_][A-Za-z0-9_$-]*)|\['((?:[^'\\]|\\.)*)'\])")
# Fields of a Task state that hold the step's request in the pipeline file.
_REQUEST_FIELDS = (".Parameters", ".Arguments")


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
    return [_locate(file, f.location, f.severity, f.message) for f in findings]


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
