"""The Python snippets in README.md and docs/pipeline-format.md run as written and their definitions
validate clean (no finding at all)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = re.compile(r"```python\n(?P<body>from sagemaker_sfn\.asl import .*?)```", re.S)


@pytest.mark.parametrize("document", ["README.md", "docs/pipeline-format.md"])
def test_builder_snippet_runs_and_validates_clean(document: str) -> None:
    from sagemaker_sfn.validate import validate_definition

    [match] = SNIPPET.finditer((ROOT / document).read_text(encoding="utf-8"))
    namespace: dict = {}
    exec(compile(match["body"], document, "exec"), namespace)  # noqa: S102 - our own documentation
    definition = namespace["definition"]
    assert definition["StartAt"] == "Train"
    assert definition["States"]["Train"]["Resource"] == "arn:aws:states:::sagemaker:createTrainingJob.sync"
    assert [f"{f.location}: {f.message}" for f in validate_definition(definition)] == []
    if "findings" in namespace:
        assert namespace["findings"] == [] and namespace["policy"]["Statement"]
