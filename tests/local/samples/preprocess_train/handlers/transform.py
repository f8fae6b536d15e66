"""The sample's processing script, written for the container: absolute /opt/ml paths in its own code."""

import csv
import os
import statistics

with open("/opt/ml/processing/input/raw.csv") as handle:
    rows = [[float(v) for v in row] for row in csv.reader(handle) if row]
columns = list(zip(*rows))
scaled = [columns[0]] + [[(v - statistics.mean(c)) / (statistics.pstdev(c) or 1.0) for v in c] for c in columns[1:]]
os.makedirs("/opt/ml/processing/output/train", exist_ok=True)
with open("/opt/ml/processing/output/train/train.csv", "w", newline="") as out:
    csv.writer(out).writerows(zip(*scaled))
print(f"standardized {len(rows)} rows, {len(columns) - 1} features")
