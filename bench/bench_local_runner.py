"""Local runner benchmark: our interpreter against moto 5.2.5's (LocalStack-derived) ASL interpreter.

(a) Retry-heavy mocked run: a SageMaker .sync Task throws ResourceLimitExceeded 3 times with a 60 s
    retry interval, then succeeds. Ours runs it on a virtual clock; moto cannot run a
    ``sagemaker:*.sync`` Task (nor read mock files: its loader is stubbed out), so it runs the
    Wait equivalent (three Wait states, then a Pass). moto sleeps in real time, so it is measured
    with 1 s waits and the 60 s figure is extrapolated.
(b) Throughput on ../shared/conformance: executions per second over the cases both interpreters
    finish (moto: reaches a terminal status within a time limit; cases with Wait states or retry
    intervals are left out, since moto would sleep through them for real).

Prints figures; asserts nothing. Usage: .venv/bin/python bench/bench_local_runner.py [--cases N]
Runtime: about a minute on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CONFORMANCE = Path(os.environ.get("SAGEMAKER_SFN_CONFORMANCE", ROOT.parent / "shared" / "conformance" / "executions"))
ROLE = "arn:aws:iam::123456789012:role/bench"

RETRY_DEFINITION = {
    "StartAt": "Train",
    "States": {
        "Train": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
            "Parameters": {"TrainingJobName.$": "States.Format('bench-{}', $$.State.RetryCount)"},
            "Retry": [{"ErrorEquals": ["SageMaker.ResourceLimitExceededException"], "IntervalSeconds": 60,
                       "MaxAttempts": 5, "BackoffRate": 1.0}],
            "End": True,
        }
    },
}
RETRY_MOCKS = {
    "StateMachines": {"bench": {"TestCases": {"Capacity": {"Train": "CapacityThenDone"}}}},
    "MockedResponses": {"CapacityThenDone": {
        "0-2": {"Throw": {"Error": "SageMaker.ResourceLimitExceededException",
                          "Cause": "The account-level service limit 'ml.m5.xlarge for training job usage' is 2 Instances"}},
        "3": {"Return": {"TrainingJobName": "bench-3", "TrainingJobStatus": "Completed"}},
    }},
}


def moto_wait_equivalent(seconds: int) -> dict[str, Any]:
    return {"StartAt": "Attempt0", "States": {
        "Attempt0": {"Type": "Wait", "Seconds": seconds, "Next": "Attempt1"},
        "Attempt1": {"Type": "Wait", "Seconds": seconds, "Next": "Attempt2"},
        "Attempt2": {"Type": "Wait", "Seconds": seconds, "Next": "Train"},
        "Train": {"Type": "Pass", "Result": {"TrainingJobName": "bench-3", "TrainingJobStatus": "Completed"},
                  "End": True},
    }}


class Moto:
    """moto's Step Functions with ``execute_state_machine`` on, in-process (no server)."""

    def __init__(self) -> None:
        import boto3
        from moto import mock_aws

        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        self.client = boto3.client("stepfunctions", region_name="us-east-1",
                                   aws_access_key_id="bench", aws_secret_access_key="bench")
        self._count = 0

    def close(self) -> None:
        self._mock.stop()

    def create(self, definition: dict[str, Any]) -> str:
        self._count += 1
        return self.client.create_state_machine(name=f"bench-{self._count}", definition=json.dumps(definition),
                                                roleArn=ROLE)["stateMachineArn"]

    def execute(self, arn: str, execution_input: Any, *, timeout: float) -> dict[str, Any] | None:
        """Start and poll (1 ms) until terminal; None when still running after ``timeout`` s."""
        self._count += 1
        execution = self.client.start_execution(stateMachineArn=arn, name=f"run-{self._count}",
                                                input=json.dumps(execution_input))
        deadline = time.perf_counter() + timeout
        while True:
            described = self.client.describe_execution(executionArn=execution["executionArn"])
            if described["status"] != "RUNNING":
                return described
            if time.perf_counter() > deadline:
                try:
                    self.client.stop_execution(executionArn=execution["executionArn"])
                except Exception:  # noqa: BLE001 - best effort; the case is simply not counted
                    pass
                return None
            time.sleep(0.001)


def ours(definition: dict[str, Any], execution_input: Any, *, integration: Any = None) -> Any:
    from sagemaker_sfn.local.clock import VirtualClock
    from sagemaker_sfn.local.interpreter import run_definition

    return run_definition(definition, execution_input, state_machine_name="bench",
                          integration=integration, clock=VirtualClock())


