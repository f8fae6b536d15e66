"""Pipeline files -> definitions: flow wiring, defaults, the failure path, and the public API."""

import json
import textwrap
from pathlib import Path

import pytest

from sagemaker_sfn.pipeline import Pipeline, build_pipeline, discover_pipelines, generate_all, load_pipeline

HASH = "States.Hash(States.Format('{}@{}', $$.Execution.Id, $$.State.EnteredTime), 'MD5')"
TAG = {"Key": "sfn:execution-arn", "Value.$": "$$.Execution.Id"}
SNS_RETRY = [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2.0,
              "MaxDelaySeconds": 10, "JitterStrategy": "FULL"}]


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / "pipelines").mkdir(exist_ok=True)
    path = tmp_path / "pipelines" / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def failure_path(step: str, pipeline: str = "small") -> dict[str, dict[str, object]]:
    message = (f"States.Format('Step {{}} of pipeline {{}} failed in execution {{}}: {{}}', '{step}', '{pipeline}', "
               "$$.Execution.Id, States.JsonToString($.error))")
    return {
        f"Notify failure: {step}": {
            "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "${FailureTopicArn}", "Message.$": message,
                           "Subject": f"sagemaker-sfn: {pipeline} failed at {step}"},
            "ResultPath": "$.notification", "Retry": SNS_RETRY,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.notification_error", "Next": f"Failed: {step}"}],
            "Next": f"Failed: {step}"},
        f"Failed: {step}": {
            "Type": "Fail", "Error": f"{pipeline}.StepFailed",
            "Cause": f"Step '{step}' failed; its error and cause were published to the failure topic and are in "
                     "this execution's history."},
    }


def test_small_pipeline_whole_definition(tmp_path: Path) -> None:
    path = write(tmp_path, "small", """\
        name: small
        description: A small pipeline.
        input: {Bucket: "${DataBucket}"}
        trigger: {s3_prefix: small/input/}
        timeout_seconds: 3600
        steps:
          - name: Notify
            type: lambda
            function: ${NotifyFunctionArn}
            retry: false
          - name: Model
            type: model
            request:
              ExecutionRoleArn: ${SageMakerRoleArn}
              PrimaryContainer: {Image: "${XGBoostImageUri}", ModelDataUrl.$: $.url}
            retry: [{ErrorEquals: [States.Timeout], MaxAttempts: 1}]
          - name: Pause
            type: wait
            seconds: 5
            end: true
        """)
    pipeline = load_pipeline(path)
    assert pipeline == Pipeline(
        name="small", description="A small pipeline.", example_input={"Bucket": "${DataBucket}"},
        trigger_prefix="small/input/",
        definition={
            "Comment": "A small pipeline.", "StartAt": "Notify", "TimeoutSeconds": 3600,
            "States": {
                "Notify": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           "Parameters": {"FunctionName": "${NotifyFunctionArn}", "Payload.$": "$"},
                           "ResultSelector": {"Payload.$": "$.Payload"}, "ResultPath": "$.Notify",
                           "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                      "Next": "Notify failure: Notify"}],
                           "Next": "Model"},
                "Model": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModel",
                          "Parameters": {"ExecutionRoleArn": "${SageMakerRoleArn}",
                                         "PrimaryContainer": {"Image": "${XGBoostImageUri}", "ModelDataUrl.$": "$.url"},
                                         "ModelName.$": f"States.Format('model-{{}}-{{}}', {HASH}, $$.State.RetryCount)",
                                         "Tags": [TAG]},
                          "ResultPath": "$.Model", "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}],
                          "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                     "Next": "Notify failure: Model"}],
                          "Next": "Pause"},
                "Pause": {"Type": "Wait", "Seconds": 5, "End": True},
                **failure_path("Notify"),
                **failure_path("Model"),
            }})
    assert pipeline.path == path


