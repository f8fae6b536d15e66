"""``sagemaker-sfn graph``: formats, pipeline names, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main

DEFINITION = {"StartAt": "Hello world", "States": {"Hello world": {"Type": "Pass", "End": True}}}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "asl_templates").mkdir()
    (tmp_path / "asl_templates" / "hello.asl.json").write_text(json.dumps(DEFINITION))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return tmp_path


def test_mermaid_is_the_default(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "hello"]) == 0
    assert capsys.readouterr().out == """\
flowchart TD
  start_node(("Start"))
  s_Hello_world[/"Hello world"/]
  finish_node(("End"))
  start_node --> s_Hello_world
  s_Hello_world --> finish_node
  classDef sfn_start fill:#eeeeee,stroke:#555555
  class start_node sfn_start
  classDef sfn_end fill:#eeeeee,stroke:#555555
  class finish_node sfn_end
"""


def test_dot_format_is_titled_with_the_pipeline_name(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(project / "asl_templates" / "hello.asl.json"), "--format", "dot"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('digraph "hello" {\n')
    assert '  s_Hello_world [label="Hello world", shape=parallelogram];\n' in out
    assert out.endswith("  s_Hello_world -> finish_node;\n}\n")


def test_broken_transition_is_a_clean_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "broken.json"
    path.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}))
    assert main(["graph", str(path)]) == 2
    assert capsys.readouterr().err == (
        "sagemaker-sfn graph: error: $.States.A.Next: transition to 'B', which is not a state of this scope\n")


def test_unknown_format_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["graph", "hello", "--format", "png"])
    assert exc.value.code == 2
    assert "invalid choice: 'png'" in capsys.readouterr().err


def test_help_describes_formats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    out = capsys.readouterr().out
    assert "Mermaid flowchart" in out and "Graphviz DOT" in out and "--format {mermaid,dot,svg,html}" in out
