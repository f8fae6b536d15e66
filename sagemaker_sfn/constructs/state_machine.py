"""``SageMakerPipelineStateMachine``: a generated ASL definition deployed as a STANDARD state machine.

The definition keeps its ``${Name}`` placeholders (docs/CONVENTIONS.md); this construct fills them
through ``DefinitionSubstitutions`` and gives the machine a role whose policy is derived from the
definition by :func:`sagemaker_sfn.iam.policy_for_definition`, with the same placeholders filled
the same way. Nothing in the role is written by hand.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from sagemaker_sfn.code_pin import PinnedCode, pin_code
from sagemaker_sfn.constructs.foundation import FoundationRefs, image_mapping
from sagemaker_sfn.constructs.images import image_uris
from sagemaker_sfn.constructs.functions import DEFAULT_LAMBDAS_DIR, PipelineFunction
from sagemaker_sfn.constructs.model_registry import ModelPackageGroups, model_package_groups
from sagemaker_sfn.constructs.nag import acknowledge, acknowledge_wildcard_resources, depend_on_policy_only
from sagemaker_sfn.constructs.sagemaker_role import PipelineSageMakerRole
from sagemaker_sfn.errors import DefinitionError, UsageError
from sagemaker_sfn.project import placeholders_in, state_machine_name_for, substitute_placeholders

DEFAULT_CODE_DIR = Path(__file__).resolve().parents[2] / "examples"
IMAGE_PLACEHOLDERS = ("XGBoostImageUri", "SKLearnImageUri", "ClarifyImageUri", "ModelMonitorImageUri",
                      "SageMakerDistributionImageUri")
_FUNCTION = re.compile(r"^(?P<pascal>[A-Z][A-Za-z0-9]*)FunctionArn$")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


@dataclass(frozen=True)
class PipelineSpec:
    """What the construct needs from a pipeline: name, ASL, example input, S3 trigger prefix."""

    name: str
    definition: dict[str, Any]
    example_input: dict[str, Any]
    trigger_prefix: str | None = None
    placeholders: dict[str, str] = field(default_factory=dict)   # the file's own ${Name} -> description


def load_pipeline_spec(path: str | Path) -> PipelineSpec:
    """A pipeline file (``.yaml``/``.yml``, through the generator) or an ASL file (``.json``)."""
    path = Path(path)
    if path.suffix in {".yaml", ".yml"}:
        from sagemaker_sfn.pipeline import load_pipeline  # the generator owns the pipeline format

        pipeline = load_pipeline(path)
        return PipelineSpec(name=pipeline.name, definition=pipeline.definition,
                            example_input=dict(pipeline.example_input or {}),
                            trigger_prefix=pipeline.trigger_prefix,
                            placeholders={n: p.description for n, p in pipeline.placeholders.items()})
    from sagemaker_sfn.project import read_definition_file

    return PipelineSpec(name=state_machine_name_for(path), definition=read_definition_file(path), example_input={})


def _pascal_to_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _folder_for(pascal: str, lambdas_dir: Path) -> str:
    """The lambdas/ folder ``${<pascal>FunctionArn}`` names: the one matching it up to case, '-' and
    '_' (``my-func``, ``MyFunc``), else the snake_case name (sagemaker_sfn.local.bindings.folder_key)."""
    from sagemaker_sfn.local.bindings import folder_key

    if lambdas_dir.is_dir():
        matches = [p.name for p in lambdas_dir.iterdir() if p.is_dir() and folder_key(p.name) == folder_key(pascal)]
        if len(matches) == 1:
            return matches[0]
    return _pascal_to_snake(pascal)


class SageMakerPipelineStateMachine(Construct):
    """A pipeline's state machine, its role, log group and the Lambdas / queue its placeholders name.

    Give exactly one of ``pipeline`` (a pipeline YAML or an ASL JSON file) or ``definition`` (an ASL
    dict, e.g. built in Python). Other parameters:

    :param state_machine_name: default: the pipeline's name; required with ``definition``.
    :param example_input: the execution input shown as a stack output (default: the pipeline file's
        ``input``, or ``{}``); ``${...}`` placeholders in it are filled like the definition's.
    :param foundation: fills ``${DataBucket}``, ``${FailureTopicArn}`` and ``${CacheTableName}``, and
        ``${SageMakerRoleArn}`` with a new role of this pipeline's own (``self.sagemaker_role``: reads
        code/ and the pipeline's data, writes only under ``<pipeline>/`` and ``tmp/<pipeline>/``)
        (default None: give them in ``substitutions``).
    :param topics: SNS topics by placeholder (e.g. ``{"AlertsTopicArn": topic}``), filled with the
        topic's ARN (default none). A topic with a customer-managed key (``master_key``) also gets
        the role ``kms:GenerateDataKey*``/``kms:Decrypt`` on that key, which publishing needs.
    :param queues: SQS queues by their ``${<Name>Url}`` placeholder (e.g. ``{"CallbackQueueUrl": queue}``),
        filled with the URL (and ``${<Name>Arn}`` with the ARN); a queue with a customer-managed key
        gets the same key grant (default none: ``${CallbackQueueUrl}`` gets a new queue).
    :param substitutions: extra or overriding placeholder values (default none). Image URIs default
        to SageMaker's registry for the stack's region; ``${<Name>FunctionArn}`` defaults to a new
        function from ``lambdas_dir/<name>/``; ``${CallbackQueueUrl}`` to a new encrypted queue.
    :param lambdas_dir: handler folders (default: this repository's ``lambdas/``).
    :param log_retention: execution log retention (default one month).
    :param timeout: execution timeout (default None: Step Functions' one year).
    :param create_model_package_groups: create (RETAINED) the model package groups that the
        definition's ``createModelPackage`` tasks name literally (default True; False when they
        exist already, e.g. created by another stack or by hand).
    :param existing_model_package_groups: names of groups that exist already and must not be
        created, e.g. kept (retained) by an earlier deployment of this pipeline; ``"*"`` for all
        (default none). The role may register into them all the same.
    :param code_dir: the folder uploaded to ``s3://${DataBucket}/code/`` (default: this repository's
        ``examples/``, when it exists; None: no pinning). The definition's references to
        ``s3://${DataBucket}/code/<rel>`` are pinned to content-addressed copies
        ``code/sha256-<hash>/<rel>`` (:func:`sagemaker_sfn.code_pin.pin_code`) before anything is
        derived from it, so a changed script changes the deployed definition, the request and the
        step-cache key. ``self.pinned_code.objects`` are the copies to upload: pass them to
        :class:`~sagemaker_sfn.constructs.code.CodeUpload` ``pinned=`` (docs/deploy.md).
    """

    def __init__(self, scope: Construct, construct_id: str, *, pipeline: str | Path | None = None,
                 definition: Mapping[str, Any] | None = None, state_machine_name: str | None = None,
                 example_input: Mapping[str, Any] | None = None, foundation: FoundationRefs | None = None,
                 substitutions: Mapping[str, str] | None = None, lambdas_dir: Path = DEFAULT_LAMBDAS_DIR,
                 log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
                 timeout: cdk.Duration | None = None, create_model_package_groups: bool = True,
                 existing_model_package_groups: Collection[str] = (),
                 topics: Mapping[str, sns.ITopic] | None = None, queues: Mapping[str, sqs.IQueue] | None = None,
                 code_dir: Path | str | None = DEFAULT_CODE_DIR) -> None:
        super().__init__(scope, construct_id)
        spec = self._spec(pipeline, definition, state_machine_name, example_input)
        # Pinned first: the role, the substitutions and the deployed definition all see the pinned URIs.
        self.pinned_code: PinnedCode | None = None
        if code_dir is not None:
            self.pinned_code = pin_code(spec.definition, Path(code_dir))
            spec = dataclasses.replace(spec, definition=self.pinned_code.definition)
        self.spec = spec
        self.functions: dict[str, PipelineFunction] = {}
        self.callback_queue: sqs.Queue | None = None
        self.sagemaker_role: PipelineSageMakerRole | None = None

        from sagemaker_sfn.iam import policy_for_definition

        policy = policy_for_definition(self.spec.definition, partition=cdk.Aws.PARTITION, region=cdk.Aws.REGION,
                                       account=cdk.Aws.ACCOUNT_ID, state_machine_name=self.spec.name)
        substitutions = {**self._resource_values(topics or {}, queues or {}), **dict(substitutions or {})}
        in_definition = placeholders_in(self.spec.definition)
        wanted = in_definition | placeholders_in(policy) | placeholders_in(self.spec.example_input)
        self.values = self._values(wanted, foundation=foundation, substitutions=substitutions,
                                   lambdas_dir=Path(lambdas_dir))
        missing = sorted(wanted - set(self.values))
        if missing:
            described = self.spec.placeholders
            raise DefinitionError(
                f"no value for placeholder(s) "
                f"{', '.join('${' + m + '}' + (f' ({described[m]})' if m in described else '') for m in missing)}: "
                "pass `foundation=` or `substitutions=` (see docs/CONVENTIONS.md)", source=self.spec.name)

        self.role = iam.Role(
            self, "Role", description=f"Step Functions state machine {self.spec.name}",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}}),
            inline_policies={"DerivedFromDefinition": iam.PolicyDocument.from_json(
                substitute_placeholders(policy, self.values))})
        if foundation is not None and "FailureTopicArn" in in_definition and "FailureTopicArn" not in (topics or {}):
            self._allow_encrypted_topic(foundation)
        self._allow_customer_keys(topics or {}, queues or {}, wanted)

        # /aws/vendedlogs/ keeps CloudWatch Logs' resource policy small (AWS's advice for Step Functions).
        self.log_group = logs.LogGroup(self, "Logs", log_group_name=f"/aws/vendedlogs/states/{self.spec.name}",
                                       retention=log_retention, removal_policy=cdk.RemovalPolicy.DESTROY)
        definition = dict(self.spec.definition)
        if timeout is not None:
            # CDK applies `timeout` only to definitions it builds; ours is a string, so set it in the ASL.
            definition["TimeoutSeconds"] = int(timeout.to_seconds())
        self.state_machine = sfn.StateMachine(
            self, "StateMachine", state_machine_name=self.spec.name,
            definition_body=sfn.DefinitionBody.from_string(json.dumps(definition, indent=2)),
            definition_substitutions={k: v for k, v in self.values.items() if k in in_definition},
            state_machine_type=sfn.StateMachineType.STANDARD, role=self.role,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
            tracing_enabled=True)
        depend_on_policy_only(self.state_machine, self.role)
        # Registering a model needs its group to exist; the role's derived policy already covers
        # model-package-group/<name> and model-package/<name>/*.
        # Groups are RETAINED (they hold the registered models), so after `cdk destroy` they still exist
        # and creating them again would fail: the adoption path is to name them as existing.
        existing = set(existing_model_package_groups)
        groups = [g for g in model_package_groups(self.spec.definition)
                  if g not in existing and substitute_placeholders(g, self.values) not in existing
                  ] if create_model_package_groups and "*" not in existing else []
        self.model_package_groups = ModelPackageGroups(
            self, "ModelPackageGroups", pipeline=self.spec.name,
            names={name: substitute_placeholders(name, self.values) for name in groups})
        acknowledge(self.role, {
            "AwsSolutions-IAM5[Resource::*]":
                "CloudWatch Logs delivery and X-Ray APIs that Step Functions calls accept no resource ARN "
                "(CDK adds them for logging ALL events and tracing).",
        })
        self._acknowledge_derived_wildcards(substitute_placeholders(policy, self.values))
        self.example_input = substitute_placeholders(self.spec.example_input, self.values)

    @staticmethod
    def _spec(pipeline: str | Path | None, definition: Mapping[str, Any] | None, name: str | None,
              example_input: Mapping[str, Any] | None) -> PipelineSpec:
        if (pipeline is None) == (definition is None):
            raise UsageError("give exactly one of `pipeline` (a file) or `definition` (an ASL dict)")
        if pipeline is not None:
            spec = load_pipeline_spec(pipeline)
        else:
            if not name:
                raise UsageError("`state_machine_name` is required with `definition`")
            spec = PipelineSpec(name=name, definition=json.loads(json.dumps(definition)), example_input={})
        if not isinstance(spec.definition.get("States"), dict) or "StartAt" not in spec.definition:
            raise DefinitionError("not an ASL definition: needs 'StartAt' and 'States'", source=spec.name)
        final_name = name or spec.name
        if not _NAME.match(final_name):
            raise UsageError(f"state machine name {final_name!r} must be 1-80 letters, digits, '-' or '_'")
        return PipelineSpec(name=final_name, definition=spec.definition,
                            example_input=dict(example_input if example_input is not None else spec.example_input),
                            trigger_prefix=spec.trigger_prefix, placeholders=spec.placeholders)

    def _values(self, wanted: set[str], *, foundation: FoundationRefs | None, substitutions: dict[str, str],
                lambdas_dir: Path) -> dict[str, str]:
        values: dict[str, str] = {}
        if foundation is not None:
            # Only what the definition uses: an imported foundation adds a parameter per resource read.
            fill = {"DataBucket": lambda: foundation.bucket.bucket_name,
                    "FailureTopicArn": lambda: foundation.failure_topic.topic_arn,
                    "CacheTableName": lambda: foundation.cache_table.table_name}
            values.update({name: make() for name, make in fill.items() if name in wanted - set(substitutions)})
            if "SageMakerRoleArn" in wanted and "SageMakerRoleArn" not in substitutions:
                self.sagemaker_role = PipelineSageMakerRole(self, "SageMakerRole", pipeline=self.spec.name,
                                                            bucket=foundation.bucket, definition=self.spec.definition)
                values["SageMakerRoleArn"] = self.sagemaker_role.role.role_arn
        values.update(self._image_values(wanted & set(IMAGE_PLACEHOLDERS) - set(substitutions)))
        for name in sorted(wanted - set(substitutions)):
            if (match := _FUNCTION.match(name)) and foundation is not None:
                folder = _folder_for(match["pascal"], lambdas_dir)
                function = PipelineFunction(self, match["pascal"], folder=folder, bucket=foundation.bucket,
                                            pipeline=self.spec.name, lambdas_dir=lambdas_dir)
                self.functions[folder] = function
                values[name] = function.function.function_arn
        if wanted & {"CallbackQueueUrl", "CallbackQueueArn"} and not {"CallbackQueueUrl", "CallbackQueueArn"} <= set(substitutions):
            self.callback_queue = self._callback_queue()
            values.update(CallbackQueueUrl=self.callback_queue.queue_url,
                          CallbackQueueArn=self.callback_queue.queue_arn)
        values.update(substitutions)
        return {k: v for k, v in values.items() if k in wanted}

    @staticmethod
    def _resource_values(topics: Mapping[str, sns.ITopic], queues: Mapping[str, sqs.IQueue]) -> dict[str, str]:
        values = {name: topic.topic_arn for name, topic in topics.items()}
        for name, queue in queues.items():
            if not name.endswith("Url"):
                raise UsageError(f"queues: {name!r} must be a ${{<Name>Url}} placeholder name, e.g. 'CallbackQueueUrl'")
            values[name] = queue.queue_url
            values[f"{name[:-3]}Arn"] = queue.queue_arn
        return values

    def _allow_customer_keys(self, topics: Mapping[str, sns.ITopic], queues: Mapping[str, sqs.IQueue],
                             wanted: set[str]) -> None:
        """kms:GenerateDataKey*/Decrypt on the customer-managed key of each topic and queue the
        definition uses. Sources: aws-cdk v2.275.0 aws-stepfunctions-tasks/lib/sqs/send-message.ts
        (adds exactly these on ``queue.encryptionMasterKey``); SNS developer guide, "Encryption at
        rest" key management (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html):
        publishers to an encrypted topic need kms:GenerateDataKey* and kms:Decrypt on its key."""
        keys = [topic.master_key for name, topic in topics.items() if name in wanted and topic.master_key]
        keys += [queue.encryption_master_key for name, queue in queues.items()
                 if name in wanted and queue.encryption_master_key]
        for key in keys:
            self.role.add_to_principal_policy(iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey*"], resources=[key.key_arn]))
        if keys:
            acknowledge(self.role, {
                "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]":
                    "SNS and SQS ask for GenerateDataKey with varying suffixes on the topic's or queue's own key.",
            })

    def _image_values(self, names: set[str]) -> dict[str, str]:
        """Image URIs: straight from the table for a known region, else looked up at deploy time."""
        if not names:
            return {}
        region = cdk.Stack.of(self).region
        if not cdk.Token.is_unresolved(region):
            try:
                return image_uris(region, tuple(sorted(names)))
            except KeyError as exc:
                raise UsageError(f"{exc.args[0]}; pass the image URIs in `substitutions=`") from exc
        # An environment-agnostic stack: one template for every region in the table.
        mapping = image_mapping(self)
        return {name: mapping.find_in_map(cdk.Aws.REGION, name) for name in names}

    def _callback_queue(self) -> sqs.Queue:
        dead_letters = sqs.Queue(self, "CallbackDeadLetters", encryption=sqs.QueueEncryption.SQS_MANAGED,
                                 enforce_ssl=True, retention_period=cdk.Duration.days(14))
        acknowledge(dead_letters, {"AwsSolutions-SQS3": "This queue is itself the dead-letter queue."})
        return sqs.Queue(self, "CallbackQueue", encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
                         dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=5))

    def _allow_encrypted_topic(self, foundation: FoundationRefs) -> None:
        # The failure topic is KMS-encrypted; publishing needs the key. The key is found through its
        # alias, so a pipeline stack needs no reference to the foundation stack's key ARN.
        keys = cdk.Stack.of(self).format_arn(service="kms", resource="key", resource_name="*")
        statement = iam.PolicyStatement(
            sid="PublishToEncryptedFailureTopic", actions=["kms:GenerateDataKey*", "kms:Decrypt"],
            resources=[keys],
            conditions={"ForAnyValue:StringEquals": {"kms:ResourceAliases": foundation.names.notification_key_alias}})
        self.role.add_to_principal_policy(statement)
        acknowledge(self.role, {
            "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]": "SNS asks for GenerateDataKey with varying suffixes.",
        })
        acknowledge_wildcard_resources(self.role, [keys],
                                       "Limited by the kms:ResourceAliases condition to the failure topic's key.")

    def _acknowledge_derived_wildcards(self, policy: Mapping[str, Any]) -> None:
        """cdk-nag flags every wildcard; each one in the derived policy is there by design.

        A name that comes from the execution input (or a States.Format prefix) can only be matched
        by a pattern, and :mod:`sagemaker_sfn.iam` narrows each to the longest static prefix;
        Lambda ARNs get ``:*`` so every version and alias of our own function can be invoked; a few
        actions are authorised by AWS only on ``*`` (EMR RunJobFlow, SNS publish to a phone number),
        each citing its AWS source.
        """
        resources: list[str] = []
        actions: list[str] = []
        for statement in policy.get("Statement", []):
            for key, bucket in (("Resource", resources), ("Action", actions)):
                value = statement.get(key, [])
                bucket.extend([value] if isinstance(value, str) else value)
        acknowledge_wildcard_resources(
            self.role, resources, "Derived from the definition by sagemaker_sfn.iam, which states each wildcard's "
            "reason and AWS source (sagemaker-sfn policy --explain): the narrowest pattern for a name known only at "
            "run time, any version of our own Lambda, or an action AWS authorises only on '*'.")
        acknowledge(self.role, {f"AwsSolutions-IAM5[Action::{a}]": "Derived from the definition by sagemaker_sfn.iam."
                                for a in actions if "*" in a})
