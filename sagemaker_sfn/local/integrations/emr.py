"""Amazon EMR's optimized integration, locally: clusters are records, a ``command-runner.jar
spark-submit`` step runs its PySpark script with a local Spark (``pyspark``'s ``spark-submit``,
``--master local[*]``).

- ``createCluster`` gives a cluster id (``j-`` and 13 characters, as EMR's) in state WAITING;
  ``terminateCluster`` marks it TERMINATED; ``addStep`` on a cluster id the run did not create is
  taken as a running cluster (the ``cluster_id`` mode), on a terminated one fails as EMR does.
- The step's S3 URIs (the script and any ``s3://`` argument) are mirrored to the run folder: each
  is downloaded from local S3 before the step (a prefix: every object under it) and the files the
  script wrote there are uploaded back after it, so a script reading ``--input s3://...`` and writing
  ``--output s3://...`` works unchanged on plain local paths.
- A failed step is ``States.TaskFailed`` with the step's description as the cause, as ``.sync`` reports
  it (https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html).
- Any other step (a custom JAR, Hive, ...) or a machine without ``pyspark``: :func:`emr_problems`
  reports the state before the run starts, so the run is mocked instead (``--mock-config``).

pyspark is not a dependency: ``pip install pyspark`` (it needs Java) to run Spark steps locally.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

from sagemaker_sfn.local.integrations.base import TaskFailure, TaskRequest, UnsupportedIntegration, task_states

# spark-submit options that take a value (the first bare token after them is the application).
_VALUE_OPTIONS = {"--master", "--deploy-mode", "--class", "--name", "--jars", "--packages", "--exclude-packages",
                  "--repositories", "--py-files", "--files", "--archives", "--conf", "-c", "--properties-file",
                  "--driver-memory", "--driver-java-options", "--driver-library-path", "--driver-class-path",
                  "--executor-memory", "--proxy-user", "--driver-cores", "--total-executor-cores",
                  "--executor-cores", "--num-executors", "--queue", "--principal", "--keytab"}
_DROPPED = {"--master", "--deploy-mode"}   # the local run decides: local[*], client mode
_NEEDS_SPARK = ("needs a local Spark to run: `pip install pyspark` (Java is needed too), or run with "
                "--mock-config FILE --test-case NAME to mock this state")


def pyspark_available() -> bool:
    return importlib.util.find_spec("pyspark") is not None


def spark_args(step: Any) -> list[str] | None:
    """The ``spark-submit`` command line of a ``command-runner.jar`` step (``Args`` literal), else None."""
    if not isinstance(step, dict):
        return None
    jar = step.get("HadoopJarStep")
    if not isinstance(jar, dict) or jar.get("Jar") != "command-runner.jar":
        return None
    args = jar.get("Args")
    if isinstance(args, list) and args and args[0] == "spark-submit":
        return [str(a) for a in args]
    if "Args.$" in jar and "'spark-submit'" in str(jar["Args.$"]):
        return ["spark-submit"]   # decided at run time; still a Spark step
    return None


def emr_problems(definition: dict[str, Any], *, spark: bool | None = None) -> list[str]:
    """One line per EMR ``addStep`` state the local runner cannot run (see the module doc)."""
    spark = pyspark_available() if spark is None else spark
    problems = []
    for name, state in task_states(definition.get("States", {})):
        resource = state.get("Resource")
        if not (isinstance(resource, str) and ":elasticmapreduce:addStep" in resource):
            continue
        params = state.get("Parameters", state.get("Arguments"))
        step = params.get("Step") if isinstance(params, dict) else None
        if spark_args(step) is None:
            jar = (step or {}).get("HadoopJarStep", {}).get("Jar") if isinstance(step, dict) else None
            problems.append(f"state '{name}': the EMR step (Jar {jar!r}) cannot run locally: only "
                            "command-runner.jar spark-submit steps do; run with --mock-config FILE --test-case NAME "
                            "to mock this state")
        elif not spark:
            problems.append(f"state '{name}': the EMR step runs spark-submit, which {_NEEDS_SPARK}")
    return problems



class EmrIntegration:
    """``elasticmapreduce:*`` for a local run. ``run_dir``: where steps' files and logs go;
    ``spark_submit``: the program (default pyspark's ``bin/spark-submit``)."""

    def __init__(self, *, run_dir: Path, region: str = "us-east-1", account: str = "123456789012",
                 spark_submit: str | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.region = region
        self.account = account
        self.spark_submit = spark_submit
        self.clusters: dict[str, dict[str, Any]] = {}
        self._downloaded: dict[Path, int] = {}   # mirror file -> its mtime when downloaded (unchanged: not re-uploaded)
        self._lock = threading.Lock()

    def invoke(self, request: TaskRequest, clock: Any) -> Any:
        action = request.ref.action
        params = request.parameters if isinstance(request.parameters, dict) else {}
        if action == "createCluster":
            cluster_id = "j-" + uuid.uuid4().hex[:13].upper()
            with self._lock:
                self.clusters[cluster_id] = {"Id": cluster_id, "Name": params.get("Name"), "Status": "WAITING"}
            return {"ClusterArn": f"arn:aws:elasticmapreduce:{self.region}:{self.account}:cluster/{cluster_id}",
                    "ClusterId": cluster_id}
        if action == "terminateCluster":
            self._cluster(params).update(Status="TERMINATED")
            return {}
        if action == "addStep":
            cluster = self._cluster(params)
            if cluster["Status"] == "TERMINATED":
                raise TaskFailure("EMR.AmazonElasticMapReduceException",
                                  "A job flow that is shutting down, terminated, or finished may not be modified. "
                                  "(Service: AmazonElasticMapReduce; Status Code: 400; Error Code: ValidationException)")
            return self._run_step(params.get("Step") or {}, request=request)
        raise UnsupportedIntegration("States.Runtime", f"the local runner does not answer elasticmapreduce:{action} "
                                     "(it answers createCluster, addStep and terminateCluster)")

    def _cluster(self, params: dict[str, Any]) -> dict[str, Any]:
        cluster_id = str(params.get("ClusterId", ""))
        with self._lock:
            # An id the run did not create is a running cluster (the step's cluster_id mode).
            return self.clusters.setdefault(cluster_id, {"Id": cluster_id, "Status": "WAITING"})

    # -- a Spark step ------------------------------------------------------------------------------
    def _run_step(self, step: dict[str, Any], *, request: TaskRequest) -> dict[str, Any]:
        argv = spark_args(step)
        if argv is None or len(argv) < 2:
            raise TaskFailure("States.Runtime", f"state '{request.state_name}': the EMR step cannot run locally "
                              "(only command-runner.jar spark-submit steps do)")
        program = self.spark_submit or self._default_spark_submit(request.state_name)
        step_id = "s-" + uuid.uuid4().hex[:13].upper()
        folder = self.run_dir / "emr" / step_id
        mirror = folder / "s3"
        options, application = _split(argv[1:])
        if not application:
            raise TaskFailure("States.Runtime", f"state '{request.state_name}': spark-submit has no application "
                              "(the script to run)")
        mirrored: list[tuple[str, Path]] = []
        local_args = [self._local(arg, mirror, mirrored) for arg in application]
        options = [self._local(arg, mirror, mirrored) if arg.startswith("s3://") else arg for arg in options]
        command = [program, "--master", "local[*]", *options, *local_args]
        folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
        with open(folder / "logs.txt", "w", encoding="utf-8") as log:
            done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder, check=False)
        self._upload(mirrored)
        description = {"Id": step_id, "Name": step.get("Name"), "ActionOnFailure": step.get("ActionOnFailure"),
                       "Config": {"Jar": "command-runner.jar", "Args": argv},
                       "Status": {"State": "COMPLETED" if done.returncode == 0 else "FAILED"}}
        if done.returncode != 0:
            tail = (folder / "logs.txt").read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
            description["Status"]["FailureDetails"] = {
                "Reason": f"spark-submit exited with status {done.returncode}",
                "Message": " | ".join(tail)[:1000], "LogFile": str(folder / "logs.txt")}
            raise TaskFailure("States.TaskFailed", json.dumps({"Step": description}, separators=(",", ":")))
        return {"StepId": step_id}

    def _default_spark_submit(self, state: str) -> str:
        spec = importlib.util.find_spec("pyspark")
        if spec is None or not spec.origin:
            raise TaskFailure("States.Runtime", f"state '{state}': the EMR step runs spark-submit, which {_NEEDS_SPARK}")
        return str(Path(spec.origin).parent / "bin" / "spark-submit")

    def _s3(self) -> Any:
        import boto3

        return boto3.client("s3", region_name=self.region)

    def _local(self, arg: str, mirror: Path, mirrored: list[tuple[str, Path]]) -> str:
        """``s3://b/k`` -> its local mirror path, filled from local S3 (an object, or all under a prefix)."""
        if not arg.startswith("s3://"):
            return arg
        bucket, _, key = arg[5:].partition("/")
        target = mirror / bucket / key
        s3 = self._s3()
        prefix = key if key.endswith("/") or not key else key + "/"
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []) if key else []
        if listed:
            for entry in listed:
                path = mirror / bucket / entry["Key"]
                path.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, entry["Key"], str(path))
                self._downloaded[path] = path.stat().st_mtime_ns
        else:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, key, str(target))
                self._downloaded[target] = target.stat().st_mtime_ns
            except Exception:   # not there yet: an output location the script creates
                pass
        mirrored.append((arg, target))
        return str(target) + ("/" if arg.endswith("/") else "")

    def _changed(self, path: Path) -> bool:
        before = self._downloaded.get(path)
        return before is None or path.stat().st_mtime_ns != before

    def _upload(self, mirrored: list[tuple[str, Path]]) -> None:
        """Files under each mirrored location go back to local S3 (what the script wrote)."""
        s3 = self._s3()
        for uri, local in mirrored:
            bucket, _, key = uri[5:].partition("/")
            if local.is_file():
                if self._changed(local):
                    s3.upload_file(str(local), bucket, key)
            elif local.is_dir():
                for path in sorted(p for p in local.rglob("*") if p.is_file() and self._changed(p)):
                    relative = path.relative_to(local).as_posix()
                    s3.upload_file(str(path), bucket, f"{key.rstrip('/')}/{relative}" if key else relative)


def _split(args: list[str]) -> tuple[list[str], list[str]]:
    """spark-submit's own options (without --master / --deploy-mode) and the application + its args."""
    options: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-"):
            return options, args[i:]
        name = arg.split("=", 1)[0]
        takes_value = name in _VALUE_OPTIONS and "=" not in arg
        if name not in _DROPPED:
            options.extend(args[i:i + 2] if takes_value else [arg])
        i += 2 if takes_value else 1
    return options, []

