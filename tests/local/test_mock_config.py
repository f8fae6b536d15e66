"""Mock files (Step Functions Local's MockConfigFile format) and the mock integration."""

from __future__ import annotations

import json

import pytest

from sagemaker_sfn.errors import UsageError
from sagemaker_sfn.local.clock import VirtualClock
from sagemaker_sfn.local.integrations.base import ResourceRef, TaskFailure, TaskRequest
from sagemaker_sfn.local.integrations.mock import MockCall, MockIntegration
from sagemaker_sfn.local.mock_config import Answer, MockedResponse, load_mock_config, parse_mock_config

GOOD = {
    "StateMachines": {"LambdaSQSIntegration": {"TestCases": {
        "HappyPath": {"LambdaState": "MockedLambdaSuccess"},
        "RetryPath": {"LambdaState": "MockedLambdaRetry"},
    }}},
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"body": "hi"}}}},
        "MockedLambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}},
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "timed out"}},
            "3": {"Return": {"StatusCode": 200}},
        },
    },
}


def with_responses(responses):
    return {"StateMachines": {"sm": {"TestCases": {"c": {}}}}, "MockedResponses": responses}


def problems_of(data) -> str:
    with pytest.raises(UsageError) as info:
        parse_mock_config(data, source="mocks.json")
    return str(info.value)


def test_parses_the_documented_example():
    config = parse_mock_config(GOOD, source="mocks.json")
    retry = config.responses["MockedLambdaRetry"]
    assert retry == MockedResponse("MockedLambdaRetry", (
        (0, 0, Answer(error="Lambda.ResourceNotReadyException", cause="not ready")),
        (1, 2, Answer(error="Lambda.TimeoutException", cause="timed out")),
        (3, 3, Answer(result={"StatusCode": 200})),
    ))
    assert [retry.answer(i).error for i in range(4)] == [
        "Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException", None]
    assert retry.answer(4) is None and retry.last_invocation == 3   # past the last response: no answer
    assert config.test_case(state_machine="LambdaSQSIntegration", test_case="RetryPath") == {"LambdaState": retry}


def test_load_from_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(GOOD))
    assert load_mock_config(path).state_machines == {"LambdaSQSIntegration": {
        "HappyPath": {"LambdaState": "MockedLambdaSuccess"}, "RetryPath": {"LambdaState": "MockedLambdaRetry"}}}


