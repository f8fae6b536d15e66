"""``sagemaker-sfn validate``: output lines, JSON, exit codes, pipeline names, no tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main

CLEAN = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
BROKEN = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
RISKY = {"StartAt": "T", "States": {"T": {
    "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModel",
    "Parameters": {"ModelName": "static-model", "ExecutionRoleArn": "${SageMakerRoleArn}",
                   "PrimaryContainer": {"Image": "${XGBoostImageUri}"}},
    "Retry": [{"ErrorEquals": ["SageMaker.AmazonSageMakerException"]}],
    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}], "End": True},
    "F": {"Type": "Fail"}}}
RISKY_WARNING = ("warning: $.States.T.Parameters.ModelName: static ModelName \"static-model\": the next execution (or a "
                 "retry) is rejected because the name exists; expected a name built per execution, e.g. "
                 "\"ModelName.$\": \"States.Format('name-{}', $$.Execution.Name)\"")


def write(tmp_path: Path, name: str, definition: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(definition), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "clean.json", CLEAN)
    assert run(capsys, str(path)) == (0, f"{path}: ok\n1 definition checked, 0 errors, 0 warnings\n", "")


def test_errors_exit_1_with_location_and_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean, broken = write(tmp_path, "clean.json", CLEAN), write(tmp_path, "broken.json", BROKEN)
    assert run(capsys, str(clean), str(broken)) == (1, (
        f"{clean}: ok\n"
        f"{broken}: error: $.States.A.Next: 'Nowhere' is not a state in this scope: expected one of 'A'\n"
        f"{broken}: error: $.StartAt: no terminal state is reachable from StartAt: expected a path to a Succeed or "
        "Fail state or a state with \"End\": true\n"
        "2 definitions checked, 2 errors, 0 warnings\n"), "")


def test_warnings_exit_0_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "risky.json", RISKY)
    expected = f"{path}: {RISKY_WARNING}\n1 definition checked, 0 errors, 1 warning\n"
    assert run(capsys, str(path)) == (0, expected, "")
    assert run(capsys, str(path), "--strict") == (
        1, expected.replace("1 warning\n", "1 warning, warnings count as errors (--strict)\n"), "")


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    risky, broken = write(tmp_path, "risky.json", RISKY), write(tmp_path, "broken.json", BROKEN)
    code, out, err = run(capsys, "--json", str(risky), str(broken))
    assert (code, err) == (1, "")
    assert json.loads(out) == [
        {"file": str(risky), "location": "$.States.T.Parameters.ModelName", "severity": "warning",
         "message": RISKY_WARNING.split(": ", 2)[2], "rule": "job-names"},
        {"file": str(broken), "location": "$.States.A.Next", "severity": "error",
         "message": "'Nowhere' is not a state in this scope: expected one of 'A'", "rule": "structure"},
        {"file": str(broken), "location": "$.StartAt", "severity": "error",
         "message": "no terminal state is reachable from StartAt: expected a path to a Succeed or Fail state or a "
                    "state with \"End\": true", "rule": "structure"},
    ]


def test_unreadable_files_exit_2_and_others_still_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = write(tmp_path, "clean.json", CLEAN)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, out, err = run(capsys, str(tmp_path / "missing.json"), str(bad), str(clean))
    assert (code, out) == (2, f"{clean}: ok\n1 definition checked, 0 errors, 0 warnings, 2 unreadable\n")
    assert err == (f"sagemaker-sfn validate: error: file not found: {tmp_path / 'missing.json'}\n"
                   f"sagemaker-sfn validate: error: {bad}: not valid JSON: Expecting property name enclosed in "
                   "double quotes at line 1 column 2\n")


def test_pipeline_name_resolves_to_template(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "asl_templates").mkdir()
    write(tmp_path / "asl_templates", "demo.asl.json", BROKEN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    code, out, _ = run(capsys, "demo")
    assert code == 1
    assert out.splitlines()[0] == (f"{Path('asl_templates') / 'demo.asl.json'}: error: $.States.A.Next: 'Nowhere' "
                                   "is not a state in this scope: expected one of 'A'")


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    for args in ([], ["--nope", "x.json"], [str(write(tmp_path, "list.json", [1, 2]))]):
        result = subprocess.run([sys.executable, "-m", "sagemaker_sfn.cli", "validate", *args],
                                capture_output=True, text=True)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr
        assert result.stderr.strip(), args


def test_help_explains_checks_and_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for text in ("FILE|PIPELINE", "--strict", "--json", "exit status:", "1,048,576", "${Name}",
                 "sagemaker-sfn validate tune-xgboost --strict"):
        assert text in out


def test_help_names_every_rule_the_validator_reports(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    import sagemaker_sfn.validate as package

    ids = set()
    for module in Path(package.__file__).parent.glob("*.py"):
        ids.update(re.findall(r'^[A-Z_]*RULE = "([a-z-]+)"', module.read_text(encoding="utf-8"), re.MULTILINE))
    assert {"data-flow", "sagemaker-resilience", "jsonata"} <= ids
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    out = capsys.readouterr().out
    assert [rule for rule in sorted(ids) if not re.search(rf"^  {re.escape(rule)} ", out, re.MULTILINE)] == []


WIRED = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"n.$": "$.count"}, "End": True}}}


def test_input_gives_the_execution_input_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "wired.json", WIRED)
    assert run(capsys, str(path))[0] == 0  # without an input nothing is known about $.count
    code, out, _ = run(capsys, str(path), "--input", '{"total": 3}')
    assert code == 1
    assert out.splitlines()[0] == (f"{path}: error: $.States.P.Parameters['n.$']: 'n.$' reads $.count, which never "
                                   "resolves: the state's input has no field 'count': it has total")
    input_file = write(tmp_path, "input.json", {"count": 3})
    assert run(capsys, str(path), "--input", f"@{input_file}")[0] == 0


def test_bad_input_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "wired.json", WIRED)
    code, out, err = run(capsys, str(path), "--input", "{nope")
    assert (code, out) == (2, "")
    assert err.startswith("sagemaker-sfn validate: error: --input is not valid JSON: Expecting property name")
    code, _, err = run(capsys, str(path), "--input", f"@{tmp_path / 'missing.json'}")
    assert code == 2 and err == f"sagemaker-sfn validate: error: {tmp_path / 'missing.json'}: no such file\n"


def test_pipeline_name_follows_its_example_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "asl_templates").mkdir()
    (tmp_path / "pipelines").mkdir()
    write(tmp_path / "asl_templates", "demo.asl.json", WIRED)
    (tmp_path / "pipelines" / "demo.yaml").write_text("name: demo\ninput: {total: 3}\nsteps: []\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    code, out, _ = run(capsys, "demo")
    assert code == 1 and "has no field 'count'" in out
    # An input_schema in the pipeline file wins: an open schema says nothing about other fields.
    (tmp_path / "pipelines" / "demo.yaml").write_text(
        "name: demo\ninput: {total: 3}\ninput_schema: {type: object}\nsteps: []\n", encoding="utf-8")
    assert run(capsys, "demo")[0] == 0
