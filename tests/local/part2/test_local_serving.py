"""Local endpoints that serve, the local approval gate, and `invoke --local`.

The shipped train-evaluate pipeline runs for real in a copy of the project: with --approve it ends
with an InService endpoint that answers `invoke`; approving or rejecting from "another terminal"
(a thread running the CLI) decides a waiting gate. Endpoint life cycles (Failed, rolled-back update)
and in-process boto3 calls are checked on the local SageMaker directly, with a real XGBoost model.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from sagemaker_sfn.cli import main
from sagemaker_sfn.local.approval_gate import decision_path

REPO = Path(__file__).resolve().parents[3]
ROW = "0,1,0,0.7187,0.5589,0.2184,1.7780,0.7246,0.5245"
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/train-evaluate/1"


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    for folder in ("pipelines", "asl_templates", "examples", "lambdas"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(root)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return root


def output(root: Path, run: str) -> dict[str, Any]:
    return json.loads((root / ".sfn-local" / run / "output.json").read_text())


def test_approved_run_deploys_an_endpoint_that_serves_and_invoke_answers(shipped: Path, capsys) -> None:
    assert main(["run", "train-evaluate", "--local", "--approve", "--name", "governed"]) == 0
    result = output(shipped, "governed")["output"]
    assert result["Approval"]["ModelApprovalStatus"] == "Approved"
    assert {k: result["Endpoint"][k] for k in ("EndpointName", "EndpointStatus", "Operation", "Polls")} == {
        "EndpointName": "train-evaluate", "EndpointStatus": "InService", "Operation": "create", "Polls": 1}
    (prediction,) = result["SmokeTest"]["Payload"]["Predictions"]
    history = json.loads((shipped / ".sfn-local" / "governed" / "history.json").read_text())
    statuses = [json.loads(e["taskSucceededEventDetails"]["output"]).get("EndpointStatus") for e in history
                if e["type"] == "TaskSucceeded" and e["taskSucceededEventDetails"]["resource"] == "describeEndpoint"]
    assert statuses == ["InService"]
    capsys.readouterr()
    # The endpoint outlives the run: `invoke --local` serves it again from the run's files.
    assert main(["invoke", "train-evaluate", "--local", "--body", ROW]) == 0
    assert float(capsys.readouterr().out) == pytest.approx(prediction)
    assert main(["invoke", "train-evaluate", "--local", "--body", f"{ROW}\n{ROW}", "--accept", "application/json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"predictions": [{"score": pytest.approx(prediction)}] * 2}
    # A second run finds the endpoint and updates it; the previous config is reported.
    assert main(["run", "train-evaluate", "--local", "--approve", "--name", "governed-2"]) == 0
    second = output(shipped, "governed-2")["output"]["Endpoint"]
    assert second["Operation"] == "create"   # each local run starts from an empty account
    assert main(["invoke", "train-evaluate", "--local", "--body", "a,b"]) == 1
    assert "ModelError" in capsys.readouterr().err


@pytest.mark.parametrize(("command", "status", "error"), [("approve", "SUCCEEDED", None),
                                                           ("reject", "FAILED", "train-evaluate.StepFailed")])
def test_a_waiting_gate_is_decided_from_another_terminal(shipped: Path, capsys, command, status, error) -> None:
    def decide() -> None:
        # The other terminal: wait until the gate says it waits, then decide.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            log = shipped / ".sfn-local" / "waiting" / "logs" / "lambda-model_approval.log"
            if log.is_file():
                break
            time.sleep(0.2)
        main([command, PACKAGE, "--local", "--reason", "reviewed"])

    # A decision left before this run (every local run's first package is train-evaluate/1) is stale:
    # were it applied, the approve case would be rejected.
    stale = decision_path(shipped, PACKAGE)
    stale.parent.mkdir(parents=True)
    stale.write_text(json.dumps({"ModelApprovalStatus": "Rejected"}))
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    other = threading.Thread(target=decide)
    other.start()
    code = main(["run", "train-evaluate", "--local", "--name", "waiting", "--json"])
    other.join()
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (code == 0, out["status"], out["error"]) == (command == "approve", status, error)
    assert not decision_path(shipped, PACKAGE).exists()   # consumed


# --- the local SageMaker's endpoints, directly ------------------------------------------------------


def _model_tar(tmp_path: Path, *, good: bool) -> bytes:
    import numpy as np
    import xgboost as xgb

    folder = tmp_path / ("good" if good else "bad")
    folder.mkdir()
    if good:
        rng = np.random.default_rng(0)
        x = rng.normal(size=(50, 3))
        booster = xgb.train({"objective": "reg:squarederror"}, xgb.DMatrix(x, label=x.sum(axis=1)), num_boost_round=5)
        booster.save_model(str(folder / "xgboost-model.json"))
        (folder / "xgboost-model.json").rename(folder / "xgboost-model")
    else:
        (folder / "notes.txt").write_text("no model here")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in folder.iterdir():
            tar.add(path, arcname=path.name)
    return buffer.getvalue()


@pytest.fixture
def local_sm(tmp_path: Path, project: Path) -> Any:
    from sagemaker_sfn.local.aws import local_account
    from sagemaker_sfn.local.clock import RealClock
    from sagemaker_sfn.local.sagemaker import LocalSageMaker
    from sagemaker_sfn.local.sagemaker.images import ImageResolver
    from sagemaker_sfn.local.sagemaker.models import create_endpoint_config, create_model
    from sagemaker_sfn.local.sagemaker.store import ResourceStore

    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    with local_account() as account:
        s3 = account.client("s3")
        sm = LocalSageMaker(s3=s3, store=ResourceStore(), work_dir=tmp_path / "jobs",
                            images=ImageResolver.from_project(project), project_root=project, clock=RealClock())
        for kind in ("good", "bad"):
            s3.put_object(Bucket=account.bucket, Key=f"{kind}/model.tar.gz", Body=_model_tar(tmp_path, good=kind == "good"))
            create_model({"ModelName": kind, "PrimaryContainer": {
                "Image": image, "ModelDataUrl": f"s3://{account.bucket}/{kind}/model.tar.gz"}}, sm=sm)
            create_endpoint_config({"EndpointConfigName": f"{kind}-config", "ProductionVariants": [
                {"VariantName": "AllTraffic", "ModelName": kind, "InitialInstanceCount": 1,
                 "InstanceType": "ml.m5.large"}]}, sm=sm)
        yield sm


def test_create_goes_creating_then_in_service_and_serves(local_sm: Any) -> None:
    from sagemaker_sfn.local.sagemaker.endpoints import create_endpoint, describe_endpoint, invoke_endpoint

    create_endpoint({"EndpointName": "e", "EndpointConfigName": "good-config"}, sm=local_sm)
    assert local_sm.store.get("Endpoint", "e")["EndpointStatus"] == "Creating"
    described = describe_endpoint("e", sm=local_sm)
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "good-config")
    answer, content_type = invoke_endpoint("e", b"1,2,3\n0,0,0", sm=local_sm)
    assert content_type == "text/csv" and len(answer.decode().splitlines()) == 2


def test_a_model_that_cannot_load_fails_the_endpoint_and_a_bad_update_rolls_back(local_sm: Any) -> None:
    from sagemaker_sfn.local.sagemaker.endpoints import create_endpoint, describe_endpoint, update_endpoint

    create_endpoint({"EndpointName": "broken", "EndpointConfigName": "bad-config"}, sm=local_sm)
    failed = describe_endpoint("broken", sm=local_sm)
    assert failed["EndpointStatus"] == "Failed"
    assert "did not pass the ping health check" in failed["FailureReason"] and "xgboost-model" in failed["FailureReason"]
    create_endpoint({"EndpointName": "e", "EndpointConfigName": "good-config"}, sm=local_sm)
    describe_endpoint("e", sm=local_sm)
    update_endpoint({"EndpointName": "e", "EndpointConfigName": "bad-config"}, sm=local_sm)
    assert local_sm.store.get("Endpoint", "e")["EndpointStatus"] == "Updating"
    rolled_back = describe_endpoint("e", sm=local_sm)
    assert (rolled_back["EndpointStatus"], rolled_back["EndpointConfigName"]) == ("InService", "good-config")
    assert "ping health check" in rolled_back["FailureReason"]


def test_in_process_boto3_reaches_local_endpoints_and_packages(local_sm: Any, project: Path) -> None:
    from sagemaker_sfn.local.approval_gate import ApprovalGate, route_to_local
    from sagemaker_sfn.local.integrations.lambda_ import LambdaIntegration
    from sagemaker_sfn.local.integrations.sagemaker import SageMakerIntegration
    from sagemaker_sfn.local.sagemaker.endpoints import create_endpoint, invoke_endpoint

    create_endpoint({"EndpointName": "e", "EndpointConfigName": "good-config"}, sm=local_sm)
    integration = SageMakerIntegration(sm=local_sm)
    gate = ApprovalGate(sm=local_sm, lambda_=LambdaIntegration(project_root=project, log_dir=project / "logs"),
                        root=project)
    with route_to_local(sagemaker=integration, gate=gate):
        runtime = boto3.client("sagemaker-runtime", region_name="us-east-1")
        answer = runtime.invoke_endpoint(EndpointName="e", Body=b"1,2,3", ContentType="text/csv")
        direct, _ = invoke_endpoint("e", b"1,2,3", sm=local_sm)
        assert (answer["Body"].read(), answer["ContentType"]) == (direct, "text/csv")
        sagemaker = boto3.client("sagemaker", region_name="us-east-1")
        assert sagemaker.describe_endpoint(EndpointName="e")["EndpointStatus"] == "InService"
        with pytest.raises(sagemaker.exceptions.ClientError, match="Could not find endpoint"):
            sagemaker.describe_endpoint(EndpointName="missing")
        with pytest.raises(runtime.exceptions.ModelError):
            runtime.invoke_endpoint(EndpointName="e", Body=b"x,y,z", ContentType="text/csv")
