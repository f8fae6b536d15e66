"""Local training jobs: the job's code runs as a subprocess in SageMaker's script-mode conventions.

The container's ``/opt/ml`` tree is ``<work_dir>/<job>/opt/ml``::

    input/config/hyperparameters.json, resourceconfig.json, inputdataconfig.json
    input/data/<channel>/...        channels downloaded from the local S3 (S3Prefix, ManifestFile)
    model/                          SM_MODEL_DIR -> <S3OutputPath>/<job>/output/model.tar.gz
    output/data/                    SM_OUTPUT_DATA_DIR -> <S3OutputPath>/<job>/output/output.tar.gz
    output/failure                  written by failing code: becomes the FailureReason
    code/                           the submitted source (sagemaker_submit_directory)

The environment carries SM_MODEL_DIR, SM_CHANNELS, SM_CHANNEL_<NAME>, SM_HPS, SM_HP_<NAME>,
SM_OUTPUT_DATA_DIR, SM_INPUT_CONFIG_DIR, ... as the SageMaker training toolkit sets them, plus
``SM_OPT_ML`` (the mapped ``/opt/ml``). User code that hard-codes ``/opt/ml/...`` reaches the same tree
(:mod:`.container_paths`), and a ``requirements.txt`` in the source directory is installed first, as
the training toolkit does (:mod:`.requirements`). Hyperparameters are
also passed as ``--name value`` arguments (script mode). Metrics are read from the log through the
job's MetricDefinitions (the built-in XGBoost's are implicit), MaxRuntimeInSeconds is enforced, and
the log is ``<work_dir>/<job>/logs.txt``.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sagemaker_sfn.local.sagemaker import failure, notebook, s3io, shapes
from sagemaker_sfn.local.sagemaker.context import JobFailed, LocalSageMaker

KIND = "TrainingJob"
XGBOOST_TRAINER = Path(__file__).with_name("xgboost_trainer.py")
DEFAULT_MAX_RUNTIME = 86400              # SageMaker's default StoppingCondition
MAX_RUNTIME_MESSAGE = "Training job runtime exceeded MaxRuntimeInSeconds provided"
FAILURE_REASON_LIMIT = failure.FAILURE_REASON_LIMIT
_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"

# The metrics the built-in XGBoost logs per round as "[i]#011train-rmse:...#011validation-rmse:...";
# SageMaker names them "<channel>:<metric>" and extracts them without user MetricDefinitions.
XGBOOST_METRICS = ("rmse", "rmsle", "mae", "mape", "mphe", "logloss", "error", "merror", "mlogloss", "auc", "aucpr",
                   "ndcg", "map", "poisson-nloglik", "gamma-nloglik", "cox-nloglik", "gamma-deviance",
                   "tweedie-nloglik", "mse", "f1", "accuracy", "r2", "balanced_accuracy", "precision", "recall")


def xgboost_metric_definitions() -> list[dict[str, str]]:
    return [{"Name": f"{channel}:{metric}", "Regex": rf".*\[[0-9]+\].*#011{channel}-{re.escape(metric)}:{_NUMBER}"}
            for channel in ("train", "validation") for metric in XGBOOST_METRICS]


def create_training_job(request: dict[str, Any], *, sm: LocalSageMaker) -> dict[str, Any]:
    """``CreateTrainingJob``: runs the job to its end (recording it) and returns the Create response."""
    run_training_job(request, sm=sm)
    return {"TrainingJobArn": sm.arn(KIND, request["TrainingJobName"])}


def run_training_job(request: dict[str, Any], *, sm: LocalSageMaker, tuning_job_arn: str | None = None,
                     on_log_line: Callable[[str], None] | None = None,
                     on_started: Callable[[], None] | None = None) -> dict[str, Any]:
    """Run one training job to its end; returns its final DescribeTrainingJob record.

    ``tuning_job_arn``: set for a tuning job's training jobs (default: none), recorded as TuningJobArn.
    ``on_log_line``: called with each log line as it is written (default: none) — a tuner can stop a job
    early with ``sm.request_stop(name)``. ``on_started``: called once the job's process is running
    (default: none). A failing job is recorded Failed / Stopped, never raised.
    """
    name = request["TrainingJobName"]
    job = _TrainingRun(request, sm=sm, tuning_job_arn=tuning_job_arn, on_log_line=on_log_line, on_started=on_started)
    job.record_start()
    try:
        job.run()
    except JobFailed as exc:
        job.record_end(status=exc.status, reason=exc.reason)
    return sm.store.get(KIND, name)


class _TrainingRun:
    def __init__(self, request: dict[str, Any], *, sm: LocalSageMaker, tuning_job_arn: str | None,
                 on_log_line: Callable[[str], None] | None, on_started: Callable[[], None] | None = None) -> None:
        self.request = request
        self.sm = sm
        self.name: str = request["TrainingJobName"]
        self.tuning_job_arn = tuning_job_arn
        self.on_log_line = on_log_line
        self.on_started = on_started
        self.dir = sm.job_dir(self.name)
        self.opt_ml = self.dir / "opt" / "ml"
        self.log_path = self.dir / "logs.txt"
        self.output_path = request["OutputDataConfig"]["S3OutputPath"].rstrip("/")
        self.model_uri = f"{self.output_path}/{self.name}/output/model.tar.gz"
        self.max_runtime = float((request.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds", DEFAULT_MAX_RUNTIME))
        self.transitions: list[dict[str, Any]] = []
        self.metrics: dict[str, float] = {}
        self.started = time.monotonic()
        self.training_started_ms: int | None = None
        self.stopped_for: str | None = None
        self.user_code = False   # the job runs a user's script (which may call AWS itself)
        self.site_packages: Path | None = None   # requirements.txt's packages (requirements.py)

    # -- the record ---------------------------------------------------------------------------
    def record_start(self) -> None:
        now = self.sm.now_millis()
        record = {
            **shapes.carried_over("DescribeTrainingJob", self.request),
            "TrainingJobArn": self.sm.arn(KIND, self.name),
            "ModelArtifacts": {"S3ModelArtifacts": self.model_uri},
            "TrainingJobStatus": "InProgress",
            "SecondaryStatus": "Starting",
            "StoppingCondition": self.request.get("StoppingCondition") or {"MaxRuntimeInSeconds": DEFAULT_MAX_RUNTIME},
            "CreationTime": now,
            "LastModifiedTime": now,
            "EnableNetworkIsolation": bool(self.request.get("EnableNetworkIsolation", False)),
            "EnableInterContainerTrafficEncryption": bool(self.request.get("EnableInterContainerTrafficEncryption", False)),
            "EnableManagedSpotTraining": bool(self.request.get("EnableManagedSpotTraining", False)),
        }
        if self.tuning_job_arn:
            record["TuningJobArn"] = self.tuning_job_arn
        self.sm.store.create(KIND, self.name, record)
        self._secondary("Starting", "Preparing the instances for training")
        if not self.tuning_job_arn:   # a tuner announces its trials with their hyperparameters
            self.sm.log.info("training job %s: InProgress", self.name)

    def _secondary(self, status: str, message: str) -> None:
        now = self.sm.now_millis()
        if self.transitions:
            self.transitions[-1]["EndTime"] = now
        self.transitions.append({"Status": status, "StartTime": now, "StatusMessage": message})
        self.sm.store.update(KIND, self.name, SecondaryStatus=status, LastModifiedTime=now,
                             SecondaryStatusTransitions=self.transitions)

    def record_end(self, *, status: str, reason: str | None = None) -> None:
        now = self.sm.now_millis()
        secondary = {"Completed": "Completed", "Failed": "Failed"}.get(status, self.stopped_for or "Stopped")
        message = {"Completed": "Training job completed", "Failed": "Training job failed"}.get(
            status, MAX_RUNTIME_MESSAGE if self.stopped_for == "MaxRuntimeExceeded" else "Training job stopped")
        self._secondary(secondary, message)
        self.transitions[-1]["EndTime"] = now
        started = self.training_started_ms or now
        seconds = max(0, round((now - started) / 1000))
        changes: dict[str, Any] = {
            "TrainingJobStatus": status, "SecondaryStatus": secondary, "LastModifiedTime": now,
            "SecondaryStatusTransitions": self.transitions,
            "TrainingStartTime": started, "TrainingEndTime": now,
            "TrainingTimeInSeconds": seconds, "BillableTimeInSeconds": seconds,
        }
        if reason:
            changes["FailureReason"] = reason[:FAILURE_REASON_LIMIT]
        if self.metrics:
            changes["FinalMetricDataList"] = [{"MetricName": k, "Value": float(v), "Timestamp": now}
                                              for k, v in self.metrics.items()]
        self.sm.store.update(KIND, self.name, **changes)
        detail = failure.headline(reason) if reason else ", ".join(f"{k} = {v:.6g}" for k, v in self.metrics.items())
        self.sm.log.info("training job %s: %s%s", self.name, status, f" ({detail})" if detail else "")

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> None:
        self._secondary("Downloading", "Downloading input data")
        channels = self._download_channels()
        self._write_config(channels)
        command, cwd, metric_definitions = self._command()
        self.training_started_ms = self.sm.now_millis()
        self._secondary("Training", "Training image download completed. Training in progress.")
        returncode, tail = self._execute(command, cwd=cwd, env=self._environment(channels),
                                         metric_definitions=metric_definitions)
        if self.stopped_for:
            self._upload_outputs()   # SageMaker keeps what the job saved before it was stopped
            # A job stopped on request has no FailureReason; one that ran out of time says so.
            raise JobFailed(MAX_RUNTIME_MESSAGE if self.stopped_for == "MaxRuntimeExceeded" else "", status="Stopped")
        if returncode != 0:
            raise JobFailed(self._failure_reason(command, returncode, tail))
        self._secondary("Uploading", "Uploading generated training model")
        self._upload_outputs()
        self.record_end(status="Completed")

    def _download_channels(self) -> dict[str, Path]:
        channels: dict[str, Path] = {}
        for channel in self.request.get("InputDataConfig") or []:
            name = channel["ChannelName"]
            dest = self.opt_ml / "input" / "data" / name
            source = channel.get("DataSource", {})
            if "S3DataSource" not in source:
                raise JobFailed(f"ClientError: channel '{name}': only S3DataSource runs locally")
            s3io.download_data_source(self.sm.s3, source["S3DataSource"], dest)
            channels[name] = dest
        return channels

    def _hyperparameters(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.request.get("HyperParameters") or {}).items()}

    def _write_config(self, channels: dict[str, Path]) -> None:
        config = self.opt_ml / "input" / "config"
        config.mkdir(parents=True, exist_ok=True)
        for folder in ("model", "output/data", "code"):
            (self.opt_ml / folder).mkdir(parents=True, exist_ok=True)
        (config / "hyperparameters.json").write_text(json.dumps(self._hyperparameters(), indent=2))
        (config / "resourceconfig.json").write_text(json.dumps(
            {"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0",
             "current_instance_type": (self.request.get("ResourceConfig") or {}).get("InstanceType", "local")}))
        data_config = {}
        for channel in self.request.get("InputDataConfig") or []:
            s3 = channel.get("DataSource", {}).get("S3DataSource", {})
            data_config[channel["ChannelName"]] = {
                "TrainingInputMode": channel.get("InputMode") or (self.request.get("AlgorithmSpecification") or {}).get("TrainingInputMode", "File"),
                "S3DistributionType": s3.get("S3DataDistributionType", "FullyReplicated"),
                "RecordWrapperType": channel.get("RecordWrapperType", "None"),
                **({"ContentType": channel["ContentType"]} if channel.get("ContentType") else {}),
            }
        (config / "inputdataconfig.json").write_text(json.dumps(data_config, indent=2))

    def _command(self) -> tuple[list[str], Path, list[dict[str, str]]]:
        spec = self.request.get("AlgorithmSpecification") or {}
        image = spec.get("TrainingImage")
        user_metrics = list(spec.get("MetricDefinitions") or [])
        if not image:
            raise JobFailed("ClientError: AlgorithmSpecification.AlgorithmName (marketplace algorithms) cannot run locally; "
                            "give a TrainingImage")
        code = self.sm.images.resolve(image)
        if code is None:
            raise JobFailed(f"ClientError: {self.sm.images.explain_unknown(image)}")
        if code.kind == "xgboost":
            legacy = ["--legacy"] if code.legacy else []   # the deprecated 0.72 image: its defaults
            return [self.sm.python, "-u", str(XGBOOST_TRAINER), *legacy], self.dir, xgboost_metric_definitions() + user_metrics
        self.user_code = True
        if code.kind == "notebook" or notebook.is_notebook_job(self.request):
            return self._notebook_command(image)
        if code.kind == "clarify":
            raise JobFailed("ClientError: the Clarify image runs processing jobs, not training jobs")
        hyperparameters = self._hyperparameters()
        code_dir = self.opt_ml / "code"
        if code.kind == "script" and code.program is not None:
            program = code.program
            if not program.is_file():
                raise JobFailed(f"ClientError: the local image map points '{image}' to {program}, which does not exist")
            shutil.copytree(program.parent, code_dir, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "data"))
            entry = code_dir / program.name
        else:
            program_name = hyperparameters.get("sagemaker_program", "").strip('"')
            if not program_name:
                raise JobFailed(f"ClientError: image '{image}' runs a training script: set the hyperparameter "
                                "sagemaker_program (and sagemaker_submit_directory)")
            self._fetch_source(hyperparameters.get("sagemaker_submit_directory", "").strip('"'), code_dir)
            entry = code_dir / program_name
            if not entry.is_file():
                raise JobFailed(f"ClientError: sagemaker_program '{program_name}' is not in the submitted source "
                                f"({hyperparameters.get('sagemaker_submit_directory', 'none given')})")
        from sagemaker_sfn.local.sagemaker.requirements import install_requirements

        self.site_packages = install_requirements(code_dir, python=self.sm.python, log=self.log_path)
        args = []
        for key, value in hyperparameters.items():
            if not key.startswith("sagemaker_"):
                args += [f"--{key}", value.strip('"') if value.startswith('"') else value]
        return [self.sm.python, "-u", str(entry), *args], code_dir, user_metrics

    def _notebook_command(self, image: str) -> tuple[list[str], Path, list[dict[str, str]]]:
        """A notebook job (local/sagemaker/notebook.py): the runner standing in for the scheduler."""
        if not notebook.is_notebook_job(self.request):
            raise JobFailed(f"ClientError: image '{image}' runs notebook jobs: set AlgorithmSpecification."
                            f"ContainerEntrypoint to [\"{notebook.ENTRY_POINT}\"] (the notebook step does)")
        try:
            self.site_packages = notebook.notebook_site(python=self.sm.python, log=self.log_path)
        except notebook.NotebookPackagesMissing as exc:
            raise JobFailed(f"ClientError: the notebook job needs papermill, nbclient and ipykernel locally: {exc}") from exc
        return [self.sm.python, "-u", str(notebook.RUNNER)], self.dir, []

    def _fetch_source(self, submit: str, code_dir: Path) -> None:
        if not submit:
            return
        if submit.startswith("file://"):
            source = Path(submit[len("file://"):])
            if not source.is_absolute():
                source = self.sm.project_root / source
            if source.is_file() and source.name.endswith((".tar.gz", ".tgz")):
                s3io.extract_tar(source, code_dir)
            elif source.is_dir():
                shutil.copytree(source, code_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                raise JobFailed(f"ClientError: sagemaker_submit_directory {submit} does not exist")
        elif submit.endswith((".tar.gz", ".tgz")):
            bucket, key = s3io.parse_s3_uri(submit)
            tar_path = self.dir / "sourcedir.tar.gz"
            try:
                s3io.get_file(self.sm.s3, bucket, key, tar_path)
            except Exception as exc:  # moto's 404 as a botocore ClientError
                raise JobFailed(f"ClientError: cannot download sagemaker_submit_directory {submit}: {exc}") from exc
            s3io.extract_tar(tar_path, code_dir)
        else:
            s3io.download_prefix(self.sm.s3, submit, code_dir)

    def _environment(self, channels: dict[str, Path]) -> dict[str, str]:
        hyperparameters = self._hyperparameters()
        decoded = {}
        for key, value in hyperparameters.items():
            try:   # the training toolkit decodes JSON-looking values ("3" -> 3, "0.1" -> 0.1)
                decoded[key] = json.loads(value)
            except ValueError:
                decoded[key] = value
        user = {k: v for k, v in decoded.items() if not k.startswith("sagemaker_")}
        env = dict(os.environ)
        env.update({str(k): str(v) for k, v in (self.request.get("Environment") or {}).items()})
        cpus = str(os.cpu_count() or 1)
        env.update({
            "SM_OPT_ML": str(self.opt_ml),
            "SM_MODEL_DIR": str(self.opt_ml / "model"),
            "SM_INPUT_DIR": str(self.opt_ml / "input"),
            "SM_INPUT_CONFIG_DIR": str(self.opt_ml / "input" / "config"),
            "SM_INPUT_DATA_CONFIG": (self.opt_ml / "input" / "config" / "inputdataconfig.json").read_text(),
            "SM_OUTPUT_DIR": str(self.opt_ml / "output"),
            "SM_OUTPUT_DATA_DIR": str(self.opt_ml / "output" / "data"),
            "SM_MODULE_DIR": str(self.opt_ml / "code"),
            "SM_CHANNELS": json.dumps(sorted(channels)),
            "SM_HPS": json.dumps(user),
            "SM_HOSTS": json.dumps(["algo-1"]),
            "SM_CURRENT_HOST": "algo-1",
            "SM_NUM_CPUS": cpus,
            "SM_NUM_GPUS": "0",
            "SM_TRAINING_ENV": json.dumps({"job_name": self.name, "hyperparameters": user,
                                           "channel_input_dirs": {k: str(v) for k, v in channels.items()},
                                           "model_dir": str(self.opt_ml / "model")}),
            "TRAINING_JOB_NAME": self.name,
            "TRAINING_JOB_ARN": self.sm.arn(KIND, self.name),
            "PYTHONUNBUFFERED": "1",
        })
        if self.user_code:   # our XGBoost trainer never calls AWS: no server started for it
            from sagemaker_sfn.local.sagemaker.container_paths import path_map_env

            env.update(self.sm.aws_endpoint_env())
            if self.site_packages is not None:
                env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self.site_packages), env.get("PYTHONPATH")) if p)
            env.update(path_map_env({"/opt/ml": self.opt_ml}, env=env))
        for channel, path in channels.items():
            env[f"SM_CHANNEL_{channel.upper()}"] = str(path)
        for key, value in user.items():
            env[f"SM_HP_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
        return env

    def _execute(self, command: list[str], *, cwd: Path, env: dict[str, str],
                 metric_definitions: list[dict[str, str]]) -> tuple[int, list[str]]:
        regexes = []
        for definition in metric_definitions:
            try:
                regexes.append((definition["Name"], re.compile(definition["Regex"])))
            except (re.error, KeyError) as exc:
                raise JobFailed(f"ClientError: MetricDefinitions {definition}: {exc}") from exc
        tail: collections.deque[str] = collections.deque(maxlen=20)
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"# {' '.join(command)}\n")
            log.flush()
            process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       text=True, errors="replace", bufsize=1)

            def read() -> None:
                assert process.stdout is not None
                for line in process.stdout:
                    log.write(line)
                    log.flush()
                    text = line.rstrip("\n")
                    tail.append(text)
                    for metric, regex in regexes:
                        if match := regex.search(text):
                            try:
                                self.metrics[metric] = float(match.group(1))
                            except (ValueError, IndexError):
                                pass
                    if self.on_log_line:
                        self.on_log_line(text)
                    failure.stream_line(self.name, text)

            reader = threading.Thread(target=read, name=f"log-{self.name}", daemon=True)
            reader.start()
            if self.on_started:
                self.on_started()
            deadline = time.monotonic() + self.max_runtime
            try:
                while process.poll() is None:
                    if time.monotonic() > deadline:
                        self.stopped_for = "MaxRuntimeExceeded"
                    elif self.sm.stop_requested(self.name):
                        self.stopped_for = "Stopped"
                    if self.stopped_for:
                        self._kill(process)
                        break
                    time.sleep(0.05)
            except BaseException:
                # Interrupted (Ctrl-C): the job's process must not outlive the run, and its output
                # reader must finish before the log file closes.
                self.stopped_for = "Stopped"
                self._kill(process)
                reader.join(timeout=5)
                raise
            process.wait()
            reader.join(timeout=5)
        return process.returncode, list(tail)

    @staticmethod
    def _kill(process: subprocess.Popen[str]) -> None:
        # SIGTERM first, as the container runtime does, then SIGKILL after a grace period.
        process.terminate()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()

    def _failure_reason(self, command: list[str], returncode: int, tail: list[str]) -> str:
        failure_file = self.opt_ml / "output" / "failure"
        if failure_file.is_file() and failure_file.read_text(errors="replace").strip():
            text = failure_file.read_text(errors="replace").strip()
            return failure.limit(text if text.startswith(("ClientError:", "AlgorithmError:")) else f"AlgorithmError: {text}")
        return failure.algorithm_error(command=command[:1] + command[2:], returncode=returncode,
                                       log_lines=failure.read_log_lines(self.log_path) or tail)

    def _upload_outputs(self) -> None:
        model_dir = self.opt_ml / "model"
        s3io.make_tar(model_dir, self.dir / "model.tar.gz")
        s3io.upload_file(self.sm.s3, self.dir / "model.tar.gz", self.model_uri)
        output_data = self.opt_ml / "output" / "data"
        if output_data.is_dir() and any(output_data.iterdir()):
            s3io.make_tar(output_data, self.dir / "output.tar.gz")
            s3io.upload_file(self.sm.s3, self.dir / "output.tar.gz", f"{self.output_path}/{self.name}/output/output.tar.gz")
