"""Local values for ``${Name}`` placeholders, and bindings files (docs/local-runner.md, "Bindings").

The conventional placeholders (docs/CONVENTIONS.md) have fixed local values, shared by mocked runs
(where any well-formed value will do) and by the local AWS environment (where the values must lead
back to local resources: the Lambda function name is its folder under ``lambdas/``, image URIs are the
real us-east-1 URIs that the local SageMaker recognises).

A bindings file (``--bindings FILE``, and the project's ``sagemaker-sfn.bindings.yaml``) gives
everything else a definition brought from elsewhere needs: ``substitutions`` (any ``${Name}``),
``lambdas`` (function name or ARN -> handler file) and ``images`` (image URI or repository -> script),
paths relative to the file. A placeholder nothing binds is left as written (:func:`bind_placeholders`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sagemaker_sfn.errors import DefinitionError, UsageError

LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT = "123456789012"
LOCAL_BUCKET = "sagemaker-sfn-local"
LOCAL_CACHE_TABLE = "sagemaker-sfn-cache"   # step cache (sagemaker_sfn.cache), persisted under .sfn-local/

# SageMaker's own registry accounts for us-east-1, so local runs carry realistic URIs.
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
CLARIFY_IMAGE = "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"
MODEL_MONITOR_IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
DISTRIBUTION_IMAGE = "885854791233.dkr.ecr.us-east-1.amazonaws.com/sagemaker-distribution-prod:3.2.0-cpu"

_FUNCTION = re.compile(r"^(?P<pascal>[A-Z][A-Za-z0-9]*)FunctionArn$")


def pascal_to_snake(name: str) -> str:
    """``GenerateDataset`` -> ``generate_dataset`` (the handler's folder under lambdas/)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def snake_to_pascal(name: str) -> str:
    """``generate_dataset`` / ``generate-dataset`` -> ``GenerateDataset``; ``GenerateData`` stays."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", name) if part)


def folder_key(name: str) -> str:
    """What a function name and a lambdas/ folder are matched on: letters and digits, lower case
    (``generate-dataset``, ``generate_dataset``, ``GenerateDataset`` all match)."""
    return re.sub(r"[-_]", "", name).lower()


def function_placeholder(folder: str) -> str:
    """The placeholder name for the Lambda in ``lambdas/<folder>/``."""
    return f"{snake_to_pascal(folder)}FunctionArn"


def local_value(name: str, *, region: str = LOCAL_REGION, account: str = LOCAL_ACCOUNT,
                bucket: str = LOCAL_BUCKET) -> str:
    """The local value of one conventional placeholder; DefinitionError for an unknown name."""
    fixed = {
        "DataBucket": bucket,
        "SageMakerRoleArn": f"arn:aws:iam::{account}:role/SageMakerExecutionRole",
        "FailureTopicArn": f"arn:aws:sns:{region}:{account}:sagemaker-sfn-failures",
        "CallbackQueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/sagemaker-sfn-callbacks",
        "XGBoostImageUri": XGBOOST_IMAGE,
        "SKLearnImageUri": SKLEARN_IMAGE,
        "ClarifyImageUri": CLARIFY_IMAGE,
        "CacheTableName": LOCAL_CACHE_TABLE,
        "ModelMonitorImageUri": MODEL_MONITOR_IMAGE,
        "SageMakerDistributionImageUri": DISTRIBUTION_IMAGE,
    }
    if name in fixed:
        return fixed[name]
    if match := _FUNCTION.match(name):
        return f"arn:aws:lambda:{region}:{account}:function:{pascal_to_snake(match['pascal'])}"
    known = ", ".join(sorted(fixed) + ["<Name>FunctionArn"])
    raise DefinitionError(f"unknown placeholder ${{{name}}}: expected one of {known} (see docs/CONVENTIONS.md)")


def local_substitutions(names: set[str], **kwargs: str) -> dict[str, str]:
    """Local values for every placeholder in ``names``."""
    return {name: local_value(name, **kwargs) for name in sorted(names)}


# -- bindings files ------------------------------------------------------------------------------

PROJECT_BINDINGS_FILE = "sagemaker-sfn.bindings.yaml"
SECTIONS = ("substitutions", "lambdas", "images")
DEFAULT_HANDLER = "handler"


@dataclass(frozen=True)
class HandlerRef:
    """A Lambda's local code: ``path`` (a .py file, absolute) and the ``function`` in it."""

    path: Path
    function: str = DEFAULT_HANDLER

    @classmethod
    def parse(cls, text: str, *, base: Path) -> HandlerRef:
        """``handlers/gen.py:handler`` (function default ``handler``), relative to ``base``."""
        file, _, function = text.rpartition(":") if re.search(r":[A-Za-z_][A-Za-z0-9_]*$", text) else (text, "", "")
        path = Path(file)
        return cls(path=path if path.is_absolute() else (base / path).resolve(), function=function or DEFAULT_HANDLER)


@dataclass
class Bindings:
    """What a bindings file gives a local run (see docs/local-runner.md, "Bindings").

    ``substitutions``: ``${Name}`` -> value. ``lambdas``: function name or ARN -> handler.
    ``images``: image URI or repository -> script (absolute). ``sources``: the files read, in order.
    """

    substitutions: dict[str, str] = field(default_factory=dict)
    lambdas: dict[str, HandlerRef] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)

    def merged(self, other: Bindings) -> Bindings:
        """``other``'s entries override this one's."""
        return Bindings(substitutions={**self.substitutions, **other.substitutions},
                        lambdas={**self.lambdas, **other.lambdas}, images={**self.images, **other.images},
                        sources=[*self.sources, *other.sources])

    @property
    def file_for_hints(self) -> str:
        """The file a "line to add" hint names: the last one read, else the project-level file."""
        return self.sources[-1].name if self.sources else PROJECT_BINDINGS_FILE


