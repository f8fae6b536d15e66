"""Reading the files a person passes, and writing the files the product keeps, safely.

Every command reads user files (ASL definitions, execution inputs, pipeline files) through
:func:`read_text` / :func:`read_json`, so each kind of bad file gets the same clear message naming
the file and what is wrong with it (exit 2), never a traceback: a directory, a missing or unreadable
file, an empty one, a binary one, one that is not UTF-8, one too large, or JSON nested too deeply
for any consumer to walk.

Every file the product writes (templates, run results, histories, Describe records) goes through
:func:`write_text_atomic`: the text is written to a temporary file beside the target, flushed to
disk, then renamed over the target. A crash or a full disk therefore leaves the previous file
intact instead of a truncated one (rename within a directory is atomic on POSIX).

:func:`describe_os_error` turns an ``OSError`` into the condition a person can act on (disk full,
read-only file system, permission denied), naming the path.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sagemaker_sfn.errors import UsageError

# The largest file any command reads (default). Step Functions definitions are at most 1,048,576
# characters and state input at most 262,144 bytes; anything past a few MiB is not a definition or
# an input but a wrong file (a dataset, a binary), and reading it whole would only waste memory.
MAX_FILE_BYTES = 16 * 1024 * 1024
# Deepest JSON nesting accepted (default). Real definitions nest a few dozen levels (Parallel in Map
# in Parallel ...); every consumer (validator, graph, IAM, interpreter) walks documents recursively,
# so past this a document would exhaust Python's recursion limit in one of them.
MAX_NESTING = 200
_BINARY_SNIFF = 8192


class FileProblem(UsageError):
    """A file a person passed cannot be used (exit 2). The message names the file."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def describe_os_error(exc: OSError, *, path: Path | str | None = None, action: str = "access") -> str:
    """``cannot write asl_templates/x.asl.json: no space left on device (disk full)``: the
    condition as a person would name it, with the path the OS reported (else ``path``)."""
    where = exc.filename if exc.filename is not None else path
    conditions = {
        errno.ENOSPC: "no space left on device (the disk is full)",
        errno.EDQUOT: "disk quota exceeded",
        errno.EROFS: "read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.ENOENT: "no such file or directory",
        errno.EISDIR: "is a directory",
        errno.ENOTDIR: "a part of the path is not a directory",
        errno.ENAMETOOLONG: "file name too long",
        errno.EMFILE: "too many open files",
    }
    condition = conditions.get(exc.errno) if exc.errno is not None else None
    condition = condition or (exc.strerror or str(exc)).lower()
    return f"cannot {action} {where}: {condition}" if where else f"cannot {action}: {condition}"


def read_text(path: Path | str, *, what: str = "a text file", max_bytes: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark is dropped), or :class:`FileProblem`.

    ``what`` names what was expected, for the message (default ``"a text file"``); ``max_bytes``
    is the largest size accepted (default :data:`MAX_FILE_BYTES`).
    """
    path = Path(path)
    if path.is_dir():
        raise FileProblem(path, f"is a directory, expected {what}")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise FileProblem(path, "no such file") from None
    except PermissionError:
        raise FileProblem(path, "permission denied: cannot read it (check the file's permissions)") from None
    except OSError as exc:
        raise FileProblem(path, f"cannot read it: {(exc.strerror or str(exc)).lower()}") from None
    if len(data) > max_bytes:
        raise FileProblem(path, f"too large: more than {max_bytes:,} bytes, expected {what}")
    if not data.strip():
        raise FileProblem(path, f"is empty, expected {what}")
    if b"\x00" in data[:_BINARY_SNIFF]:
        raise FileProblem(path, f"is a binary file, expected {what}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(path, f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line} cannot be decoded "
                                f"(save the file as UTF-8), expected {what}") from None


def parse_json(text: str, *, source: str, max_nesting: int = MAX_NESTING) -> Any:
    """``json.loads`` with a :class:`FileProblem` naming ``source`` for invalid or too deeply nested JSON."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(source, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise FileProblem(source, f"JSON nested too deeply (more than {max_nesting} levels of objects and "
                                  "arrays)") from None
    if nesting_depth(value) > max_nesting:
        # The same words whether the parser gave up first or not (its own limit depends on the stack).
        raise FileProblem(source, f"JSON nested too deeply (more than {max_nesting} levels of objects and "
                                  "arrays)")
    return value


def read_json(path: Path | str, *, what: str = "a JSON document", max_bytes: int = MAX_FILE_BYTES) -> Any:
    """The parsed JSON of ``path``: :func:`read_text` then :func:`parse_json`."""
    return parse_json(read_text(path, what=what, max_bytes=max_bytes), source=str(path))


def nesting_depth(value: Any) -> int:
    """How many objects/arrays deep ``value`` goes (a scalar: 0), without recursion. Each container
    is walked once (YAML aliases share them; a cycle cannot loop)."""
    deepest = 0
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_DEFAULT_MODE = 0o666 & ~_umask()   # what open() would give a new file, read once at import


def write_text_atomic(path: Path | str, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename; returns ``path``.

    The previous content stays intact until the new one is complete on disk; on any error (disk
    full, interrupt) the temporary file is removed and the error raised. An existing file keeps its
    permission bits; a new one gets the usual ones (0666 minus the umask).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = _DEFAULT_MODE
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc   # name the file meant, not the temporary
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.filename in (None, temporary):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    return path


def write_json_atomic(path: Path | str, value: Any, *, indent: int = 2) -> Path:
    """``value`` as indented JSON (non-JSON values via ``str``) plus a newline, written atomically."""
    return write_text_atomic(path, json.dumps(value, indent=indent, default=str) + "\n")
