"""Moving job data between the in-process S3 and a job's local directories.

Objects move with one GetObject / PutObject each (:func:`get_file`, :func:`put_file`), not boto3's
``download_file`` / ``upload_file``: those start an s3transfer manager (a thread pool, and a
HeadObject before each download) per call, which for the small files of a local run costs more
than the transfer itself.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

from sagemaker_sfn.local.sagemaker.context import JobFailed


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key/prefix`` -> (bucket, key); JobFailed (a ClientError, as SageMaker says) otherwise."""
    bucket, _, key = uri[5:].partition("/") if isinstance(uri, str) and uri.startswith("s3://") else ("", "", "")
    if not bucket:
        raise JobFailed(f"ClientError: '{uri}' is not a valid S3 URI (expected s3://bucket/prefix)")
    return bucket, key


def get_file(s3: Any, bucket: str, key: str, target: Path) -> Path:
    """Object ``bucket``/``key`` into the file ``target`` (parents created); botocore's ClientError
    (NoSuchKey, NoSuchBucket) when it does not exist."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        for chunk in iter(lambda: body.read(1 << 20), b""):
            handle.write(chunk)
    return target


def put_file(s3: Any, path: Path, bucket: str, key: str) -> str:
    """The file ``path`` as object ``bucket``/``key``; returns the new object's ETag."""
    with open(path, "rb") as handle:
        return str(s3.put_object(Bucket=bucket, Key=key, Body=handle).get("ETag", ""))


def list_objects(s3: Any, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
    """Every object under ``prefix``, as ListObjectsV2 lists it (Key, ETag, Size...). Its pages are
    followed by hand: a paginator would first load botocore's S3 paginator model, a cost every run
    paid just before its first job started."""
    objects: list[dict[str, Any]] = []
    request = {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = s3.list_objects_v2(**request)
        objects.extend(page.get("Contents", []))
        if not page.get("IsTruncated"):
            return objects
        request["ContinuationToken"] = page["NextContinuationToken"]


def list_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    """Every key under ``prefix`` (:func:`list_objects`)."""
    return [item["Key"] for item in list_objects(s3, bucket, prefix)]


def download_prefix(s3: Any, uri: str, dest: Path) -> list[Path]:
    """Every object under ``uri`` (a key or a prefix) into ``dest``, keeping paths relative to the prefix.

    An exact key lands as ``dest/<file name>``, as SageMaker does for an S3Prefix naming one object.
    JobFailed when nothing matches: SageMaker fails such a job with a ClientError before it starts.
    """
    bucket, prefix = parse_s3_uri(uri)
    keys = [k for k in list_keys(s3, bucket, prefix) if not k.endswith("/")]
    if not keys:
        raise JobFailed(f"ClientError: Data download failed:No S3 objects found under S3 URL \"{uri}\" given in input data source. "
                        "Please ensure that the bucket exists in the selected region, that objects exist under that S3 prefix, "
                        "and that the role has permission to read objects.")
    dest.mkdir(parents=True, exist_ok=True)
    files = []
    for key in keys:
        # Paths below the prefix are kept; an object the prefix only partly names ("data/train" ->
        # "data/train.csv", or the exact key) lands under its own file name.
        rest = key[len(prefix):]
        # An empty prefix (s3://bucket, the whole bucket) keeps every key's full path.
        inside = not prefix or prefix.endswith("/") or rest.startswith("/")
        relative = rest.lstrip("/") if inside and rest.strip("/") else key.rsplit("/", 1)[-1]
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        get_file(s3, bucket, key, target)
        files.append(target)
    return files


def download_manifest(s3: Any, uri: str, dest: Path) -> list[Path]:
    """A ManifestFile data source: ``[{"prefix": "s3://b/p/"}, "rel/key1", ...]`` (SageMaker's format)."""
    bucket, key = parse_s3_uri(uri)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        manifest = json.loads(body)
        prefix = manifest[0]["prefix"]
        relatives = [str(r) for r in manifest[1:]]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise JobFailed(f"ClientError: manifest file {uri} is not [{{\"prefix\": ...}}, \"key\", ...]: {exc}") from exc
    files = []
    for relative in relatives:
        files.extend(download_prefix(s3, prefix.rstrip("/") + "/" + relative, dest / Path(relative).parent))
    return files


def download_data_source(s3: Any, source: dict[str, Any], dest: Path) -> list[Path]:
    """An ``S3DataSource`` (S3Prefix or ManifestFile) into ``dest``."""
    kind = source.get("S3DataType", "S3Prefix")
    if kind == "ManifestFile":
        return download_manifest(s3, source["S3Uri"], dest)
    if kind == "S3Prefix":
        return download_prefix(s3, source["S3Uri"], dest)
    raise JobFailed(f"ClientError: S3DataType {kind} is not supported by the local runner (S3Prefix, ManifestFile)")


def upload_file(s3: Any, path: Path, uri: str) -> None:
    bucket, key = parse_s3_uri(uri)
    put_file(s3, path, bucket, key)


def upload_tree(s3: Any, root: Path, uri: str) -> list[str]:
    """Every file under ``root`` to ``uri``/<relative path>; returns the keys written."""
    bucket, prefix = parse_s3_uri(uri)
    keys = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = f"{prefix.rstrip('/')}/{path.relative_to(root).as_posix()}" if prefix else path.relative_to(root).as_posix()
        put_file(s3, path, bucket, key)
        keys.append(key)
    return keys


def make_tar(source_dir: Path, tar_path: Path) -> Path:
    """``source_dir``'s contents as a gzip tarball, members relative (``xgboost-model``, not a folder)."""
    tar_path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_path, "w:gz") as tar:
        for path in sorted(source_dir.rglob("*")):
            tar.add(path, arcname=path.relative_to(source_dir).as_posix(), recursive=False)
    return tar_path


def extract_tar(tar_path: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_path, "r:*") as tar:
        tar.extractall(dest, filter="data")


def fetch_model(s3: Any, model_data_url: str, dest: Path) -> Path:
    """Download and unpack a ``model.tar.gz`` (ModelDataUrl / S3ModelArtifacts) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    bucket, key = parse_s3_uri(model_data_url)
    tar_path = dest / "model.tar.gz"
    try:
        get_file(s3, bucket, key, tar_path)
    except Exception as exc:  # botocore ClientError (404) from moto
        raise JobFailed(f"ClientError: Could not download model data from {model_data_url}: {exc}") from exc
    extract_tar(tar_path, dest)
    tar_path.unlink()
    return dest
