"""Distributed Map states."""

from __future__ import annotations

from collections.abc import Mapping

from sagemaker_sfn.errors import DefinitionError
from sagemaker_sfn.iam.base import TaskRef

def refuse_distributed_map(ref: TaskRef) -> None:
    # A distributed Map starts child executions of this very state machine and reads/writes S3
    # itself; a policy without those permissions would fail at run time, so say so now.
    processor = ref.state.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    where = next((f"{ref.location}.{key}" for key in ("ItemReader", "ResultWriter") if key in ref.state), None)
    if where is None and isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED":
        where = f"{ref.location}.ItemProcessor.ProcessorConfig.Mode"
    if where is not None:
        raise DefinitionError("distributed Map states (ItemReader, ResultWriter, Mode DISTRIBUTED) are not "
                              "supported by the policy generator: their permissions would be missing",
                              location=where)
