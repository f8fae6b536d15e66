"""Content-addressed code: a definition's ``code/`` references pinned to the content they name.

Training and processing scripts live in ``examples/`` and are uploaded to the mutable
``s3://${DataBucket}/code/`` (docs/CONVENTIONS.md). A definition that names them there runs whatever
was uploaded last: a code deploy made while an execution runs, or before a redrive, changes the code
under it. :func:`pin_code` rewrites each such reference to an immutable, content-addressed copy::

    s3://${DataBucket}/code/train-evaluate/evaluate.py
      -> s3://${DataBucket}/code/sha256-0123456789abcdef/train-evaluate/evaluate.py

and lists the objects to upload (``PinnedCode.objects``: key under ``code/`` -> local file). The
hash covers exactly the files the job receives: an ``S3Prefix`` input (and every other S3 reference)
matches every key that *starts with* the URI's key (SageMaker ``S3DataSource.S3Uri``: "a key name
prefix"), so ``<rel>`` selects every file of ``code_dir`` whose relative path starts with ``<rel>``.
Editing ``examples/train-evaluate/evaluate.py`` therefore changes Evaluate's URI and no other.

What is rewritten (everything else is left as written):

- every *literal* string value that starts with ``s3://${DataBucket}/code/<rel>`` (or is one wrapped
  in double quotes, as a SageMaker hyperparameter may be), in any field of any state, nested
  Parallel branches and Map ItemProcessor/Iterator included;
- a literal ``Prefix`` or ``Key`` starting with ``code/`` beside a literal ``"Bucket": "${DataBucket}"``
  (S3 API arguments; the step cache's ``listObjectsV2`` of a code input is one, so the cache key
  hashes the content the job reads).

Not rewritten: values of ``.$`` fields (JSONPath, intrinsic functions), JSONata ``{% ... %}``
expressions, ``Comment`` fields, keys, references already pinned (``code/sha256-...``, so pinning is
idempotent) and references that match no file (the runner's and validator's "script does not exist"
checks report those as written).

The hash is SHA-256 over the sorted ``"<path relative to code_dir>\\0<sha256 of its bytes>\\n"`` lines
of the matched files, first 16 hex digits; files under ``__pycache__``, ``*.pyc`` and ``.DS_Store``
are left out (the same as :class:`sagemaker_sfn.constructs.code.CodeUpload`'s default excludes).
Pure: no AWS, no CDK; the CDK constructs and the local runner both call it, so their hashes agree.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagemaker_sfn.errors import UsageError

DATA_BUCKET = "${DataBucket}"
CODE_PREFIX = "code/"
PIN_PREFIX = "sha256-"
HASH_DIGITS = 16
# CodeUpload's DEFAULT_EXCLUDE globs, as names: never uploaded, never hashed.
EXCLUDED_DIRS = frozenset({"__pycache__"})
EXCLUDED_SUFFIXES = (".pyc",)
EXCLUDED_NAMES = frozenset({".DS_Store"})
_PINNED = re.compile(rf"^{PIN_PREFIX}[0-9a-f]{{{HASH_DIGITS}}}/")


@dataclass(frozen=True)
class PinnedCode:
    """What :func:`pin_code` made.

    ``definition``: a deep copy with the references pinned. ``objects``: object key relative to the
    prefix (``sha256-<hash>/<path>``) -> the local file to upload there. ``pins``: each original
    reference ``<rel>`` -> its pinned ``sha256-<hash>/<rel>``. ``files``: each pinned reference
    (``sha256-<hash>/<rel>``) -> the matched files' paths relative to ``code_dir``."""

    definition: dict[str, Any]
    objects: dict[str, Path] = field(default_factory=dict)
    pins: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)


def excluded(relative: str) -> bool:
    """True for a path (posix, relative to the code folder) that is never uploaded nor hashed."""
    parts = relative.split("/")
    return bool(EXCLUDED_DIRS.intersection(parts[:-1])) or parts[-1] in EXCLUDED_NAMES \
        or parts[-1].endswith(EXCLUDED_SUFFIXES) or parts[-1] in EXCLUDED_DIRS


