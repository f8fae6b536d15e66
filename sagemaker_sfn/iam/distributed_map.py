"""Distributed Map states: child executions of the state machine itself, and the S3 locations
its ``ItemReader`` reads and its ``ResultWriter`` writes.

From the Step Functions developer guide's page "IAM policies for using Distributed Map states"
(SOURCE_DMAP): ``states:StartExecution`` on the state machine, ``states:DescribeExecution`` and
``states:StopExecution`` on its executions; ``s3:ListBucket`` on the bucket an ``s3:listObjectsV2``
reader lists, ``s3:GetObject`` on the object an ``s3:getObject`` reader reads; ``s3:PutObject``,
``s3:GetObject``, ``s3:ListMultipartUploadParts`` and ``s3:AbortMultipartUpload`` under the prefix the
``ResultWriter`` writes. aws-cdk's DistributedMap grants the same (SOURCE_CDK_DMAP), plus
``states:RedriveExecution`` so that redriving the parent redrives its Map Run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagemaker_sfn.errors import DefinitionError
from sagemaker_sfn.iam.base import ArnContext, Grant, TaskRef, name_ref
from sagemaker_sfn.iam.s3 import bucket_arn, bucket_part, object_part

SOURCE_DMAP = "https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html"
SOURCE_CDK_DMAP = ("aws-cdk v2.275.0 packages/aws-cdk-lib/aws-stepfunctions/lib/state-graph.ts (DistributedMapPolicy),"
                   " lib/states/distributed-map/item-reader.ts and result-writer.ts (providePolicyStatements)")


def is_distributed(state: Mapping[str, Any]) -> bool:
    processor = state.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    return (isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED") or \
        any(key in state for key in ("ItemReader", "ResultWriter"))


def _request(block: Mapping[str, Any]) -> Mapping[str, Any]:
    params = block.get("Parameters", block.get("Arguments"))
    return params if isinstance(params, Mapping) else {}


def _s3_action(block: Mapping[str, Any], location: str) -> str:
    resource = block.get("Resource")
    prefix = "arn:aws:states:::s3:"
    if not isinstance(resource, str) or not resource.startswith(prefix):
        raise DefinitionError(f"expected an S3 Resource (arn:aws:states:::s3:<action>), got {resource!r}",
                              location=f"{location}.Resource")
    return resource[len(prefix):]


def _reader_grants(ref: TaskRef, ctx: ArnContext) -> list[Grant]:
    reader = ref.state.get("ItemReader")
    if not isinstance(reader, Mapping):
        return []
    where = f"{ref.location}.ItemReader"
    action = _s3_action(reader, where)
    params = _request(reader)
    bucket, why = bucket_part(name_ref(params, "Bucket"))
    if action == "listObjectsV2":
        return [Grant(sid="DistributedMapListItems", actions=("s3:ListBucket",), resources=(bucket_arn(ctx, bucket),),
                      reason="The Distributed Map lists the objects it iterates over." + why,
                      states=(ref.location,), sources=(SOURCE_DMAP, SOURCE_CDK_DMAP))]
    if action == "getObject":
        resource = f"{bucket_arn(ctx, bucket)}/{object_part(name_ref(params, 'Key'))}"
        return [Grant(sid="DistributedMapReadItems", actions=("s3:GetObject",), resources=(resource,),
                      reason="The Distributed Map reads its items (JSON, CSV or manifest file) from S3." + why,
                      states=(ref.location,), sources=(SOURCE_DMAP, SOURCE_CDK_DMAP))]
    raise DefinitionError(f"no IAM rule for ItemReader Resource s3:{action} (known: s3:getObject, "
                          "s3:listObjectsV2)", location=f"{where}.Resource")


def _writer_grants(ref: TaskRef, ctx: ArnContext) -> list[Grant]:
    writer = ref.state.get("ResultWriter")
    if not isinstance(writer, Mapping) or "Resource" not in writer:
        return []  # WriterConfig only: results are transformed but not written to S3
    where = f"{ref.location}.ResultWriter"
    action = _s3_action(writer, where)
    if action != "putObject":
        raise DefinitionError(f"no IAM rule for ResultWriter Resource s3:{action} (known: s3:putObject)",
                              location=f"{where}.Resource")
    params = _request(writer)
    bucket, why = bucket_part(name_ref(params, "Bucket"))
    resource = f"{bucket_arn(ctx, bucket)}/{object_part(name_ref(params, 'Prefix'), prefix=True)}"
    return [Grant(sid="DistributedMapWriteResults",
                  actions=("s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"),
                  resources=(resource,),
                  reason="The Distributed Map writes the Map Run's results under its ResultWriter prefix "
                         "(multipart uploads)." + why,
                  states=(ref.location,), sources=(SOURCE_DMAP, SOURCE_CDK_DMAP))]


def distributed_map_grants(ref: TaskRef, ctx: ArnContext, *, state_machine_name: str) -> list[Grant]:
    """The grants one Map state needs: none for an inline Map (its states are walked separately)."""
    if not is_distributed(ref.state):
        return []
    machine = ctx.arn("states", f"stateMachine:{state_machine_name}")
    executions = ctx.arn("states", f"execution:{state_machine_name}/*")
    why = "" if state_machine_name != "*" else \
        " The state machine's name was not given, so any state machine is allowed: pass its name to narrow it."
    grants = [
        Grant(sid="DistributedMapStartChildren", actions=("states:StartExecution",), resources=(machine,),
              reason="A Distributed Map runs each batch of items as a child execution of this state machine." + why,
              states=(ref.location,), sources=(SOURCE_DMAP, SOURCE_CDK_DMAP)),
        Grant(sid="DistributedMapManageChildren",
              actions=("states:DescribeExecution", "states:RedriveExecution", "states:StopExecution"),
              resources=(executions,),
              reason="Follow, stop and redrive the Distributed Map's child executions ("
                     "'execution:<machine>/<map run label>:<id>').",
              states=(ref.location,), sources=(SOURCE_DMAP, SOURCE_CDK_DMAP)),
    ]
    return grants + _reader_grants(ref, ctx) + _writer_grants(ref, ctx)
