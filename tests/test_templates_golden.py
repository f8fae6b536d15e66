"""The committed asl_templates/ are exactly what `generate` produces from pipelines/."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sagemaker_sfn.local.bindings import local_value
from sagemaker_sfn.pipeline import (discover_pipelines, generate_all, load_pipeline, orphaned_templates, render,
                                    template_path)
from sagemaker_sfn.project import placeholders_in

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def test_committed_templates_match_generate() -> None:
    stale = generate_all(ROOT, check=True)
    assert stale == [], f"out of date: {[str(p) for p in stale]}; run `sagemaker-sfn generate`"
    assert orphaned_templates(ROOT) == [], "templates without a pipeline file: delete them"


@pytest.mark.parametrize("path", discover_pipelines(ROOT), ids=lambda p: p.stem)
def test_each_template_is_its_pipeline(path: Path) -> None:
    pipeline = load_pipeline(path)
    assert template_path(ROOT, pipeline.name).read_text(encoding="utf-8") == render(pipeline.definition)


@pytest.mark.parametrize("path", discover_pipelines(ROOT), ids=lambda p: p.stem)
def test_templates_use_only_conventional_or_declared_placeholders(path: Path) -> None:
    definition = json.loads(template_path(ROOT, path.stem).read_text(encoding="utf-8"))
    declared = set(load_pipeline(path).placeholders)
    names = placeholders_in(definition) - declared
    assert all(local_value(n) for n in names)


def test_templates_pass_the_npm_asl_validator() -> None:
    validator = ROOT / "node_modules" / ".bin" / "asl-validator"
    node = ROOT / ".venv" / "bin" / "node"
    if not validator.exists() or not (node.exists() or shutil.which("node")):
        pytest.skip("asl-validator not installed (run scripts/setup.sh)")
    env_path = f"{node.parent}:{Path(shutil.which('node') or node).parent}"
    for path in discover_pipelines(ROOT):
        result = subprocess.run([str(validator), "--json-path", str(template_path(ROOT, path.stem))],
                                capture_output=True, text=True, env={"PATH": env_path}, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", discover_pipelines(ROOT), ids=lambda p: p.stem)
def test_templates_have_no_validation_errors(path: Path) -> None:
    from sagemaker_sfn.validate import validate_definition

    findings = validate_definition(load_pipeline(path).definition, source=str(path))
    assert [f for f in findings if f.severity == "error"] == []
