"""The loaded form of a pipeline file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Pipeline:
    """A pipeline file, loaded: its metadata and the ASL definition it generates."""

    name: str                           # state machine name; equals the file's stem
    description: str
    example_input: dict[str, Any]       # the file's `input`, placeholders kept
    trigger_prefix: str | None          # `trigger.s3_prefix`: new objects under it start the pipeline
    definition: dict[str, Any]          # the ASL
    path: Path | None = field(default=None, compare=False)
    # The file's own ${Name} placeholders (name -> pipeline.defaults.Placeholder), beside the conventional ones.
    placeholders: dict[str, Any] = field(default_factory=dict)
    input_schema: dict[str, Any] | None = None   # `input_schema`: a JSON Schema of the execution input
