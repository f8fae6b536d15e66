"""The local AWS environment a ``run --local`` executes in.

:func:`open_local_environment` starts an in-process AWS account (moto), binds the definition's
``${...}`` placeholders to local values, uploads ``examples/`` to ``s3://<bucket>/code/`` (and the
pinned, content-addressed copies the definition names: ``code_objects``) and
``examples/<pipeline>/data/`` to ``s3://<bucket>/<pipeline>/input/`` (docs/CONVENTIONS.md), and
yields a :class:`LocalEnvironment` whose ``integration`` answers the definition's Task states with
local Lambda handlers, a local SageMaker and moto. Job subprocesses running user code reach the same
account through moto's server on 127.0.0.1 (:class:`~sagemaker_sfn.local.aws.LocalEndpoint`, started on
first use, stopped here). Progress lines go to the ``sagemaker_sfn.local`` logger (attach a handler
to show them live).

Layout of ``run_dir`` after :meth:`LocalEnvironment.finish`::

    jobs/<job>/logs.txt         each SageMaker job's log (its /opt/ml tree beside it)
    jobs/<job>/describe.json    its Describe* response as the run last recorded it
    logs/lambda-<name>.log      each Lambda's output
    s3/<bucket>/<key>           every S3 object the run wrote (and the uploaded inputs)
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagemaker_sfn.code_pin import code_files, is_pinned
from sagemaker_sfn.files import write_json_atomic
from sagemaker_sfn.local.clock import Clock, RealClock
from sagemaker_sfn.local.integrations.base import Integration, task_states
from sagemaker_sfn.project import placeholders_in, substitute_placeholders

EXAMPLES_DIR = "examples"
CONVENTIONAL_PLACEHOLDERS = ("DataBucket", "SageMakerRoleArn", "FailureTopicArn", "CallbackQueueUrl",
                             "XGBoostImageUri", "SKLearnImageUri", "ClarifyImageUri", "CacheTableName",
                             "ModelMonitorImageUri", "SageMakerDistributionImageUri")
CODE_PREFIX = "code/"


@dataclass
class LocalEnvironment:
    substitutions: dict[str, str]   # placeholder -> local value (sagemaker_sfn.local.bindings)
    integration: Integration        # answers sagemaker / lambda / sns / sqs / aws-sdk tasks
    clock: Clock                    # RealClock: jobs do real work
    project_root: Path
    pipeline_name: str
    run_dir: Path
    account: Any                    # sagemaker_sfn.local.aws.LocalAccount
    sagemaker: Any                  # sagemaker_sfn.local.sagemaker.LocalSageMaker
    bindings: Any = None            # sagemaker_sfn.local.bindings.Bindings the run was given
    unbound: list[str] = field(default_factory=list)   # placeholders left literal (nothing binds them)
    cache_reporter: Any = None      # sagemaker_sfn.cache.report.CacheReporter when the definition caches steps
    cache: Any = None               # sagemaker_sfn.cache.local.LocalCache when the definition caches steps
    uploaded: dict[str, tuple[str, Path, tuple[int, int]]] = field(default_factory=dict)   # key -> (ETag, file, stamp)

    def listen(self, on_event: Any) -> Any:
        """``on_event`` plus what the environment follows in the history (cache verdicts)."""
        if self.cache_reporter is None:
            return on_event

        def both(event: dict[str, Any]) -> None:
            self.cache_reporter(event)
            if on_event is not None:
                on_event(event)
        return both

    def check(self, definition: dict[str, Any]) -> list[str]:
        """Problems that would fail the run, found before any job starts, all of them: images and
        Lambdas with no local code (each with the bindings line to add), scripts missing from examples/."""
        from sagemaker_sfn.local.integrations.emr import emr_problems
        from sagemaker_sfn.local.sagemaker.notebook import notebook_problems

        return (check_definition(definition, substitutions=self.substitutions, project_root=self.project_root,
                                 bucket=self.account.bucket, images=self.sagemaker.images,
                                 handlers=getattr(self.bindings, "lambdas", None),
                                 hint_file=getattr(self.bindings, "file_for_hints", None),
                                 pinned_present=self._in_bucket)
                + emr_problems(definition) + notebook_problems(definition))

    def _in_bucket(self, prefix: str) -> bool:
        listed = self.account.client("s3").list_objects_v2(Bucket=self.account.bucket, Prefix=prefix, MaxKeys=1)
        return bool(listed.get("KeyCount"))

    def finish(self, result: Any = None) -> None:
        """Wait for background jobs, write each job's Describe response to ``run_dir/jobs/<job>/describe.json``
        and copy every object in the local buckets to ``run_dir/s3/``."""
        self.integration.sagemaker.wait()   # type: ignore[attr-defined]
        write_job_records(self.sagemaker.store, jobs_dir=self.run_dir / "jobs")
        from sagemaker_sfn.local.sagemaker.endpoints import write_endpoint_records

        write_endpoint_records(self.sagemaker.store, target=self.run_dir / "endpoints")
        copy_buckets(self.account.client("s3"), target=self.run_dir / "s3", saved=self._local_copy)

    def _local_copy(self, bucket: str, key: str, etag: str) -> Path | None:
        """A file holding this version of the object: what the run uploaded from the project, or
        what the step cache put back (copied from disk rather than read through S3 again)."""
        upload = self.uploaded.get(f"{bucket}/{key}")
        if upload is not None and upload[0] == etag and upload[1].is_file() and _stamp(upload[1]) == upload[2]:
            return upload[1]
        return self.cache.local_file(bucket, key, etag) if self.cache is not None else None

    def summary_lines(self, result: Any = None) -> list[str]:
        """Best tuning job and metric, each training job's metric, where outputs (predictions) are."""
        cache = [f"cache: {line}" for line in self.cache_reporter.lines] if self.cache_reporter else []
        return cache + summary_lines(self.sagemaker.store, run_dir=self.run_dir)


