"""Every runtime error the local interpreter raises: AWS's Error name and Cause text, in ONE table.

Each :class:`Message` holds the error name, the cause as a ``str.format`` template and where the
wording comes from, so the wording lives here and nowhere else; ``docs/errors.md`` is generated
from this table (``python -m sagemaker_sfn.local.interpreter.messages > docs/errors.md``) and a test
checks the two agree and that each entry is produced by a run.

``state_prefix``: AWS prefixes the cause of an error raised while evaluating a state's fields with
``An error occurred while executing the state '<name>' (entered at the event id #<id>). `` (every
AWS-recorded case in ../shared/conformance does); the interpreter adds it (``states._as_failure``).
``location``: the field an ``EvaluationFailed`` event names (JSONata errors only).

Sources, in order of authority: ``AWS-recorded`` (an execution recorded on AWS, in
``../shared/conformance/executions``, named by its test id), ``AWS docs`` (the Step Functions
developer guide page), ``LocalStack`` (its interpreter, whose messages are checked against AWS
snapshots), ``local`` (no AWS source exists: a local-runner condition, or AWS's wording is unknown;
the text says so).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from sagemaker_sfn.local.interpreter.errors import StatesError

RECORDED = "AWS-recorded: ../shared/conformance/executions/"
STATE_PREFIX = "An error occurred while executing the state '{state}' (entered at the event id #{entered_id}). "


@dataclass(frozen=True)
class Message:
    key: str
    error: str
    cause: str                  # str.format template; "" for no cause
    source: str
    state_prefix: bool = True   # the interpreter prefixes the state (see module doc)
    location: str | None = None  # EvaluationFailed's location; "{field}" takes the field

    def fields(self) -> list[str]:
        return sorted({name for _, name, _, _ in string.Formatter().parse(self.cause) if name})


_M = Message
MESSAGES: dict[str, Message] = {m.key: m for m in (
    # -- JSONPath: paths and payload templates --------------------------------------------------
    _M("path_no_results", "States.Runtime", "Invalid path '{path}' : No results for path: {canonical}",
       RECORDED + "v2_scenarios_test_base_scenarios.py_TestBaseScenarios_test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH]"),
    _M("field_path_not_found", "States.Runtime",
       "The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{input}'",
       RECORDED + "v2_scenarios_test_base_scenarios.py_TestBaseScenarios_test_invalid_jsonpath[INVALID_JSONPATH_IN_ERRORPATH]"),
    _M("intrinsic_path_not_found", "States.Runtime",
       "The JSONPath '{path}' could not be found in the input '{input}'",
       "local: a path argument of an intrinsic function matching nothing; no AWS recording of this case"),
    _M("path_invalid", "States.Runtime", "Invalid path '{path}': {detail}",
       "local: a malformed path (AWS refuses it at CreateStateMachine)"),
    _M("result_path_invalid", "States.Runtime", "Invalid ResultPath '{path}'",
       "local: a malformed ResultPath (AWS refuses it at CreateStateMachine)"),
    _M("result_path_match_failure", "States.ResultPathMatchFailure",
       "Unable to apply ResultPath \"{path}\" to input {input}",
       "AWS docs (error-handling.html: States.ResultPathMatchFailure); cause text: local, no AWS recording"),
    # -- Wait --------------------------------------------------------------------------------------
    _M("seconds_path_not_long", "States.Runtime",
       "The SecondsPath parameter cannot be parsed as a long value: {path} == {value}",
       RECORDED + "v2_base_test_wait.py_TestSfnWait_test_base_wait_seconds_path[1.5]"),
    _M("seconds_path_negative", "States.Runtime",
       "The SecondsPath parameter references a negative value: {path} == {value}",
       RECORDED + "v2_base_test_wait.py_TestSfnWait_test_base_wait_seconds_path[-1]"),
    _M("timestamp_path_invalid", "States.Runtime",
       "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format "
       "string: {path} == {value}", RECORDED + "v2_scenarios_test_base_scenarios.py_TestBaseScenarios_test_wait_timestamp_path[INVALID_DATE]"),
    _M("jsonata_seconds_invalid", "States.QueryEvaluationError",
       "The Seconds field cannot be parsed as a positive integer: {value}",
       "local: modelled on the recorded Timestamp wording; no AWS recording", location="Seconds"),
    _M("jsonata_timestamp_invalid", "States.QueryEvaluationError",
       "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {value}",
       RECORDED + "v2_scenarios_test_base_scenarios.py_TestBaseScenarios_test_wait_timestamp_jsonata[INVALID_DATE]", location="Timestamp"),
    # -- Choice / Fail -----------------------------------------------------------------------------
    _M("no_choice_matched", "States.NoChoiceMatched", "No Matches!",
       "LocalStack (state_choice); AWS docs name the error (error-handling.html)", state_prefix=False),
    _M("jsonata_condition_not_boolean", "States.QueryEvaluationError",
       "The JSONata expression '{expression}' specified for the field 'Condition' returned an unexpected result "
       "type. Expected 'boolean', but was '{type}' for value: {value}",
       "local: the recorded Items wording (test_map_state_items_eval_jsonata_fail[boolean]) applied to Condition; no AWS recording", location="Condition"),
    # -- Map ---------------------------------------------------------------------------------------
    _M("jsonata_items_not_array", "States.QueryEvaluationError",
       "The JSONata expression '{expression}' specified for the field 'Items' returned an unexpected result type. "
       "Expected 'array', but was '{type}' for value: {value}",
       RECORDED + "v2_scenarios_test_base_scenarios.py_TestBaseScenarios_test_map_state_items_eval_jsonata_fail[boolean]", location="Items"),
    _M("items_path_not_array", "States.Runtime",
       "Invalid path '{path}' : The value at the path is not an array: {value}",
       "local: no AWS recording of an ItemsPath whose value is not an array"),
    _M("jsonata_map_input_not_array", "States.QueryEvaluationError",
       "The JSONata expression '$states.input' specified for the field 'Items' returned an unexpected result type. "
       "Expected 'array', but was '{type}' for value: {value}",
       "local: a JSONata Map without Items iterates its input (AWS docs, state-map.html); worded as the recorded "
       "Items case, no AWS recording", location="Items"),
    _M("item_reader_unsupported", "States.Runtime",
       "ItemReader (reading items from S3) is not supported by the local runner; pass the items in the state "
       "input (ItemsPath / Items) instead", "local: a limitation of the local runner"),
    _M("number_path_invalid", "States.Runtime",
       "The {name}Path field refers to value \"{value}\" which is not a valid {kind}: {path}",
       RECORDED + "v2_scenarios_test_base_scenarios.py_TestBaseScenarios_test_max_concurrency_path[NoNumber]"),
    _M("tolerated_count_negative", "States.Runtime", "ToleratedFailureCount cannot be negative.",
       RECORDED + "v2_scenarios_test_base_scenarios.py_TestBaseScenarios_test_map_state_tolerated_failure_count_path[-1]"),
    _M("tolerated_percentage_range", "States.Runtime", "ToleratedFailurePercentage must be between 0 and 100.",
       RECORDED + "v2_scenarios_test_base_scenarios.py_TestBaseScenarios_test_map_state_tolerated_failure_percentage_path[-1]"),
    _M("tolerated_threshold_exceeded", "States.ExceedToleratedFailureThreshold",
       "The specified tolerated failure threshold was exceeded",
       "LocalStack (test_state mock of a distributed Map), AWS docs name the error (state-map-distributed.html)",
       state_prefix=False),
    # -- Task --------------------------------------------------------------------------------------
    _M("task_seconds_path_invalid", "States.Runtime",
       "The {name}Path field refers to value \"{value}\" which is not a valid positive integer: {path}",
       "local: the recorded MaxConcurrencyPath wording for TimeoutSecondsPath / HeartbeatSecondsPath"),
    _M("task_resource_unrecognised", "States.Runtime", "unrecognised Task Resource '{resource}'",
       "local: AWS refuses an unknown Resource at CreateStateMachine"),
    _M("task_no_integration", "States.Runtime",
       "No integration answers Task state '{state_name}' ({resource}) in this run",
       "local: a run given no integration"),
    _M("task_integration_crashed", "States.TaskFailed", "{detail}",
       "local: an unexpected error inside a local integration, surfaced so Retry / Catch see it",
       state_prefix=False),
    _M("task_timeout", "States.Timeout", "",
       "AWS docs (error-handling.html: States.Timeout; TaskTimedOut has no cause)", state_prefix=False),
    _M("task_heartbeat_timeout", "States.HeartbeatTimeout", "",
       "AWS docs (error-handling.html: States.HeartbeatTimeout)", state_prefix=False),
    _M("mock_unmocked_state", "States.Runtime",
       "Task state '{state_name}' ({resource}) has no mocked response in test case '{test_case}' of {source} "
       "(mocked states: {mocked}) and this run has no local integration to answer it",
       "local: Step Functions Local calls the service for an unmocked state (sfn-local-mock-cfg-file.html); a run "
       "without local integrations cannot", state_prefix=False),
    _M("mock_responses_exhausted", "States.Runtime",
       "Task state '{state_name}' was invoked {count} times, but mocked response '{response}' of test case "
       "'{test_case}' answers invocations 0-{last} only",
       "AWS docs (sfn-local-mock-cfg-file.html: 'you must specify a mocked response for every invocation ... "
       "If you do not specify a mocked response, the state machine execution will fail'); cause text: local",
       state_prefix=False),
    # -- payload size, history quota ---------------------------------------------------------------
    _M("data_limit_exceeded", "States.DataLimitExceeded",
       "The state/task '{state_name}' returned a result with a size exceeding the maximum number of bytes "
       "service limit.", "LocalStack (payload quota tests); AWS docs name the error and the 256 KiB quota",
       state_prefix=False),
    _M("history_limit", "States.Runtime",
       "The execution reached the maximum number of events in its history ({limit}); a loop that never exits?",
       "local: AWS docs give the 25,000-event quota (service-quotas.html); AWS's cause text is not recorded",
       state_prefix=False),
    # -- definitions the validator refuses (AWS refuses them at CreateStateMachine) ----------------
    _M("program_invalid", "States.Runtime",
       "invalid definition: a state machine (and each branch or item processor) needs StartAt and States",
       "local: AWS refuses it at CreateStateMachine", state_prefix=False),
    _M("state_not_defined", "States.Runtime", "State '{state_name}' is not defined in the state machine",
       "local: AWS refuses it at CreateStateMachine", state_prefix=False),
    _M("state_type_unsupported", "States.Runtime", "State '{state_name}' has unsupported Type '{kind}'",
       "local: AWS refuses it at CreateStateMachine", state_prefix=False),
    _M("state_definition_invalid", "States.Runtime", "invalid {kind} state definition: {detail}",
       "local: AWS refuses it at CreateStateMachine"),
    _M("branch_crashed", "States.Runtime", "{detail}",
       "local: an unexpected error in a branch or iteration", state_prefix=False),
    # -- JSONata -----------------------------------------------------------------------------------
    _M("jsonata_undefined", "States.QueryEvaluationError",
       "The JSONata expression '{expression}' specified for the field '{field}' returned nothing (undefined).",
       RECORDED + "v2_assign_test_assign_reference_variables.py_TestAssignReferenceVariables_test_undefined_reference[BASE_UNDEFINED_OUTPUT]", location="{field}"),
    _M("jsonata_unsupported_result", "States.QueryEvaluationError",
       "The JSONata expression '{expression}' specified for the field '{field}' returned an unsupported result type.",
       RECORDED + "v2_scenarios_test_base_scenarios.py_TestBaseScenarios_test_map_state_items_eval_jsonata_fail[function]", location="{field}"),
    _M("jsonata_parse_error", "States.QueryEvaluationError",
       "The JSONata expression '{expression}' specified for the field '{field}' could not be parsed: {detail}",
       "local: AWS refuses an unparsable expression at CreateStateMachine", location="{field}"),
    _M("jsonata_evaluation_error", "States.QueryEvaluationError",
       "The JSONata expression '{expression}' specified for the field '{field}' threw an error during "
       "evaluation. {detail}",
       "local: the recorded field wording with the JSONata error's message (jsonata.org errors catalogue); "
       "no AWS recording", location="{field}"),
    _M("jsonata_hash_algorithm", "States.QueryEvaluationError", "Unsupported hash algorithm '{algorithm}'",
       "local: AWS docs list the algorithms (transforming-data.html: $hash); no AWS recording"),
    # -- intrinsic functions -----------------------------------------------------------------------
    _M("intrinsic_invalid_call", "States.Runtime", "Invalid intrinsic function call: {detail}",
       "local: AWS refuses a malformed call at CreateStateMachine"),
    _M("intrinsic_invalid_arguments", "States.IntrinsicFailure", "Invalid arguments in {function}: {detail}",
       "AWS docs name the error (error-handling.html: States.IntrinsicFailure); cause text: local, no AWS recording"),
)}


def states_error(key: str, **values: object) -> StatesError:
    """The error for table entry ``key`` with its cause filled from ``values`` (KeyError if unknown)."""
    message = MESSAGES[key]
    cause = message.cause.format(**values) if message.cause else None
    location = message.location.format(**values) if message.location else None
    if not message.state_prefix:
        from sagemaker_sfn.local.interpreter.engine import Failure  # final wording: no state prefix
        return Failure(message.error, cause)
    return StatesError(message.error, cause, location=location)


def inventory_markdown() -> str:
    """docs/errors.md: the table as a reader sees it."""
    lines = ["# Runtime errors of the local runner", "",
             "Generated from `sagemaker_sfn/local/interpreter/messages.py` (the one place the wording lives):",
             "`python -m sagemaker_sfn.local.interpreter.messages > docs/errors.md`. A test checks this file",
             "against the table and runs a definition producing each entry.", "",
             "Where `prefix` is yes, the cause starts with `" + STATE_PREFIX.strip() + "` (as in every",
             "AWS-recorded case). `{name}` marks a value filled in at run time. Sources: *AWS-recorded* (an",
             "execution recorded on AWS in `../shared/conformance/executions`), *AWS docs* (the Step Functions",
             "developer guide), *LocalStack* (its interpreter, checked against AWS snapshots), *local* (no",
             "AWS source exists: a local-runner condition, or AWS's wording is unknown).", "",
             "| key | Error | Cause | prefix | source |", "|---|---|---|---|---|"]
    for message in MESSAGES.values():
        cause = message.cause.replace("|", "\\|") or "(none)"
        lines.append(f"| `{message.key}` | `{message.error}` | {cause} | {'yes' if message.state_prefix else 'no'} "
                     f"| {message.source.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates docs/errors.md
    print(inventory_markdown(), end="")
