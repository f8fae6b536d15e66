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

    from sagemaker_sfn.files import MAX_NESTING, FileProblem, nesting_depth, read_text

    path = Path(path)
    try:
        text = read_text(path, what="a pipeline file (YAML)")
    except FileProblem as exc:
        raise PipelineError(exc.problem, file=str(path)) from None
    try:
        # libyaml's parser when PyYAML was built with it: 6x faster than the pure-Python one on large
        # files, same documents (safe tags only) and same error marks.
        doc: Any = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except RecursionError:
        raise PipelineError(f"nested too deeply (more than {MAX_NESTING} levels)", file=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise PipelineError(f"not valid YAML{where}: {getattr(exc, 'problem', None) or exc}", file=str(path)) from exc
    if nesting_depth(doc) > MAX_NESTING:
        raise PipelineError(f"nested too deeply ({nesting_depth(doc)} levels; at most {MAX_NESTING})", file=str(path))
    pipeline = build_pipeline(doc, file=str(path), expected_name=path.stem)
    return Pipeline(name=pipeline.name, description=pipeline.description, example_input=pipeline.example_input,
                    trigger_prefix=pipeline.trigger_prefix, definition=pipeline.definition, path=path,
                    placeholders=pipeline.placeholders, input_schema=pipeline.input_schema)


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
    stale = [path for path, text in rendered if not path.is_file() or path.read_bytes() != text.encode("utf-8")]
    if not check:
        from sagemaker_sfn.files import write_text_atomic

        for path, text in rendered:
            if path in stale:
                # Temporary file + rename: a full disk or a crash leaves the committed template intact.
                write_text_atomic(path, text)
    return stale


def orphaned_templates(root: Path, pipelines: list[Pipeline] | None = None) -> list[Path]:
    """Templates under ``root/asl_templates/`` that no pipeline file generates (a pipeline was renamed or
    deleted and its template left behind), sorted. ``pipelines`` (default: every file under
    ``root/pipelines/``, by file stem) are the ones that exist."""
    names = {p.name for p in pipelines} if pipelines is not None else {p.stem for p in discover_pipelines(root)}
    folder = Path(root) / TEMPLATES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"*{TEMPLATE_SUFFIX}") if p.name[: -len(TEMPLATE_SUFFIX)] not in names)


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
