"""Lambda, SNS, SQS request fields, task tokens, SageMaker resilience warnings, definition size."""

from validate_helpers import ROLE, found, machine, training_task

from sagemaker_sfn.validate import validate_definition


def test_valid_integrations() -> None:
    definition = machine({
        "L": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "${GenerateDatasetFunctionArn}", "Payload.$": "$"}, "Next": "N"},
        "N": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
              "Parameters": {"TopicArn": "${FailureTopicArn}", "Message.$": "$.Payload.message"}, "Next": "Q"},
        "Q": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "HeartbeatSeconds": 600,
              "Parameters": {"QueueUrl": "${CallbackQueueUrl}", "MessageBody": {"token.$": "$$.Task.Token"}},
              "End": True},
    })
    assert found(definition) == []


def test_fails_lambda_sns_sqs_fields() -> None:
    definition = machine({
        "L": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"Function": "f"},
              "Next": "N"},
        "N": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Parameters": {"Message": "m"}, "Next": "Q"},
        "Q": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True},
    })
    assert found(definition, "task-integrations") == [
        ("error", "$.States.L.Parameters.Function", "unknown field 'Function' for lambda:invoke: expected one of "
                  "FunctionName, InvocationType, LogType, ClientContext, DurableExecutionName, Payload, Qualifier, "
                  "TenantId"),
        ("error", "$.States.L.Parameters", "missing required field 'FunctionName' for lambda:invoke"),
        ("error", "$.States.N.Parameters", "sns:publish needs a destination: expected TopicArn, TargetArn or "
                                           "PhoneNumber"),
        ("error", "$.States.Q", "sqs:sendMessage needs Parameters with QueueUrl, MessageBody: no Parameters is set"),
    ]


def test_fails_wait_for_task_token_without_token() -> None:
    definition = machine({"Q": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                "Parameters": {"QueueUrl": "${CallbackQueueUrl}", "MessageBody": {"a.$": "$"}},
                                "End": True}})
    assert found(definition, "task-token") == [
        ("error", "$.States.Q.Parameters", "a .waitForTaskToken task whose Parameters never pass the task token waits "
                                           "forever: expected \"TaskToken.$\": \"$$.Task.Token\" in the request"),
        ("warning", "$.States.Q", "no TimeoutSeconds or HeartbeatSeconds on a .waitForTaskToken task: a lost "
                                  "callback leaves the execution waiting up to a year"),
    ]


def test_warns_sagemaker_task_without_retry_or_catch() -> None:
    state = training_task()
    del state["Retry"], state["Catch"]
    assert found(machine({"Train": state}), "sagemaker-resilience") == [
        ("warning", "$.States.Train", "SageMaker job createTrainingJob.sync has no Retry: expected retriers for "
                    "SageMaker.AmazonSageMakerException, SageMaker.ResourceLimitExceededException and throttling"),
        ("warning", "$.States.Train", "SageMaker job createTrainingJob.sync has no Catch: expected a States.ALL catcher "
                    "that leads to a failure path"),
    ]


def test_request_response_sagemaker_calls_are_not_warned_about() -> None:
    # createModel answers at once and costs nothing: no Retry/Catch warning (issue 11 item 4: most
    # warnings on 22 real-world SageMaker state machines were these).
    definition = machine({
        "Model": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModel", "Next": "Describe",
                  "Parameters": {"ModelName": "m", "ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": "i"}}},
        "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeModel",
                     "Parameters": {"ModelName": "m"}, "End": True}})
    assert found(definition, "sagemaker-resilience") == []


def test_enclosing_catch_covers_tasks_in_branches() -> None:
    inner = training_task()
    del inner["Catch"]
    parallel = {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "Train", "States": {"Train": inner}}]}
    assert found(machine({"P": parallel}), "sagemaker-resilience") == [
        ("warning", "$.States.P.Branches[0].States.Train", "SageMaker job createTrainingJob.sync has no Catch: expected a "
                    "States.ALL catcher that leads to a failure path")]
    parallel["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]
    assert found(machine({"P": parallel}), "sagemaker-resilience") == []


def test_fails_definition_over_size_limit() -> None:
    definition = machine({"P": {"Type": "Pass", "Result": "x" * 1_048_576, "End": True}})
    findings = validate_definition(definition)
    assert [(f.severity, f.location, f.message, f.rule) for f in findings] == [
        ("error", "$", "the definition is 1,048,645 characters: expected at most 1,048,576 (split it into nested "
                       "state machines)", "definition-size")]
    assert validate_definition(definition, source="{}") == []
