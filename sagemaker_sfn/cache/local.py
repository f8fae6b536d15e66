"""The cache table and the data bucket of local runs, kept between runs under ``.sfn-local/cache/``.

On AWS the cache table (Foundation stack: partition key ``CacheKey``, TTL attribute ``ExpiresAt``)
and the data bucket outlive every execution, and a cached result names objects an earlier execution
wrote. Locally each run opens a fresh in-process account (moto), so a run of a definition that
uses the cache loads both from the project before it starts and saves them when it ends:

    .sfn-local/cache/<table>.json      the table's items (DynamoDB JSON), expired ones dropped
    .sfn-local/cache/s3/<bucket>/...   the data bucket's objects (code/ is uploaded again each run)

DynamoDB's TTL deletes expired items within days, not at once (DynamoDB developer guide, "Time to
Live"), which is why the state machine itself checks ExpiresAt; saving drops them as TTL would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagemaker_sfn.local.bindings import LOCAL_CACHE_TABLE

CACHE_DIR = Path(".sfn-local") / "cache"
PLACEHOLDER = "${CacheTableName}"


def uses_cache(definition: Any) -> bool:
    """True when the definition reads the cache table (holds the ``${CacheTableName}`` placeholder)."""
    return PLACEHOLDER in json.dumps(definition)


def create_table(dynamodb: Any, table: str = LOCAL_CACHE_TABLE) -> None:
    """The cache table as the Foundation stack declares it: key CacheKey (S), TTL on ExpiresAt."""
    dynamodb.create_table(TableName=table, KeySchema=[{"AttributeName": "CacheKey", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "CacheKey", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True,
                                                                           "AttributeName": "ExpiresAt"})


def scan(dynamodb: Any, table: str = LOCAL_CACHE_TABLE) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table}
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def expired(item: dict[str, Any], *, now: float | None = None) -> bool:
    expires = item.get("ExpiresAt", {}).get("N")
    return expires is None or float(expires) <= (time.time() if now is None else now)


@dataclass
class LocalCache:
    """The project's persisted cache table and bucket (see the module doc)."""

    root: Path                                   # the project root
    table: str = LOCAL_CACHE_TABLE
    skipped_prefixes: tuple[str, ...] = field(default=("code/",))
    reuse: bool = True                           # False (--no-cache): start with no entries, keep the saved ones

    @property
    def folder(self) -> Path:
        return self.root / CACHE_DIR

    @property
    def table_file(self) -> Path:
        return self.folder / f"{self.table}.json"

    def load_items(self) -> list[dict[str, Any]]:
        if not self.table_file.is_file():
            return []
        try:
            data = json.loads(self.table_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []   # a damaged file is a cold cache, never a failed run
        return [item for item in data.get("Items", []) if isinstance(item, dict) and "CacheKey" in item]

    def save_items(self, items: list[dict[str, Any]]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        live = [item for item in items if not expired(item)]
        temporary = self.table_file.with_suffix(".json.tmp")
        temporary.write_text(json.dumps({"Items": live}, indent=1) + "\n", encoding="utf-8")
        temporary.replace(self.table_file)

    @property
    def index_file(self) -> Path:
        return self.folder / "s3-index.json"

    def _index(self) -> dict[str, str]:
        try:
            return json.loads(self.index_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def restore(self, *, dynamodb: Any, s3: Any, bucket: str) -> None:
        """Create the table in the open account and put back the saved items and bucket objects."""
        from sagemaker_sfn.local.sagemaker.s3io import put_file

        create_table(dynamodb, self.table)
        for item in self.load_items() if self.reuse else []:
            if not expired(item):
                dynamodb.put_item(TableName=self.table, Item=item)
        stored = self.folder / "s3" / bucket
        if stored.is_dir():
            for path in sorted(p for p in stored.rglob("*") if p.is_file()):
                put_file(s3, path, bucket, path.relative_to(stored).as_posix())

    def save(self, *, dynamodb: Any, s3: Any, bucket: str) -> None:
        """Write the table's items and the bucket's new or changed objects (but code/, uploaded anew
        each run) back; ``s3-index.json`` remembers each saved object's ETag so unchanged ones are skipped."""
        from sagemaker_sfn.local.sagemaker.s3io import get_file

        merged = {item["CacheKey"]["S"]: item for item in self.load_items()}
        merged.update({item["CacheKey"]["S"]: item for item in scan(dynamodb, self.table)})
        self.save_items(list(merged.values()))
        stored = self.folder / "s3" / bucket
        index = self._index()
        kwargs: dict[str, Any] = {"Bucket": bucket}
        while True:
            page = s3.list_objects_v2(**kwargs)
            for entry in page.get("Contents", []):
                key, etag = entry["Key"], entry["ETag"]
                if key.startswith(self.skipped_prefixes) or key.endswith("/") or \
                        (index.get(key) == etag and (stored / key).is_file()):
                    continue
                get_file(s3, bucket, key, stored / key)
                index[key] = etag
            if not page.get("IsTruncated"):
                break
            kwargs["ContinuationToken"] = page["NextContinuationToken"]
        self.index_file.write_text(json.dumps(index, indent=0) + "\n", encoding="utf-8")


@contextmanager
def local_cache(*, root: Path, account: Any, definition: Any, reuse: bool = True) -> Iterator[LocalCache | None]:
    """The persisted cache for one local run of ``definition`` (None when it does not use the cache).
    ``reuse`` (default True): False starts the run with no entries (``--no-cache``); what it stores is kept."""
    if not uses_cache(definition):
        yield None
        return
    cache = LocalCache(root=Path(root), reuse=reuse)
    dynamodb, s3 = account.client("dynamodb"), account.client("s3")
    cache.restore(dynamodb=dynamodb, s3=s3, bucket=account.bucket)
    try:
        yield cache
    finally:
        cache.save(dynamodb=dynamodb, s3=s3, bucket=account.bucket)


def latest_components(dynamodb: Any, *, step: str, state_machine: str, table: str = LOCAL_CACHE_TABLE) -> dict[str, Any] | None:
    """The key components of the newest stored entry of ``step`` in ``state_machine`` (None: none stored)."""
    entries = [item for item in scan(dynamodb, table)
               if item.get("Step", {}).get("S") == step and item.get("StateMachine", {}).get("S") == state_machine]
    if not entries:
        return None
    newest = max(entries, key=lambda item: item.get("CreatedAt", {}).get("S", ""))
    try:
        return json.loads(newest.get("Components", {}).get("S", "{}"))
    except ValueError:
        return None


def reporter_for(definition: dict[str, Any], *, state_machine: str, dynamodb: Any, skipped: bool = False) -> Any:
    """A :class:`~sagemaker_sfn.cache.report.CacheReporter` for a local run of ``definition``."""
    from sagemaker_sfn.cache.report import CacheReporter
    from sagemaker_sfn.cache.request import s3_inputs
    from sagemaker_sfn.cache.transform import cached_steps, scopes

    jobs = {name: state for scope in scopes(definition) for name, state in scope["States"].items()}
    labels = {step: [i.label for i in s3_inputs(jobs[step].get("Parameters") or {})]
              for step in cached_steps(definition) if step in jobs}
    return CacheReporter(state_machine=state_machine, input_labels=labels, skipped=skipped,
                         previous=lambda step, machine: latest_components(dynamodb, step=step, state_machine=machine))