def code_files(code_dir: Path) -> dict[str, Path]:
    """Every file of ``code_dir`` that is uploaded: posix relative path -> file (sorted)."""
    found = {path.relative_to(code_dir).as_posix(): path for path in code_dir.rglob("*") if path.is_file()}
    return {relative: found[relative] for relative in sorted(found) if not excluded(relative)}


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_hash(files: Iterable[tuple[str, str]]) -> str:
    """``sha256-<16 hex>`` of (relative path, SHA-256 of the content) pairs, order-independent."""
    text = "".join(f"{relative}\0{digest}\n" for relative, digest in sorted(files))
    return PIN_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_DIGITS]


def is_pinned(relative: str) -> bool:
    """True for a key (relative to the code prefix) already under ``sha256-<hash>/``."""
    return bool(_PINNED.match(relative))


def check_code_dir(code_dir: Path) -> None:
    """A top-level ``sha256-*`` entry would collide with the pinned copies (and the mutable upload
    is told never to prune those): refuse it with a clear message."""
    clashing = sorted(p.name for p in code_dir.iterdir() if p.name.startswith(PIN_PREFIX)) if code_dir.is_dir() else []
    if clashing:
        raise UsageError(f"{code_dir}: {', '.join(clashing)}: a top-level name starting with '{PIN_PREFIX}' is "
                         f"reserved for content-addressed code (code/{PIN_PREFIX}<hash>/...); rename it")


class _Pinner:
    def __init__(self, code_dir: Path, *, bucket_token: str, prefix: str) -> None:
        self.code_dir = code_dir
        self.prefix = prefix
        self.uri = f"s3://{bucket_token}/{prefix}"
        self.bucket_token = bucket_token
        self.files = code_files(code_dir) if code_dir.is_dir() else {}
        self.digests: dict[str, str] = {}
        self.result = PinnedCode(definition={})

    def pin_relative(self, relative: str) -> str | None:
        """``<rel>`` -> ``sha256-<hash>/<rel>``, or None (already pinned, or no file matches)."""
        if is_pinned(relative):
            return None
        if relative in self.result.pins:
            return self.result.pins[relative]
        matched = [name for name in self.files if name.startswith(relative)]
        if not matched:
            return None
        for name in matched:
            if name not in self.digests:
                self.digests[name] = file_digest(self.files[name])
        pinned_dir = content_hash((name, self.digests[name]) for name in matched)
        for name in matched:
            self.result.objects[f"{pinned_dir}/{name}"] = self.files[name]
        pinned = f"{pinned_dir}/{relative}"
        self.result.pins[relative] = pinned
        self.result.files[pinned] = tuple(matched)
        return pinned

    def string(self, text: str) -> str:
        quoted = len(text) > 1 and text.startswith('"') and text.endswith('"')
        inner = text[1:-1] if quoted else text
        if not inner.startswith(self.uri):
            return text
        pinned = self.pin_relative(inner[len(self.uri):])
        if pinned is None:
            return text
        out = self.uri + pinned
        return f'"{out}"' if quoted else out

    def walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return value if value.startswith("{%") else self.string(value)
        if isinstance(value, list):
            return [self.walk(item) for item in value]
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        s3_arguments = value.get("Bucket") == self.bucket_token
        for key, item in value.items():
            if key.endswith(".$") or key == "Comment":
                out[key] = item
            elif s3_arguments and key in ("Prefix", "Key") and isinstance(item, str) and item.startswith(self.prefix):
                pinned = self.pin_relative(item[len(self.prefix):])
                out[key] = item if pinned is None else self.prefix + pinned
            else:
                out[key] = self.walk(item)
        return out


