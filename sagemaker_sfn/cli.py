"""The ``sagemaker-sfn`` command: a thin dispatcher over :mod:`sagemaker_sfn.commands`."""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from sagemaker_sfn import __version__
from sagemaker_sfn.commands import COMMANDS
from sagemaker_sfn.errors import SagemakerSfnError
from sagemaker_sfn.files import describe_os_error
from sagemaker_sfn.outcomes import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE

DESCRIPTION = """\
Generate, validate, deploy and run AWS Step Functions state machines for Amazon SageMaker pipelines.

typical use:
  sagemaker-sfn generate                      pipelines/*.yaml -> asl_templates/*.asl.json
  sagemaker-sfn validate asl_templates/*.json check definitions before deploying
  sagemaker-sfn policy tune-xgboost           the IAM policy the state machine's role needs
  sagemaker-sfn run tune-xgboost --local      run a pipeline on this machine, no AWS account
  sagemaker-sfn start tune-xgboost --wait     start a deployed pipeline and follow it
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sagemaker-sfn", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"sagemaker-sfn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(f"sagemaker_sfn.commands.{module_name}")
        except ModuleNotFoundError as exc:  # a command not built yet must not break the others
            if exc.name != f"sagemaker_sfn.commands.{module_name}":
                raise
            continue
        cmd = sub.add_parser(name, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP),
                             formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except SagemakerSfnError as exc:
        print(f"sagemaker-sfn {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"sagemaker-sfn {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except OSError as exc:
        # The machine's condition (disk full, read-only directory, permission), not a bug: say which
        # and where, so the person can act on it.
        print(f"sagemaker-sfn {args.command}: error: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except RecursionError:
        print(f"sagemaker-sfn {args.command}: error: the input is nested too deeply to process", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug in this package: one paragraph, the traceback only on request
        if os.environ.get("SAGEMAKER_SFN_DEBUG"):
            raise
        print(f"sagemaker-sfn {args.command}: internal error ({type(exc).__name__}: {exc}). This is a bug in "
              "sagemaker-sfn: please report it with the command line and the files it read "
              "(SAGEMAKER_SFN_DEBUG=1 shows the traceback).", file=sys.stderr)
        return EXIT_INTERNAL


def entry() -> NoReturn:
    """The console script (and ``python -m sagemaker_sfn.cli``): :func:`main`, then :func:`leave`."""
    leave(main())


def leave(code: int) -> NoReturn:
    """Exit with ``code`` once everything is written, without the interpreter's teardown.

    After a local run the process holds botocore's parsed service models, moto's backends, numpy
    and XGBoost: freeing them all one object at a time took 0.2-0.6 s after the last line was
    printed (measured from the last atexit handler to the process's end: 0.64 s for a warm
    train-evaluate run, 0.41 s for a mocked one). Nothing is lost by skipping it: the atexit
    handlers (logging's flush, weakref finalizers such as temporary directories' cleanup) run
    first, then stdout and stderr are flushed. A thread still running means work may be unfinished:
    then the interpreter exits as usual and joins it."""
    if threading.active_count() > 1:
        sys.exit(code)
    try:
        atexit._run_exitfuncs()   # what the interpreter would run first; it clears them too
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (BrokenPipeError, ValueError):   # the reader went away, or the stream is closed
                pass
    finally:
        os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