def test_flow_states_branches_and_jumps(tmp_path: Path) -> None:
    path = write(tmp_path, "flow", """\
        name: flow
        steps:
          - name: Start
            type: pass
            result: {n: 1}
            result_path: $.start
          - name: Route
            type: choice
            choices:
              - {Variable: $.start.n, NumericEquals: 1, Next: Both}
            default: Stop
          - name: Both
            type: parallel
            catch: false
            branches:
              - - {name: A, type: pass}
              - - {name: B, type: wait, seconds_path: $.delay}
                - {name: C, type: succeed}
          - name: Each
            type: map
            items_path: $.items
            max_concurrency: 2
            result_path: null
            catch: false
            steps:
              - {name: Ask, type: callback, message: {item.$: $}, timeout_seconds: 60}
            next: Done
          - name: Stop
            type: fail
            error: Stopped
            cause: n was not 1
          - name: Done
            type: succeed
        """)
    states = load_pipeline(path).definition["States"]
    assert states == {
        "Start": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.start", "Next": "Route"},
        "Route": {"Type": "Choice", "Choices": [{"Variable": "$.start.n", "NumericEquals": 1, "Next": "Both"}],
                  "Default": "Stop"},
        "Both": {"Type": "Parallel",
                 "Branches": [
                     {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                     {"StartAt": "B", "States": {"B": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "C"},
                                                 "C": {"Type": "Succeed"}}}],
                 "ResultPath": "$.Both", "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Ask", "States": {
                     "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                             "Parameters": {"QueueUrl": "${CallbackQueueUrl}",
                                            "MessageBody": {"item.$": "$", "TaskToken.$": "$$.Task.Token"}},
                             "ResultPath": "$.Ask", "TimeoutSeconds": 60, "End": True}}},
                 "ResultPath": None, "Next": "Done"},
        "Stop": {"Type": "Fail", "Error": "Stopped", "Cause": "n was not 1"},
        "Done": {"Type": "Succeed"},
    }


def test_shipped_pipelines_public_api() -> None:
    """The public API on the repository's own pipelines. The names are discovered, never listed: a
    user's pipeline added under pipelines/ must keep this green."""
    root = Path(__file__).resolve().parents[2]
    paths = discover_pipelines(root)
    assert paths and paths == sorted(paths) and all(p.suffix in {".yaml", ".yml"} for p in paths)
    loaded = {p.name: p for p in map(load_pipeline, paths)}
    assert sorted(loaded) == sorted(p.stem for p in paths)
    for name, pipeline in loaded.items():
        assert pipeline.path == root / "pipelines" / f"{name}{pipeline.path.suffix}"
        assert isinstance(pipeline.example_input, dict)
        assert pipeline.definition["StartAt"] in pipeline.definition["States"]
        if pipeline.trigger_prefix is not None:
            assert not pipeline.trigger_prefix.startswith("/")


def test_loaded_pipeline_carries_its_file_metadata(tmp_path: Path) -> None:
    write(tmp_path, "mine", "name: mine\ntrigger: {s3_prefix: mine/input/}\ninput: {Key: '${DataBucket}'}\n"
                            "steps: [{name: Done, type: succeed}]\n")
    [path] = discover_pipelines(tmp_path)
    pipeline = load_pipeline(path)
    assert (pipeline.name, pipeline.trigger_prefix, pipeline.example_input) == ("mine", "mine/input/",
                                                                                {"Key": "${DataBucket}"})


def test_generate_all_writes_then_check_finds_nothing(tmp_path: Path) -> None:
    write(tmp_path, "one", "name: one\nsteps: [{name: Done, type: succeed}]\n")
    target = tmp_path / "asl_templates" / "one.asl.json"
    assert generate_all(tmp_path, check=True) == [target] and not target.exists()
    assert generate_all(tmp_path) == [target]
    assert target.read_text() == json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}, indent=2) + "\n"
    assert generate_all(tmp_path, check=True) == []
    target.write_text("{}\n")
    assert generate_all(tmp_path, check=True) == [target]