# -- finish(): results a person can inspect ---------------------------------------------------

JOB_KINDS = ("TrainingJob", "HyperParameterTuningJob", "TransformJob", "ProcessingJob")


def write_job_records(store: Any, *, jobs_dir: Path) -> list[Path]:
    """Each job's Describe* response (as the run last recorded it) to ``<jobs_dir>/<job>/describe.json``,
    beside its logs.txt; returns the files written."""

    written = []
    for kind, name, record in store.all():
        if kind not in JOB_KINDS:
            continue
        path = jobs_dir / name / "describe.json"
        if path in written:   # names are per kind: a transform job named like its training job
            path = path.with_name(f"describe-{kind}.json")
        write_json_atomic(path, record)
        written.append(path)
    return written


def copy_buckets(s3: Any, *, target: Path, saved: Callable[[str, str, str], Path | None] | None = None) -> int:
    """Every object of every bucket to ``<target>/<bucket>/<key>``; returns how many. ``saved(bucket,
    key, etag)``: a file already holding that version of the object (the step cache's saved copy of
    what it put back), copied from disk instead of read through S3 again."""
    from sagemaker_sfn.local.sagemaker.s3io import get_file, list_objects

    count = 0
    for bucket in (b["Name"] for b in s3.list_buckets().get("Buckets", [])):
        for entry in list_objects(s3, bucket):
            key = entry["Key"]
            if key.endswith("/"):
                continue
            local = saved(bucket, key, entry["ETag"]) if saved is not None else None
            if local is not None:
                (target / bucket / key).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(local, target / bucket / key)
            else:
                get_file(s3, bucket, key, target / bucket / key)
            count += 1
    return count


# -- check(): what would fail, before anything runs ---------------------------------------------

_FRAMEWORK_HINT = ("set the hyperparameters sagemaker_program (the script) and sagemaker_submit_directory "
                   "(s3://${DataBucket}/code/<folder> or a .tar.gz)")



