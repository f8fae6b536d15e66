"""A failed job's FailureReason, built from its output the way SageMaker builds it, and the few lines
of that output a person needs to see (the exception and where it was raised).

SageMaker's framework containers run the user's script through the SageMaker training toolkit
(aws/sagemaker-training-toolkit, ``src/sagemaker_training/process.py`` ``watch`` / ``check_error``):
it watches the script's output, and from the first line naming a Python exception class (any of the
builtins, ``_PYTHON_ERRORS_``) keeps every following line; a non-zero exit raises
``ExecuteUserScriptError``, whose text (``errors.py`` ``_CalledProcessError.__str__``) is::

    ExecuteUserScriptError:
    ExitCode 1
    ErrorMessage "<the kept lines>"
    Command "<the command>"

The toolkit writes that to ``/opt/ml/output/failure``; SageMaker reports the failure file as the
job's FailureReason prefixed with ``AlgorithmError: `` and followed by ``, exit code: <n>``, at most
1,024 characters (DescribeTrainingJob's FailureReason length constraint, botocore's sagemaker model).
"""

from __future__ import annotations

import builtins
import logging
import re
from pathlib import Path

FAILURE_REASON_LIMIT = 1024           # DescribeTrainingJob / DescribeProcessingJob FailureReason max length
_LOG_TAIL_BYTES = 64 * 1024           # how much of a log's end is searched for the error
_PYTHON_ERRORS = tuple(sorted(name for name, value in vars(builtins).items()
                              if isinstance(value, type) and issubclass(value, BaseException)))
_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Failure|Warning)"
                             r"(?::\s.*|:?\s*$)")
_FRAME_LINE = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)(?:, in (?P<where>.+))?')


# Each job's output lines, as they are written, on their own logger (not under ``sagemaker_sfn.local``,
# whose progress lines are always shown): ``run --local --logs`` attaches a handler, as the SageMaker
# SDK's ``logs=True`` streams a job's CloudWatch log. The record's ``job`` attribute names the job.
OUTPUT_LOGGER = logging.getLogger("sagemaker_sfn.job_output")


def stream_line(job: str, line: str) -> None:
    """Offer one output line of ``job`` to whoever follows jobs' output (nobody by default)."""
    if OUTPUT_LOGGER.isEnabledFor(logging.INFO):
        OUTPUT_LOGGER.info("%s", line, extra={"job": job})


def limit(reason: str) -> str:
    """``reason`` cut to SageMaker's 1,024-character FailureReason limit."""
    return reason if len(reason) <= FAILURE_REASON_LIMIT else reason[: FAILURE_REASON_LIMIT - 3] + "..."


def toolkit_error_message(lines: list[str]) -> str:
    """The toolkit's ``ErrorMessage``: every line from the first one naming a Python exception class,
    duplicates dropped (as ``check_error`` does); the last five lines when none names one."""
    start = next((i for i, line in enumerate(lines) if any(name in line for name in _PYTHON_ERRORS)), None)
    kept = lines[start:] if start is not None else lines[-5:]
    unique = list(dict.fromkeys(line.strip(" :\n") for line in kept if line.strip()))
    return "\n".join(unique)


def algorithm_error(*, command: list[str], returncode: int, log_lines: list[str]) -> str:
    """The FailureReason of a script that exited ``returncode`` after writing ``log_lines``."""
    shown = " ".join(command)
    return limit(f"AlgorithmError: ExecuteUserScriptError:\nExitCode {returncode}\n"
                 f"ErrorMessage \"{toolkit_error_message(log_lines)}\"\nCommand \"{shown}\", exit code: {returncode}")


def read_log_lines(path: Path, *, tail_bytes: int = _LOG_TAIL_BYTES) -> list[str]:
    """The last lines of a job's log (its last ``tail_bytes`` bytes, default 64 KiB); [] if unreadable."""
    try:
        with Path(path).open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - tail_bytes))
            data = handle.read()
    except OSError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()
    if size > tail_bytes and lines:
        lines = lines[1:]   # the first line was cut in the middle
    return [line for line in lines if not line.startswith("# ")]   # our own command echo


def error_lines(text_lines: list[str], *, frames: int = 2) -> list[str]:
    """What a person needs from a failed job's output: the last exception line (``ValueError: ...``)
    preceded by up to ``frames`` (default 2) of the traceback's last ``File "...", line N`` entries
    with their source line. [] when no exception is found."""
    lines = [line.rstrip() for line in text_lines]
    last = None
    for index in range(len(lines) - 1, -1, -1):
        if _EXCEPTION_LINE.match(lines[index].strip()):
            last = index
            break
    if last is None:
        return []
    picked: list[str] = []
    index = last - 1
    while index >= 0 and len([p for p in picked if _FRAME_LINE.match(p)]) < frames:
        line = lines[index]
        if _FRAME_LINE.match(line):
            picked.insert(0, line.strip())
            # The source line printed under a frame, when there is one.
            if index + 1 < last and not _FRAME_LINE.match(lines[index + 1]) and lines[index + 1].startswith("    "):
                picked.insert(1, "  " + lines[index + 1].strip())
        elif line.startswith("Traceback (most recent call last)"):
            break
        index -= 1
    return [*picked, lines[last].strip()]


def reason_lines(reason: str) -> list[str]:
    """The script's own output inside a toolkit FailureReason (its ErrorMessage), else all its lines."""
    match = re.search(r'ErrorMessage "(.*?)"\s*\n(?:ExtraInfo|Command) "', reason, flags=re.S)
    return match.group(1).splitlines() if match else reason.splitlines()


def headline(reason: str | None) -> str:
    """One line saying why a job failed: the exception inside a FailureReason (``ValueError: bad
    epochs``) when it holds one, else the reason's first line."""
    if not reason:
        return ""
    found = error_lines(reason_lines(reason), frames=0)
    if found:
        return found[-1]
    first = " ".join(reason.split())
    return first if len(first) <= 200 else first[:197] + "..."


class LogFollower:
    """Streams the lines a job's process appends to ``path`` (for jobs writing their log file
    directly): each :meth:`poll` offers the new complete lines to :func:`stream_line`."""

    def __init__(self, path: Path, *, job: str) -> None:
        self.path = Path(path)
        self.job = job
        self._offset = 0
        self._partial = b""

    def poll(self, *, final: bool = False) -> None:
        """Read what was appended since the last call; ``final`` also sends an unfinished last line."""
        if not OUTPUT_LOGGER.isEnabledFor(logging.INFO):
            return
        try:
            with self.path.open("rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
        except OSError:
            return
        self._offset += len(data)
        data = self._partial + data
        *complete, self._partial = data.split(b"\n")
        if final and self._partial:
            complete.append(self._partial)
            self._partial = b""
        for line in complete:
            stream_line(self.job, line.decode("utf-8", errors="replace").rstrip("\r"))
