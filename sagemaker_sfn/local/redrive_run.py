"""What a local run keeps so that it can be redriven (``run --local --redrive EXECUTION``).

On AWS a redriven execution continues in the same account: the objects its finished states wrote
and the SageMaker resources they created are still there. Locally every run opens a fresh
in-process account, so a run also writes, beside history.json::

    run.json         {"stateMachine": name, "definition": the definition as run (placeholders kept)}
    sagemaker.json   the local SageMaker's records (jobs, models, model packages) at the end

and a redrive puts them back (with the objects copied to ``s3/``) before continuing.

As on AWS, a redrive runs the definition the execution started with (API reference,
RedriveExecution: "Redriven executions use the same state machine definition and execution ARN as
the original execution attempt"), and that definition names its code pinned to content-addressed copies
(``code/sha256-<hash>/...``, :mod:`sagemaker_sfn.code_pin`): they are put back from ``s3/`` (they are
immutable), so the redriven states run the code of the first attempt even when ``examples/`` changed
since; :func:`stale_code_warning` says so. The mutable ``code/`` copy and the pipeline's
``<pipeline>/input/`` data come from the project again, so a fix of the *data* is what the redriven
states read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_sfn.errors import UsageError

RUN_FILE = "run.json"
STORE_FILE = "sagemaker.json"


@dataclass(frozen=True)
class PreviousRun:
    run_dir: Path
    state_machine: str
    definition: dict[str, Any]
    history: list[dict[str, Any]]

    @property
    def execution_input(self) -> Any:
        raw = self.history[0].get("executionStartedEventDetails", {}).get("input", "{}")
        return json.loads(raw) if isinstance(raw, str) else raw


def save_run_state(env: Any, *, state_machine: str, definition: dict[str, Any]) -> None:
    """Write run.json and sagemaker.json into ``env.run_dir`` (after :meth:`LocalEnvironment.finish`)."""
    run_dir = Path(env.run_dir)
    (run_dir / RUN_FILE).write_text(json.dumps({"stateMachine": state_machine, "definition": definition}, indent=1)
                                    + "\n", encoding="utf-8")
    records = [{"kind": kind, "name": name, "record": record} for kind, name, record in env.sagemaker.store.all()]
    (run_dir / STORE_FILE).write_text(json.dumps(records, indent=1, default=str) + "\n", encoding="utf-8")


def load_previous_run(run_dir: Path) -> PreviousRun:
    """The saved run in ``run_dir``; UsageError saying what is missing."""
    run_dir = Path(run_dir)
    name = run_dir.name
    if not run_dir.is_dir():
        raise UsageError(f"no local execution named {name!r}: {run_dir} does not exist "
                         "(local runs are under .sfn-local/<execution name>/)")
    try:
        saved = json.loads((run_dir / RUN_FILE).read_text(encoding="utf-8"))
        history = json.loads((run_dir / "history.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"local execution {name!r} cannot be redriven: {Path(exc.filename).name} is missing in "
                         f"{run_dir} (runs made before redrive support, or with --mock-config, keep no run.json)") from exc
    except ValueError as exc:
        raise UsageError(f"local execution {name!r}: {run_dir} holds a damaged file: {exc}") from exc
    events = history.get("events", history) if isinstance(history, dict) else history
    if not isinstance(events, list) or not events:
        raise UsageError(f"local execution {name!r}: {run_dir / 'history.json'} holds no events")
    return PreviousRun(run_dir=run_dir, state_machine=saved["stateMachine"], definition=saved["definition"],
                       history=events)


def stale_code_warning(definition: dict[str, Any], *, project_root: Path) -> str | None:
    """A warning naming the files of ``examples/`` that changed since the execution started (None
    when none did): the redrive runs the pinned code the execution started with."""
    from sagemaker_sfn.code_pin import redrive_code_warning, stale_pins
    from sagemaker_sfn.local.environment import EXAMPLES_DIR

    return redrive_code_warning(stale_pins(definition, Path(project_root) / EXAMPLES_DIR), folder=EXAMPLES_DIR)


def restore_run_state(env: Any, previous: PreviousRun) -> None:
    """Put the earlier attempt's S3 objects (its pinned code ``code/sha256-*`` included, but not the
    mutable ``code/`` copy nor ``<pipeline>/input/``) and SageMaker records back."""
    from sagemaker_sfn.code_pin import is_pinned
    from sagemaker_sfn.local.environment import CODE_PREFIX
    from sagemaker_sfn.local.sagemaker.s3io import put_file

    s3 = env.account.client("s3")
    copied = previous.run_dir / "s3"
    fresh = (CODE_PREFIX, f"{env.pipeline_name}/input/")
    if copied.is_dir():
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        for bucket_dir in sorted(p for p in copied.iterdir() if p.is_dir()):
            if bucket_dir.name not in existing:
                s3.create_bucket(Bucket=bucket_dir.name)
            for path in sorted(p for p in bucket_dir.rglob("*") if p.is_file()):
                key = path.relative_to(bucket_dir).as_posix()
                pinned = key.startswith(CODE_PREFIX) and is_pinned(key[len(CODE_PREFIX):])
                if bucket_dir.name == env.account.bucket and key.startswith(fresh) and not pinned:
                    continue
                put_file(s3, path, bucket_dir.name, key)
    store_file = previous.run_dir / STORE_FILE
    if store_file.is_file():
        for entry in json.loads(store_file.read_text(encoding="utf-8")):
            env.sagemaker.store.put(entry["kind"], entry["name"], entry["record"])
