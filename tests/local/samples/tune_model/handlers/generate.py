"""Seeds the sample's bucket with a small regression data set (label first, no header), as the
sample's data-generation Lambda does, and names the tuning job."""

import random
import time

import boto3

BUCKET = "stepfunctionssample-sagemak-bucketformodelanddata-80fblmdlcs9f"


def rows(count: int, rng: random.Random, *, label: bool = True) -> str:
    lines = []
    for _ in range(count):
        x = [rng.uniform(0, 10) for _ in range(3)]
        y = 2 * x[0] - x[1] + 0.5 * x[2] + rng.gauss(0, 0.3)
        lines.append(",".join(f"{v:.4f}" for v in ([y] if label else []) + x))
    return "\n".join(lines) + "\n"


def handler(event, context):
    rng = random.Random(7)
    s3 = boto3.client("s3")
    s3.put_object(Bucket=BUCKET, Key="csv/train.csv", Body=rows(200, rng))
    s3.put_object(Bucket=BUCKET, Key="csv/validation.csv", Body=rows(60, rng))
    s3.put_object(Bucket=BUCKET, Key="csv/test.csv", Body=rows(20, rng, label=False))
    return {"body": {"jobName": f"tune-{int(time.time() * 1000) % 10**10}"}}
