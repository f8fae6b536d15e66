"""Local CreateProcessingJob: the job's code runs on this machine with its inputs and outputs mapped.

SageMaker mounts each ProcessingInput at its ``LocalPath`` (always under ``/opt/ml/processing/``),
runs the image's ``ContainerEntrypoint`` + ``ContainerArguments``, and uploads each
ProcessingOutput's ``LocalPath`` to S3. Locally ``/opt/ml/processing`` is a directory of the job's
work tree (``<work dir>/<job>/processing``), and the command line is rewritten to point there:

- ``python``/``python3`` as the first word runs this interpreter (``sm.python``);
- every ``/opt/ml/processing/...`` inside the entrypoint or the arguments becomes the local path;
- the environment gets the request's ``Environment`` and ``SAGEMAKER_SFN_PROCESSING_DIR`` (the
  local stand-in for ``/opt/ml/processing``);
- Python code that opens ``/opt/ml/processing/...`` itself reaches the same directory
  (:mod:`.container_paths`), so scripts written for the container run unchanged;
- a ``requirements.txt`` beside the script is installed first, as the FrameworkProcessor's
  ``runproc.sh`` does (:mod:`.requirements`).

Which code runs for an image (see :mod:`.images`): scikit-learn, XGBoost and other framework images
run the entrypoint with local Python; an image mapped to a script in the project's image map runs that
script when there is no entrypoint; the Clarify image runs :mod:`.clarify`, the local bias report.

S3UploadMode ``EndOfJob`` uploads when the code succeeds; ``Continuous`` also uploads new and changed
files every :data:`CONTINUOUS_UPLOAD_SECONDS` while it runs. A non-zero exit fails the job with
SageMaker's ``AlgorithmError`` reason; ``StoppingCondition.MaxRuntimeInSeconds`` stops it.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sagemaker_sfn.local.sagemaker import failure, s3io, shapes
from sagemaker_sfn.local.sagemaker.context import JobFailed

if TYPE_CHECKING:
    from sagemaker_sfn.local.sagemaker.context import LocalSageMaker

CONTAINER_ROOT = "/opt/ml/processing"
PROCESSING_DIR_ENV = "SAGEMAKER_SFN_PROCESSING_DIR"
CONTINUOUS_UPLOAD_SECONDS = 2.0
# How much of the end of a failed script's output goes into FailureReason (SageMaker caps it at 1 KB).
FAILURE_TAIL_CHARS = 600
_PYTHONS = {"python", "python3", "/usr/bin/python3", "/usr/local/bin/python3", "/usr/bin/python", "/usr/local/bin/python"}


# --------------------------------------------------------------------------------------------------
# Paths and command lines


def to_local(path: str, *, root: Path) -> Path:
    """``/opt/ml/processing/input/data`` -> ``<root>/input/data``. ValueError for a path outside it."""
    if path != CONTAINER_ROOT and not path.startswith(CONTAINER_ROOT + "/"):
        raise ValueError(f"LocalPath '{path}' must begin with {CONTAINER_ROOT}/")
    relative = path[len(CONTAINER_ROOT):].strip("/")
    if ".." in Path(relative).parts:
        raise ValueError(f"LocalPath '{path}' must not contain '..'")
    return root / relative if relative else root


def rewrite_word(word: str, *, root: Path) -> str:
    """Every ``/opt/ml/processing`` in one argument -> ``root`` (also inside ``--flag=/opt/ml/...``)."""
    return word.replace(CONTAINER_ROOT, str(root))


def command_line(app: dict[str, Any], *, root: Path, python: str, program: Path | None = None) -> list[str]:
    """The local argv for an AppSpecification. ``program`` (default None): the script an image map
    names, run when the request gives no ContainerEntrypoint."""
    entrypoint = list(app.get("ContainerEntrypoint") or [])
    arguments = list(app.get("ContainerArguments") or [])
    if not entrypoint:
        if program is None:
            raise ValueError("AppSpecification.ContainerEntrypoint is required to run this image locally "
                             "(for example [\"python3\", \"/opt/ml/processing/input/code/script.py\"])")
        entrypoint = ["python3", str(program)]
    argv = [rewrite_word(word, root=root) for word in entrypoint + arguments]
    if argv[0] in _PYTHONS or Path(argv[0]).name in {"python", "python3"}:
        argv[0] = python
    return argv


# --------------------------------------------------------------------------------------------------
# Inputs and outputs


def _input_dirs(request: dict[str, Any], *, root: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """InputName -> (local directory, S3Input), checked before anything runs."""
    dirs: dict[str, tuple[Path, dict[str, Any]]] = {}
    for index, item in enumerate(request.get("ProcessingInputs") or []):
        where = f"ProcessingInputs[{index}] ({item.get('InputName')})"
        s3_input = item.get("S3Input")
        if s3_input is None:
            raise JobFailed(f"ClientError: {where}: only S3Input is supported locally (DatasetDefinition is not)")
        if item.get("AppManaged"):
            raise JobFailed(f"ClientError: {where}: AppManaged inputs are not supported locally")
        try:
            dirs[item["InputName"]] = (to_local(s3_input["LocalPath"], root=root), s3_input)
        except (KeyError, ValueError) as exc:
            raise JobFailed(f"ClientError: {where}.S3Input: {exc}") from None
    return dirs


def _output_dirs(request: dict[str, Any], *, root: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """OutputName -> (local directory, S3Output)."""
    dirs: dict[str, tuple[Path, dict[str, Any]]] = {}
    for index, item in enumerate((request.get("ProcessingOutputConfig") or {}).get("Outputs") or []):
        where = f"ProcessingOutputConfig.Outputs[{index}] ({item.get('OutputName')})"
        s3_output = item.get("S3Output")
        if s3_output is None:
            raise JobFailed(f"ClientError: {where}: only S3Output is supported locally (FeatureStoreOutput is not)")
        try:
            dirs[item["OutputName"]] = (to_local(s3_output["LocalPath"], root=root), s3_output)
        except (KeyError, ValueError) as exc:
            raise JobFailed(f"ClientError: {where}.S3Output: {exc}") from None
    return dirs


def download_inputs(sm: LocalSageMaker, inputs: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    for local, s3_input in inputs.values():
        if s3_input.get("S3CompressionType", "None") != "None":
            raise JobFailed("ClientError: S3CompressionType Gzip is supported only with Pipe mode")
        s3io.download_data_source(sm.s3, s3_input, local)


class _Uploader:
    """Uploads an output directory to S3: once at the end, or continuously (new and changed files)."""

    def __init__(self, sm: LocalSageMaker, local: Path, uri: str) -> None:
        self.sm, self.local, self.uri = sm, local, uri
        self._sent: dict[Path, tuple[int, int]] = {}

    def sync(self) -> list[str]:
        bucket, prefix = s3io.parse_s3_uri(self.uri)
        keys = []
        for path in sorted(p for p in self.local.rglob("*") if p.is_file()):
            stat = path.stat()
            signature = (stat.st_mtime_ns, stat.st_size)
            if self._sent.get(path) == signature:
                continue
            relative = path.relative_to(self.local).as_posix()
            key = f"{prefix.rstrip('/')}/{relative}" if prefix.strip("/") else relative
            s3io.put_file(self.sm.s3, path, bucket, key)
            self._sent[path] = signature
            keys.append(key)
        return keys


# --------------------------------------------------------------------------------------------------
# Running the code


def _run_process(argv: list[str], *, env: dict[str, str], cwd: Path, log_path: Path, max_runtime: float | None,
                 should_stop: Any, tick: Any) -> int:
    """Run ``argv`` with its output in ``log_path``; returns the exit code. JobFailed (Stopped) when
    ``max_runtime`` passes or ``should_stop()`` turns true; ``tick()`` runs about once a second."""
    started = time.monotonic()
    # Appended: names are per kind, so a training job may share this job's name and folder (AWS's
    # "Preprocess data and train" sample names both $$.Execution.Name).
    with log_path.open("ab") as log:
        try:
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise JobFailed(f"ClientError: cannot run the entrypoint {argv[0]!r}: {exc.strerror or exc}") from None
        next_tick = started + CONTINUOUS_UPLOAD_SECONDS
        # --logs: the output as it is written (cwd is the job's own directory, named after it)
        follower = failure.LogFollower(log_path, job=cwd.name)
        try:
            while True:
                try:
                    code = process.wait(timeout=0.2)
                    follower.poll(final=True)
                    return code
                except subprocess.TimeoutExpired:
                    follower.poll()
                now = time.monotonic()
                if max_runtime is not None and now - started > max_runtime:
                    _terminate(process)
                    raise JobFailed(f"MaxRuntimeExceeded: the job ran longer than its MaxRuntimeInSeconds ({max_runtime:g} s)",
                                    status="Stopped")
                if should_stop():
                    _terminate(process)
                    raise JobFailed("Stopped by a StopProcessingJob request", status="Stopped")
                if now >= next_tick:
                    tick()
                    next_tick = now + CONTINUOUS_UPLOAD_SECONDS
        except (KeyboardInterrupt, SystemExit):
            _terminate(process)   # interrupted: the job's process must not outlive the run
            raise


def _terminate(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(path: Path, *, chars: int = FAILURE_TAIL_CHARS) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return text[-chars:].strip()


def _run_clarify(inputs: dict[str, tuple[Path, dict[str, Any]]], outputs: dict[str, tuple[Path, dict[str, Any]]],
                 log_path: Path, *, sm: LocalSageMaker, job_dir: Path) -> None:
    from sagemaker_sfn.local.sagemaker import clarify
    from sagemaker_sfn.local.sagemaker.clarify_model import local_predictor

    missing = [name for name, found in (("input 'analysis_config'", "analysis_config" in inputs),
                                        ("input 'dataset'", "dataset" in inputs),
                                        ("output 'analysis_result'", "analysis_result" in outputs)) if not found]
    if missing:
        raise JobFailed("ClientError: a Clarify processing job needs " + ", ".join(missing) +
                        " (InputName analysis_config and dataset, OutputName analysis_result)")
    try:
        analysis = clarify.run_analysis(config_dir=inputs["analysis_config"][0], data_dir=inputs["dataset"][0],
                                        output_dir=outputs["analysis_result"][0],
                                        predictor=local_predictor(sm, model_dir=job_dir / "model"))
    except (clarify.ClarifyConfigError, ValueError, OSError) as exc:
        log_path.write_text(f"local Clarify analysis failed: {exc}\n", encoding="utf-8")
        raise JobFailed(f"AlgorithmError: {exc}") from None
    sections = [key for key in ("pre_training_bias_metrics", "post_training_bias_metrics") if key in analysis]
    facets = dict.fromkeys(facet for key in sections for facet in analysis[key]["facets"])
    log_path.write_text(f"local stand-in for SageMaker Clarify: {' and '.join(k.split('_bias')[0].replace('_', '-') for k in sections)} "
                        f"bias metrics for facets {', '.join(facets)} written to analysis.json and report.md\n",
                        encoding="utf-8")


def create_processing_job(request: dict[str, Any], *, sm: LocalSageMaker) -> dict[str, Any]:
    """Run a processing job to its end; returns CreateProcessingJob's response.

    Problems SageMaker finds at Create (unknown image, a LocalPath outside /opt/ml/processing) raise
    JobFailed before anything is recorded; failures of the code itself are recorded on the job.
    """
    name = request["ProcessingJobName"]
    app = request["AppSpecification"]
    code = sm.images.resolve(app["ImageUri"])
    if code is None:
        raise JobFailed(sm.images.explain_unknown(app["ImageUri"]))
    job_dir = sm.job_dir(name)
    root = job_dir / "processing"
    inputs = _input_dirs(request, root=root)
    outputs = _output_dirs(request, root=root)
    argv: list[str] = []
    exit_message: str | None = None
    if code.kind not in ("clarify", "model-monitor"):
        try:
            argv = command_line(app, root=root, python=sm.python, program=code.program)
        except ValueError as exc:
            raise JobFailed(f"ClientError: {exc}") from None

    arn = sm.arn("ProcessingJob", name)
    created = sm.now_millis()
    record = {**shapes.carried_over("DescribeProcessingJob", request), "ProcessingJobArn": arn,
              "ProcessingJobStatus": "InProgress", "CreationTime": created, "LastModifiedTime": created}
    sm.store.create("ProcessingJob", name, record)
    sm.log.info("processing job %s started (%s)", name, code.repository)

    log_path = job_dir / "logs.txt"
    uploaders = {out: _Uploader(sm, local, s3_output["S3Uri"]) for out, (local, s3_output) in outputs.items()}
    continuous = [uploaders[out] for out, (_, s3_output) in outputs.items()
                  if s3_output.get("S3UploadMode") == "Continuous"]
    started = sm.now_millis()
    sm.store.update("ProcessingJob", name, ProcessingStartTime=started, LastModifiedTime=started)
    try:
        download_inputs(sm, inputs)
        for local, _ in outputs.values():
            local.mkdir(parents=True, exist_ok=True)
        if code.kind == "clarify":
            _run_clarify(inputs, outputs, log_path, sm=sm, job_dir=job_dir)
        elif code.kind == "model-monitor":
            from sagemaker_sfn.local.sagemaker.model_monitor_job import run_model_monitor

            exit_message = run_model_monitor(request, inputs=inputs, outputs=outputs, log_path=log_path)
        else:
            from sagemaker_sfn.local.sagemaker.container_paths import path_map_env
            from sagemaker_sfn.local.sagemaker.requirements import install_requirements

            env = {**os.environ, **{str(k): str(v) for k, v in (request.get("Environment") or {}).items()},
                   PROCESSING_DIR_ENV: str(root), "PYTHONUNBUFFERED": "1", **sm.aws_endpoint_env()}
            script = next((Path(word) for word in argv[1:] if word.endswith(".py")), None)
            site = install_requirements(script.parent, python=sm.python, log=job_dir / "requirements.log") \
                if script is not None and script.is_file() else None
            if site is not None:
                env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH")) if p)
            env.update(path_map_env({CONTAINER_ROOT: root}, env=env))
            max_runtime = (request.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
            upload_lock = threading.Lock()

            def tick() -> None:
                with upload_lock:
                    for uploader in continuous:
                        uploader.sync()

            exit_code = _run_process(argv, env=env, cwd=job_dir, log_path=log_path,
                                     max_runtime=float(max_runtime) if max_runtime else None,
                                     should_stop=lambda: sm.stop_requested(name), tick=tick)
            if exit_code != 0:
                tail = _tail(log_path)
                raise JobFailed(f"AlgorithmError: See job logs for more information (exit code {exit_code}; "
                                f"log {log_path}){': ' + tail if tail else ''}")
        for uploader in uploaders.values():
            uploader.sync()
    except JobFailed as exc:
        # Continuous outputs keep what was written before the end, as SageMaker's do.
        for uploader in continuous:
            uploader.sync()
        ended = sm.now_millis()
        sm.store.update("ProcessingJob", name, ProcessingJobStatus=exc.status, FailureReason=exc.reason[:1024],
                        ProcessingEndTime=ended, LastModifiedTime=ended)
        sm.log.info("processing job %s %s: %s", name, exc.status, failure.headline(exc.reason))
        return {"ProcessingJobArn": arn}
    ended = sm.now_millis()
    sm.store.update("ProcessingJob", name, ProcessingJobStatus="Completed", ProcessingEndTime=ended,
                    LastModifiedTime=ended, **({"ExitMessage": exit_message} if exit_message else {}))
    sm.log.info("processing job %s Completed", name)
    return {"ProcessingJobArn": arn}
