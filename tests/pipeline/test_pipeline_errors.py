"""A malformed pipeline file gets one error naming the file, the step and the field."""

import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.errors import PipelineError
from sagemaker_sfn.pipeline import load_pipeline

MODEL = "{ExecutionRoleArn: r, PrimaryContainer: {Image: i}}"


def load(tmp_path: Path, body: str, *, name: str = "p") -> PipelineError:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    with pytest.raises(PipelineError) as info:
        load_pipeline(path)
    return info.value


@pytest.mark.parametrize(("body", "step", "field", "message"), [
    ("name: p\nsteps: [{name: A, type: training}]\n", "A", "request", "missing; expected a mapping"),
    ("name: p\nsteps: [{name: A, type: training, request: [1]}]\n", "A", "request", "expected a mapping, found a list"),
    (f"name: p\nsteps: [{{name: A, type: model, request: {MODEL}, reqest: 1}}]\n", "A", "reqest",
     "unknown option for a model step; did you mean 'request'?; allowed: catch, comment, end, integration, name, name_prefix, next, request, "
     "result_path, result_selector, retry, type"),
    ("name: p\nsteps: [{name: A, type: trainin}]\n", "A", "type",
     "unknown step type 'trainin'; did you mean 'training'?; expected one of training, tuning, transform, processing, clarify, model, "
     "endpoint-config, endpoint, update-endpoint, register-model, deploy, approval, lambda, sns, callback, metric-gate, pass, choice, "
     "wait, parallel, map, succeed, fail"),
    ("name: p\nsteps: [{name: A, type: pass, next: Nowhere}]\n", "A", "next",
     "no step named 'Nowhere' here; steps in this scope: A"),
    ("name: p\nsteps: [{name: A, type: pass}, {name: A, type: succeed}]\n", "A", "name",
     "state name 'A' is already used; every step and generated state needs its own name"),
    (f"name: p\nsteps: [{{name: A, type: model, integration: sync, request: {MODEL}}}]\n", "A", None,
     "sagemaker:createModel does not support the sync integration pattern (supported: request-response)"),
    (f"name: p\nsteps: [{{name: A, type: model, name_prefix: Bad_Prefix, request: {MODEL}}}]\n", "A", None,
     "name prefix 'Bad_Prefix' must be lower-case letters and digits"),
    ("name: p\nsteps: [{name: A, type: wait, seconds: 1, timestamp: x}]\n", "A", "seconds",
     "a Wait state needs exactly one of seconds"),
    ("name: p\nsteps: [{name: A, type: choice, choices: [{Variable: $.a, IsPresent: true, Next: A}], next: A}]\n",
     "A", "next", "a choice step does not take next/end"),
    ("name: p\nsteps: [{name: A, type: pass, next: A, end: true}]\n", "A", "next", "give either next or end: true, not both"),
    ("name: p\nsteps: [{name: G, type: metric-gate, bucket: b, key: k, metric: m, threshold: 1, if_false: G}]\n",
     "G", "if_true", "the gate is the last step: say where a passing gate goes"),
    ("name: p\nsteps: [{name: A, type: parallel, branches: [[]]}]\n", "A", "branches",
     "branch 0 must be a non-empty list of steps"),
    ("name: p\nsteps: [{name: A, type: parallel, branches: [[{name: B, type: pass, next: A}]]}]\n", "B", "next",
     "no step named 'A' here; steps in this scope: B"),
    ("name: p\nsteps: [{name: A, type: lambda, function: '${NoSuchThing}'}]\n", "A", None,
     "unknown placeholder ${NoSuchThing}"),
    ("name: p\nsteps: [{name: A, type: pass, retry: 3}]\n", "A", "retry", "unknown option for a pass step"),
    ("name: p\nsteps: [{name: A, type: model, request: {ModelName: m}, retry: [{MaxAttempts: 1}]}]\n", "A", "retry",
     "item 0 needs ErrorEquals"),
])
def test_fails_step_errors_name_file_step_and_field(tmp_path: Path, body: str, step: str, field: str | None,
                                                    message: str) -> None:
    error = load(tmp_path, body)
    assert (error.file, error.step, error.field) == (str(tmp_path / "p.yaml"), step, field)
    assert message in str(error)
    assert str(error).startswith(f"{tmp_path / 'p.yaml'}, step '{step}'" + (f", field '{field}'" if field else ""))


@pytest.mark.parametrize(("body", "field", "message"), [
    ("name: other\nsteps: [{name: A, type: succeed}]\n", "name",
     "'other' differs from the file name 'p': pipelines/<name>.yaml must hold pipeline <name>"),
    ("name: p\nsteps: []\n", "steps", "expected a non-empty list of steps, found a list"),
    ("name: p\nsteps: [{name: A, type: succeed}]\ncolour: red\n", "colour",
     "unknown top-level key; allowed: name, description, input, input_schema, trigger, steps, timeout_seconds"),
    ("name: p\ninput: [1]\nsteps: [{name: A, type: succeed}]\n", "input", "expected a mapping (the example execution input)"),
    ("name: p\ntrigger: {s3_prefix: /abs}\nsteps: [{name: A, type: succeed}]\n", "trigger.s3_prefix",
     "expected a key prefix in the data bucket"),
    ("name: p\nsteps: [{type: succeed}]\n", "name", "steps[0] needs a name (a non-empty string), found nothing (null)"),
    ("name: p\ninput: {b: '${Nope}'}\nsteps: [{name: A, type: succeed}]\n", "input", "unknown placeholder ${Nope}"),
])
def test_fails_file_level_errors(tmp_path: Path, body: str, field: str, message: str) -> None:
    error = load(tmp_path, body)
    assert (error.file, error.step, error.field) == (str(tmp_path / "p.yaml"), None, field)
    assert message in str(error)


@pytest.mark.parametrize("body, message", [
    ("name: p\nsteps: [\n  {name: A\n", "not valid YAML at line 4 column 1: did not find expected ',' or '}'"),
    ("name: p\nsteps:\n  - name: A\n    type: succeed\n   bad: 1\n",
     "not valid YAML at line 5 column 4: did not find expected '-' indicator"),
])
def test_fails_invalid_yaml_with_its_position(tmp_path: Path, body: str, message: str) -> None:
    # The loader uses libyaml (CSafeLoader) when present: its messages, same line and column marks.
    yaml = pytest.importorskip("yaml")
    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML built without libyaml: the pure-Python parser words its errors differently")
    error = load(tmp_path, body)
    assert (error.file, error.step, error.field) == (str(tmp_path / "p.yaml"), None, None)
    assert str(error) == f"{tmp_path / 'p.yaml'}: {message}"


def test_fails_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"missing.yaml: no such file$"):
        load_pipeline(tmp_path / "missing.yaml")
