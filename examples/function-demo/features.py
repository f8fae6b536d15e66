"""Summary features of a CSV in S3: the `function` step of pipelines/function-demo.yaml.

Runs inside a SageMaker training job (see examples/_sagemaker_sfn/function_runner.py); reads the
input with boto3, returns a JSON-able dict that later steps read by path.
"""

import csv
import io
import statistics

import boto3


def summarize(source: str, target_column: str, min_rows: int = 10) -> dict:
    bucket, _, key = source[len("s3://"):].partition("/")
    body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body)))
    if len(rows) < min_rows:
        raise ValueError(f"{source} has {len(rows)} rows; at least {min_rows} are needed")
    target = [float(row[target_column]) for row in rows]
    return {"rows": len(rows), "columns": list(rows[0]), "target_mean": round(statistics.fmean(target), 6),
            "target_std": round(statistics.stdev(target), 6)}
