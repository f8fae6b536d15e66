"""Step cache benchmark: what a cached re-run saves, and what the cache states cost.

(a) Cold vs. warm: ``sagemaker-sfn run train-evaluate --local`` twice in a fresh temporary copy of
    the project (pipelines/, asl_templates/, examples/, lambdas/), each in its own process, timed
    from outside. The first run has an empty cache (every job runs); the second reuses
    preprocessing, training and evaluation. Figures: the warm run's wall time as a share of the cold
    run's (target: at most 30 %); from each run's history, the execution's own duration and the
    cached section's (the three jobs cold, their cache states warm). Repeated ``--runs`` times with
    a fresh copy each; medians.
(b) Interpreter cost of the added states: train-evaluate's cached steps in ``run_definition`` with
    an in-memory integration (jobs, getItem, putItem and listObjectsV2 answered from dicts, no moto,
    no I/O), so the figure is the interpreter's work per cache state (JSONPath key pieces, JSONata
    lookups, Choice, restore). Each state is timed from its Entered event to the next state's, on
    the miss path (key, inputs, lookup, check, store check, store) and the hit path (key, inputs,
    lookup, check, restore). Target: below 1 ms per state.

Prints figures; asserts nothing. Usage:
    .venv/bin/python bench/bench_cache.py [--runs N] [--repeat N] [--skip-pipeline]
Runtime: about 10 s per cold+warm pair (one more, unmeasured, first) plus a few seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _stamp(event: dict[str, Any]) -> float:
    from datetime import datetime

    return datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()


def history_spans(history: list[dict[str, Any]]) -> tuple[float, float]:
    """(execution, cached section) in seconds: ExecutionStarted to the execution's end, and the first
    cached step's first state entered (``Cache key: Preprocess``) to the state after the last one
    (``CheckMse``) entered: the three jobs on a cold run, their cache states on a warm one."""
    entered = {e["stateEnteredEventDetails"]["name"]: _stamp(e) for e in history if "stateEnteredEventDetails" in e}
    execution = _stamp(history[-1]) - _stamp(history[0])
    return execution, entered["CheckMse"] - entered["Cache key: Preprocess"]


def pipeline_runs(runs: int, *, bytecode_cache: bool = True) -> None:
    figures: dict[str, list[tuple[float, float, float]]] = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory(prefix="bench-pyc-") as pycache:
        base = dict(os.environ)
        if bytecode_cache:   # as an installed package has its .pyc files (bench_generate_validate.py does the same)
            base.pop("PYTHONDONTWRITEBYTECODE", None)
            base["PYTHONPYCACHEPREFIX"] = pycache
        else:
            base["PYTHONDONTWRITEBYTECODE"] = "1"
        # One unmeasured cold+warm pair first: it fills the bytecode cache for every module both runs import.
        for index in range(runs + 1):
            _pair(figures if index else {"cold": [], "warm": []}, base)
    _print_pipeline(figures, runs)


def _pair(figures: dict[str, list[tuple[float, float, float]]], base: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        for folder in ("pipelines", "asl_templates", "examples", "lambdas"):
            shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
        env = {**base, "SAGEMAKER_SFN_PROJECT": str(project), "PYTHONPATH": str(ROOT)}
        for name in ("cold", "warm"):
            started = time.perf_counter()
            # --approve: train-evaluate's approval gate would otherwise wait for a person.
            done = subprocess.run([sys.executable, "-m", "sagemaker_sfn.cli", "run", "train-evaluate", "--local",
                                   "--approve", "--json", "--name", name], cwd=project, env=env,
                                  capture_output=True, text=True, timeout=600)
            wall = time.perf_counter() - started
            status = json.loads(done.stdout.strip().splitlines()[-1])["status"] if done.stdout.strip() else "?"
            if status != "SUCCEEDED":
                print(f"{name} run: {status}\n{done.stderr[-2000:]}")
                continue
            history = json.loads((project / ".sfn-local" / name / "history.json").read_text())
            figures[name].append((wall, *history_spans(history["events"] if isinstance(history, dict) else history)))


def _print_pipeline(figures: dict[str, list[tuple[float, float, float]]], runs: int) -> None:
    if not figures["cold"] or not figures["warm"]:
        return

    def med(name: str, i: int) -> float:
        return statistics.median(f[i] for f in figures[name])

    c, w = med("cold", 0), med("warm", 0)
    print(f"(a) train-evaluate --local, median of {runs}: cold {c:.2f} s, warm (3 cache hits) {w:.2f} s "
          f"= {100 * w / c:.0f} % of cold   [cold runs: {', '.join(f'{f[0]:.2f}' for f in figures['cold'])}; "
          f"warm: {', '.join(f'{f[0]:.2f}' for f in figures['warm'])}]")
    print(f"    execution (ExecutionStarted to its end): cold {med('cold', 1):.2f} s, warm {med('warm', 1):.2f} s; "
          f"the process around it (start-up, local account, report): cold {c - med('cold', 1):.2f} s, "
          f"warm {w - med('warm', 1):.2f} s")
    cs, ws = med("cold", 2), med("warm", 2)
    print(f"    the cached steps (Cache key: Preprocess entered to CheckMse entered): cold {cs:.2f} s, "
          f"warm {1000 * ws:.0f} ms = {100 * ws / cs:.1f} % of cold")


class InMemory:
    """Answers every Task of the cached machine without I/O."""

    def __init__(self) -> None:
        self.table: dict[str, dict[str, Any]] = {}

    def invoke(self, request: Any, clock: Any) -> Any:
        ref, params = request.ref, request.parameters
        if ref.service == "aws-sdk":
            action = ref.action.split(":", 1)[1]
            if action == "getItem":
                item = self.table.get(params["Key"]["CacheKey"]["S"])
                return {"Item": item} if item else {}
            if action == "putItem":
                self.table[params["Item"]["CacheKey"]["S"]] = params["Item"]
                return {}
            if action == "listObjectsV2":
                return {"IsTruncated": False, "KeyCount": 1, "Contents": [
                    {"Key": params["Prefix"] + "x", "ETag": '"0123456789abcdef0123456789abcdef"'}]}
        if ref.service == "sagemaker":
            name = next((v for k, v in params.items() if k.endswith("JobName")), "job")
            return {"ProcessingJobName": name, "ProcessingJobStatus": "Completed", "TrainingJobName": name,
                    "ModelArtifacts": {"S3ModelArtifacts": "s3://b/model.tar.gz"},
                    "ProcessingOutputConfig": {"Outputs": [{"S3Output": {"S3Uri": f"s3://b/{i}"}} for i in range(3)]}}
        raise RuntimeError(f"unexpected {ref.resource}")


def machine(cached: bool) -> dict[str, Any]:
    """train-evaluate's Preprocess -> Train -> Evaluate, with or without the cache states."""
    import yaml

    from sagemaker_sfn.pipeline.assemble import build_pipeline
    from sagemaker_sfn.project import substitute_placeholders
    from sagemaker_sfn.local.bindings import local_substitutions
    from sagemaker_sfn.project import placeholders_in

    doc = yaml.safe_load((ROOT / "pipelines" / "train-evaluate.yaml").read_text())
    steps = [s for s in doc["steps"] if s["name"] in ("Preprocess", "Train", "Evaluate")]
    for step in steps:
        step["catch"] = False
        if not cached:
            step.pop("cache", None)
    steps[-1]["end"] = True
    definition = build_pipeline({**doc, "steps": steps}, file="bench").definition
    return substitute_placeholders(definition, local_substitutions(placeholders_in(definition)))


