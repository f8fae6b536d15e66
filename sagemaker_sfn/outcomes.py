"""One exit-status scheme for every command that runs or follows an execution.

``run --local``, ``start --wait`` and ``status`` end with the same status for the same outcome, so a
script or CI job can branch on it without knowing which command ran:

    0   SUCCEEDED (``status``: also RUNNING / PENDING_REDRIVE is not an end yet, see below)
    1   FAILED
    2   bad input or usage (nothing ran), or the machine's condition (a file, a disk, a permission)
    3   TIMED_OUT
    4   ABORTED (stopped with StopExecution, or ``run --local`` interrupted: 130, see below)
    5   still RUNNING when ``start --wait --timeout`` gave up waiting (the execution goes on)
    70  an internal error of sagemaker-sfn (a bug: please report it)
    130 interrupted with Ctrl-C (a local run is recorded ABORTED first), as shells report SIGINT

Step Functions' execution statuses are RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED and
PENDING_REDRIVE (DescribeExecution, AWS Step Functions API reference); PENDING_REDRIVE is a failed
execution that may be redriven, so it maps to FAILED's status.
"""

from __future__ import annotations

EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMED_OUT = 3
EXIT_ABORTED = 4
EXIT_STILL_RUNNING = 5
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

EXIT_CODES: dict[str, int] = {"SUCCEEDED": EXIT_SUCCEEDED, "RUNNING": EXIT_SUCCEEDED, "FAILED": EXIT_FAILED,
                              "PENDING_REDRIVE": EXIT_FAILED, "TIMED_OUT": EXIT_TIMED_OUT,
                              "ABORTED": EXIT_ABORTED}

# The text each command's --help shows, so the scheme is documented once.
EXIT_STATUS_HELP = """\
exit status (the same for run, start --wait and status):
  0 SUCCEEDED   1 FAILED   3 TIMED_OUT   4 ABORTED
  2 bad input or usage (nothing ran), or a file or disk problem (named in the message)
  5 still running when --timeout expired (start --wait)   130 interrupted (Ctrl-C)
  70 internal error of sagemaker-sfn (please report it)"""


def exit_code_for(status: str | None) -> int:
    """The exit status for an execution status (unknown statuses count as FAILED)."""
    return EXIT_CODES.get(status or "", EXIT_FAILED)