def pin_code(definition: Mapping[str, Any], code_dir: Path | str, *, bucket_token: str = DATA_BUCKET,
             prefix: str = CODE_PREFIX) -> PinnedCode:
    """Pin ``definition``'s references to ``s3://<bucket_token>/<prefix>...`` (see the module doc).

    :param code_dir: the folder uploaded under ``prefix`` (the project's ``examples/``); when it does
        not exist nothing is pinned.
    :param bucket_token: the bucket as the definition names it, default ``${DataBucket}``.
    :param prefix: the code key prefix, default ``code/``.
    Raises UsageError when ``code_dir`` has a top-level ``sha256-*`` entry."""
    code_dir = Path(code_dir)
    check_code_dir(code_dir)
    pinner = _Pinner(code_dir, bucket_token=bucket_token, prefix=prefix)
    pinned = pinner.walk(copy.deepcopy(dict(definition)))
    return PinnedCode(definition=pinned, objects=dict(sorted(pinner.result.objects.items())),
                      pins=pinner.result.pins, files=pinner.result.files)


def pinned_references(definition: Any, *, bucket_token: str | None = DATA_BUCKET,
                      prefix: str = CODE_PREFIX) -> set[str]:
    """Every pinned reference (``sha256-<hash>/<rel>``, relative to the prefix) a definition names.
    ``bucket_token`` None: in any bucket (a deployed definition names the bucket itself)."""
    bucket_pattern = "[^/]+" if bucket_token is None else re.escape(bucket_token)
    uri = re.compile(rf"^s3://{bucket_pattern}/{re.escape(prefix)}")
    found: set[str] = set()

    def walk(value: Any, bucket: bool = False, key: str = "") -> None:
        if isinstance(value, str):
            text = value.strip('"')
            if (match := uri.match(text)) and is_pinned(text[match.end():]):
                found.add(text[match.end():])
            elif bucket and key in ("Prefix", "Key") and text.startswith(prefix) and is_pinned(text[len(prefix):]):
                found.add(text[len(prefix):])
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            in_bucket = isinstance(value.get("Bucket"), str) if bucket_token is None else value.get("Bucket") == bucket_token
            for name, item in value.items():
                walk(item, in_bucket, name)

    walk(definition)
    return found


@dataclass(frozen=True)
class StalePin:
    """A pinned reference whose files in the project differ now: ``reference`` is
    ``sha256-<hash>/<rel>``, ``relative`` the ``<rel>`` and ``files`` what matches it now."""

    reference: str
    relative: str
    files: tuple[str, ...]

    def describe(self, *, folder: str = "examples") -> str:
        if not self.files:
            return f"{folder}/{self.relative} (no longer exists)"
        if self.files == (self.relative,):
            return f"{folder}/{self.relative}"
        return f"{folder}/{self.relative}* ({len(self.files)} file{'s' if len(self.files) > 1 else ''} now)"


def stale_pins(definition: Any, code_dir: Path | str, *, bucket_token: str | None = DATA_BUCKET,
               prefix: str = CODE_PREFIX) -> list[StalePin]:
    """The pinned references of ``definition`` that pinning ``code_dir`` now would pin differently
    (a script changed since the execution started), sorted by the reference's ``<rel>``."""
    # The same pinning as pin_code: what the project's files would be pinned to now.
    pinner = _Pinner(Path(code_dir), bucket_token=DATA_BUCKET, prefix=prefix)
    stale = []
    references = pinned_references(definition, bucket_token=bucket_token, prefix=prefix)
    for reference in sorted(references, key=lambda r: (r.partition("/")[2], r)):
        relative = reference.partition("/")[2]
        now = pinner.pin_relative(relative)
        if now != reference:
            files = pinner.result.files.get(now, ()) if now is not None else ()
            stale.append(StalePin(reference=reference, relative=relative, files=files))
    return stale


def redrive_code_warning(stale: list[StalePin], *, folder: str = "examples") -> str | None:
    """The warning a redrive prints when the project's code changed since the execution started
    (None when it did not): a redrive runs the definition the execution started with (AWS
    RedriveExecution), so its pinned code, not the change."""
    if not stale:
        return None
    changed = ", ".join(s.describe(folder=folder) for s in stale)
    return (f"warning: {changed} changed since this execution started; a redrive runs the code the execution "
            "started with (its definition pins code/sha256-.../). To run the change, start a new execution "
            "(cached steps are reused).")
