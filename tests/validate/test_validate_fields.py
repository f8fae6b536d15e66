"""Fields required and forbidden per state type, JSONPath and JSONata."""

from validate_helpers import found, machine


def test_every_state_type_valid_in_jsonpath() -> None:
    definition = machine({
        "P": {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 1, "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
            "ResultPath": "$.mapped", "Next": "Par"},
        "Par": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}],
                "ResultPath": "$.branches", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericGreaterThan": 1, "Next": "Failed"}],
              "Default": "S"},
        "S": {"Type": "Succeed"},
    })
    assert found(definition) == []


def test_every_state_type_valid_in_jsonata() -> None:
    definition = machine({
        "P": {"Type": "Pass", "Output": "{% $states.input %}", "Assign": {"n": 1}, "Next": "W"},
        "W": {"Type": "Wait", "Seconds": "{% $n %}", "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": "{% 30 %}",
              "Arguments": {"FunctionName": "${GenerateDatasetFunctionArn}", "Payload": "{% $states.input %}"},
              "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $states.input.Payload.items %}", "ItemProcessor": {
            "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $n > 1 %}", "Next": "Failed"}], "Default": "S"},
        "S": {"Type": "Succeed", "Output": {"done": True}},
    }, QueryLanguage="JSONata")
    definition["States"]["Failed"] = {"Type": "Fail", "Error": "{% 'E' %}", "Cause": "c"}
    assert found(definition) == []


def test_fails_unknown_type_and_missing_type() -> None:
    definition = machine({"A": {"Type": "Job", "End": True}, "B": {"End": True}})
    definition["States"]["A"] = {"Type": "Job", "Next": "B"}
    assert found(definition, "state-fields") == [
        ("error", "$.States.A.Type", "Type is \"Job\": expected one of Pass, Task, Choice, Wait, Succeed, Fail, "
                                     "Parallel, Map"),
        ("error", "$.States.B.Type", "Type is missing: expected one of Pass, Task, Choice, Wait, Succeed, Fail, "
                                     "Parallel, Map"),
    ]


def test_fails_next_and_end_rules() -> None:
    definition = machine({
        "A": {"Type": "Pass", "Next": "B", "End": True},
        "B": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Pass", "End": False, "Next": "D"},
        "D": {"Type": "Pass"},
    })
    assert found(definition, "state-fields") == [
        ("error", "$.States.A", "both Next and End are set: expected exactly one of them"),
        ("error", "$.States.C.End", "End is false: expected true (or remove it and set Next)"),
        ("error", "$.States.C", "both Next and End are set: expected exactly one of them"),
        ("error", "$.States.D", "a Pass state needs Next or \"End\": true: neither is set"),
    ]


def test_fails_jsonpath_field_in_jsonata_state_and_back() -> None:
    definition = machine({
        "A": {"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "f"}, "ResultPath": "$.r", "Next": "B"},
        "B": {"Type": "Pass", "Output": {"x": 1}, "End": True},
    })
    assert found(definition, "state-fields") == [
        ("error", "$.States.A.Parameters", "'Parameters' is not allowed in a JSONata state: use Arguments"),
        ("error", "$.States.A.ResultPath", "'ResultPath' is not allowed in a JSONata state: use Output or Assign"),
        ("error", "$.States.B.Output", "'Output' is only allowed in a JSONata state: use OutputPath or "
                                       "ResultSelector or set \"QueryLanguage\": \"JSONata\""),
    ]


def test_fails_task_required_and_timeouts() -> None:
    definition = machine({"T": {"Type": "Task", "TimeoutSeconds": 10, "HeartbeatSeconds": 10,
                                "TimeoutSecondsPath": "$.t", "End": True},
                          "U": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                                "TimeoutSeconds": 1.5, "End": True}})
    definition["States"]["T"]["Next"] = "U"
    del definition["States"]["T"]["End"]
    assert found(definition, "state-fields") == [
        ("error", "$.States.T.Resource", "Resource is missing: expected an ARN string"),
        ("error", "$.States.T", "both TimeoutSeconds and TimeoutSecondsPath are set: expected at most one"),
        ("error", "$.States.T.HeartbeatSeconds", "HeartbeatSeconds is 10: expected less than TimeoutSeconds (10)"),
        ("error", "$.States.U.TimeoutSeconds", "TimeoutSeconds is 1.5: expected an integer from 1 to 99999999"),
    ]


