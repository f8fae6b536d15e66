"""Model bias in the local Clarify stand-in: post-training metrics as AWS's pages define them
(their worked examples reproduced), and a real local Clarify processing job scoring the dataset with a
local XGBoost model named in predictor.model_name."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

from sagemaker_sfn.local.aws import local_account
from sagemaker_sfn.local.bindings import CLARIFY_IMAGE, XGBOOST_IMAGE
from sagemaker_sfn.local.clock import RealClock
from sagemaker_sfn.local.sagemaker import LocalSageMaker
from sagemaker_sfn.local.sagemaker.clarify import ClarifyConfigError, analyse, post_training_metrics
from sagemaker_sfn.local.sagemaker.images import ImageResolver
from sagemaker_sfn.local.sagemaker.models import create_model
from sagemaker_sfn.local.sagemaker.processing import create_processing_job
from sagemaker_sfn.local.sagemaker.store import ResourceStore

BUCKET = "sagemaker-sfn-local"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"


def _facet(in_facet: bool, *, tp: int, fp: int, tn: int, fn: int) -> list[tuple[int, int, bool]]:
    """(observed label, predicted label, in facet d) rows with these confusion counts."""
    return ([(1, 1, in_facet)] * tp + [(0, 1, in_facet)] * fp + [(0, 0, in_facet)] * tn
            + [(1, 0, in_facet)] * fn)


def _metrics(a: dict[str, int], d: dict[str, int], methods: list[str]) -> dict[str, float | None]:
    rows = _facet(False, **a) + _facet(True, **d)
    labels, predicted, in_facet = zip(*rows)
    return post_training_metrics(labels, predicted, in_facet, methods=methods)


def test_aws_examples_dca_dar_te() -> None:
    # clarify-post-training-bias-metric-dca.html, example 1: facet a 100 people, 60 predicted and 70
    # observed acceptances; facet d 50 people, 30 predicted and 20 observed: DCAcc = 70/60 - 20/30 = 1/2.
    assert _metrics({"tp": 60, "fp": 0, "tn": 30, "fn": 10}, {"tp": 20, "fp": 10, "tn": 20, "fn": 0},
                    ["DCA"])["DCA"] == pytest.approx(0.5)
    # ...-dar.html: the model accepts 70 of facet a (35 truly) and 100 of facet d (40 truly): DAR = 0.10.
    assert _metrics({"tp": 35, "fp": 35, "tn": 10, "fn": 0}, {"tp": 40, "fp": 60, "tn": 10, "fn": 0},
                    ["DAR"])["DAR"] == pytest.approx(0.10)
    # ...-te.html: FPa 6, FNa 8, FPd 2, FNd 5: TE = 6/8 - 2/5 = 0.35 (same accuracy 0.86: AD = 0).
    metrics = _metrics({"tp": 43, "fp": 6, "tn": 43, "fn": 8}, {"tp": 22, "fp": 2, "tn": 21, "fn": 5}, ["TE", "AD"])
    assert metrics["TE"] == pytest.approx(0.35) and metrics["AD"] == pytest.approx(0.0)


def test_every_metric_on_one_confusion_table() -> None:
    a, d = {"tp": 30, "fp": 10, "tn": 40, "fn": 20}, {"tp": 5, "fp": 5, "tn": 30, "fn": 10}
    metrics = _metrics(a, d, ["DPPL", "DI", "DCA", "DCR", "RD", "DAR", "DRR", "AD", "TE"])
    assert metrics == pytest.approx({
        "DPPL": 40 / 100 - 10 / 50, "DI": (10 / 50) / (40 / 100),
        "DCA": 50 / 40 - 15 / 10, "DCR": 35 / 40 - 50 / 60,
        "RD": 30 / 50 - 5 / 15, "DAR": 30 / 40 - 5 / 10, "DRR": 30 / 40 - 40 / 60,
        "AD": 70 / 100 - 35 / 50, "TE": 10 / 20 - 5 / 10})


def test_undefined_metrics_are_null_and_unknown_ones_refused() -> None:
    metrics = _metrics({"tp": 5, "fp": 0, "tn": 5, "fn": 0}, {"tp": 0, "fp": 0, "tn": 5, "fn": 0}, ["DI", "TE", "DAR"])
    assert metrics == {"DI": 0.0, "TE": None, "DAR": None}
    config = {"label": "y", "label_values_or_threshold": [1], "facet": [{"name_or_index": "g"}],
              "methods": {"post_training_bias": {"methods": ["DPPL"]}}}
    with pytest.raises(ClarifyConfigError, match="needs a model: name it in predictor.model_name"):
        analyse(config, "y,g\n1,A\n0,B\n")
    config["methods"]["post_training_bias"]["methods"] = ["DPPX"]
    with pytest.raises(ClarifyConfigError, match="unknown DPPX"):
        analyse(config, "y,g\n1,A\n0,B\n")


@pytest.fixture
def sm(tmp_path: Path) -> Iterator[LocalSageMaker]:
    with local_account() as account:
        yield LocalSageMaker(s3=account.client("s3"), store=ResourceStore(), work_dir=tmp_path / "jobs",
                             images=ImageResolver(project_root=tmp_path), project_root=tmp_path, clock=RealClock())


def _put(sm: LocalSageMaker, key: str, body: bytes) -> str:
    sm.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return f"s3://{BUCKET}/{key}"


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_local_clarify_job_scores_the_dataset_with_the_named_model(sm: LocalSageMaker, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    group = rng.integers(0, 2, size=200)                 # the facet (1 = facet d), a model feature too
    income = rng.uniform(0, 1, size=200) + 0.2 * group
    label = (income + rng.normal(0, 0.2, size=200) > 0.6).astype(int)
    features = np.column_stack([group, income])
    booster = xgb.train({"objective": "binary:logistic", "nthread": 1, "max_depth": 2},
                        xgb.DMatrix(features, label=label), num_boost_round=8)
    booster.save_model(str(tmp_path / "model.ubj"))
    model_url = _put(sm, "models/m/model.tar.gz", _tar({"xgboost-model": (tmp_path / "model.ubj").read_bytes()}))
    create_model({"ModelName": "credit-model", "ExecutionRoleArn": ROLE,
                  "PrimaryContainer": {"Image": XGBOOST_IMAGE, "ModelDataUrl": model_url}}, sm=sm)
    rows = "\n".join(f"{int(y)},{int(g)},{float(x)!r}" for y, g, x in zip(label, group, income)) + "\n"
    config = {"dataset_type": "text/csv", "headers": ["approved", "group", "income"], "label": "approved",
              "label_values_or_threshold": [1], "facet": [{"name_or_index": "group", "value_or_threshold": [1]}],
              "predictor": {"model_name": "credit-model", "instance_type": "ml.m5.xlarge", "initial_instance_count": 1,
                            "content_type": "text/csv", "accept_type": "text/csv", "probability_threshold": 0.5},
              "methods": {"post_training_bias": {"methods": "all"}}}
    request = {
        "ProcessingJobName": "model-bias-1", "AppSpecification": {"ImageUri": CLARIFY_IMAGE}, "RoleArn": ROLE,
        "ProcessingInputs": [
            {"InputName": "analysis_config", "S3Input": {
                "S3Uri": _put(sm, "bias/config/analysis_config.json", json.dumps(config).encode()),
                "LocalPath": "/opt/ml/processing/input/config", "S3DataType": "S3Prefix", "S3InputMode": "File"}},
            {"InputName": "dataset", "S3Input": {"S3Uri": _put(sm, "bias/data/data.csv", rows.encode()),
                                                 "LocalPath": "/opt/ml/processing/input/data", "S3DataType": "S3Prefix",
                                                 "S3InputMode": "File"}}],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "analysis_result", "S3Output": {
            "S3Uri": f"s3://{BUCKET}/bias/result", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}},
    }
    create_processing_job(request, sm=sm)
    job = sm.store.get("ProcessingJob", "model-bias-1")
    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    analysis = json.loads(sm.s3.get_object(Bucket=BUCKET, Key="bias/result/analysis.json")["Body"].read())
    assert set(analysis) == {"version", "post_training_bias_metrics"}
    section = analysis["post_training_bias_metrics"]
    assert (section["label"], section["label_value_or_threshold"]) == ("approved", "1")
    [entry] = section["facets"]["group"]
    assert entry["value_or_threshold"] == "1"
    got = {m["name"]: m["value"] for m in entry["metrics"]}
    # "all": every metric the stand-in computes; CDDPL only with a group_variable (none here).
    assert list(got) == ["DPPL", "DI", "DCA", "DCR", "RD", "DAR", "DRR", "AD", "TE"]
    # The same metrics from the booster's own predictions (the label column is not a feature).
    predicted = (booster.predict(xgb.DMatrix(features)) > 0.5).astype(int)
    expected = post_training_metrics(label.tolist(), predicted.tolist(), (group == 1).tolist(),
                                     methods=list(got))
    assert got == pytest.approx(expected)
    assert 0 < got["DI"] and got["DPPL"] != 0
    report = sm.s3.get_object(Bucket=BUCKET, Key="bias/result/report.md")["Body"].read().decode()
    assert "Difference in Positive Proportions in Predicted Labels (DPPL)" in report
    assert "- post_training_bias: FT" in report and "- post_training_bias: GE" in report


def test_a_model_that_does_not_exist_fails_the_job_naming_it(sm: LocalSageMaker) -> None:
    config = {"label": "y", "label_values_or_threshold": [1], "facet": [{"name_or_index": "g"}],
              "predictor": {"model_name": "nope"}, "methods": {"post_training_bias": {"methods": ["DPPL"]}}}
    request = {
        "ProcessingJobName": "model-bias-2", "AppSpecification": {"ImageUri": CLARIFY_IMAGE}, "RoleArn": ROLE,
        "ProcessingInputs": [
            {"InputName": "analysis_config", "S3Input": {
                "S3Uri": _put(sm, "b2/config/analysis_config.json", json.dumps(config).encode()),
                "LocalPath": "/opt/ml/processing/input/config", "S3DataType": "S3Prefix", "S3InputMode": "File"}},
            {"InputName": "dataset", "S3Input": {"S3Uri": _put(sm, "b2/data/d.csv", b"y,g,x\n1,A,0.3\n0,B,0.2\n"),
                                                 "LocalPath": "/opt/ml/processing/input/data", "S3DataType": "S3Prefix",
                                                 "S3InputMode": "File"}}],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "analysis_result", "S3Output": {
            "S3Uri": f"s3://{BUCKET}/b2/result", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}},
    }
    create_processing_job(request, sm=sm)
    job = sm.store.get("ProcessingJob", "model-bias-2")
    assert job["ProcessingJobStatus"] == "Failed"
    assert job["FailureReason"] == ("AlgorithmError: predictor.model_name 'nope': no such model "
                                    "(create it before the check)")