def test_fails_unreadable_or_invalid_json(tmp_path):
    with pytest.raises(UsageError, match=r"nope.json: no such file$"):
        load_mock_config(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"StateMachines": ')
    with pytest.raises(UsageError, match=r"bad.json: not valid JSON: Expecting value at line 1 column 19"):
        load_mock_config(bad)


def test_fails_unknown_test_case_listing_known_ones():
    config = parse_mock_config(GOOD, source="mocks.json")
    with pytest.raises(UsageError) as info:
        config.test_case(state_machine="LambdaSQSIntegration", test_case="Sad")
    assert str(info.value) == ("mocks.json: no test case 'Sad' for state machine 'LambdaSQSIntegration' "
                               "(known test cases: HappyPath, RetryPath)")
    with pytest.raises(UsageError) as info:
        config.test_case(state_machine="other", test_case="HappyPath")
    assert str(info.value) == ("mocks.json: no state machine 'other' under StateMachines (known: LambdaSQSIntegration); "
                               "use --state-machine-name to pick another")


def test_fails_gap_in_ranges():
    assert problems_of(with_responses({"R": {"0": {"Return": 1}, "3": {"Return": 2}}})) == (
        "mocks.json: invalid mock config (1 problem):\n"
        "  $.MockedResponses.R: invocation(s) 1-2 have no response; keys must be consecutive from 0 (next key is \"3\")")


def test_fails_ranges_not_starting_at_zero_and_overlapping():
    assert problems_of(with_responses({"R": {"1": {"Return": 1}}, "S": {"0-2": {"Return": 1}, "2": {"Return": 2}}})) == (
        "mocks.json: invalid mock config (2 problems):\n"
        "  $.MockedResponses.R: invocation(s) 0 have no response; keys must be consecutive from 0 (next key is \"1\")\n"
        "  $.MockedResponses.S: \"2\" overlaps an earlier key (invocation 2 is answered twice)")


def test_fails_wrong_shapes_report_every_location():
    data = {
        "StateMachines": {"sm": {"TestCases": {"c": {"A": "Missing", "B": 3}}}, "sm2": {}},
        "MockedResponses": {
            "bad key": {"x": {"Return": 1}},
            "R": {"0": {"Return": 1, "Throw": {"Error": "E"}}, "1": {"Throw": {"Cause": "c"}}, "2": []},
            "E": {},
            "Backwards": {"2-1": {"Return": 1}},
        },
        "Extra": 1,
    }
    assert problems_of(data).splitlines() == [
        "mocks.json: invalid mock config (10 problems):",
        '  $.Extra: unknown field (expected "StateMachines" and "MockedResponses")',
        '  $.MockedResponses["bad key"].x: invalid invocation key "x": expected a number ("0") or a range ("1-2")',
        '  $.MockedResponses.R["0"]: expected exactly one of "Return" or "Throw", found "Return", "Throw"',
        '  $.MockedResponses.R["1"].Throw.Error: expected a non-empty string (the error name Retry/Catch match), found nothing',
        '  $.MockedResponses.R["2"]: expected an object with "Return" or "Throw", found array',
        '  $.MockedResponses.E: expected a non-empty object of invocation ranges ("0", "1-2", ...), found an empty object',
        '  $.MockedResponses.Backwards["2-1"]: range "2-1" ends before it starts',
        '  $.StateMachines.sm.TestCases.c.A: no mocked response named "Missing" under MockedResponses '
        '(known: Backwards, E, R, bad key)',
        "  $.StateMachines.sm.TestCases.c.B: expected the name of a mocked response, found number",
        "  $.StateMachines.sm2.TestCases: expected an object of test cases, found nothing",
    ]


def test_fails_top_level_not_an_object():
    assert problems_of([]) == ('mocks.json: invalid mock config:\n  $: expected an object with "StateMachines" '
                               'and "MockedResponses", found array')
    assert problems_of({}) == ("mocks.json: invalid mock config (2 problems):\n"
                               "  $.MockedResponses: expected an object of named responses, found nothing\n"
                               "  $.StateMachines: expected an object of state machines, found nothing")


def request(state: str, params=None) -> TaskRequest:
    ref = ResourceRef.parse("arn:aws:states:::lambda:invoke")
    return TaskRequest(ref=ref, parameters=params or {}, state_name=state, execution_name="e",
                       execution_arn="arn:e", state_machine_name="sm", context={})


def test_mock_integration_consumes_responses_per_state():
    config = parse_mock_config(GOOD, source="mocks.json")
    mock = MockIntegration(config.test_case(state_machine="LambdaSQSIntegration", test_case="RetryPath"),
                           test_case="RetryPath", source="mocks.json")
    clock = VirtualClock()
    errors = []
    for _ in range(3):
        with pytest.raises(TaskFailure) as info:
            mock.invoke(request("LambdaState", {"n": 1}), clock)
        errors.append((info.value.error, info.value.cause))
    result = mock.invoke(request("LambdaState"), clock)
    result["StatusCode"] = 500  # must not leak into the next answer
    assert errors == [("Lambda.ResourceNotReadyException", "not ready"), ("Lambda.TimeoutException", "timed out"),
                      ("Lambda.TimeoutException", "timed out")]
    # Step Functions Local: "you must specify a mocked response for every invocation ... the state
    # machine execution will fail" (sfn-local-mock-cfg-file.html): a fifth call fails with States.Runtime.
    with pytest.raises(TaskFailure) as info:
        mock.invoke(request("LambdaState"), clock)
    assert (info.value.error, info.value.cause) == (
        "States.Runtime", "Task state 'LambdaState' was invoked 5 times, but mocked response 'MockedLambdaRetry' of "
                          "test case 'RetryPath' answers invocations 0-3 only")
    assert mock.invocations("LambdaState") == 5
    assert mock.calls[0] == MockCall("LambdaState", 0, "arn:aws:states:::lambda:invoke", {"n": 1},
                                     "Lambda.ResourceNotReadyException")


def test_mock_integration_fails_unmocked_state_by_name():
    config = parse_mock_config(GOOD, source="mocks.json")
    mock = MockIntegration(config.test_case(state_machine="LambdaSQSIntegration", test_case="HappyPath"),
                           test_case="HappyPath", source="mocks.json")
    with pytest.raises(TaskFailure) as info:
        mock.invoke(request("SQSState"), VirtualClock())
    assert (info.value.error, info.value.cause) == (
        "States.Runtime", "Task state 'SQSState' (arn:aws:states:::lambda:invoke) has no mocked response in test case "
                          "'HappyPath' of mocks.json (mocked states: LambdaState) and this run has no local integration to "
                              "answer it")


def test_fails_near_miss_test_case_with_a_suggestion():
    config = parse_mock_config(GOOD, source="mocks.json")
    with pytest.raises(UsageError) as info:
        config.test_case(state_machine="LambdaSQSIntegration", test_case="happypath")
    assert str(info.value) == ("mocks.json: no test case 'happypath' for state machine 'LambdaSQSIntegration' "
                               "(known test cases: HappyPath, RetryPath); did you mean 'HappyPath'?")
    with pytest.raises(UsageError) as info:
        config.test_case(state_machine="LambdaSQSIntegraton", test_case="HappyPath")
    assert str(info.value).endswith("(known: LambdaSQSIntegration); did you mean 'LambdaSQSIntegration'?; "
                                    "use --state-machine-name to pick another")


def test_mock_integration_hands_unmocked_states_to_its_fallback():
    """Step Functions Local's HybridPath: a state the test case does not mock calls the service."""
    from sagemaker_sfn.local.integrations.mock import unmocked_task_states

    class Echo:
        def invoke(self, req, clock):
            return {"answered": req.state_name}

    config = parse_mock_config(GOOD, source="mocks.json")
    responses = config.test_case(state_machine="LambdaSQSIntegration", test_case="HappyPath")
    mock = MockIntegration(responses, test_case="HappyPath", source="mocks.json", fallback=Echo())
    assert mock.invoke(request("SQSState"), VirtualClock()) == {"answered": "SQSState"}
    assert mock.invoke(request("LambdaState"), VirtualClock()) == {"StatusCode": 200, "Payload": {"body": "hi"}}
    definition = {"StartAt": "LambdaState", "States": {
        "LambdaState": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "P"},
        "P": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "SQSState", "States": {
            "SQSState": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}}}]}}}
    assert unmocked_task_states(definition, responses) == ["SQSState"]