def test_fails_wait_choice_parallel_map_fail_requirements() -> None:
    definition = machine({
        "W": {"Type": "Wait", "Seconds": 1, "Timestamp": "yesterday", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [], "Default": "P"},
        "P": {"Type": "Parallel", "Branches": [], "Next": "M"},
        "M": {"Type": "Map", "ToleratedFailurePercentage": 150, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
            "Iterator": {"StartAt": "J", "States": {"J": {"Type": "Succeed"}}}, "Next": "F"},
        "F": {"Type": "Fail", "Error": 42, "Cause": "c", "CausePath": "$.c"},
    })
    assert found(definition, "state-fields") == [
        ("error", "$.States.W", "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath: "
                                "found Seconds, Timestamp"),
        ("error", "$.States.W.Timestamp", "Timestamp is \"yesterday\": expected an RFC 3339 timestamp such as "
                                          "\"2026-01-31T12:00:00Z\""),
        ("error", "$.States.C.Choices", "Choices is []: expected a non-empty array of choice rules"),
        ("error", "$.States.P.Branches", "Branches is []: expected a non-empty array of state machines"),
        ("error", "$.States.M", "a Map state needs exactly one of ItemProcessor or Iterator: found both"),
        ("error", "$.States.M.ItemProcessor.ProcessorConfig.ExecutionType", "ExecutionType is null: expected "
                  "\"STANDARD\" or \"EXPRESS\" for a DISTRIBUTED Map"),
        ("error", "$.States.M.ToleratedFailurePercentage", "ToleratedFailurePercentage is 150: expected a number "
                  "from 0 to 100"),
        ("error", "$.States.F.Error", "Error is integer 42: expected a string"),
        ("error", "$.States.F", "both Cause and CausePath are set: expected at most one"),
    ]


def test_fails_payload_template_not_object() -> None:
    definition = machine({"A": {"Type": "Parallel", "Parameters": "x", "End": True,
                                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]}})
    assert found(definition, "state-fields") == [
        ("error", "$.States.A.Parameters", "Parameters is string \"x\": expected an object")]


def test_pass_and_task_parameters_of_any_json_type_are_accepted() -> None:
    # The AWS maintainers of the States Language service: Pass and Task take Parameters of any JSON type.
    definition = machine({"A": {"Type": "Pass", "Parameters": "x", "Next": "B"},
                          "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                                "Parameters": [1, 2], "End": True}})
    assert found(definition, "state-fields") == []


def test_fails_nested_state_fields_located_inside_branch() -> None:
    definition = machine({"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "I", "States": {"I": {"Type": "Pass", "Default": "x", "End": True}}}}})
    assert found(definition, "state-fields") == [
        ("error", "$.States.M.ItemProcessor.States.I.Default", "'Default' is not a field of a Pass state: expected "
                  "only Assign, Comment, End, InputPath, Next, OutputPath, Parameters, QueryLanguage, Result, "
                  "ResultPath, Type")]


def test_fails_resource_that_is_not_an_arn_or_integration() -> None:
    definition = machine({
        "A": {"Type": "Task", "Resource": "my-function", "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.synk", "Next": "C"},
        "C": {"Type": "Task", "Resource": "${ProcessFunctionArn}", "Next": "D"},
        "D": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:approve", "End": True},
    })
    assert found(definition, "state-fields") == [
        ("error", "$.States.A.Resource", "Resource is \"my-function\": expected an ARN (arn:aws:states:::<service>:"
                                         "<action>, a Lambda function ARN or an activity ARN)"),
        ("error", "$.States.B.Resource", "Resource \"arn:aws:states:::sagemaker:createTrainingJob.synk\" is not a "
                  "service integration Step Functions knows: expected arn:aws:states:::<service>:<action> with an "
                  "optional .sync, .sync:2 or .waitForTaskToken suffix"),
    ]


def test_fails_jsonpath_state_in_jsonata_machine_and_bad_query_language() -> None:
    definition = machine({"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "Next": "B"},
                          "B": {"Type": "Pass", "QueryLanguage": "XPath", "End": True}}, QueryLanguage="JSONata")
    assert found(definition, "state-fields") == [
        ("error", "$.States.A.QueryLanguage", "a JSONPath state in a JSONata state machine: expected the top-level "
                  "QueryLanguage to be JSONPath (the default) when any state uses JSONPath"),
        ("error", "$.States.B.QueryLanguage", "QueryLanguage is \"XPath\": expected \"JSONPath\" or \"JSONata\""),
    ]


def test_fails_unknown_field_in_branch() -> None:
    definition = machine({"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}, "TimeoutSeconds": 5}]}})
    assert found(definition, "structure") == [
        ("error", "$.States.P.Branches[0].TimeoutSeconds", "unknown field 'TimeoutSeconds' in a nested state "
                  "machine: expected only Comment, ProcessorConfig, QueryLanguage, StartAt, States")]
