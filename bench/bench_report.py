"""Report benchmark: the page for an execution that entered 1,000 states, written and measured.

A 1,000-state definition (Pass states, a Task every 10th with Retry and Catch, a Choice every 50th)
runs in the local interpreter with mocked Task answers on a virtual clock (every 100th Task throws
twice before succeeding, so the history holds retries); its run directory is laid out as `run --local`
leaves it. Then, for the report of that run:

- in-process: reading the record + laying out + rendering + writing, median of --repeat runs,
  with the layout (grandalf) alone beside it;
- cold process: `sagemaker-sfn report <run dir>` wall time, as a user waits for it;
- the page's size.

Wall and CPU time both: on a shared machine (this one has 2 cores for several jobs) the wall time
includes waiting for a core; the CPU time is what the report costs.

Prints figures; asserts nothing. Usage: .venv/bin/python bench/bench_report.py [--states N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LAMBDA = "arn:aws:states:::lambda:invoke"


def definition(states: int) -> tuple[dict, dict]:
    """(ASL with ``states`` states, mock file answering its Tasks)."""
    body: dict = {}
    tests: dict = {}
    responses: dict = {}
    names = [f"Step {i:04d}" for i in range(states - 2)]
    for i, name in enumerate(names):
        following = names[i + 1] if i + 1 < len(names) else "Done"
        if i % 10 == 0:
            body[name] = {"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "work", "Payload.$": "$"},
                          "ResultPath": "$.last",
                          "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 30, "MaxAttempts": 3}],
                          "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Give up"}],
                          "Next": following}
            flaky = i % 100 == 0
            tests[name] = "Flaky" if flaky else "Fine"
        elif i % 50 == 49:
            body[name] = {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": following}],
                          "Default": "Give up"}
        else:
            body[name] = {"Type": "Pass", "Result": {"step": i}, "ResultPath": "$.pass", "Next": following}
    body["Give up"] = {"Type": "Fail", "Error": "Bench.GaveUp"}
    body["Done"] = {"Type": "Succeed"}
    responses["Fine"] = {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": True}}}}
    responses["Flaky"] = {"0-1": {"Throw": {"Error": "Busy", "Cause": "try again"}},
                          "2": {"Return": {"StatusCode": 200, "Payload": {"ok": True}}}}
    mocks = {"StateMachines": {"bench": {"TestCases": {"run": tests}}}, "MockedResponses": responses}
    return {"StartAt": names[0], "States": body}, mocks


def make_run(states: int, work: Path) -> Path:
    """Run the definition through the CLI (mocked) in a scratch project; returns the run directory."""
    asl, mocks = definition(states)
    (work / "asl_templates").mkdir(parents=True)
    (work / "asl_templates" / "bench.asl.json").write_text(json.dumps(asl))
    (work / "mocks.json").write_text(json.dumps(mocks))
    done = subprocess.run([sys.executable, "-m", "sagemaker_sfn.cli", "run", "bench", "--local", "--json",
                           "--mock-config", "mocks.json", "--test-case", "run", "--name", "bench-run",
                           "--input", '{"go": true}'], cwd=work, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)})
    if done.returncode != 0:
        raise SystemExit(f"the benchmark run failed: {done.stdout}{done.stderr}")
    return work / ".sfn-local" / "bench-run"


def timed(work) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def summary(samples: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    return (f"median {statistics.median(walls):.3f} s wall (min {min(walls):.3f}), "
            f"median {statistics.median(cpus):.3f} s CPU (min {min(cpus):.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--states", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from sagemaker_sfn.graph import build_graph
    from sagemaker_sfn.report import write_report
    from sagemaker_sfn.report.diagram import lay_out
    from sagemaker_sfn.report.record import load_local

    with tempfile.TemporaryDirectory() as scratch:
        run_dir = make_run(args.states, Path(scratch))
        history = json.loads((run_dir / "history.json").read_text())
        entered = sum(e["type"].endswith("StateEntered") for e in history)
        asl = json.loads((run_dir / "definition.json").read_text())
        print(f"definition: {len(asl['States'])} states; history: {len(history)} events, {entered} states entered, "
              f"{(run_dir / 'history.json').stat().st_size / 1e6:.2f} MB")

        target = run_dir / "bench.html"
        totals, layouts = [], []
        for _ in range(args.repeat):
            totals.append(timed(lambda: write_report(load_local(run_dir), target)))
            layouts.append(timed(lambda: lay_out(build_graph(asl))))
        print("in-process, read + lay out + render + write:", summary(totals))
        print("in-process, layout alone:                  ", summary(layouts))
        colds = []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "sagemaker_sfn.cli", "report", str(run_dir), "-o", str(target)],
                           check=True, capture_output=True, env={"PYTHONPATH": str(ROOT)})
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            colds.append((time.perf_counter() - started,
                          after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime))
        print("cold process `sagemaker-sfn report`:       ", summary(colds))
        print(f"page size: {target.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
