"""Where things live in a sagemaker-sfn project, and how a command finds a definition.

A project is a directory holding ``pipelines/`` (YAML pipeline files) and ``asl_templates/``
(generated ASL). Commands accept either a pipeline name (``tune-xgboost``) or a path to any ASL
file; :func:`load_definition` resolves both the same way for every command.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_sfn.errors import DefinitionError, UsageError
from sagemaker_sfn.suggest import did_you_mean

PIPELINES_DIR = "pipelines"
TEMPLATES_DIR = "asl_templates"
TEMPLATE_SUFFIX = ".asl.json"

# ${Name} placeholders, the DefinitionSubstitutions style: filled by CDK at deploy time and bound
# to local values by the local runner.
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def find_project_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: cwd) holding pipelines/ or asl_templates/.

    Falls back to ``start`` itself, so commands given explicit files work anywhere.
    ``SAGEMAKER_SFN_PROJECT`` overrides the search (default: unset).
    """
    env = os.environ.get("SAGEMAKER_SFN_PROJECT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / PIPELINES_DIR).is_dir() or (candidate / TEMPLATES_DIR).is_dir():
            return candidate
    return here


def state_machine_name_for(path: Path) -> str:
    """A definition file's state machine name: its file name without ``.asl.json`` / ``.json``."""
    name = path.name
    for suffix in (TEMPLATE_SUFFIX, ".json"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


@dataclass(frozen=True)
class LoadedDefinition:
    name: str                 # pipeline / state machine name
    path: Path                # the ASL file it was read from
    definition: dict[str, Any]


def resolve_definition_path(ref: str, *, root: Path | None = None) -> Path:
    """Turn ``ref`` (an existing file, or a pipeline name) into the ASL file to read."""
    candidate = Path(ref)
    if candidate.is_file():
        return candidate
    if candidate.is_dir():
        from sagemaker_sfn.files import FileProblem

        raise FileProblem(candidate, "is a directory, expected an ASL definition (JSON) or a pipeline name")
    if candidate.suffix in {".json", ".yaml", ".yml"} or os.sep in ref:
        raise UsageError(f"file not found: {ref}")
    root = root or find_project_root()
    template = root / TEMPLATES_DIR / f"{ref}{TEMPLATE_SUFFIX}"
    if template.is_file():
        return template
    if (root / PIPELINES_DIR / f"{ref}.yaml").is_file():
        raise UsageError(f"pipeline '{ref}' has no template yet: run `sagemaker-sfn generate` to write "
                         f"{TEMPLATES_DIR}/{ref}{TEMPLATE_SUFFIX}")
    known = sorted(state_machine_name_for(p) for p in (root / TEMPLATES_DIR).glob(f"*{TEMPLATE_SUFFIX}"))
    hint = f"known pipelines: {', '.join(known)}" if known else f"no {TEMPLATES_DIR}/ under {root}"
    raise UsageError(f"'{ref}' is neither a file nor a pipeline name ({hint}){did_you_mean(ref, known)}")


def read_definition_file(path: Path) -> dict[str, Any]:
    """Parse an ASL JSON file: a clear error naming the file for anything that is not one (unreadable,
    binary, not UTF-8, empty, too deep, not a JSON object, a pipeline YAML file)."""
    from sagemaker_sfn.files import FileProblem, parse_json, read_text

    text = read_text(path, what="an ASL definition (JSON)")
    try:
        data = parse_json(text, source=str(path))
    except FileProblem as exc:
        if _looks_like_pipeline(path, text):
            raise DefinitionError(
                "this is a pipeline file (YAML), not an ASL definition: run `sagemaker-sfn generate` to turn "
                f"it into {TEMPLATES_DIR}/{path.stem}{TEMPLATE_SUFFIX}, then pass that file or the pipeline "
                f"name '{path.stem}'", source=str(path)) from None
        raise DefinitionError(exc.problem, source=str(path)) from None
    if not isinstance(data, dict):
        raise DefinitionError(f"expected a JSON object (an ASL definition), found {_json_type(data)}",
                              source=str(path))
    return data


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _looks_like_pipeline(path: Path, text: str) -> bool:
    """A pipeline file passed where ASL is expected: a .yaml/.yml name, or YAML text with ``steps``."""
    if path.suffix.lower() in {".yaml", ".yml"}:
        return True
    if text.lstrip().startswith(("{", "[")):
        return False
    return re.search(r"^steps\s*:", text, flags=re.M) is not None


def load_definition(ref: str, *, root: Path | None = None) -> LoadedDefinition:
    path = resolve_definition_path(ref, root=root)
    return LoadedDefinition(name=state_machine_name_for(path), path=path, definition=read_definition_file(path))


def placeholders_in(value: Any) -> set[str]:
    """Every ``${Name}`` used anywhere in a definition (keys and string values)."""
    found: set[str] = set()
    if isinstance(value, str):
        found.update(PLACEHOLDER.findall(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            found.update(PLACEHOLDER.findall(key))
            found.update(placeholders_in(item))
    elif isinstance(value, list):
        for item in value:
            found.update(placeholders_in(item))
    return found


def substitute_placeholders(value: Any, values: dict[str, str], *, strict: bool = True) -> Any:
    """Replace ``${Name}`` in every string; ``strict`` raises for a name missing from ``values``."""
    def fill(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return values[name]
            if strict:
                raise DefinitionError(f"no value for placeholder ${{{name}}} (known: {', '.join(sorted(values)) or 'none'})")
            return match.group(0)
        return PLACEHOLDER.sub(one, text)

    if isinstance(value, str):
        return fill(value)
    if isinstance(value, dict):
        return {fill(k): substitute_placeholders(v, values, strict=strict) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_placeholders(v, values, strict=strict) for v in value]
    return value
