"""Seeds the sample's bucket with raw data (binary label first) and the processing script."""

import random
from pathlib import Path

import boto3

BUCKET = "featuretransform-bucketforcodeanddata-1jn1le6gadwfz"


def handler(event, context):
    rng = random.Random(5)
    lines = []
    for _ in range(200):
        x = [rng.uniform(0, 100), rng.uniform(-5, 5), rng.gauss(10, 2)]
        label = 1 if x[0] / 50 + x[1] > 2 else 0
        lines.append(",".join([str(label)] + [f"{v:.4f}" for v in x]))
    s3 = boto3.client("s3")
    s3.put_object(Bucket=BUCKET, Key="input/raw.csv", Body="\n".join(lines) + "\n")
    s3.put_object(Bucket=BUCKET, Key="code/transform.py", Body=(Path(__file__).parent / "transform.py").read_bytes())
    return {"seeded": BUCKET}