def _static(params: Any) -> Any:
    """Parameters without their dynamic members (``Key.$`` paths, ``{% %}`` JSONata): only values
    known before the run can be checked."""
    if isinstance(params, dict):
        return {k: _static(v) for k, v in params.items()
                if not k.endswith(".$") and not (isinstance(v, str) and v.strip().startswith("{%"))}
    if isinstance(params, list):
        return [_static(v) for v in params if not (isinstance(v, str) and v.strip().startswith("{%"))]
    return params


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _images(action: str, params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(where, image URI, hyperparameters) of every container a SageMaker Create* request names."""
    found: list[tuple[str, str, dict[str, Any]]] = []

    def training(where: str, definition: dict[str, Any]) -> None:
        spec = definition.get("AlgorithmSpecification") or {}
        if isinstance(spec.get("TrainingImage"), str):
            found.append((f"{where}AlgorithmSpecification.TrainingImage", spec["TrainingImage"],
                          definition.get("HyperParameters") or definition.get("StaticHyperParameters") or {}))

    if action == "createTrainingJob":
        training("", params)
    elif action == "createHyperParameterTuningJob":
        if isinstance(params.get("TrainingJobDefinition"), dict):
            training("TrainingJobDefinition.", params["TrainingJobDefinition"])
        for index, definition in enumerate(params.get("TrainingJobDefinitions") or []):
            training(f"TrainingJobDefinitions[{index}].", definition)
    elif action == "createProcessingJob":
        image = (params.get("AppSpecification") or {}).get("ImageUri")
        if isinstance(image, str):
            found.append(("AppSpecification.ImageUri", image, {}))
    elif action in {"createModel"}:
        containers = [params.get("PrimaryContainer") or {}, *(params.get("Containers") or [])]
        for index, container in enumerate(containers):
            if isinstance(container.get("Image"), str):
                where = "PrimaryContainer.Image" if index == 0 else f"Containers[{index - 1}].Image"
                found.append((where, container["Image"], {}))
    return found


def _lambda_hint(ref: str, name: str, *, hint_file: str) -> str:
    module = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "handler"
    return (f"add under lambdas: in {hint_file}:\n      {json.dumps(ref)}: handlers/{module}.py:handler\n"
            f"    (or create lambdas/{name}/handler.py)")


def _image_hint(image: str, *, hint_file: str) -> str:
    return f"add under images: in {hint_file}:\n      {json.dumps(image)}: path/to/your/train.py"


def check_definition(definition: dict[str, Any], *, substitutions: dict[str, str], project_root: Path,
                     bucket: str, images: Any, handlers: dict[str, Any] | None = None,
                     hint_file: str | None = None,
                     pinned_present: Callable[[str], bool] | None = None) -> list[str]:
    """See :meth:`LocalEnvironment.check`. One entry per problem, naming the state and the field;
    ``handlers``: a bindings file's lambdas (default none); ``hint_file``: the bindings file the hints
    name (default the project-level one); ``pinned_present``: whether a pinned code key
    (``code/sha256-<hash>/...``) is in the bucket (default: assume it is)."""
    from sagemaker_sfn.local.bindings import PROJECT_BINDINGS_FILE
    from sagemaker_sfn.local.integrations.base import ResourceRef
    from sagemaker_sfn.local.integrations.lambda_ import function_name_of, resolve_handler

    hint_file = hint_file or PROJECT_BINDINGS_FILE
    problems: list[str] = []
    reported: set[str] = set()
    filled = substitute_placeholders(definition, substitutions, strict=False)
    code_uri = re.compile(rf"^s3://{re.escape(bucket)}/{re.escape(CODE_PREFIX)}(?P<path>.*)$")
    examples = project_root / EXAMPLES_DIR

    def present(relative: str) -> bool:
        # A pinned copy (code/sha256-<hash>/...) is uploaded when the run starts, or put back from
        # the redriven run: look for it in the bucket, not in examples/ (which may have changed since).
        if is_pinned(relative):
            return pinned_present is None or pinned_present(CODE_PREFIX + relative)
        return (examples / relative).exists()

    def lambda_exists(state: str, ref: str) -> None:
        try:
            name = function_name_of(ref)
        except ValueError:
            problems.append(f"state '{state}': '{ref}' is not a Lambda function name or ARN")
            return
        resolved = resolve_handler(project_root, ref, handlers)
        if resolved is None:
            problems.append(f"state '{state}': Lambda '{name}' has no local code; {_lambda_hint(ref, name, hint_file=hint_file)}")
        elif not resolved[1].is_file():
            problems.append(f"state '{state}': Lambda '{name}' is bound to {resolved[1]}, which does not exist")

    for state, task in task_states(filled.get("States", {})):
        resource = task.get("Resource")
        if not isinstance(resource, str) or resource.startswith("{%"):
            continue
        try:
            ref = ResourceRef.parse(resource)
        except ValueError:
            continue   # the validator reports malformed Resources
        params = _static(task.get("Parameters", task.get("Arguments", {})))
        if ref.service == "lambda":
            if ref.action == "invoke-arn":
                lambda_exists(state, resource)
            elif isinstance(params, dict) and isinstance(params.get("FunctionName"), str):
                lambda_exists(state, params["FunctionName"])
        if not isinstance(params, dict):
            continue
        for text in _strings(params):
            if match := code_uri.match(text):
                relative = match["path"]
                if not relative or present(relative):
                    continue
                if is_pinned(relative):
                    problems.append(f"state '{state}': {text}: no such pinned code in the local bucket (pinned "
                                    "copies are uploaded from examples/ when a run starts, and put back from the "
                                    "saved run for a redrive)")
                else:
                    problems.append(f"state '{state}': {text} has no local source: {EXAMPLES_DIR}/{relative} "
                                    "does not exist (examples/ is uploaded to s3://<bucket>/code/)")
        if ref.service != "sagemaker":
            continue
        for where, image, hyperparameters in _images(ref.action, params):
            code = images.resolve(image)
            if code is None:
                if image in reported:
                    continue
                reported.add(image)
                hint = "" if images.looks_like_typo(image) else f"; {_image_hint(image, hint_file=hint_file)}"
                problems.append(f"state '{state}', {where}: {images.explain_unknown(image, hint=False)}{hint}")
            elif code.kind == "clarify" and ref.action != "createProcessingJob":
                problems.append(f"state '{state}', {where}: '{image}' is the Clarify processing image; it runs "
                                "processing jobs only")
            elif code.kind == "script" and code.program and not code.program.is_file():
                problems.append(f"state '{state}', {where}: the image map points to {code.program}, which does not exist")
            elif code.kind == "framework" and ref.action != "createProcessingJob" and ref.action != "createModel" \
                    and "sagemaker_program" not in hyperparameters:
                problems.append(f"state '{state}', {where}: '{image}' runs a training script: {_FRAMEWORK_HINT}")
            elif "sagemaker_program" in hyperparameters:
                program = str(hyperparameters["sagemaker_program"]).strip('"')
                submit = str(hyperparameters.get("sagemaker_submit_directory", "")).strip('"')
                folder = code_uri.match(submit)
                if folder and not submit.endswith((".tar.gz", ".tgz")) \
                        and not present(folder["path"].rstrip("/") + "/" + program):
                    problems.append(f"state '{state}', HyperParameters.sagemaker_program: {program} is not in "
                                    f"{EXAMPLES_DIR}/{folder['path'].rstrip('/')}/")
    return problems


# -- summary_lines() ---------------------------------------------------------------------------

def _metrics_text(job: dict[str, Any]) -> str:
    metrics = job.get("FinalMetricDataList") or []
    return ", ".join(f"{m['MetricName']} = {m['Value']:.6g}" for m in metrics) or "no metrics"


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (shorter to read and copy)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _local_copy(uri: Any, run_dir: Path) -> str:
    """Where finish() copied an S3 URI."""
    if not (isinstance(uri, str) and uri.startswith("s3://")):
        return str(uri)
    return _shown(run_dir / "s3" / uri[5:])


def _failure(job: dict[str, Any]) -> str:
    from sagemaker_sfn.local.sagemaker.failure import headline

    reason = job.get("FailureReason")
    return f" ({headline(reason)})" if reason else ""


def _training_line(name: str, job: dict[str, Any], *, indent: str) -> str:
    status = job.get("TrainingJobStatus")
    seconds = job.get("TrainingTimeInSeconds")
    took = f", {seconds} s" if seconds is not None else ""
    detail = f"; {_metrics_text(job)}" if status == "Completed" else _failure(job)
    return f"{indent}training job {name}: {status}{took}{detail}"


def summary_lines(store: Any, *, run_dir: Path) -> list[str]:
    """Human-readable results of the run's SageMaker resources, in the order the run created them;
    a tuning job's training jobs are listed under it."""
    lines: list[str] = []
    records = store.all()
    for kind, name, job in records:
        if kind == "HyperParameterTuningJob":
            best = job.get("BestTrainingJob") or {}
            objective = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
            status = job.get("HyperParameterTuningJobStatus")
            if best and "Value" in objective:
                lines.append(f"tuning job {name}: {status}; best training job {best.get('TrainingJobName')} "
                             f"with {objective.get('MetricName', 'objective')} = {objective['Value']:.6g}")
            else:
                lines.append(f"tuning job {name}: {status}{_failure(job)}")
            arn = job.get("HyperParameterTuningJobArn")
            lines.extend(_training_line(n, j, indent="  ") for k, n, j in records
                         if k == "TrainingJob" and j.get("TuningJobArn") == arn)
        elif kind == "TrainingJob" and not job.get("TuningJobArn"):
            lines.append(_training_line(name, job, indent=""))
            artifacts = (job.get("ModelArtifacts") or {}).get("S3ModelArtifacts")
            if job.get("TrainingJobStatus") == "Completed" and artifacts:
                lines.append(f"  model: {_local_copy(artifacts, run_dir)}")
        elif kind == "TransformJob":
            output = (job.get("TransformOutput") or {}).get("S3OutputPath", "")
            lines.append(f"transform job {name}: {job.get('TransformJobStatus')}{_failure(job)}")
            if job.get("TransformJobStatus") == "Completed":
                lines.append(f"  predictions: {_local_copy(output, run_dir)}")
        elif kind == "ProcessingJob":
            lines.append(f"processing job {name}: {job.get('ProcessingJobStatus')}{_failure(job)}")
            if job.get("ProcessingJobStatus") == "Completed":
                for output in (job.get("ProcessingOutputConfig") or {}).get("Outputs", []):
                    uri = (output.get("S3Output") or {}).get("S3Uri")
                    if uri:
                        lines.append(f"  output {output.get('OutputName')}: {_local_copy(uri, run_dir)}")
        elif kind == "Endpoint":
            lines.append(f"endpoint {name}: {job.get('EndpointStatus')} on endpoint config "
                         f"{job.get('EndpointConfigName')}{_failure(job)}")
            if job.get("EndpointStatus") == "InService":
                lines.append(f"  ask it: sagemaker-sfn invoke {name} --local --body '<request>'")
        elif kind in {"Model", "ModelPackage"}:
            label = {"Model": "model", "ModelPackage": "model package"}[kind]
            lines.append(f"{label} {name} recorded")
    if any(kind.endswith("Job") for kind, _, _ in records):
        lines.append(f"job logs: {_shown(run_dir / 'jobs')}/<job>/logs.txt (Describe* response: describe.json beside it)")
    return lines


def _upload_examples(s3: Any, *, project_root: Path, bucket: str, pipeline_name: str,
                     code_objects: Mapping[str, Path]) -> dict[str, tuple[str, Path, tuple[int, int]]]:
    """Upload the code and the pipeline's input data; returns ``"<bucket>/<key>" -> (ETag, file, stamp)``
    of each object put, so finish() copies them from the project instead of reading them back."""
    from sagemaker_sfn.local.sagemaker.s3io import put_file

    uploads: list[tuple[str, Path]] = []
    examples = project_root / EXAMPLES_DIR
    # The pinned copies the definition names (sagemaker_sfn.code_pin), as the CDK app uploads them.
    uploads += [(CODE_PREFIX + key, path) for key, path in code_objects.items()]
    if examples.is_dir():
        # The files the CDK app's CodeUpload uploads too (caches and .DS_Store left out).
        uploads += [(CODE_PREFIX + relative, path) for relative, path in code_files(examples).items()]
        data = examples / pipeline_name / "data"
        if data.is_dir():
            uploads += [(f"{pipeline_name}/input/{path.relative_to(data).as_posix()}", path)
                        for path in sorted(p for p in data.rglob("*") if p.is_file())]
    return {f"{bucket}/{key}": (put_file(s3, path, bucket, key), path, _stamp(path)) for key, path in uploads}


def _stamp(path: Path) -> tuple[int, int]:
    """(size, mtime): a file edited after its upload is not the uploaded version any more."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


@contextmanager
def open_local_environment(*, project_root: Path, pipeline_name: str, run_dir: Path,
                           definition: dict[str, Any],
                           callbacks: dict[str, dict[str, Any]] | None = None,
                           bindings: Any = None, execution_input: Any = None,
                           no_cache: bool = False, approve: bool = False,
                           code_objects: Mapping[str, Path] | None = None) -> Iterator[LocalEnvironment]:
    """An in-process AWS account for one run of ``definition`` (see the module doc).

    ``project_root``: holds lambdas/, examples/ and the optional .sagemaker-sfn-images.json /
    .sagemaker-sfn-callbacks.json. ``run_dir``: where jobs, logs and S3 copies go (created).
    ``callbacks``: answers for .waitForTaskToken states (default: the project's callbacks file, else
    echo the message sent; see :mod:`sagemaker_sfn.local.integrations.registry`). ``approve`` (default
    False): approval gates approve their model package at once (``run --approve``).
    ``bindings``: a :class:`~sagemaker_sfn.local.bindings.Bindings` (default: none): placeholder values,
    Lambda handlers and image scripts for this definition. ``execution_input``: the run's input
    (default none): the buckets it names are created too. A placeholder nothing binds stays literal
    and is listed in ``env.unbound``. Every bucket the definition or the input names exists before
    the first state; any other exists from the first S3 call naming it (:mod:`.buckets`).
    ``no_cache`` (default False): a definition using the step cache starts with no entries.
    ``code_objects`` (default none): pinned code to upload, key under ``code/`` -> file: the
    ``objects`` of :func:`sagemaker_sfn.code_pin.pin_code` (``definition``, ``project_root/examples``),
    whose ``definition`` is then the one to run, as ``run --local`` does.
    """
    from sagemaker_sfn.local.approval_gate import ApprovalGate, route_to_local
    from sagemaker_sfn.local.aws import LocalEndpoint, local_account
    from sagemaker_sfn.local.bindings import LOCAL_ACCOUNT, LOCAL_BUCKET, LOCAL_REGION, Bindings, bind_placeholders, function_placeholder
    from sagemaker_sfn.local.buckets import buckets_named_in, buckets_on_first_use, create_buckets
    from sagemaker_sfn.local.integrations.lambda_ import LambdaIntegration
    from sagemaker_sfn.local.integrations.registry import CALLBACKS_FILE, LocalIntegration, load_callbacks
    from sagemaker_sfn.local.integrations.sagemaker import SageMakerIntegration
    from sagemaker_sfn.local.integrations.services import ServicesIntegration
    from sagemaker_sfn.local.sagemaker import LocalSageMaker
    from sagemaker_sfn.local.sagemaker.images import ImageResolver
    from sagemaker_sfn.local.sagemaker.store import ResourceStore

    project_root = Path(project_root).resolve()
    run_dir = Path(run_dir).resolve()
    # Every conventional name, not only the definition's: execution inputs (a pipeline's example input)
    # hold placeholders too, and are filled with the same values.
    bindings = bindings or Bindings()
    names = placeholders_in(definition) | placeholders_in(execution_input) | set(CONVENTIONAL_PLACEHOLDERS)
    lambdas = project_root / "lambdas"
    # Each folder's placeholder names the folder exactly (hyphens, capitals and all), so the
    # function name the definition ends up with finds its folder again.
    folders = {function_placeholder(p.name): f"arn:aws:lambda:{LOCAL_REGION}:{LOCAL_ACCOUNT}:function:{p.name}"
               for p in (lambdas.iterdir() if lambdas.is_dir() else []) if (p / "handler.py").is_file()}
    names |= set(folders)
    substitutions, unbound = bind_placeholders(names, bindings=bindings, extra=folders)
    images = ImageResolver.from_project(project_root, bindings_images=bindings.images)
    answers = callbacks if callbacks is not None else load_callbacks(project_root / CALLBACKS_FILE)
    run_dir.mkdir(parents=True, exist_ok=True)
    clock = RealClock()
    from sagemaker_sfn.cache.local import local_cache

    with local_account(region=LOCAL_REGION, bucket=LOCAL_BUCKET) as account, buckets_on_first_use(region=LOCAL_REGION), \
            local_cache(root=project_root, account=account, definition=definition, reuse=not no_cache,
                        execution=run_dir.name) as cache:
        s3 = account.client("s3")
        filled = substitute_placeholders([definition, execution_input], substitutions, strict=False)
        create_buckets(s3, buckets_named_in(filled), region=account.region)
        uploaded = _upload_examples(s3, project_root=project_root, bucket=account.bucket,
                                    pipeline_name=pipeline_name, code_objects=code_objects or {})
        endpoint = LocalEndpoint()
        sm = LocalSageMaker(s3=s3, store=ResourceStore(), work_dir=run_dir / "jobs", images=images,
                            project_root=project_root, clock=clock, region=account.region, account=account.account,
                            endpoint_url=endpoint.url)
        lambda_ = LambdaIntegration(project_root=project_root, log_dir=run_dir / "logs",
                                    region=account.region, account=account.account, handlers=bindings.lambdas)
        sagemaker = SageMakerIntegration(sm=sm)
        from sagemaker_sfn.local.integrations.emr import EmrIntegration

        gate = ApprovalGate(sm=sm, lambda_=lambda_, root=project_root, auto_approve=approve)
        integration = LocalIntegration(sagemaker=sagemaker, lambda_=lambda_,
                                       services=ServicesIntegration(region=account.region), callbacks=answers,
                                       emr=EmrIntegration(run_dir=run_dir, region=account.region,
                                                          account=account.account),
                                       gate=gate)
        env = LocalEnvironment(substitutions=substitutions, integration=integration, clock=clock,
                               project_root=project_root, pipeline_name=pipeline_name, run_dir=run_dir,
                               account=account, sagemaker=sm, bindings=bindings, unbound=unbound, cache=cache,
                               uploaded=uploaded)
        if cache is not None:
            from sagemaker_sfn.cache.local import reporter_for

            env.cache_reporter = reporter_for(definition, state_machine=pipeline_name, skipped=no_cache,
                                              dynamodb=account.client("dynamodb"))
        try:
            with route_to_local(sagemaker=sagemaker, gate=gate):   # in-process boto3 -> local SageMaker
                yield env
        finally:
            # Jobs started request-response still write to S3 and the store: let them end first.
            sagemaker.wait()
            lambda_.close()
            endpoint.stop()
