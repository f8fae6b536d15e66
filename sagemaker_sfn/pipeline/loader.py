"""Pipeline files: find them, load them, and write their ASL templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sagemaker_sfn.errors import PipelineError
from sagemaker_sfn.pipeline.model import Pipeline
from sagemaker_sfn.project import PIPELINES_DIR, TEMPLATE_SUFFIX, TEMPLATES_DIR

SUFFIXES = (".yaml", ".yml")


def discover_pipelines(root: Path) -> list[Path]:
    """Every pipeline file under ``root/pipelines/``, sorted by name."""
    folder = Path(root) / PIPELINES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SUFFIXES)


def load_pipeline(path: Path) -> Pipeline:
    """Read and build one pipeline file; :class:`PipelineError` names the file, step and field."""
    import yaml   # heavy-ish, and only commands that load pipelines need it

    from sagemaker_sfn.pipeline.assemble import build_pipeline

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PipelineError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    try:
        # libyaml's parser when PyYAML was built with it: 6x faster than the pure-Python one on large
        # files, same documents (safe tags only) and same error marks.
        doc: Any = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise PipelineError(f"not valid YAML{where}: {getattr(exc, 'problem', None) or exc}", file=str(path)) from exc
    pipeline = build_pipeline(doc, file=str(path), expected_name=path.stem)
    return Pipeline(name=pipeline.name, description=pipeline.description, example_input=pipeline.example_input,
                    trigger_prefix=pipeline.trigger_prefix, definition=pipeline.definition, path=path,
                    input_schema=pipeline.input_schema)


def render(definition: dict[str, Any]) -> str:
    """A template's exact text: what ``generate`` writes and ``--check`` compares."""
    return json.dumps(definition, indent=2) + "\n"


def template_path(root: Path, name: str) -> Path:
    return Path(root) / TEMPLATES_DIR / f"{name}{TEMPLATE_SUFFIX}"


def load_all(root: Path) -> list[Pipeline]:
    """Every pipeline under ``root/pipelines/``, loaded (a broken file raises before anything is written)."""
    return [load_pipeline(p) for p in discover_pipelines(Path(root))]


def write_templates(root: Path, pipelines: list[Pipeline], *, check: bool = False) -> list[Path]:
    """The templates of ``pipelines`` that were out of date (missing or different) before the call;
    writes those templates unless ``check`` (default False: write)."""
    rendered = [(template_path(root, p.name), render(p.definition)) for p in pipelines]
    stale = [path for path, text in rendered if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if not check:
        for path, text in rendered:
            if path in stale:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return stale


def generate(root: Path, *, check: bool = False) -> tuple[list[Pipeline], list[Path]]:
    """Every pipeline under ``root`` and the templates that were out of date (missing or different)
    before the call; writes those templates unless ``check`` (default False: write).
    Every pipeline is loaded before anything is written, so a broken file changes nothing."""
    pipelines = load_all(root)
    return pipelines, write_templates(root, pipelines, check=check)


def generate_all(root: Path, *, check: bool = False) -> list[Path]:
    """Generate ``asl_templates/<name>.asl.json`` for every pipeline under ``root``.

    Returns the templates that were out of date (missing or different) before the call.
    ``check`` (default False): only compare — write nothing; an empty result means up to date.
    Every pipeline is loaded before anything is written, so a broken file changes nothing.
    """
    return generate(root, check=check)[1]
