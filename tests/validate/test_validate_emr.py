"""EMR integration calls checked against botocore's EMR model (connect-emr.html's rules)."""

from sagemaker_sfn.validate import validate_definition

STEP = {"Name": "s", "ActionOnFailure": "CONTINUE", "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["x"]}}


def _findings(resource: str, parameters: dict) -> list[tuple[str, str, str]]:
    definition = {"StartAt": "E", "States": {"E": {"Type": "Task", "Resource": resource, "Parameters": parameters,
                                                   "End": True}}}
    return [(f.rule, f.location, f.message) for f in validate_definition(definition) if f.severity == "error"]


def test_a_correct_add_step_is_clean() -> None:
    assert _findings("arn:aws:states:::elasticmapreduce:addStep.sync", {"ClusterId": "j-1", "Step": STEP}) == []


def test_step_config_is_checked_deeply_against_the_model() -> None:
    found = _findings("arn:aws:states:::elasticmapreduce:addStep.sync",
                      {"ClusterId": "j-1", "Step": {**STEP, "ActionOnFailure": "RETRY", "Jar": "x"}})
    rules = {rule for rule, _, _ in found}
    assert rules == {"emr-parameters"}
    locations = sorted(location for _, location, _ in found)
    assert locations == ["$.States.E.Parameters.Step.ActionOnFailure", "$.States.E.Parameters.Step.Jar"]


def test_add_step_needs_cluster_and_step_and_knows_its_fields() -> None:
    found = _findings("arn:aws:states:::elasticmapreduce:addStep.sync", {"JobFlowId": "j-1", "Steps": [STEP]})
    messages = [message for _, _, message in found]
    assert any("unknown field 'JobFlowId'" in m for m in messages)
    assert any("missing required field 'ClusterId'" in m for m in messages)
    assert any("missing required field 'Step'" in m for m in messages)


def test_create_cluster_rules_steps_and_keep_alive_and_runjobflow_shape() -> None:
    found = _findings("arn:aws:states:::elasticmapreduce:createCluster.sync",
                      {"Name": "c", "Instances": {"KeepJobFlowAliveWhenNoSteps": False}, "Steps": [STEP],
                       "ReleaseLable": "emr-6.15.0"})
    messages = " | ".join(message for _, _, message in found)
    assert "does not take Steps" in messages
    assert "KeepJobFlowAliveWhenNoSteps: true" in messages
    assert "unknown field 'ReleaseLable'" in messages


def test_sync_only_where_emr_supports_it_and_unknown_calls() -> None:
    assert any("does not support .sync" in m for _, _, m in
               _findings("arn:aws:states:::elasticmapreduce:cancelStep.sync", {"ClusterId": "j-1", "StepId": "s-1"}))
    assert any("not an optimized EMR integration" in m for _, _, m in
               _findings("arn:aws:states:::elasticmapreduce:runJobFlow", {}))
