"""Distributed Map benchmark: a Map Run over N objects in local S3 (moto, in process).

The ItemReader lists ``N`` objects (``s3:listObjectsV2``, every page), each object becomes a child
execution (Pass -> Choice -> Pass, with its own history), MaxConcurrency 100, and ResultWriter
exports SUCCEEDED_0.json and manifest.json back to local S3. A second row batches the same objects
(ItemBatcher, 50 items a batch). Timed: ``run_definition`` only (uploading the objects is set-up).

Prints figures; asserts nothing. Usage: .venv/bin/python bench/bench_distributed_map.py [--objects 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUCKET = "bench-dmap"


def definition(*, batch: int | None) -> dict:
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Size",
                 "States": {
                     "Size": {"Type": "Pass", "Parameters": {"key.$": "$.Key", "size.$": "$.Size"}, "Next": "Big?"},
                     "Big?": {"Type": "Choice", "Choices": [{"Variable": "$.size", "NumericGreaterThan": 10,
                                                            "Next": "Big"}], "Default": "Small"},
                     "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.class", "End": True},
                     "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.class", "End": True}}}
    if batch:
        processor["States"] = {"Count": {"Type": "Pass", "Parameters": {"n.$": "States.ArrayLength($.Items)"},
                                         "End": True}}
        processor["StartAt"] = "Count"
    state = {"Type": "Map", "MaxConcurrency": 100,
             "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                            "Parameters": {"Bucket": BUCKET, "Prefix": "objects/"}},
             "ItemProcessor": processor,
             "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                              "Parameters": {"Bucket": BUCKET, "Prefix": "results"}},
             "End": True}
    if batch:
        state["ItemBatcher"] = {"MaxItemsPerBatch": batch}
    return {"StartAt": "Fan", "States": {"Fan": state}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000)
    args = parser.parse_args()

    import boto3

    from sagemaker_sfn.local.aws import local_account
    from sagemaker_sfn.local.clock import VirtualClock
    from sagemaker_sfn.local.integrations.services import ServicesIntegration
    from sagemaker_sfn.local.interpreter import run_definition

    with local_account():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        for i in range(args.objects):
            s3.put_object(Bucket=BUCKET, Key=f"objects/{i:05d}.txt", Body=b"x" * (i % 20))
        rows = []
        for label, batch in (("one child per object", None), ("batches of 50", 50)):
            started, cpu = time.perf_counter(), time.process_time()
            result = run_definition(definition(batch=batch), {}, integration=ServicesIntegration(),
                                    clock=VirtualClock(), state_machine_name="bench")
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            run = result.map_runs[0]
            events = sum(len(child.history) for child in run.children)
            rows.append((label, result.status, len(run.children), events, wall, cpu))
    print(f"Distributed Map over {args.objects} local S3 objects (ItemReader listObjectsV2 + ResultWriter)")
    print(f"{'row':<24}{'status':<11}{'children':>9}{'child events':>14}{'wall s':>9}{'cpu s':>8}")
    for label, status, children, events, wall, cpu in rows:
        print(f"{label:<24}{status:<11}{children:>9}{events:>14}{wall:>9.2f}{cpu:>8.2f}")


if __name__ == "__main__":
    main()