def interpreter_cost(repeat: int) -> None:
    """Each state's wall time from its Entered event to the next state's (an on_event listener)."""
    from sagemaker_sfn.cache.transform import step_of
    from sagemaker_sfn.local.interpreter import run_definition

    cached = machine(True)
    data = {"InputBucket": "b", "InputKey": "k", "MseThreshold": 6.0}

    def durations(integration: InMemory, name: str) -> list[tuple[str, float]]:
        marks: list[tuple[str, float]] = []

        def listen(event: dict[str, Any]) -> None:
            if event["type"].endswith("StateEntered"):
                marks.append((event["stateEnteredEventDetails"]["name"], time.perf_counter()))
            elif event["type"].startswith("Execution") and event["type"] != "ExecutionStarted":
                marks.append(("", time.perf_counter()))

        result = run_definition(cached, data, integration=integration, execution_name=name, on_event=listen)
        assert result.status == "SUCCEEDED", (result.error, result.cause)
        return [(marks[i][0], marks[i + 1][1] - marks[i][1]) for i in range(len(marks) - 1)]

    run_definition(machine(False), data, integration=InMemory())   # warm imports
    per_kind: dict[str, list[float]] = {}
    for index in range(repeat):
        shared = InMemory()
        for path, name in (("miss", f"m{index}"), ("hit", f"h{index}")):
            for state, seconds in durations(shared, name):
                parsed = step_of(state)
                if parsed:
                    per_kind.setdefault(f"{path}: {parsed[0]}", []).append(seconds)
    print(f"(b) interpreter, in-memory integration, {repeat} miss+hit runs of Preprocess/Train/Evaluate; "
          "ms per cache state (median / max):")
    for kind, values in sorted(per_kind.items()):
        print(f"    {kind:<18} {statistics.median(values) * 1000:6.3f} / {max(values) * 1000:6.3f}")
    everything = [v for values in per_kind.values() for v in values]
    print(f"    all cache states: median {statistics.median(everything) * 1000:.3f} ms, "
          f"95th percentile {sorted(everything)[int(len(everything) * 0.95)] * 1000:.3f} ms, "
          f"max {max(everything) * 1000:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold+warm pipeline pairs (default 3)")
    parser.add_argument("--repeat", type=int, default=20, help="interpreter repetitions (default 20)")
    parser.add_argument("--skip-pipeline", action="store_true", help="only (b)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="(a)'s processes compile every module from source, as under PYTHONDONTWRITEBYTECODE=1 "
                             "(default: a bytecode cache in a temporary directory, like an installed package's)")
    args = parser.parse_args()
    if not args.skip_pipeline:
        pipeline_runs(args.runs, bytecode_cache=not args.no_bytecode_cache)
    interpreter_cost(args.repeat)


if __name__ == "__main__":
    main()
