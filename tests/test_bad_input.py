"""Every kind of bad input a person can pass, at every command that reads it: the message names the
file and the problem, the exit status is 2, no traceback; a batch keeps going over the good files."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main

GOOD = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
BROKEN = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
PIPELINE_YAML = "name: demo\nsteps:\n  - name: S\n    type: succeed\n"
TOO_DEEP = "[" * 5000 + "]" * 5000

# (file name, bytes, the problem the message states after "<file>: ")
BAD_FILES = [
    ("latin1.json", b'{"Comment": "caf\xe9", "StartAt": "A"}',
     "is not UTF-8 text: byte 0xe9 at line 1 cannot be decoded (save the file as UTF-8), expected an ASL "
     "definition (JSON)"),
    ("image.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "is a binary file, expected an ASL definition (JSON)"),
    ("empty.json", b"", "is empty, expected an ASL definition (JSON)"),
    ("deep.json", TOO_DEEP.encode(), "JSON nested too deeply (more than 200 levels of objects and arrays)"),
    ("deep201.json", ("[" * 201 + "]" * 201).encode(), "JSON nested too deeply (more than 200 levels of objects "
                                                        "and arrays)"),
    ("truncated.json", b'{"StartAt": "A", "States": {', "not valid JSON: Expecting property name enclosed in double "
                                                        "quotes at line 1 column 29"),
    ("array.json", b"[1, 2]", "expected a JSON object (an ASL definition), found an array"),
    ("pipeline.yaml", PIPELINE_YAML.encode(),
     "this is a pipeline file (YAML), not an ASL definition: run `sagemaker-sfn generate` to turn it into "
     "asl_templates/pipeline.asl.json, then pass that file or the pipeline name 'pipeline'"),
]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    for name, content, _ in BAD_FILES:
        (tmp_path / name).write_bytes(content)
    (tmp_path / "good.json").write_text(json.dumps(GOOD))
    (tmp_path / "broken.json").write_text(json.dumps(BROKEN))
    (tmp_path / "folder").mkdir()
    return tmp_path


@pytest.mark.parametrize("command", ["validate", "graph", "policy"])
@pytest.mark.parametrize("name, problem", [(name, problem) for name, _, problem in BAD_FILES]
                         + [("folder", "is a directory, expected an ASL definition (JSON) or a pipeline name"),
                            ("missing.json", None)])
def test_fails_each_bad_file_with_exit_2_and_one_message(files: Path, capsys, command: str, name: str,
                                                          problem: str | None) -> None:
    code, out, err = cli(capsys, command, name)
    assert code == 2
    if problem is None:
        assert err == f"sagemaker-sfn {command}: error: file not found: {name}\n"
    else:
        assert err == f"sagemaker-sfn {command}: error: {name}: {problem}\n"
    assert "Traceback" not in out + err
    assert command != "validate" or out.endswith("0 definitions checked, 0 errors, 0 warnings, 1 unreadable\n")


def test_validate_keeps_going_over_a_batch_and_exits_with_the_worst_result(files: Path, capsys) -> None:
    names = [name for name, _, _ in BAD_FILES]
    code, out, err = cli(capsys, "validate", "good.json", *names, "folder", "broken.json", "good.json")
    assert code == 2
    lines = out.splitlines()
    assert lines[0] == "good.json: ok"
    assert lines[1].startswith("broken.json: error: $.States.A.Next:")
    assert lines[-2] == "good.json: ok"
    assert lines[-1].startswith("3 definitions checked, ") and lines[-1].endswith(f", {len(names) + 1} unreadable")
    assert len(err.splitlines()) == len(names) + 1
    # Findings alone: 1; the good file alone: 0.
    assert cli(capsys, "validate", "good.json", "broken.json")[0] == 1
    assert cli(capsys, "validate", "good.json")[0] == 0


def test_pipeline_name_without_a_template_says_to_generate(files: Path, capsys) -> None:
    (files / "pipelines").mkdir()
    (files / "pipelines" / "demo.yaml").write_text(PIPELINE_YAML)
    (files / "asl_templates").mkdir()
    code, _, err = cli(capsys, "validate", "demo")
    assert (code, err) == (2, "sagemaker-sfn validate: error: pipeline 'demo' has no template yet: run "
                              "`sagemaker-sfn generate` to write asl_templates/demo.asl.json\n")


@pytest.mark.parametrize("name, problem", [
    ("image.json", "is a binary file, expected the execution input (JSON)"),
    ("empty.json", "is empty, expected the execution input (JSON)"),
    ("folder", "is a directory, expected the execution input (JSON)"),
    ("deep.json", "JSON nested too deeply (more than 200 levels of objects and arrays)"),
])
def test_run_input_file_problems_exit_2(files: Path, capsys, name: str, problem: str) -> None:
    code, out, err = cli(capsys, "run", "good.json", "--local", "--input", f"@{name}")
    assert (code, out, err) == (2, "", f"sagemaker-sfn run: error: {name}: {problem}\n")


def test_run_refuses_a_used_execution_name_unless_replaced(files: Path, capsys, tmp_path: Path) -> None:
    mocks = {"StateMachines": {"good": {"TestCases": {"T": {}}}}, "MockedResponses": {}}
    (files / "m.json").write_text(json.dumps(mocks))
    argv = ["run", "good.json", "--local", "--mock-config", "m.json", "--test-case", "T", "--name", "once", "--json"]
    assert cli(capsys, *argv)[0] == 0
    (files / ".sfn-local" / "once" / "marker").write_text("from the first run")
    code, out, err = cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == ("sagemaker-sfn run: error: ExecutionAlreadyExists: an execution named 'once' was already run "
                   f"({files / '.sfn-local' / 'once'}); choose another --name, or add --replace to delete that "
                   "run's files and run again\n")
    assert cli(capsys, *argv, "--replace")[0] == 0
    assert not (files / ".sfn-local" / "once" / "marker").exists()
    assert json.loads((files / ".sfn-local" / "once" / "output.json").read_text())["status"] == "SUCCEEDED"


@pytest.mark.parametrize("name", ["..", ".", "a/b", "tab\there", "x" * 81, "caf\u00e9\u009f"])
def test_run_refuses_names_that_are_not_safe_directory_names(files: Path, capsys, name: str) -> None:
    code, out, err = cli(capsys, "run", "good.json", "--local", "--name", name)
    assert (code, out) == (2, "")
    assert err.startswith(f"sagemaker-sfn run: error: invalid execution name {name!r}: ")
    assert not (files.parent / "b").exists() and not (files / ".sfn-local").exists()


# -- generate: pipeline files, and writing templates ----------------------------------------------

def pipeline_project(root: Path, **pipelines: bytes) -> Path:
    (root / "pipelines").mkdir(parents=True)
    for name, content in pipelines.items():
        (root / "pipelines" / f"{name}.yaml").write_bytes(content)
    return root


@pytest.mark.parametrize("content, problem", [
    (b"name: a\ndescription: caf\xe9\nsteps: []\n", "is not UTF-8 text: byte 0xe9 at line 2 cannot be decoded "
                                                    "(save the file as UTF-8), expected a pipeline file (YAML)"),
    (b"\x00\x01\x02binary", "is a binary file, expected a pipeline file (YAML)"),
    (b"", "is empty, expected a pipeline file (YAML)"),
    (("a: " + "[" * 300 + "]" * 300 + "\n").encode(), "nested too deeply"),
])
def test_generate_fails_unreadable_pipeline_files_naming_them(tmp_path: Path, capsys, content: bytes,
                                                                problem: str) -> None:
    root = pipeline_project(tmp_path, a=content)
    code, out, err = cli(capsys, "generate", "--root", str(root))
    assert (code, out) == (2, "")
    assert err.startswith(f"sagemaker-sfn generate: error: {root / 'pipelines' / 'a.yaml'}: {problem}")
    assert "Traceback" not in err


def test_generate_on_a_full_disk_keeps_the_committed_template(tmp_path: Path, capsys,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = pipeline_project(tmp_path, a=b"name: a\nsteps: [{name: S, type: succeed}]\n")
    assert cli(capsys, "generate", "--root", str(root))[0] == 0
    template = root / "asl_templates" / "a.asl.json"
    committed = template.read_text()
    (root / "pipelines" / "a.yaml").write_text("name: a\nsteps: [{name: T, type: succeed}]\n")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    code, out, err = cli(capsys, "generate", "--root", str(root))
    assert (code, out) == (2, "")
    assert err == (f"sagemaker-sfn generate: error: cannot write {template}: no space left on device (the disk is "
                   "full) (that template is unchanged)\n")
    assert template.read_text() == committed
    assert sorted(p.name for p in template.parent.iterdir()) == ["a.asl.json"]


def test_generate_into_a_read_only_directory_names_it(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    root = pipeline_project(tmp_path, a=b"name: a\nsteps: [{name: S, type: succeed}]\n")

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(kwargs.get("dir")))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    code, _, err = cli(capsys, "generate", "--root", str(root))
    assert code == 2
    assert err == (f"sagemaker-sfn generate: error: cannot write {root / 'asl_templates' / 'a.asl.json'}: read-only "
                   "file system (that template is unchanged)\n")
    assert "please report" not in err


def test_generate_on_a_real_full_tmpfs_keeps_the_committed_template(tmp_path: Path) -> None:
    """A 64 KiB tmpfs, filled up: needs mount rights (root in a container), skipped elsewhere."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        steps = "".join(f"  - {{name: S{i}, type: pass}}\n" for i in range(40)) + "  - {name: End, type: succeed}\n"
        root = pipeline_project(mount_point, a=b"name: a\nsteps: [{name: S, type: succeed}]\n")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        first = subprocess.run([sys.executable, "-m", "sagemaker_sfn.cli", "generate", "--root", str(root)],
                               capture_output=True, text=True, env=env)
        assert first.returncode == 0, first.stderr
        template = root / "asl_templates" / "a.asl.json"
        committed = template.read_text()
        (root / "pipelines" / "a.yaml").write_text("name: a\nsteps:\n" + steps)
        filler = mount_point / "filler"
        with filler.open("wb", buffering=0) as handle:   # fill the disk to the last block
            try:
                while True:
                    handle.write(b"\0" * 1024)
            except OSError:
                pass
        second = subprocess.run([sys.executable, "-m", "sagemaker_sfn.cli", "generate", "--root", str(root)],
                                capture_output=True, text=True, env=env)
        assert second.returncode == 2
        assert second.stderr == (f"sagemaker-sfn generate: error: cannot write {template}: no space left on device "
                                 "(the disk is full) (that template is unchanged)\n")
        assert template.read_text() == committed
    finally:
        subprocess.run(["umount", str(mount_point)], capture_output=True)


