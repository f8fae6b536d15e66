"""The least-privilege IAM policy a state machine's role needs, derived from its definition.

Every Task state is matched to one small function per integration (SageMaker job APIs, model and
endpoint APIs, Lambda, SNS, SQS, S3 through the AWS SDK integration). Each function returns
:class:`Grant` objects: actions, resources, and the reason they are needed. Grants with the same
actions (and condition) are merged into one statement; everything is sorted so the output is stable.

The permissions follow AWS's documented policies for Step Functions' SageMaker integration
(https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html) and aws-cdk's
``aws-stepfunctions-tasks`` SageMaker tasks:

- job APIs: Create (+ Describe/Stop for ``.sync``, which polls and stops the job) on
  ``<resource>/<name prefix>*``; the prefix is the static job name, or the literal text before the
  first ``{}`` of a ``States.Format``; ``*`` when the name comes from input.
- ``ListTags`` (Step Functions reads the created resource's tags) and ``AddTags`` (SageMaker
  requires it to create a resource *with* ``Tags``) on the same ARNs.
- ``iam:PassRole`` only on the role the request passes, only to ``sagemaker.amazonaws.com``.
- ``.sync`` jobs: ``events:PutTargets/PutRule/DescribeRule`` on the managed rule
  ``StepFunctionsGetEventsForSageMaker<Kind>JobsRule`` through which Step Functions learns the
  job ended.

Tasks with ``Credentials`` get ``sts:AssumeRole`` on the role they name. An integration without a
rule, or a distributed Map (whose child executions and S3 access need permissions this module does
not derive), raises :class:`DefinitionError` with the location: never a silently incomplete policy.

Resource ARNs are built from ``partition``/``region``/``account`` (``*`` for the generic CLI output;
the CDK construct passes its own tokens). ``${Name}`` deploy-time placeholders in the definition
(docs/CONVENTIONS.md) are copied into the policy unchanged, so the CDK substitutes them in the policy
exactly as in the definition. One extra name appears only in policies: ``${CallbackQueueArn}``
(:data:`POLICY_ONLY_PLACEHOLDERS`), because ``sqs:SendMessage`` is granted on the queue's ARN while
the definition holds its URL.

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
