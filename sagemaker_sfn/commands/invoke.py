"""``sagemaker-sfn invoke ENDPOINT --body ...``: send one request to an endpoint, print the answer."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HELP = "send one request to an endpoint (deployed, or served by a local run) and print the answer"
DESCRIPTION = """\
Call InvokeEndpoint with BODY and print the response body.

Without --local the endpoint is the deployed one in your AWS account (sagemaker-runtime). With
--local it is the endpoint a local run of this project deployed (`run --local`): the newest run
under .sfn-local/ that has it, or --run NAME. Its model is loaded again from that run's files and
runs with the same inference code as local batch transform.

exit status: 0 answered; 1 the endpoint or the model refused the request; 2 bad input.

examples:
  sagemaker-sfn invoke train-evaluate --local --body "0,1,0,0.7187,0.5589,0.2184,1.7780,0.7246,0.5245"
  sagemaker-sfn invoke churn --body @request.json --content-type application/json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sagemaker_sfn.commands.start import add_common_aws_arguments

    parser.add_argument("endpoint", metavar="ENDPOINT", help="the endpoint's name")
    parser.add_argument("--body", required=True, metavar="TEXT|@FILE", help="the request body, or @FILE to send a file")
    parser.add_argument("--content-type", default="text/csv", help="the body's MIME type (default: text/csv)")
    parser.add_argument("--accept", help="the answer's MIME type (default: the endpoint's choice)")
    parser.add_argument("--local", action="store_true", help="the endpoint of a local run of this project")
    parser.add_argument("--run", metavar="NAME", help="with --local: the run (.sfn-local/NAME) to take it from "
                                                      "(default: the newest run that has it)")
    add_common_aws_arguments(parser)


def _body(value: str) -> bytes:
    from sagemaker_sfn.errors import UsageError

    if not value.startswith("@"):
        return value.encode("utf-8")
    try:
        return Path(value[1:]).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the body file {value[1:]}: {exc.strerror or exc}") from exc


def run(args: argparse.Namespace) -> int:
    body = _body(args.body)
    if args.local:
        answer = invoke_local(args.endpoint, body, content_type=args.content_type, accept=args.accept, run=args.run)
    else:
        answer = _invoke_deployed(args, body)
    sys.stdout.write(answer.decode("utf-8", errors="replace"))
    if not answer.endswith(b"\n"):
        sys.stdout.write("\n")
    return 0


def _invoke_deployed(args: argparse.Namespace, body: bytes) -> bytes:
    from sagemaker_sfn.aws import call, client

    runtime = client("sagemaker-runtime", region=args.region, profile=args.profile)
    request: dict[str, Any] = {"EndpointName": args.endpoint, "Body": body, "ContentType": args.content_type}
    if args.accept:
        request["Accept"] = args.accept
    return call(runtime.invoke_endpoint, **request)["Body"].read()


def find_endpoint_record(root: Path, endpoint: str, *, run: str | None = None) -> Path:
    """``.sfn-local/<run>/endpoints/<endpoint>.json`` of the named run, else of the newest run that has one."""
    from sagemaker_sfn.commands.run import RUN_DIR
    from sagemaker_sfn.errors import UsageError

    base = root / RUN_DIR
    if run is not None:
        path = base / run / "endpoints" / f"{endpoint}.json"
        if not path.is_file():
            raise UsageError(f"local run {run!r} has no endpoint {endpoint!r} (looked for {path})")
        return path
    found = sorted(base.glob(f"*/endpoints/{endpoint}.json"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise UsageError(f"no local run under {base} deployed an endpoint named {endpoint!r}: run a pipeline with a "
                         "deploy step first (`sagemaker-sfn run PIPELINE --local --approve`)")
    return found[-1]


def invoke_local(endpoint: str, body: bytes, *, content_type: str, accept: str | None, run: str | None = None,
                 root: Path | None = None) -> bytes:
    """Serve ``endpoint`` as a local run left it and answer one request (the CLI's ``--local``)."""
    import json
    import tempfile

    from sagemaker_sfn.errors import SagemakerSfnError, UsageError
    from sagemaker_sfn.local.aws import local_account
    from sagemaker_sfn.local.clock import RealClock
    from sagemaker_sfn.local.sagemaker import LocalSageMaker
    from sagemaker_sfn.local.sagemaker.endpoints import EndpointError, create_endpoint, invoke_endpoint
    from sagemaker_sfn.local.sagemaker.images import ImageResolver
    from sagemaker_sfn.local.sagemaker.s3io import parse_s3_uri, put_file
    from sagemaker_sfn.local.sagemaker.store import ResourceStore
    from sagemaker_sfn.project import find_project_root

    root = root or find_project_root()
    record_path = find_endpoint_record(root, endpoint, run=run)
    saved = json.loads(record_path.read_text(encoding="utf-8"))
    run_dir = record_path.parent.parent
    if saved["Endpoint"].get("EndpointStatus") != "InService":
        raise UsageError(f"endpoint {endpoint} ended {saved['Endpoint'].get('EndpointStatus')} in run {run_dir.name}: "
                         f"{saved['Endpoint'].get('FailureReason', 'no reason recorded')}")
    with local_account() as account, tempfile.TemporaryDirectory(prefix="sagemaker-sfn-invoke-") as work:
        s3 = account.client("s3")
        for model in saved["Models"].values():
            containers = [model.get("PrimaryContainer") or {}, *(model.get("Containers") or [])]
            for uri in [c.get("ModelDataUrl") for c in containers] + \
                       [(c.get("Environment") or {}).get("SAGEMAKER_SUBMIT_DIRECTORY") for c in containers]:
                if not (isinstance(uri, str) and uri.startswith("s3://")):
                    continue
                bucket, key = parse_s3_uri(uri)
                if bucket != account.bucket:
                    s3.create_bucket(Bucket=bucket)
                local = run_dir / "s3" / bucket
                for path in sorted(p for p in local.rglob("*") if p.is_file()):
                    relative = path.relative_to(local).as_posix()
                    if relative.startswith(key):
                        put_file(s3, path, bucket, relative)
        sm = LocalSageMaker(s3=s3, store=ResourceStore(), work_dir=Path(work) / "jobs",
                            images=ImageResolver.from_project(root),
                            project_root=root, clock=RealClock(), region=account.region, account=account.account)
        for name, model in saved["Models"].items():
            sm.store.create("Model", name, model)
        config = saved["EndpointConfig"]
        sm.store.create("EndpointConfig", config["EndpointConfigName"], config)
        create_endpoint({"EndpointName": endpoint, "EndpointConfigName": config["EndpointConfigName"]}, sm=sm)
        try:
            answer, _ = invoke_endpoint(endpoint, body, sm=sm, content_type=content_type, accept=accept)
        except EndpointError as exc:
            error = SagemakerSfnError(f"InvokeEndpoint: {exc.code}: {exc.message}")
            error.exit_code = 1
            raise error from None
        return answer
