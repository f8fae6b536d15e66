"""The least-privilege IAM policy a state machine's role needs, derived from its definition.

Every Task state (and every Distributed Map) is matched to one small function per integration, one
module each, the way aws-cdk keeps each task's policy next to the task:

- :mod:`.sagemaker_jobs` training, tuning, transform, processing jobs (request-response or ``.sync``);
- :mod:`.sagemaker_models` models, endpoint configurations, endpoints (with auto-rollback alarms),
  model packages, ``aws-sdk:sagemaker:describe*``; :mod:`.sagemaker_common` tagging and PassRole;
- :mod:`.lambda_`, :mod:`.sns`, :mod:`.sqs`, :mod:`.s3` (aws-sdk), :mod:`.dynamodb` (optimized or
  aws-sdk item calls: the step cache), :mod:`.emr` (clusters and steps);
- :mod:`.distributed_map` child executions of the machine itself, ItemReader and ResultWriter;
- :mod:`.credentials` ``sts:AssumeRole`` for a Task's ``Credentials``;
- :mod:`.sagemaker_execution` what the SageMaker execution role a definition passes must pull;
- :mod:`.policy` dispatch, merging, rendering and :func:`explain_policy`.

Each function returns :class:`Grant` objects: actions, resources, the reason they are needed and
the AWS page or aws-cdk source they come from (``sources``, printed by ``policy --explain``). Grants
with the same actions (and condition) are merged into one statement; everything is sorted so the
output is stable. An integration without a rule raises :class:`DefinitionError` with the location:
never a silently incomplete policy.

Resource ARNs are built from ``partition``/``region``/``account`` (``*`` for the generic CLI output;
the CDK construct passes its own tokens). Names are narrowed to the static name, or the literal text
before the first ``{}`` of a ``States.Format``; ``*`` when the name comes from input. ``${Name}``
deploy-time placeholders in the definition (docs/CONVENTIONS.md) are copied into the policy
unchanged, so the CDK substitutes them in the policy exactly as in the definition. One extra name
appears only in policies: ``${CallbackQueueArn}`` (:data:`POLICY_ONLY_PLACEHOLDERS`), because
``sqs:SendMessage`` is granted on the queue's ARN while the definition holds its URL.

SageMaker writes resource names in lower case inside ARNs, so name prefixes are lower-cased (the
placeholders inside them are left alone). IAM Sids allow only ``[A-Za-z0-9]``; the reason for each
statement lives in the Python code next to it and in :func:`explain_policy` (JSON has no comments).
"""

from sagemaker_sfn.iam.base import (POLICY_ONLY_PLACEHOLDERS, POLICY_VERSION, SAGEMAKER_SERVICE, ArnContext, Grant,
                                    NameRef, TaskRef, all_states, name_ref, task_states)
from sagemaker_sfn.iam.policy import (RULES, explain_policy, grants_for_definition, grants_for_task, merge_grants,
                                      policy_for_definition, statement, statements_for_definition)
from sagemaker_sfn.iam.sqs import queue_arn

__all__ = ["POLICY_ONLY_PLACEHOLDERS", "POLICY_VERSION", "RULES", "SAGEMAKER_SERVICE", "ArnContext", "Grant", "NameRef",
           "TaskRef", "all_states", "explain_policy", "grants_for_definition", "grants_for_task", "merge_grants",
           "name_ref", "policy_for_definition", "queue_arn", "statement", "statements_for_definition", "task_states"]
