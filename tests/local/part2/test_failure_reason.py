"""A failed job's FailureReason, as the SageMaker training toolkit and SageMaker build it, and the
lines of its output a person needs (sagemaker_sfn.local.sagemaker.failure)."""

from __future__ import annotations

from pathlib import Path

from sagemaker_sfn.local.sagemaker.failure import (FAILURE_REASON_LIMIT, algorithm_error, error_lines, headline,
                                                   read_log_lines, toolkit_error_message)

TRACEBACK = [
    "epoch=0 loss=1.000",
    "Traceback (most recent call last):",
    '  File "/opt/ml/code/train.py", line 12, in <module>',
    "    main()",
    '  File "/opt/ml/code/train.py", line 9, in main',
    "    rows = load(path)",
    '  File "/opt/ml/code/data.py", line 3, in load',
    "    return 1 / 0",
    "ZeroDivisionError: division by zero",
]


def test_toolkit_error_message_keeps_the_lines_from_the_first_naming_an_exception_class() -> None:
    assert toolkit_error_message(TRACEBACK) == "ZeroDivisionError: division by zero"
    raised = ["Traceback (most recent call last):", '  File "t.py", line 2, in <module>',
              "    raise ValueError('no rows')", "ValueError: no rows"]
    assert toolkit_error_message(raised) == "raise ValueError('no rows')\nValueError: no rows"
    # No exception named (a script that calls sys.exit(3) after printing): the last lines.
    assert toolkit_error_message([f"line {i}" for i in range(9)]) == "line 4\nline 5\nline 6\nline 7\nline 8"


def test_algorithm_error_has_the_toolkit_shape_and_sagemakers_length_limit() -> None:
    reason = algorithm_error(command=["python", "train.py", "--epochs", "1"], returncode=1, log_lines=TRACEBACK)
    assert reason == ('AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage "ZeroDivisionError: division '
                      'by zero"\nCommand "python train.py --epochs 1", exit code: 1')
    long = algorithm_error(command=["python", "t.py"], returncode=2,
                           log_lines=["Traceback", *[f"KeyError: {'k' * 80} {i}" for i in range(40)]])
    assert len(long) == FAILURE_REASON_LIMIT and long.endswith("...")


def test_error_lines_are_the_last_frames_and_the_exception() -> None:
    assert error_lines(TRACEBACK) == ['File "/opt/ml/code/train.py", line 9, in main', "  rows = load(path)",
                                      'File "/opt/ml/code/data.py", line 3, in load', "  return 1 / 0",
                                      "ZeroDivisionError: division by zero"]
    assert error_lines(TRACEBACK, frames=0) == ["ZeroDivisionError: division by zero"]
    assert error_lines(["all good", "done"]) == []
    custom = ["Traceback (most recent call last):", '  File "t.py", line 1, in <module>',
              "mypkg.errors.DataValidationException: column 'age' has 12 nulls"]
    assert error_lines(custom)[-1] == "mypkg.errors.DataValidationException: column 'age' has 12 nulls"


def test_headline_of_each_kind_of_reason() -> None:
    toolkit = algorithm_error(command=["python", "t.py"], returncode=1, log_lines=TRACEBACK)
    assert headline(toolkit) == "ZeroDivisionError: division by zero"
    processing = ("AlgorithmError: See job logs for more information (exit code 1; log /x/logs.txt): Traceback (most "
                  "recent call last):\n  File \"p.py\", line 4, in <module>\nKeyError: 'label'")
    assert headline(processing) == "KeyError: 'label'"
    assert headline("ClientError: channel 'train': only S3DataSource runs locally") == (
        "ClientError: channel 'train': only S3DataSource runs locally")
    assert headline("Training job runtime exceeded MaxRuntimeInSeconds provided") == (
        "Training job runtime exceeded MaxRuntimeInSeconds provided")
    assert headline(None) == ""


def test_read_log_lines_reads_the_end_of_a_long_log_without_our_command_echo(tmp_path: Path) -> None:
    log = tmp_path / "logs.txt"
    log.write_text("# python -u train.py\n" + "".join(f"line {i}\n" for i in range(20000)) + "ValueError: x\n")
    lines = read_log_lines(log, tail_bytes=1000)
    assert lines[-1] == "ValueError: x" and lines[0].startswith("line ") and len(lines) < 120
    assert read_log_lines(tmp_path / "missing.txt") == []