def test_no_validate_says_what_it_skipped(tmp_path: Path, capsys) -> None:
    root = pipeline_project(tmp_path, a=b"name: a\nsteps: [{name: S, type: succeed}]\n")
    code, _, err = cli(capsys, "generate", "--root", str(root), "--no-validate")
    assert (code, err) == (0, "not validated (--no-validate): templates are written without the checks of "
                              "`sagemaker-sfn validate` (structure, paths, SageMaker parameters); run it before "
                              "deploying\n")


# -- real bugs, and only they, ask to be reported --------------------------------------------------

def test_an_internal_error_is_one_paragraph_with_exit_70(files: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import sagemaker_sfn.graph

    def broken(*args: object, **kwargs: object) -> str:
        raise KeyError("oops")

    monkeypatch.setattr(sagemaker_sfn.graph, "render", broken)
    monkeypatch.delenv("SAGEMAKER_SFN_DEBUG", raising=False)
    code, out, err = cli(capsys, "graph", "good.json")
    assert (code, out) == (70, "")
    assert err == ("sagemaker-sfn graph: internal error (KeyError: 'oops'). This is a bug in sagemaker-sfn: please "
                   "report it with the command line and the files it read (SAGEMAKER_SFN_DEBUG=1 shows the "
                   "traceback).\n")


def test_os_errors_are_reported_as_conditions_not_bugs(files: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import sagemaker_sfn.graph

    def denied(*args: object, **kwargs: object) -> str:
        raise PermissionError(errno.EACCES, "Permission denied", "/somewhere/file")

    monkeypatch.setattr(sagemaker_sfn.graph, "render", denied)
    code, _, err = cli(capsys, "graph", "good.json")
    assert (code, err) == (2, "sagemaker-sfn graph: error: cannot access /somewhere/file: permission denied\n")


def test_bad_files_in_a_subprocess_print_no_traceback(files: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "sagemaker_sfn.cli", "validate", "deep.json", "latin1.json",
                           "good.json"], capture_output=True, text=True, env=env, cwd=files)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines()[0] == "good.json: ok"
    assert textwrap.dedent(done.stderr).count("sagemaker-sfn validate: error:") == 2
