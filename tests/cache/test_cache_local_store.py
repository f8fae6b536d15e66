"""The local runs' persisted bucket (``.sfn-local/cache/s3``) keeps only what a live entry can lead to:
the objects written by executions that stored an unexpired entry. Against moto's in-process S3 and
DynamoDB, as a local run uses them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sagemaker_sfn.cache.local import LocalCache
from sagemaker_sfn.local.aws import local_account
from sagemaker_sfn.local.environment import copy_buckets

ARN = "arn:aws:states:us-east-1:123456789012:execution:demo:"


def entry(key: str, execution: str, *, expires: float) -> dict:
    return {"CacheKey": {"S": key}, "ExpiresAt": {"N": str(int(expires))}, "Execution": {"S": ARN + execution},
            "StateMachine": {"S": "demo"}, "Step": {"S": "Train"}, "CreatedAt": {"S": "2026-11-30T00:00:00Z"},
            "Result": {"S": "{}"}}


def one_run(root: Path, execution: str, *, writes: dict[str, bytes], stores: list[dict] | None = None,
            reuse: bool = True) -> tuple[LocalCache, dict[str, bytes]]:
    """A run: restore, write objects (and entries), save. Returns the cache and what the bucket held
    before this run wrote anything."""
    with local_account() as account:
        s3, dynamodb = account.client("s3"), account.client("dynamodb")
        cache = LocalCache(root=root, execution=execution, reuse=reuse)
        cache.restore(dynamodb=dynamodb, s3=s3, bucket=account.bucket)
        before = {o["Key"]: s3.get_object(Bucket=account.bucket, Key=o["Key"])["Body"].read()
                  for o in s3.list_objects_v2(Bucket=account.bucket).get("Contents", [])}
        for key, body in writes.items():
            s3.put_object(Bucket=account.bucket, Key=key, Body=body)
        for item in stores or []:
            dynamodb.put_item(TableName=cache.table, Item=item)
        cache.save(dynamodb=dynamodb, s3=s3, bucket=account.bucket)
    return cache, before


def stored(root: Path) -> set[str]:
    folder = root / ".sfn-local" / "cache" / "s3" / "sagemaker-sfn-local"
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()


def test_only_objects_of_executions_with_live_entries_are_kept_and_restored(tmp_path: Path) -> None:
    later = time.time() + 3600
    one_run(tmp_path, "a", writes={"demo/a/model.tar.gz": b"model", "code/train.py": b"x"},
            stores=[entry("k1", "a", expires=later)])
    assert stored(tmp_path) == {"demo/a/model.tar.gz"}   # code/ is uploaded anew by each run
    index = json.loads((tmp_path / ".sfn-local" / "cache" / "s3-index.json").read_text())
    assert index["demo/a/model.tar.gz"]["execution"] == "a"

    # b hits a's entry and stores none: its own outputs are not kept, a's come back.
    cache, before = one_run(tmp_path, "b", writes={"demo/b/predictions.out": b"p"})
    assert before == {"demo/a/model.tar.gz": b"model"}
    assert set(cache.restored) == {"sagemaker-sfn-local/demo/a/model.tar.gz"}
    assert stored(tmp_path) == {"demo/a/model.tar.gz"}

    # --no-cache: no entries are loaded, so nothing they name is put back either.
    _, before = one_run(tmp_path, "c", writes={}, reuse=False)
    assert before == {}


def test_objects_go_when_the_last_entry_of_their_execution_expires(tmp_path: Path) -> None:
    soon = time.time() + 2
    one_run(tmp_path, "a", writes={"demo/a/model.tar.gz": b"model"}, stores=[entry("k1", "a", expires=soon)])
    assert stored(tmp_path) == {"demo/a/model.tar.gz"}
    time.sleep(2.1)
    _, before = one_run(tmp_path, "b", writes={"demo/b/model.tar.gz": b"new"},
                        stores=[entry("k2", "b", expires=time.time() + 3600)])
    assert before == {}   # the expired entry leads nowhere: nothing restored
    assert stored(tmp_path) == {"demo/b/model.tar.gz"}
    index = json.loads((tmp_path / ".sfn-local" / "cache" / "s3-index.json").read_text())
    assert set(index) == {"demo/b/model.tar.gz"}


def test_an_index_of_the_first_format_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / ".sfn-local" / "cache"
    (folder / "s3" / "sagemaker-sfn-local" / "old").mkdir(parents=True)
    (folder / "s3" / "sagemaker-sfn-local" / "old" / "x.csv").write_bytes(b"1")
    (folder / "s3-index.json").write_text(json.dumps({"old/x.csv": '"c4ca4238a0b923820dcc509a6f75849b"'}))
    LocalCache(root=tmp_path).save_items([entry("k1", "a", expires=time.time() + 3600)])
    _, before = one_run(tmp_path, "b", writes={})
    assert before == {"old/x.csv": b"1"}
    assert stored(tmp_path) == {"old/x.csv"}


def test_a_run_copies_restored_objects_from_disk_and_the_rest_through_s3(tmp_path: Path) -> None:
    later = time.time() + 3600
    one_run(tmp_path, "a", writes={"demo/a/model.tar.gz": b"model"}, stores=[entry("k1", "a", expires=later)])
    with local_account() as account:
        s3, dynamodb = account.client("s3"), account.client("dynamodb")
        cache = LocalCache(root=tmp_path, execution="b")
        cache.restore(dynamodb=dynamodb, s3=s3, bucket=account.bucket)
        s3.put_object(Bucket=account.bucket, Key="demo/b/new.csv", Body=b"new")
        asked: list[str] = []

        def saved(bucket: str, key: str, etag: str) -> Path | None:
            asked.append(key)
            return cache.local_file(bucket, key, etag)

        count = copy_buckets(s3, target=tmp_path / "run" / "s3", saved=saved)
        etag = s3.head_object(Bucket=account.bucket, Key="demo/a/model.tar.gz")["ETag"]
        assert cache.local_file(account.bucket, "demo/a/model.tar.gz", etag) is not None
        assert cache.local_file(account.bucket, "demo/a/model.tar.gz", '"another version"') is None
        assert cache.local_file(account.bucket, "demo/b/new.csv", etag) is None
    assert count == 2 and sorted(asked) == ["demo/a/model.tar.gz", "demo/b/new.csv"]
    assert (tmp_path / "run" / "s3" / "sagemaker-sfn-local" / "demo" / "a" / "model.tar.gz").read_bytes() == b"model"
    assert (tmp_path / "run" / "s3" / "sagemaker-sfn-local" / "demo" / "b" / "new.csv").read_bytes() == b"new"


@pytest.mark.parametrize("content", [b"", b"{not json"])
def test_a_damaged_index_is_an_empty_one(tmp_path: Path, content: bytes) -> None:
    folder = tmp_path / ".sfn-local" / "cache"
    folder.mkdir(parents=True)
    (folder / "s3-index.json").write_bytes(content)
    assert LocalCache(root=tmp_path)._index() == {}
