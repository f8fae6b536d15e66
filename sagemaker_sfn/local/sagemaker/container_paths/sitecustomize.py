"""Installed into a local SageMaker job's Python (and the Python processes it starts) through
PYTHONPATH: file-system calls naming SageMaker's container paths (``/opt/ml/...``) reach the job's
local directory instead, so scripts that hard-code those paths run unchanged without Docker.

``SAGEMAKER_SFN_PATH_MAP`` holds ``[[container prefix, local directory], ...]``, longest prefix first.
Only Python-level calls are mapped (``open``, ``os.*``, and what is built on them: ``pathlib``,
``shutil``, ``glob``, pandas, numpy, json ...); see docs/local-runner.md for the limits.
Kept free of imports from sagemaker_sfn: it runs first in every job interpreter.
"""

import builtins
import json
import os


def _install() -> None:
    try:
        mapping = [(str(a), str(b)) for a, b in json.loads(os.environ.get("SAGEMAKER_SFN_PATH_MAP", "[]"))]
    except ValueError:
        return
    if not mapping:
        return
    mapping.sort(key=lambda item: len(item[0]), reverse=True)
    byte_mapping = [(a.encode(), b.encode()) for a, b in mapping]

    def local(path):  # noqa: ANN001, ANN202 - any path-like; returned unchanged unless it is mapped
        if isinstance(path, int):
            return path
        try:
            text = os.fspath(path)
        except TypeError:
            return path
        pairs = byte_mapping if isinstance(text, bytes) else mapping
        sep = b"/" if isinstance(text, bytes) else "/"
        for prefix, target in pairs:
            if text == prefix or text.startswith(prefix + sep):
                return target + text[len(prefix):]
        return path

    def one(function):  # noqa: ANN001, ANN202
        def wrapper(path, *args, **kwargs):  # noqa: ANN001, ANN202
            return function(local(path), *args, **kwargs)
        wrapper.__name__ = getattr(function, "__name__", "wrapper")
        wrapper.__doc__ = getattr(function, "__doc__", None)
        wrapper.__wrapped__ = function
        return wrapper

    def two(function):  # noqa: ANN001, ANN202
        def wrapper(src, dst, *args, **kwargs):  # noqa: ANN001, ANN202
            return function(local(src), local(dst), *args, **kwargs)
        wrapper.__name__ = getattr(function, "__name__", "wrapper")
        wrapper.__wrapped__ = function
        return wrapper

    builtins.open = one(builtins.open)
    import io

    io.open = builtins.open
    for name in ("open", "stat", "lstat", "listdir", "scandir", "mkdir", "rmdir", "remove", "unlink", "chdir",
                 "access", "chmod", "utime", "truncate", "readlink", "statvfs", "chown", "lchown", "mkfifo",
                 "removedirs", "makedirs"):
        if hasattr(os, name):
            setattr(os, name, one(getattr(os, name)))
    for name in ("rename", "replace", "link", "symlink"):
        if hasattr(os, name):
            setattr(os, name, two(getattr(os, name)))


_install()
del _install
