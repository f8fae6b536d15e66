"""The `function` pipeline step: generated states validate clean; bad options name their field."""

import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.errors import PipelineError
from sagemaker_sfn.pipeline import load_pipeline
from sagemaker_sfn.validate import validate_definition


def _load(tmp_path: Path, step: str) -> dict:
    (tmp_path / "pipelines").mkdir(exist_ok=True)
    path = tmp_path / "pipelines" / "demo.yaml"
    path.write_text("name: demo\nsteps:\n" + textwrap.indent(textwrap.dedent(step), "  "), encoding="utf-8")
    return load_pipeline(path).definition


def test_function_step_validates_clean_and_later_steps_read_the_return_value(tmp_path: Path) -> None:
    definition = _load(tmp_path, """
        - name: Summarize
          type: function
          function: demo/features.py:summarize
          args: {source: $.InputUri}
        - name: Use
          type: pass
          parameters: {rows.$: $.Summarize.Return.document.value.rows}
        """)
    assert list(definition["States"])[:5] == ["Summarize", "Summarize: write arguments", "Summarize: run",
                                              "Summarize: read return value", "Use"]
    assert [f for f in validate_definition(definition) if f.severity == "error"] == []


@pytest.mark.parametrize("options, field, message", [
    ("function: features.py:summarize", "function", "is not '<folder>/<file>.py:<function>'"),
    ("function: demo/f.py:g\n  requirements: ../r.txt", "requirements", "requirements must be a file name"),
    ("function: demo/f.py:g\n  argz: {}", "argz", "unknown option"),
    ("args: {}", "function", "missing"),
])
def test_bad_function_steps_name_the_field(tmp_path: Path, options: str, field: str, message: str) -> None:
    with pytest.raises(PipelineError) as raised:
        _load(tmp_path, f"- name: S\n  type: function\n  {options}\n")
    assert raised.value.field == field and message in str(raised.value)