def test_build_pipeline_from_a_parsed_document() -> None:
    pipeline = build_pipeline({"name": "p", "steps": [{"name": "S", "type": "succeed"}]}, file="<memory>")
    assert (pipeline.name, pipeline.description, pipeline.example_input, pipeline.trigger_prefix, pipeline.definition) == (
        "p", "", {}, None, {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}})


def test_discover_without_pipelines_dir(tmp_path: Path) -> None:
    assert discover_pipelines(tmp_path) == []


def test_broken_file_changes_nothing(tmp_path: Path) -> None:
    write(tmp_path, "good", "name: good\nsteps: [{name: Done, type: succeed}]\n")
    write(tmp_path, "zbad", "name: zbad\nsteps: [{name: Done, type: nope}]\n")
    with pytest.raises(Exception, match="unknown step type 'nope'"):
        generate_all(tmp_path)
    assert not (tmp_path / "asl_templates").exists()


def test_jobs_inside_a_map_get_random_names(tmp_path: Path) -> None:
    path = write(tmp_path, "fan", """\
        name: fan
        steps:
          - name: Each
            type: map
            items_path: $.models
            steps:
              - name: Both
                type: parallel
                branches:
                  - - {name: Model, type: model, request: {ModelName.$: $.name, ExecutionRoleArn: r}}
                  - - {name: Config, type: endpoint-config, request: {ProductionVariants: []}}
        """)
    each = load_pipeline(path).definition["States"]["Each"]
    both = each["ItemProcessor"]["States"]["Both"]
    assert "Catch" not in both and "Catch" in each
    assert both["Branches"][0]["States"]["Model"]["Parameters"]["ModelName.$"] == "$.name"
    assert both["Branches"][1]["States"]["Config"]["Parameters"]["EndpointConfigName.$"] == (
        "States.Format('config-{}', States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 4))")


ON_FAILURE_STOP = """\
    name: redrivable
    on_failure: stop
    steps:
      - name: Announce
        type: lambda
        function: ${AnnounceFunctionArn}
      - name: Process
        type: processing
        request:
          AppSpecification: {ImageUri: "${SKLearnImageUri}"}
          ProcessingResources: {ClusterConfig: {InstanceCount: 1, InstanceType: ml.m5.large, VolumeSizeInGB: 10}}
          RoleArn: ${SageMakerRoleArn}
      - name: Cleanup
        type: lambda
        function: ${CleanupFunctionArn}
        catch: [{ErrorEquals: [States.ALL], Next: Cleanup failed}]
      - name: Cleanup failed
        type: fail
        error: CleanupFailed
    """


def test_on_failure_stop_leaves_the_failure_in_the_step_for_redrive(tmp_path: Path) -> None:
    definition = load_pipeline(write(tmp_path, "redrivable", ON_FAILURE_STOP)).definition
    states = definition["States"]
    assert "Catch" not in states["Announce"] and "Catch" not in states["Process"]
    assert states["Cleanup"]["Catch"] == [{"ErrorEquals": ["States.ALL"], "Next": "Cleanup failed"}]   # its own
    assert not [name for name in states if name.startswith(("Notify failure: ", "Failed: "))]
    assert states["Process"]["Retry"]   # retries are unchanged: only the catch-all failure path goes


def test_on_failure_notify_is_the_default_and_anything_else_is_refused(tmp_path: Path) -> None:
    notify = load_pipeline(write(tmp_path, "redrivable", ON_FAILURE_STOP.replace("on_failure: stop", "on_failure: notify")))
    default = load_pipeline(write(tmp_path, "redrivable", ON_FAILURE_STOP.replace("    on_failure: stop\n", "")))
    assert notify.definition == default.definition
    assert default.definition["States"]["Process"]["Catch"][0]["Next"] == "Notify failure: Process"
    from sagemaker_sfn.errors import PipelineError

    with pytest.raises(PipelineError, match="expected one of notify, stop") as raised:
        load_pipeline(write(tmp_path, "redrivable", ON_FAILURE_STOP.replace("on_failure: stop", "on_failure: retry")))
    assert "on_failure" in str(raised.value)
