"""A processing job on the Model Monitor analyzer image, run locally by :mod:`.model_monitor`'s stand-in.

The job's ``Environment`` names container paths (``dataset_source``, ``output_path``,
``baseline_statistics``, ``baseline_constraints``); each is found under the processing input or
output whose ``LocalPath`` contains it.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from sagemaker_sfn.local.sagemaker import model_monitor
from sagemaker_sfn.local.sagemaker.context import JobFailed


def _local(container_path: str, dirs: dict[str, tuple[Path, dict[str, Any]]], *, what: str) -> Path:
    wanted = PurePosixPath(container_path)
    for local, spec in dirs.values():
        base = PurePosixPath(spec.get("LocalPath", ""))
        if wanted == base or base in wanted.parents:
            return local.joinpath(*wanted.relative_to(base).parts)
    raise JobFailed(f"ClientError: {what} {container_path} is not under any processing input or output LocalPath")


def run_model_monitor(request: dict[str, Any], *, inputs: dict[str, tuple[Path, dict[str, Any]]],
                      outputs: dict[str, tuple[Path, dict[str, Any]]], log_path: Path) -> str | None:
    """Run the analysis; the job's ExitMessage (``CompletedWithViolations: ...``) or None."""
    env = request.get("Environment") or {}
    missing = [key for key in ("dataset_source", "output_path") if not env.get(key)]
    if missing:
        raise JobFailed(f"ClientError: the Model Monitor analyzer needs the Environment {', '.join(missing)}")
    analysis = env.get("analysis_type", "DATA_QUALITY")
    if analysis not in ("DATA_QUALITY", "MODEL_QUALITY"):
        raise JobFailed(f"ClientError: analysis_type {analysis} is not supported by the local stand-in "
                        "(DATA_QUALITY and MODEL_QUALITY are)")
    try:
        dataset_format = json.loads(env.get("dataset_format") or '{"csv": {"header": true}}')
    except ValueError as exc:
        raise JobFailed(f"ClientError: dataset_format is not JSON: {exc}") from None
    stats = env.get("baseline_statistics")
    constraints = env.get("baseline_constraints")
    if analysis == "MODEL_QUALITY":
        return _model_quality(env, dataset_format=dataset_format, inputs=inputs, outputs=outputs, log_path=log_path)
    try:
        count = model_monitor.run_analysis(
            dataset_dir=_local(env["dataset_source"], inputs, what="dataset_source"),
            output_dir=_local(env["output_path"], outputs, what="output_path"), dataset_format=dataset_format,
            baseline_statistics=_local(stats, inputs, what="baseline_statistics") if stats else None,
            baseline_constraints=_local(constraints, inputs, what="baseline_constraints") if constraints else None)
    except model_monitor.AnalyzerError as exc:
        log_path.write_text(f"local Model Monitor analysis failed: {exc}\n", encoding="utf-8")
        raise JobFailed(f"AlgorithmError: {exc}") from None
    done = "baseline suggested" if count is None else f"checked against the baseline: {count} violation(s)"
    log_path.write_text("local stand-in for the SageMaker Model Monitor analyzer (data quality): statistics.json "
                        f"and constraints.json written; {done}\n", encoding="utf-8")
    if count:
        return f"CompletedWithViolations: Job completed successfully with {count} violations."
    return None


def _model_quality(env: dict[str, Any], *, dataset_format: dict[str, Any],
                   inputs: dict[str, tuple[Path, dict[str, Any]]], outputs: dict[str, tuple[Path, dict[str, Any]]],
                   log_path: Path) -> str | None:
    from sagemaker_sfn.local.sagemaker import model_quality   # numpy: the `local` extra

    constraints = env.get("baseline_constraints")
    try:
        count = model_quality.run_analysis(
            dataset_dir=_local(env["dataset_source"], inputs, what="dataset_source"),
            output_dir=_local(env["output_path"], outputs, what="output_path"), dataset_format=dataset_format,
            env={k: str(v) for k, v in env.items()},
            baseline_constraints=_local(constraints, inputs, what="baseline_constraints") if constraints else None)
    except model_monitor.AnalyzerError as exc:
        log_path.write_text(f"local Model Monitor analysis failed: {exc}\n", encoding="utf-8")
        raise JobFailed(f"AlgorithmError: {exc}") from None
    done = "baseline suggested" if count is None else f"checked against the baseline: {count} violation(s)"
    log_path.write_text("local stand-in for the SageMaker Model Monitor analyzer (model quality, "
                        f"{env.get('problem_type')}): statistics.json and constraints.json written; {done}\n",
                        encoding="utf-8")
    if count:
        return f"CompletedWithViolations: Job completed successfully with {count} violations."
    return None
