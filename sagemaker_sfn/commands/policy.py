"""``sagemaker-sfn policy``: the least-privilege IAM policy a state machine's role needs."""

from __future__ import annotations

import argparse

HELP = "print the least-privilege IAM policy a state machine's role needs"
DESCRIPTION = """\
Print the IAM policy document (JSON) that the state machine's execution role needs to run the
definition: one statement per kind of access, derived from the definition's Task states
(SageMaker jobs, models and endpoints, Lambda, SNS, SQS, S3), including those nested in Parallel
branches and Map iterators.

Job ARNs are narrowed to the job-name prefix when the name is static or built with
States.Format('<prefix>{}...'); ${Name} placeholders (e.g. ${SageMakerRoleArn}) are kept as they
are, for the deployer to fill. Region and account are '*' unless given.

Integrations covered: SageMaker jobs (.sync or not), models, endpoint configurations, endpoints
(with auto-rollback alarms), model packages and aws-sdk describe calls; Lambda; SNS; SQS; S3 and
DynamoDB item calls (optimized or aws-sdk); EMR clusters and steps; Distributed Map child executions
and their ItemReader/ResultWriter locations; Task Credentials. A Distributed Map starts executions
of the state machine itself, whose name is the file's or pipeline's unless --state-machine-name says
otherwise. --explain cites, for each statement, the AWS page or aws-cdk source it comes from.

The definition is validated first (as `sagemaker-sfn validate` does): a policy for a definition
that Step Functions would reject is never printed.

exit status:
  0  the policy was printed
  1  the definition does not validate: its errors are printed (stderr), no policy
  2  the file cannot be read, a usage error, or a Task whose integration has no IAM rule (the error
     names its place in the definition: never a policy silently missing a permission)

examples:
  sagemaker-sfn policy tune-xgboost
  sagemaker-sfn policy my-machine.asl.json --region eu-west-1 --account 123456789012
  sagemaker-sfn policy tune-xgboost --explain      why each statement is there
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("definition", metavar="FILE|PIPELINE",
                        help="an ASL JSON file, or a pipeline name (reads asl_templates/<name>.asl.json)")
    parser.add_argument("--partition", default="aws", help="ARN partition (default: aws)")
    parser.add_argument("--region", default="*", help="region in the ARNs (default: * = any region)")
    parser.add_argument("--account", default="*", help="account id in the ARNs (default: * = any account)")
    parser.add_argument("--role-arn", action="append", dest="role_arns", metavar="ARN",
                        help="a role iam:PassRole may hand to SageMaker when a request reads its role from "
                             "the execution input; repeatable (default: any role of the account)")
    parser.add_argument("--state-machine-name", metavar="NAME",
                        help="the deployed state machine's name, which a Distributed Map starts child executions "
                             "of (default: the file's or pipeline's name)")
    parser.add_argument("--explain", action="store_true",
                        help="print each statement with the reason it is needed and the states needing it, "
                             "instead of JSON")


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from sagemaker_sfn.iam import explain_policy, policy_for_definition
    from sagemaker_sfn.project import load_definition
    from sagemaker_sfn.validate import ERROR, validate_definition

    loaded = load_definition(args.definition)
    errors = [f for f in validate_definition(loaded.definition, source=loaded.path.read_text(encoding="utf-8"))
              if f.severity == ERROR]
    if errors:
        for finding in errors:
            print(f"{loaded.path}: error: {finding.location}: {finding.message}", file=sys.stderr)
        print(f"sagemaker-sfn policy: error: {loaded.path} does not validate ({len(errors)} "
              f"error{'s' if len(errors) != 1 else ''}): no policy printed", file=sys.stderr)
        return 1
    options = {"partition": args.partition, "region": args.region, "account": args.account,
               "role_arns": args.role_arns, "state_machine_name": args.state_machine_name or loaded.name}
    if args.explain:
        print(f"IAM policy for {loaded.name} ({loaded.path})\n")
        print(explain_policy(loaded.definition, **options), end="")
    else:
        print(json.dumps(policy_for_definition(loaded.definition, **options), indent=2))
    return 0
