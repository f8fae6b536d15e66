"""`sagemaker-sfn cache list|clear` on the local cache (.sfn-local/cache/)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sagemaker_sfn.cache.local import LocalCache
from sagemaker_sfn.cli import main


def item(key: str, machine: str, step: str, *, expires: float) -> dict:
    return {"CacheKey": {"S": key}, "StateMachine": {"S": machine}, "Step": {"S": step},
            "Execution": {"S": f"arn:aws:states:us-east-1:123456789012:execution:{machine}:run-{key}"},
            "CreatedAt": {"S": "2026-11-01T00:00:00.000Z"}, "ExpiresAt": {"N": str(int(expires))},
            "Result": {"S": "{}"}}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "pipelines").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAGEMAKER_SFN_PROJECT", str(tmp_path))
    later = time.time() + 86400
    LocalCache(root=tmp_path).save_items([item("a", "te", "Train", expires=later), item("b", "te", "Evaluate", expires=later),
                                          item("c", "other", "Train", expires=later)])
    return tmp_path


def test_list_filters_by_pipeline_and_step(project, capsys) -> None:
    assert main(["cache", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
    assert main(["cache", "list", "te", "--step", "Train", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["pipeline"], r["step"], r["execution"], r["expired"]) for r in rows] == [("te", "Train", "run-a", False)]


def test_clear_deletes_only_the_selection(project, capsys) -> None:
    assert main(["cache", "clear", "te", "--step", "Train"]) == 0
    assert capsys.readouterr().out.strip() == "cleared 1 entry"
    assert sorted(i["CacheKey"]["S"] for i in LocalCache(root=project).load_items()) == ["b", "c"]
    assert main(["cache", "clear", "te"]) == 0
    assert sorted(i["CacheKey"]["S"] for i in LocalCache(root=project).load_items()) == ["c"]


def test_step_needs_a_pipeline(project, capsys) -> None:
    assert main(["cache", "list", "--step", "Train"]) == 2
    assert "--step needs a PIPELINE" in capsys.readouterr().err


def test_clear_deletes_the_saved_objects_only_the_cleared_entries_led_to(project, capsys) -> None:
    saved = project / ".sfn-local" / "cache" / "s3" / "sagemaker-sfn-local"
    index = {}
    for run in ("run-a", "run-b"):
        (saved / "te" / run).mkdir(parents=True)
        (saved / "te" / run / "model.tar.gz").write_bytes(b"m")
        index[f"te/{run}/model.tar.gz"] = {"etag": '"x"', "execution": run}
    (project / ".sfn-local" / "cache" / "s3-index.json").write_text(json.dumps(index))
    assert main(["cache", "clear", "te", "--step", "Train"]) == 0   # entry a, of execution run-a
    assert not (saved / "te" / "run-a" / "model.tar.gz").exists()
    assert (saved / "te" / "run-b" / "model.tar.gz").is_file()
    assert set(json.loads((project / ".sfn-local" / "cache" / "s3-index.json").read_text())) == {"te/run-b/model.tar.gz"}


def test_a_misspelt_pipeline_or_step_is_refused_not_cleared_silently(project, capsys) -> None:
    assert main(["cache", "clear", "tee"]) == 2
    err = capsys.readouterr().err
    assert "no pipeline named 'tee' has cache entries or is in this project" in err and "did you mean 'te'?" in err
    assert main(["cache", "clear", "te", "--step", "Trian"]) == 2
    err = capsys.readouterr().err
    assert "pipeline 'te' caches no step named 'Trian'" in err and "did you mean 'Train'?" in err
    assert len(LocalCache(root=project).load_items()) == 3   # nothing was cleared


def test_a_project_pipeline_without_entries_clears_nothing_quietly(project, capsys) -> None:
    (project / "pipelines" / "fresh.yaml").write_text("name: fresh\n")
    assert main(["cache", "clear", "fresh"]) == 0
    assert capsys.readouterr().out.strip() == "cleared 0 entries"
    assert main(["cache", "list", "fresh"]) == 0
    assert capsys.readouterr().out.strip() == "no cache entries"