def test_lambda_whose_module_cannot_be_imported_fails_as_aws_lambda_says(tmp_path):
    from sagemaker_sfn.local.integrations.lambda_ import LambdaIntegration

    (tmp_path / "lambdas" / "broken").mkdir(parents=True)
    (tmp_path / "lambdas" / "broken" / "handler.py").write_text("import no_such_module_here\n")
    lambda_ = LambdaIntegration(project_root=tmp_path, log_dir=tmp_path / "logs")
    try:
        with pytest.raises(TaskFailure) as info:
            lambda_.call("broken", {})
    finally:
        lambda_.close()
    payload = json.loads(info.value.cause)
    assert (info.value.error, payload["errorType"], payload["errorMessage"], payload["stackTrace"]) == (
        "Runtime.ImportModuleError", "Runtime.ImportModuleError",
        "Unable to import module 'handler': No module named 'no_such_module_here'", [])


def test_fails_binary_or_non_utf8_mock_files_naming_them(tmp_path):
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\x00\x01{}")
    with pytest.raises(UsageError, match=r"bin.json: is a binary file, expected a Step Functions Local mock config"):
        load_mock_config(binary)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"StateMachines": "\xe9"}')
    with pytest.raises(UsageError, match=r"latin.json: is not UTF-8 text: byte 0xe9 at line 1"):
        load_mock_config(latin)
