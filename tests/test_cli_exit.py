"""`sagemaker-sfn` leaves without the interpreter's teardown (cli.leave) but loses nothing: exit code,
buffered output, atexit handlers, and a thread still working is waited for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])


def test_exit_code_output_and_atexit_handlers_survive_the_fast_exit() -> None:
    done = run("""
        import atexit, sys
        from sagemaker_sfn.cli import leave
        atexit.register(lambda: print("handler ran"))
        sys.stdout.write("buffered, no newline ")
        sys.stderr.write("to stderr")
        leave(3)
    """)
    assert done.returncode == 3
    assert done.stdout == "buffered, no newline handler ran\n"
    assert done.stderr == "to stderr"


def test_a_thread_still_working_is_waited_for(tmp_path: Path) -> None:
    marker = tmp_path / "written"
    done = run(f"""
        import threading, time
        from pathlib import Path
        from sagemaker_sfn.cli import leave
        threading.Thread(target=lambda: (time.sleep(0.3), Path({str(marker)!r}).write_text("x"))).start()
        leave(0)
    """)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "x"


def test_the_console_script_exits_with_the_commands_code() -> None:
    assert run("from sagemaker_sfn.cli import entry; import sys; sys.argv = ['sagemaker-sfn', 'validate']; entry()"
               ).returncode == 2
    ok = run("from sagemaker_sfn.cli import entry; import sys; sys.argv = ['sagemaker-sfn', '--version']; entry()")
    assert ok.returncode == 0 and ok.stdout.strip()
