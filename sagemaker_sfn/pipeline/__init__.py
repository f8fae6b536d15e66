"""The pipeline file format (``pipelines/<name>.yaml``, see docs/pipeline-format.md) and its loader.

Public API: :func:`load_pipeline`, :func:`discover_pipelines`, :func:`generate_all` (and
:func:`generate`, which also returns the pipelines), :class:`Pipeline`, :func:`build_pipeline` for
documents already parsed, and :func:`summarize` (the counts ``generate`` prints).
"""

from sagemaker_sfn.pipeline.assemble import build_pipeline
from sagemaker_sfn.pipeline.loader import (discover_pipelines, generate, generate_all, load_all, load_pipeline,
                                           orphaned_templates, render, template_path, write_templates)
from sagemaker_sfn.pipeline.model import Pipeline
from sagemaker_sfn.pipeline.summary import Summary, summarize

__all__ = ["Pipeline", "Summary", "build_pipeline", "discover_pipelines", "generate", "generate_all",
           "load_all", "load_pipeline", "orphaned_templates", "render", "summarize", "template_path", "write_templates"]
