"""Seeds the sample's bucket: a binary-label training set (reg:logistic wants labels in [0, 1]) and
a test set of features only."""

import random

import boto3

BUCKET = "trainandbatchtransform-s3bucket-1jn1le6gadwfz"


def handler(event, context):
    rng = random.Random(3)
    train, test = [], []
    for i in range(240):
        x = [rng.uniform(-1, 1) for _ in range(4)]
        label = 1 if x[0] + 0.5 * x[1] > 0 else 0
        (train if i < 200 else test).append(([label] if i < 200 else []) + x)
    body = lambda rows: "\n".join(",".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in r) for r in rows) + "\n"  # noqa: E731
    s3 = boto3.client("s3")
    s3.put_object(Bucket=BUCKET, Key="csv/train.csv", Body=body(train))
    s3.put_object(Bucket=BUCKET, Key="csv/test.csv", Body=body(test))
    return {"bucket": BUCKET}
