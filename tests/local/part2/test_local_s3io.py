"""Channel downloads from the local S3: prefixes, single objects and manifest files."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from sagemaker_sfn.local.aws import fake_aws_environment
from sagemaker_sfn.local.sagemaker import s3io
from sagemaker_sfn.local.sagemaker.context import JobFailed


@pytest.fixture
def s3():
    with fake_aws_environment(), mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="data-b")
        for key in ("data/train/a.csv", "data/train/sub/b.csv", "data/train.csv", "data/other/c.csv"):
            client.put_object(Bucket="data-b", Key=key, Body=key.encode())
        yield client


def files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_prefix_keeps_paths_below_it(s3, tmp_path: Path) -> None:
    s3io.download_data_source(s3, {"S3DataType": "S3Prefix", "S3Uri": "s3://data-b/data/train/"}, tmp_path)
    assert files(tmp_path) == {"a.csv": "data/train/a.csv", "sub/b.csv": "data/train/sub/b.csv"}


def test_prefix_without_slash_matches_like_s3_does(s3, tmp_path: Path) -> None:
    s3io.download_data_source(s3, {"S3DataType": "S3Prefix", "S3Uri": "s3://data-b/data/train"}, tmp_path)
    assert files(tmp_path) == {"a.csv": "data/train/a.csv", "sub/b.csv": "data/train/sub/b.csv",
                               "train.csv": "data/train.csv"}


def test_whole_bucket_keeps_every_key_path(s3, tmp_path: Path) -> None:
    # s3://bucket names every object; paths stay whole (AWS's "Preprocess data and train" sample
    # trains on its whole bucket).
    s3io.download_data_source(s3, {"S3DataType": "S3Prefix", "S3Uri": "s3://data-b"}, tmp_path)
    assert sorted(files(tmp_path)) == ["data/other/c.csv", "data/train.csv", "data/train/a.csv", "data/train/sub/b.csv"]


def test_manifest_file_lists_keys_under_its_prefix(s3, tmp_path: Path) -> None:
    s3.put_object(Bucket="data-b", Key="m.manifest", Body=json.dumps([{"prefix": "s3://data-b/data/"}, "train/a.csv", "other/c.csv"]))
    s3io.download_data_source(s3, {"S3DataType": "ManifestFile", "S3Uri": "s3://data-b/m.manifest"}, tmp_path)
    assert files(tmp_path) == {"train/a.csv": "data/train/a.csv", "other/c.csv": "data/other/c.csv"}


def test_empty_prefix_fails_the_job_with_a_client_error(s3, tmp_path: Path) -> None:
    with pytest.raises(JobFailed, match=r"^ClientError: Data download failed:No S3 objects found under S3 URL \"s3://data-b/nothing/\""):
        s3io.download_data_source(s3, {"S3DataType": "S3Prefix", "S3Uri": "s3://data-b/nothing/"}, tmp_path)


def test_uri_naming_one_object_lands_under_its_file_name(s3, tmp_path: Path) -> None:
    s3io.download_data_source(s3, {"S3DataType": "S3Prefix", "S3Uri": "s3://data-b/data/other/c.csv"}, tmp_path)
    assert files(tmp_path) == {"c.csv": "data/other/c.csv"}


def test_list_keys_follows_every_page(s3) -> None:
    # ListObjectsV2 answers at most 1000 keys a page.
    keys = [f"many/{index:04d}.csv" for index in range(1003)]
    for key in keys:
        s3.put_object(Bucket="data-b", Key=key, Body=b"")
    assert s3io.list_keys(s3, "data-b", "many/") == keys


def test_get_and_put_file_round_trip(s3, tmp_path: Path) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(bytes(range(256)) * 5000)   # over one 1 MiB read
    s3io.put_file(s3, source, "data-b", "round/trip.bin")
    target = s3io.get_file(s3, "data-b", "round/trip.bin", tmp_path / "deep" / "out.bin")
    assert target.read_bytes() == source.read_bytes()
