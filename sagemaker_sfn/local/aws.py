"""An in-process AWS account (moto) for local runs.

While open, every boto3 client in this process — ours and the Lambda handlers' — talks to moto, so
handler code runs unchanged. Fake credentials and the region are set in the environment for that
time and restored after, so a real AWS profile can never be reached by accident.

Job code runs in subprocesses, which the in-process mock cannot reach: :class:`LocalEndpoint` serves
the same account over HTTP (moto's server, on 127.0.0.1 and a free port), started the first time a
job runs user code and stopped with the account; such jobs get ``AWS_ENDPOINT_URL``.

The failure topic and the callback queue are created on the first SNS or SQS call made while the
account is open (by our integrations or by a Lambda handler), not up front: most runs never publish,
and creating them loads moto's SNS and SQS backends, about 0.15 s of every run's start-up.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sagemaker_sfn.local.bindings import LOCAL_ACCOUNT, LOCAL_BUCKET, LOCAL_REGION, local_value

TOPIC_NAME = "sagemaker-sfn-failures"
QUEUE_NAME = "sagemaker-sfn-callbacks"

# Anything that could lead boto3 to real credentials or another endpoint is overridden while open.
_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "MOTO_ACCOUNT_ID": LOCAL_ACCOUNT,
}
_CLEARED_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")


@dataclass(frozen=True)
class LocalAccount:
    region: str
    account: str
    bucket: str
    topic_arn: str
    queue_url: str
    _clients: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def client(self, service: str):  # noqa: ANN201 - a boto3 client
        """One client per service for the account's life: creating one costs 5-60 ms (service model,
        endpoint rules), and botocore clients are safe to share between threads (boto3 docs,
        "Multithreading or multiprocessing with clients")."""
        with self._lock:
            if service not in self._clients:
                import boto3

                self._clients[service] = boto3.client(service, region_name=self.region)
            return self._clients[service]


@contextmanager
def fake_aws_environment(*, region: str = LOCAL_REGION) -> Iterator[None]:
    """Fake credentials and ``region`` (default us-east-1) in os.environ; the previous values restored after."""
    changes = {**_FAKE_ENV, "AWS_DEFAULT_REGION": region, "AWS_REGION": region}
    saved = {name: os.environ.get(name) for name in (*changes, *_CLEARED_ENV)}
    try:
        for name in _CLEARED_ENV:
            os.environ.pop(name, None)
        os.environ.update(changes)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _MessagingOnFirstUse:
    """A botocore ``before-call`` handler creating the topic and the queue before the first SNS/SQS call.

    Registered for every botocore session made while the account is open (as moto registers its own
    handler) and on boto3's default session. Re-entrant: its own create calls pass straight through;
    other threads wait until both resources exist."""

    def __init__(self, *, region: str) -> None:
        self.region = region
        self.done = False
        self._lock = threading.RLock()
        self._creating = False

    def __call__(self, **_: object) -> None:
        if self.done:
            return
        with self._lock:
            if self.done or self._creating:
                return
            self._creating = True
            try:
                import boto3

                boto3.client("sns", region_name=self.region).create_topic(Name=TOPIC_NAME)
                boto3.client("sqs", region_name=self.region).create_queue(QueueName=QUEUE_NAME)
                self.done = True
            finally:
                self._creating = False


_EVENTS = ("before-call.sns", "before-call.sqs")


@contextmanager
def _messaging_on_first_use(*, region: str) -> Iterator[_MessagingOnFirstUse]:
    import boto3
    from botocore import handlers

    hook = _MessagingOnFirstUse(region=region)
    entries = [(event, hook) for event in _EVENTS]
    handlers.BUILTIN_HANDLERS.extend(entries)   # sessions created from now on (Lambda handlers' own)
    default = boto3.DEFAULT_SESSION
    for event in _EVENTS:
        if default is not None:
            default.events.register(event, hook)
    try:
        yield hook
    finally:
        for entry in entries:
            if entry in handlers.BUILTIN_HANDLERS:
                handlers.BUILTIN_HANDLERS.remove(entry)
        for event in _EVENTS:
            if default is not None:
                default.events.unregister(event, hook)
            if boto3.DEFAULT_SESSION is not None and boto3.DEFAULT_SESSION is not default:
                boto3.DEFAULT_SESSION.events.unregister(event, hook)


class LocalEndpoint:
    """moto's server for the open account, on ``host`` (default 127.0.0.1) and a free port, started on
    the first :meth:`url` call. It shares the in-process account's state (moto keeps one set of
    backends per process), so a job's subprocess sees and writes the same buckets, topics and queues."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self._server = None
        self._url: str | None = None
        self._lock = threading.Lock()

    def url(self) -> str:
        with self._lock:
            if self._url is None:
                import logging

                from moto.server import ThreadedMotoServer

                # werkzeug logs every request to stderr unless told otherwise; job logs say enough.
                access_log = logging.getLogger("werkzeug")
                if access_log.level == logging.NOTSET:
                    access_log.setLevel(logging.WARNING)
                server = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
                server.start()
                host, port = server.get_host_and_port()
                self._server, self._url = server, f"http://{host}:{port}"
            return self._url

    @property
    def started(self) -> bool:
        return self._url is not None

    def stop(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop()
            self._server, self._url = None, None


@contextmanager
def local_account(*, region: str = LOCAL_REGION, bucket: str = LOCAL_BUCKET) -> Iterator[LocalAccount]:
    """moto started for the block, with the data bucket (default ``sagemaker-sfn-local``); the failure
    topic and the callback queue the local placeholder bindings name exist from the first SNS/SQS call."""
    from moto import mock_aws

    with fake_aws_environment(region=region):
        mock = mock_aws()
        mock.start()
        try:
            import boto3

            s3 = boto3.client("s3", region_name=region)
            if region == "us-east-1":
                s3.create_bucket(Bucket=bucket)
            else:
                s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
            with _messaging_on_first_use(region=region):
                yield LocalAccount(region=region, account=LOCAL_ACCOUNT, bucket=bucket,
                                   topic_arn=local_value("FailureTopicArn", region=region),
                                   queue_url=local_value("CallbackQueueUrl", region=region))
        finally:
            mock.stop()