def load_bindings(path: Path) -> Bindings:
    """Read a bindings file; UsageError naming the file and the entry for anything malformed."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read bindings file {path}: {exc.strerror or exc}") from exc
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise UsageError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from exc
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: expected a mapping with sections {', '.join(SECTIONS)}")
    unknown = sorted(set(doc) - set(SECTIONS))
    if unknown:
        raise UsageError(f"{path}: unknown section '{unknown[0]}'; expected {', '.join(SECTIONS)}")
    sections: dict[str, dict[str, str]] = {}
    for section in SECTIONS:
        entries = doc.get(section) or {}
        if not isinstance(entries, dict):
            raise UsageError(f"{path}: {section}: expected a mapping of name: value")
        for key, value in entries.items():
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise UsageError(f"{path}: {section}: '{key}': expected a string, found {type(value).__name__}")
        sections[section] = {str(k): str(v) for k, v in entries.items()}
    base = path.resolve().parent
    for name in sections["substitutions"]:
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise UsageError(f"{path}: substitutions: '{name}' is not a placeholder name (letters, digits, _)")
    images = {}
    for key, value in sections["images"].items():
        target = Path(value)
        images[key] = str(target if target.is_absolute() else (base / target).resolve())
    return Bindings(substitutions=sections["substitutions"],
                    lambdas={k: HandlerRef.parse(v, base=base) for k, v in sections["lambdas"].items()},
                    images=images, sources=[path])


def bindings_for_run(*, project_root: Path, bindings_file: Path | None = None,
                     declared: dict[str, str] | None = None) -> Bindings:
    """The bindings of one run: a pipeline's declared local values (``declared``, default none), then
    the project's ``sagemaker-sfn.bindings.yaml`` when present, then ``bindings_file`` (``--bindings``),
    each overriding the one before."""
    result = Bindings(substitutions=dict(declared or {}))
    project_file = Path(project_root) / PROJECT_BINDINGS_FILE
    if project_file.is_file():
        result = result.merged(load_bindings(project_file))
    if bindings_file is not None:
        if not Path(bindings_file).is_file():
            raise UsageError(f"--bindings {bindings_file}: no such file")
        if project_file.is_file() and Path(bindings_file).resolve() == project_file.resolve():
            return result
        result = result.merged(load_bindings(Path(bindings_file)))
    return result


def bind_placeholders(names: set[str], *, bindings: Bindings | None = None,
                      extra: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """(values, unbound) for ``names``: a bindings file's value first, then ``extra`` (values the local
    environment knows, such as its Lambda folders), then the conventional local value. ``unbound`` are
    the names nothing gives a value: they stay in the definition literally, as a definition created
    without DefinitionSubstitutions keeps them on AWS."""
    given = {**(extra or {}), **(bindings.substitutions if bindings else {})}
    values: dict[str, str] = {}
    unbound: list[str] = []
    for name in sorted(names):
        if name in given:
            values[name] = given[name]
            continue
        try:
            values[name] = local_value(name)
        except DefinitionError:
            unbound.append(name)
    return values, unbound


def unbound_warning(unbound: list[str], *, hint_file: str = PROJECT_BINDINGS_FILE) -> str:
    """The one warning line for placeholders left literal."""
    names = ", ".join(f"${{{n}}}" for n in unbound)
    return (f"warning: no local value for {names}: left in the definition as written "
            f"(give values under substitutions: in {hint_file})")


def declared_local_values(target: str, *, root: Path) -> dict[str, str]:
    """The local values a pipeline file declares for its own placeholders (``placeholders:``), for a
    pipeline name or its template under asl_templates/; {} for any other file."""
    from sagemaker_sfn.project import PIPELINES_DIR, state_machine_name_for

    candidate = Path(target)
    name = state_machine_name_for(candidate) if candidate.is_file() else target
    if candidate.is_file() and candidate.resolve().parent != (Path(root) / "asl_templates").resolve():
        return {}
    pipeline_file = Path(root) / PIPELINES_DIR / f"{name}.yaml"
    if not pipeline_file.is_file():
        return {}
    from sagemaker_sfn.pipeline import load_pipeline

    return {n: p.local for n, p in load_pipeline(pipeline_file).placeholders.items() if p.local is not None}


def bindings_for_target(target: str, *, root: Path, bindings_file: str | Path | None = None) -> Bindings:
    """:func:`bindings_for_run` for a ``run`` target (a pipeline name or a file)."""
    return bindings_for_run(project_root=root, bindings_file=Path(bindings_file) if bindings_file else None,
                            declared=declared_local_values(target, root=root))