def bench_retry(moto: Moto, *, repeats: int) -> None:
    from sagemaker_sfn.local.integrations.mock import MockIntegration
    from sagemaker_sfn.local.mock_config import parse_mock_config

    config = parse_mock_config(RETRY_MOCKS, source="bench")
    times = []
    result = None
    for _ in range(repeats):
        integration = MockIntegration(config.test_case(state_machine="bench", test_case="Capacity"))
        start = time.perf_counter()
        result = ours(RETRY_DEFINITION, {}, integration=integration)
        times.append(time.perf_counter() - start)
    simulated = (result.stop_date - result.start_date).total_seconds()
    print("(a) retry-heavy run: ResourceLimitExceeded x3 at 60 s intervals, then success")
    print(f"    ours (virtual clock): {result.status}, simulated {simulated:.0f} s, wall median "
          f"{statistics.median(times) * 1000:.2f} ms over {repeats} runs (min {min(times) * 1000:.2f} ms)")
    arn = moto.create(moto_wait_equivalent(1))
    start = time.perf_counter()
    described = moto.execute(arn, {}, timeout=30)
    wall = time.perf_counter() - start
    status = described["status"] if described else "did not finish"
    extrapolated = wall - 3 + 180
    print(f"    moto (Wait equivalent, 3 x 1 s): {status}, wall {wall:.2f} s "
          f"-> with 60 s intervals about {extrapolated:.0f} s (it sleeps for real)")
    print(f"    speed-up at 60 s intervals: about {extrapolated / statistics.median(times):,.0f}x")


def _uses_real_time(definition: Any) -> bool:
    """Wait states or retry intervals: moto would sleep through them for real."""
    text = json.dumps(definition)
    return '"Wait"' in text or '"IntervalSeconds"' in text or '"Retry"' in text


def _matches(expected: dict[str, Any], status: str, output: Any, error: Any, cause: Any) -> bool:
    if isinstance(output, str):
        try:
            output = json.loads(output)
        except json.JSONDecodeError:
            pass
    if expected["status"] != status:
        return False
    if status == "SUCCEEDED":
        return json.dumps(expected.get("output"), sort_keys=True) == json.dumps(output, sort_keys=True)
    return (expected.get("error"), expected.get("cause")) == (error, cause)


def bench_conformance(moto: Moto, *, limit: int | None, moto_timeout: float) -> None:
    cases = []
    for file in sorted(CONFORMANCE.glob("*.json")):
        record = json.loads(file.read_text())
        if _uses_real_time(record["definition"]):
            continue
        cases.append(record)
    if limit:
        cases = cases[:limit]
    both: list[tuple[dict[str, Any], str]] = []  # (case, moto state machine)
    moto_rejected = moto_unfinished = moto_errors = ours_crashed = 0
    ours_match = moto_match = comparable = 0
    ours_seconds = moto_seconds = 0.0   # summed over the cases both finish
    for record in cases:
        try:
            clock = time.perf_counter()
            mine = ours(record["definition"], record["input"])
            mine_seconds = time.perf_counter() - clock
        except Exception:  # noqa: BLE001 - counted, not fatal
            ours_crashed += 1
            continue
        try:
            arn = moto.create(record["definition"])
        except Exception:  # noqa: BLE001 - moto refuses some definitions
            moto_rejected += 1
            continue
        try:
            clock = time.perf_counter()
            finished = moto.execute(arn, record["input"], timeout=moto_timeout)
            moto_case_seconds = time.perf_counter() - clock
        except Exception:  # noqa: BLE001 - moto's own errors (e.g. describing some outputs)
            moto_errors += 1
            continue
        if finished is None:
            moto_unfinished += 1
            continue
        both.append((record, arn))
        ours_seconds += mine_seconds
        moto_seconds += moto_case_seconds
        if "<" not in json.dumps(record["expected"]):  # normalised placeholders: not comparable as is
            comparable += 1
            ours_match += _matches(record["expected"], mine.status, mine.output, mine.error, mine.cause)
            moto_match += _matches(record["expected"], finished["status"], finished.get("output"),
                                   finished.get("error"), finished.get("cause"))
    print(f"(b) conformance throughput: {len(cases)} cases without waits/retries; both finish {len(both)} "
          f"(moto refused {moto_rejected}, moto raised {moto_errors}, moto did not finish {moto_unfinished} within {moto_timeout:g} s, "
          f"ours raised {ours_crashed})")
    print(f"    same result as AWS on the {comparable} comparable ones: ours {ours_match}, moto {moto_match}")
    if both:
        print(f"    ours: {len(both) / ours_seconds:,.0f} executions/s ({ours_seconds:.2f} s)")
        print(f"    moto: {len(both) / moto_seconds:,.0f} executions/s ({moto_seconds:.2f} s; "
              f"start_execution + 1 ms polling of describe_execution, in-process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=None, help="limit the conformance cases (default: all)")
    parser.add_argument("--repeats", type=int, default=200, help="runs of the retry scenario (default: 200)")
    parser.add_argument("--moto-timeout", type=float, default=2.0,
                        help="seconds before a moto execution counts as unfinished (default: 2)")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # moto logs every failed execution with its whole parse tree
    started = time.perf_counter()
    moto = Moto()
    try:
        bench_retry(moto, repeats=args.repeats)
        bench_conformance(moto, limit=args.cases, moto_timeout=args.moto_timeout)
    finally:
        moto.close()
    print(f"total bench time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
