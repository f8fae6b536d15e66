"""botocore's service models (the AWS API shapes), read straight from botocore's data files.

Why not ``botocore.session`` or ``botocore.loaders`` + ``botocore.model``: importing them pulls in
``botocore.compat``, urllib3, http.client, email and dateutil — 0.18 s (loaders) to 0.39 s (session)
of a cold ``validate`` that otherwise takes about 0.2 s — to read one JSON file. The validator needs
only a read-only view of the shapes (type, members, required members, enum, min/max/pattern), so
this module reads ``botocore/data/<service>/<newest api version>/service-2.json[.gz]`` — the file
``botocore.loaders.Loader().load_service_model(service, "service-2")`` picks — and wraps it in a
minimal, botocore-compatible :class:`Shape`. botocore is located with ``importlib.util.find_spec``,
which does not execute its package.

Public API: :func:`service_model` (cached per service) -> :class:`ServiceModel`.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from collections.abc import KeysView
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from sagemaker_sfn.errors import SagemakerSfnError


class Shape:
    """One botocore shape; the attributes the validator reads, with botocore's names and meaning."""

    def __init__(self, name: str, spec: dict[str, Any], model: ServiceModel) -> None:
        self.name = name
        self.type_name: str = spec["type"]
        self._spec = spec
        self._model = model
        # botocore's Shape.metadata: the constraint traits of the shape itself.
        self.metadata: dict[str, Any] = {key: spec[key] for key in ("min", "max", "pattern") if key in spec}

    @cached_property
    def members(self) -> dict[str, Shape]:
        """Structure members in model order (botocore: an OrderedDict of member shapes)."""
        return {name: self._model.shape(ref["shape"]) for name, ref in self._spec.get("members", {}).items()}

    @property
    def required_members(self) -> list[str]:
        return list(self._spec.get("required", ()))

    @property
    def enum(self) -> list[str]:
        return list(self._spec.get("enum", ()))

    @property
    def member(self) -> Shape:
        """A list's item shape."""
        return self._model.shape(self._spec["member"]["shape"])

    @property
    def key(self) -> Shape:
        """A map's key shape."""
        return self._model.shape(self._spec["key"]["shape"])

    @property
    def value(self) -> Shape:
        """A map's value shape."""
        return self._model.shape(self._spec["value"]["shape"])

    def __repr__(self) -> str:
        return f"<Shape({self.name})>"


class ServiceModel:
    """One service's API model: its operation names and their input and output shapes."""

    def __init__(self, service: str, data: dict[str, Any]) -> None:
        self.service = service
        self._operations: dict[str, Any] = data["operations"]
        self._shapes: dict[str, Any] = data["shapes"]
        self._built: dict[str, Shape] = {}  # one Shape object per name: cached members stay shared

    @property
    def operation_names(self) -> KeysView[str]:
        """In model order; a keys view, so ``in`` is a dict lookup (the validator asks once per task)."""
        return self._operations.keys()

    def shape(self, name: str) -> Shape:
        built = self._built.get(name)
        if built is None:
            built = self._built[name] = Shape(name, self._shapes[name], self)
        return built

    def input_shape(self, operation: str) -> Shape | None:
        """``operation``'s request shape (None for an operation without input); KeyError if unknown."""
        ref = self._operations[operation].get("input")
        return self.shape(ref["shape"]) if ref else None

    def output_shape(self, operation: str) -> Shape | None:
        """``operation``'s response shape (None for an operation without output); KeyError if unknown."""
        ref = self._operations[operation].get("output")
        return self.shape(ref["shape"]) if ref else None


@lru_cache(maxsize=8)
def service_model(service: str) -> ServiceModel:
    """``service``'s model (e.g. ``"sagemaker"``), loaded once per process."""
    return ServiceModel(service, _load(service))


def _data_dir() -> Path:
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise SagemakerSfnError("botocore is not installed: the validator reads its API models "
                                "(pip install botocore)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _load(service: str) -> dict[str, Any]:
    folder = _data_dir() / service
    # botocore's Loader: the newest API version (directory names are ISO dates, so they sort).
    versions = sorted((d for d in folder.iterdir() if d.is_dir()), reverse=True) if folder.is_dir() else []
    for version in versions:
        data = _read_json(version / "service-2.json")
        if data is not None:
            extras = _read_json(version / "service-2.sdk-extras.json")  # botocore merges these too
            if extras:
                _merge(data, extras.get("merge", {}))
            return data
    raise SagemakerSfnError(f"botocore has no API model for '{service}' in {folder}")


def _read_json(path: Path) -> dict[str, Any] | None:
    if path.is_file():
        return json.loads(path.read_bytes())
    zipped = path.with_name(path.name + ".gz")
    if zipped.is_file():
        return json.loads(gzip.decompress(zipped.read_bytes()))
    return None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    """botocore.utils.merge_dicts: nested dictionaries merged, other values replaced."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
