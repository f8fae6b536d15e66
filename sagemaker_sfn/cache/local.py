"""The cache table and the data bucket of local runs, kept between runs under ``.sfn-local/cache/``.

On AWS the cache table (Foundation stack: partition key ``CacheKey``, TTL attribute ``ExpiresAt``)
and the data bucket outlive every execution, and a cached result names objects an earlier execution
wrote. Locally each run opens a fresh in-process account (moto), so a run of a definition that
uses the cache loads both from the project before it starts and saves them when it ends:

    .sfn-local/cache/<table>.json      the table's items (DynamoDB JSON), expired ones dropped
    .sfn-local/cache/s3/<bucket>/...   objects the executions of live entries wrote (not code/,
                                       uploaded again each run)
    .sfn-local/cache/s3-index.json     each saved object's ETag and the execution that wrote it

DynamoDB's TTL deletes expired items within days, not at once (DynamoDB developer guide, "Time to
Live"), which is why the state machine itself checks ExpiresAt; saving drops them as TTL would.

Only what a cached result can lead to is kept: the objects written by an execution that still has a
live entry. A stored result names that execution's outputs (or, through its own key, those of the
earlier executions whose entries it hit, which are live as long as the key still matches); once
every entry of an execution has expired or been cleared, a later run cannot reach its objects, so
saving deletes them. Without this, each run would add its outputs to what every later run loads
and copies, and a project's hundredth run would start measurably slower than its second.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagemaker_sfn.files import write_json_atomic
from sagemaker_sfn.local.bindings import LOCAL_BUCKET, LOCAL_CACHE_TABLE

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
    execution: str = ""                          # the name of the execution this run is (its objects' writer)
    restored: dict[str, str] = field(default_factory=dict)   # "<bucket>/<key>" -> ETag put back by restore()

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
        write_json_atomic(self.table_file, {"Items": [item for item in items if not expired(item)]}, indent=1)

    def stored(self, bucket: str) -> Path:
        """Where the saved objects of ``bucket`` are: ``.sfn-local/cache/s3/<bucket>/``."""
        return self.folder / "s3" / bucket

    @property
    def index_file(self) -> Path:
        return self.folder / "s3-index.json"

    def _index(self) -> dict[str, dict[str, str]]:
        """key -> {"etag", "execution"}; an entry of the first format (key -> ETag) has no writer
        recorded and is kept as long as the cache is (its execution is unknown)."""
        try:
            raw = json.loads(self.index_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict):
            return {}
        return {key: value if isinstance(value, dict) else {"etag": str(value), "execution": ""}
                for key, value in raw.items()}

    def live_executions(self, items: list[dict[str, Any]]) -> set[str]:
        """Names of the executions that stored a live (unexpired) entry."""
        return {item.get("Execution", {}).get("S", "").rsplit(":", 1)[-1] for item in items if not expired(item)}

    def _kept(self, record: dict[str, str], live: set[str]) -> bool:
        return not record.get("execution") or record["execution"] in live

    def restore(self, *, dynamodb: Any, s3: Any, bucket: str) -> None:
        """Create the table in the open account and put back the saved items and the objects their
        executions wrote."""
        from sagemaker_sfn.local.sagemaker.s3io import put_file

        create_table(dynamodb, self.table)
        items = [item for item in self.load_items() if not expired(item)] if self.reuse else []
        for item in items:
            dynamodb.put_item(TableName=self.table, Item=item)
        if not items:
            return   # nothing stored can name an object: the run starts with an empty bucket, as a cold one
        stored = self.stored(bucket)
        live = self.live_executions(items)
        for key, record in sorted(self._index().items()):
            path = stored / key
            if self._kept(record, live) and path.is_file():
                put_file(s3, path, bucket, key)
                self.restored[f"{bucket}/{key}"] = record["etag"]

    def local_file(self, bucket: str, key: str, etag: str) -> Path | None:
        """The saved copy of an object restore() put back, if the bucket still holds that version."""
        if self.restored.get(f"{bucket}/{key}") != etag:
            return None
        path = self.stored(bucket) / key
        return path if path.is_file() else None

    def save(self, *, dynamodb: Any, s3: Any, bucket: str) -> None:
        """Write the live items, and the objects this run wrote when it stored an entry (but code/,
        uploaded anew each run); delete the saved objects no live entry's execution wrote. The index
        remembers each saved object's ETag so an unchanged one is not copied again."""
        from sagemaker_sfn.local.sagemaker.s3io import get_file, list_objects

        merged = {item["CacheKey"]["S"]: item for item in self.load_items()}
        merged.update({item["CacheKey"]["S"]: item for item in scan(dynamodb, self.table)})
        items = list(merged.values())
        self.save_items(items)
        live = self.live_executions(items)
        stored = self.stored(bucket)
        index = self._index()
        for entry in list_objects(s3, bucket) if self.execution in live else []:
            key, etag = entry["Key"], entry["ETag"]
            if key.startswith(self.skipped_prefixes) or key.endswith("/") or \
                    (key in index and index[key]["etag"] == etag and (stored / key).is_file()):
                continue
            get_file(s3, bucket, key, stored / key)
            index[key] = {"etag": etag, "execution": self.execution}
        self._prune(index, live, bucket=bucket)

    def prune(self, *, bucket: str = LOCAL_BUCKET) -> None:
        """Delete the saved objects no live entry's execution wrote (after entries were cleared)."""
        if self.index_file.is_file():
            self._prune(self._index(), self.live_executions(self.load_items()), bucket=bucket)

    def _prune(self, index: dict[str, dict[str, str]], live: set[str], *, bucket: str) -> None:
        stored = self.stored(bucket)
        for key in [k for k, record in index.items() if not self._kept(record, live)]:
            (stored / key).unlink(missing_ok=True)
            del index[key]
        write_json_atomic(self.index_file, index)


@contextmanager
def local_cache(*, root: Path, account: Any, definition: Any, reuse: bool = True,
                execution: str = "") -> Iterator[LocalCache | None]:
    """The persisted cache for one local run of ``definition`` (None when it does not use the cache).
    ``reuse`` (default True): False starts the run with no entries (``--no-cache``); what it stores is kept.
    ``execution``: the run's execution name (the writer recorded for the objects it saves)."""
    if not uses_cache(definition):
        yield None
        return
    cache = LocalCache(root=Path(root), reuse=reuse, execution=execution)
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
