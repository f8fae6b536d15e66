"""`sagemaker-sfn generate`: one line per pipeline, the summary line, --check, --root, clean errors."""

import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main


def project(tmp_path: Path, **files: str) -> Path:
    (tmp_path / "pipelines").mkdir()
    for name, text in files.items():
        (tmp_path / "pipelines" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_generate_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, a="name: a\nsteps: [{name: S, type: succeed}]\n",
                   b="name: b\nsteps: [{name: S, type: succeed}]\n")
    assert main(["generate", "--check", "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    assert out == ("out of date  asl_templates/a.asl.json  <- pipelines/a.yaml\n"
                   "out of date  asl_templates/b.asl.json  <- pipelines/b.yaml\n"
                   "2 pipelines: 2 states, 0 SageMaker tasks\n")
    assert err == "2 template(s) out of date: run `sagemaker-sfn generate`\n"
    assert main(["generate", "--root", str(root)]) == 0
    assert capsys.readouterr().out == ("written      asl_templates/a.asl.json  <- pipelines/a.yaml\n"
                                       "written      asl_templates/b.asl.json  <- pipelines/b.yaml\n"
                                       "2 pipelines: 2 states, 0 SageMaker tasks\n")
    assert main(["generate", "--root", str(root)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "unchanged    asl_templates/a.asl.json  <- pipelines/a.yaml"
    assert main(["generate", "--check", "--root", str(root)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "up to date   asl_templates/b.asl.json  <- pipelines/b.yaml"


def test_check_reports_orphaned_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, a="name: a\nsteps: [{name: S, type: succeed}]\n",
                   b="name: b\nsteps: [{name: S, type: succeed}]\n")
    assert main(["generate", "--root", str(root)]) == 0
    (root / "pipelines" / "b.yaml").rename(root / "pipelines" / "c.yaml")
    (root / "pipelines" / "c.yaml").write_text("name: c\nsteps: [{name: S, type: succeed}]\n")
    capsys.readouterr()
    assert main(["generate", "--check", "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    assert out == ("up to date   asl_templates/a.asl.json  <- pipelines/a.yaml\n"
                   "out of date  asl_templates/c.asl.json  <- pipelines/c.yaml\n"
                   "orphaned     asl_templates/b.asl.json  (no pipelines/b.yaml)\n"
                   "2 pipelines: 2 states, 0 SageMaker tasks\n")
    assert err == ("1 template(s) out of date: run `sagemaker-sfn generate`\n"
                   "1 orphaned template(s): delete them, or restore their pipeline files\n")
    assert main(["generate", "--root", str(root)]) == 0   # writes c; reports b, leaves it
    assert (root / "asl_templates" / "b.asl.json").is_file()
    assert "1 orphaned template(s) left in place" in capsys.readouterr().err
    (root / "asl_templates" / "b.asl.json").unlink()
    assert main(["generate", "--check", "--root", str(root)]) == 0


MODEL_STEP = """\
  - name: Model
    type: model
    request:
      ExecutionRoleArn: ${SageMakerRoleArn}
      PrimaryContainer:
        Image: ${XGBoostImageUri}
        ModelDataUrl: s3://${DataBucket}/model.tar.gz
"""


def test_summary_counts_states_and_sagemaker_tasks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # One SageMaker task with its failure path (SNS notification + Fail), a Parallel whose branch
    # holds a second SageMaker task, and a Lambda task (not SageMaker) with its failure path.
    root = project(tmp_path, p="name: p\nsteps:\n" + MODEL_STEP + """\
  - name: Fan
    type: parallel
    branches:
      - - name: BranchModel
          type: model
          request:
            ExecutionRoleArn: ${SageMakerRoleArn}
            PrimaryContainer:
              Image: ${XGBoostImageUri}
  - name: Notify
    type: lambda
    function: ${GenerateDatasetFunctionArn}
""")
    assert main(["generate", "--root", str(root)]) == 0
    assert capsys.readouterr().out == ("written      asl_templates/p.asl.json  <- pipelines/p.yaml\n"
                                       "1 pipeline: 10 states, 2 SageMaker tasks\n")


def test_fails_malformed_pipeline_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, a="name: a\nsteps: [{name: S, type: training}]\n")
    assert main(["generate", "--root", str(root)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"sagemaker-sfn generate: error: {root / 'pipelines' / 'a.yaml'}, step 'S', field 'request': "
                   "missing; expected a mapping\n")


def test_fails_without_pipelines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--root", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"sagemaker-sfn generate: error: no pipeline files (*.yaml) in {tmp_path / 'pipelines'}\n"
    assert main(["generate", "--root", str(tmp_path / "nope")]) == 2
    assert "no such directory" in capsys.readouterr().err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    out = capsys.readouterr().out
    assert "pipelines/<name>.yaml" in out and "--check" in out and "exit status" in out
