"""The shared reader of user files and the atomic writer of product files (sagemaker_sfn.files)."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from sagemaker_sfn.files import (MAX_NESTING, FileProblem, describe_os_error, nesting_depth, parse_json, read_json,
                                 read_text, write_json_atomic, write_text_atomic)


@pytest.mark.parametrize("content, problem", [
    (b"", "is empty, expected a JSON document"),
    (b"  \n\t\n", "is empty, expected a JSON document"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file, expected a JSON document"),
    (b'{"a": "caf\xe9"}', "is not UTF-8 text: byte 0xe9 at line 1 cannot be decoded (save the file as UTF-8), "
                          "expected a JSON document"),
    (b'{\n"a": 1,\n"b": "\xff"}', "is not UTF-8 text: byte 0xff at line 3 cannot be decoded"),
    (b'{"a": ', "not valid JSON: Expecting value at line 1 column 7"),
])
def test_fails_each_kind_of_bad_file_naming_it(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(content)
    with pytest.raises(FileProblem) as caught:
        read_json(path)
    assert str(caught.value).startswith(f"{path}: {problem}")
    assert caught.value.exit_code == 2


def test_fails_a_directory_a_missing_file_and_a_too_large_one(tmp_path: Path) -> None:
    with pytest.raises(FileProblem, match=r": is a directory, expected a JSON document$"):
        read_json(tmp_path)
    with pytest.raises(FileProblem, match=r"nope.json: no such file$"):
        read_json(tmp_path / "nope.json")
    big = tmp_path / "big.json"
    big.write_text("[" + "1," * 600 + "1]")
    with pytest.raises(FileProblem, match=r"big.json: too large: more than 1,000 bytes, expected a JSON document$"):
        read_json(big, max_bytes=1000)


def test_fails_unreadable_file_as_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.json"
    path.write_text("{}")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(FileProblem, match=r"secret.json: permission denied: cannot read it"):
        read_text(path)


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert read_json(path) == {"a": 1}


def test_fails_json_nested_deeper_than_the_limit_both_below_and_above_the_parsers_own_limit() -> None:
    just_too_deep = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    with pytest.raises(FileProblem, match=rf"x.json: JSON nested too deeply \(more than {MAX_NESTING} levels"):
        parse_json(just_too_deep, source="x.json")
    far_too_deep = "[" * 100_000 + "]" * 100_000   # past json's recursion limit: RecursionError inside
    with pytest.raises(FileProblem, match=r"x.json: JSON nested too deeply \(more than"):
        parse_json(far_too_deep, source="x.json")
    assert parse_json("[" * MAX_NESTING + "]" * MAX_NESTING, source="x") is not None


def test_nesting_depth_walks_shared_and_cyclic_containers_once() -> None:
    shared = [[1]]
    assert nesting_depth({"a": shared, "b": shared}) == 3
    cycle: list = []
    cycle.append(cycle)
    assert nesting_depth(cycle) == 1
    assert nesting_depth(5) == 0


def test_atomic_write_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("old")
    os.chmod(path, 0o640)
    write_json_atomic(path, {"a": 1})
    assert json.loads(path.read_text()) == {"a": 1}
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json"]   # no temporary left behind


def test_fails_write_on_a_full_disk_leaving_the_old_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.json"
    path.write_text('{"committed": true}\n')

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as caught:
        write_text_atomic(path, "x" * 10_000)
    assert caught.value.filename == str(path)   # the file meant, not the temporary
    assert describe_os_error(caught.value, action="write") == f"cannot write {path}: no space left on device (the disk is full)"
    assert path.read_text() == '{"committed": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json"]


@pytest.mark.parametrize("code, text", [
    (errno.EROFS, "read-only file system"), (errno.EACCES, "permission denied"),
    (errno.EDQUOT, "disk quota exceeded"),
])
def test_os_conditions_are_named_with_the_path(code: int, text: str) -> None:
    assert describe_os_error(OSError(code, "x", "/p/f.json"), action="write") == f"cannot write /p/f.json: {text}"
