"""SageMaker Parameters against the botocore service model."""

from validate_helpers import found, machine, training_parameters, training_task

RULES = ("sagemaker-parameters", "sagemaker-integration")


def test_complete_training_task_is_clean() -> None:
    assert found(machine({"Train": training_task()})) == []


def test_fails_enum_type_range_and_unknown_field() -> None:
    params = training_parameters()
    params["ResourceConfig"] = {"InstanceType": "ml.m9.huge", "InstanceCount": "1", "VolumeSizeInGB": -5}
    params["StoppingCondition"]["MaxRuntimeInSeconds"] = 0
    params["OutputDataConfig"]["Bucket"] = "b"
    params["EnableNetworkIsolation"] = "yes"
    definition = machine({"Train": training_task(Parameters=params)})
    findings = found(definition, *RULES)
    assert findings[0][:2] == ("error", "$.States.Train.Parameters.OutputDataConfig.Bucket")
    assert findings[0][2].startswith("unknown field 'Bucket' in OutputDataConfig: expected one of KmsKeyId, "
                                     "S3OutputPath")
    instance_type = findings[1]
    assert instance_type[:2] == ("error", "$.States.Train.Parameters.ResourceConfig.InstanceType")
    assert instance_type[2].startswith("\"ml.m9.huge\" is not a valid TrainingInstanceType: expected one of "
                                       "ml.m4.xlarge, ml.m4.2xlarge, ")
    assert findings[2:] == [
        ("error", "$.States.Train.Parameters.ResourceConfig.InstanceCount",
         "found string \"1\": expected an integer (TrainingInstanceCount)"),
        ("error", "$.States.Train.Parameters.ResourceConfig.VolumeSizeInGB",
         "-5 is out of range for OptionalVolumeSizeInGB: expected >= 0"),
        ("error", "$.States.Train.Parameters.StoppingCondition.MaxRuntimeInSeconds",
         "0 is out of range for MaxRuntimeInSeconds: expected >= 1"),
        ("error", "$.States.Train.Parameters.EnableNetworkIsolation",
         "found string \"yes\": expected true or false (Boolean)"),
    ]


def test_fails_missing_required_and_list_lengths() -> None:
    params = training_parameters()
    del params["RoleArn"]
    params["AlgorithmSpecification"] = {"TrainingImage": "${XGBoostImageUri}"}
    params["Tags"] = [{"Key": "k", "Value": "v"}] * 51
    definition = machine({"Train": training_task(Parameters=params)})
    assert found(definition, *RULES) == [
        ("error", "$.States.Train.Parameters.AlgorithmSpecification", "missing required field 'TrainingInputMode' "
                  "of AlgorithmSpecification: expected TrainingInputMode (string TrainingInputMode)"),
        ("error", "$.States.Train.Parameters.Tags", "51 items is outside TagList's limits: expected 0 to 50 items"),
        ("error", "$.States.Train.Parameters", "missing required field 'RoleArn' of CreateTrainingJobRequest: "
                  "expected RoleArn (string RoleArn)"),
    ]


def test_fails_string_pattern_and_length_but_not_with_placeholders() -> None:
    params = training_parameters()
    params["RoleArn"] = "arn:aws:iam::12345:role/short-account"
    params["OutputDataConfig"]["S3OutputPath"] = "s3://${DataBucket}/" + "x" * 2000  # filled at deploy time
    params["HyperParameters"]["k" * 300] = "v"
    definition = machine({"Train": training_task(Parameters=params)})
    assert found(definition, *RULES) == [
        ("error", "$.States.Train.Parameters.RoleArn", "\"arn:aws:iam::12345:role/short-account\" does not match the "
                  "RoleArn pattern: expected arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"),
        ("error", "$.States.Train.Parameters.HyperParameters." + "k" * 300, "300 characters is outside "
                  "HyperParameterKey's limits: expected 0 to 256 characters"),
    ]
    params["RoleArn"] = "x"
    assert found(definition, *RULES)[0] == (
        "error", "$.States.Train.Parameters.RoleArn", "1 characters is outside RoleArn's limits: expected 20 to 2048 "
                                                      "characters")


def test_dollar_fields_are_names_only_and_json_types_follow_the_shape() -> None:
    params = training_parameters()
    params["ResourceConfig.$"] = "$.resources"
    del params["ResourceConfig"]
    params["Nope.$"] = "$.x"
    params["StoppingCondition"] = {"MaxRuntimeInSeconds": 60, "MaxRuntimeInSeconds.$": "$.t"}
    definition = machine({"Train": training_task(Parameters=params)})
    assert found(definition, *RULES) == [
        ("error", "$.States.Train.Parameters.StoppingCondition['MaxRuntimeInSeconds.$']", "'MaxRuntimeInSeconds' is "
                  "given both as 'MaxRuntimeInSeconds' and 'MaxRuntimeInSeconds.$': expected one"),
        ("error", "$.States.Train.Parameters['Nope.$']", "unknown field 'Nope' in CreateTrainingJobRequest: expected "
                  "one of TrainingJobName, HyperParameters, AlgorithmSpecification, RoleArn, InputDataConfig, "
                  "OutputDataConfig, ResourceConfig, VpcConfig, StoppingCondition, Tags, EnableNetworkIsolation, "
                  "EnableInterContainerTrafficEncryption, ... (28 in all)"),
    ]


def test_fails_resource_not_an_optimized_api_or_pattern() -> None:
    definition = machine({
        "A": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModelPackage", "Parameters": {},
              "Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}],
              "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModel.sync",
              "Parameters": {"ModelName.$": "$.name"}, "Retry": [{"ErrorEquals": ["States.ALL"]}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "Next": "C"},
        "C": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:trainEverything",
              "Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "D"}],
              "Next": "D"},
        "D": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeTrainingJob",
              "Parameters": {}, "Retry": [{"ErrorEquals": ["States.ALL"]}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "E"}], "Next": "E"},
        "E": {"Type": "Succeed"},
    })
    assert found(definition, *RULES) == [
        ("error", "$.States.A.Resource", "'createModelPackage' is not an optimized SageMaker integration: expected "
                                         "arn:aws:states:::aws-sdk:sagemaker:createModelPackage"),
        ("error", "$.States.B.Resource", "createModel does not support .sync: expected one of "
                  "CreateHyperParameterTuningJob, CreateLabelingJob, CreateProcessingJob, CreateTrainingJob, "
                  "CreateTransformJob or no suffix"),
        ("error", "$.States.C.Resource", "SageMaker has no API 'trainEverything': expected an operation such as "
                                         "createTrainingJob (see the SageMaker API reference)"),
        ("error", "$.States.D.Parameters", "missing required field 'TrainingJobName' of DescribeTrainingJobRequest: "
                  "expected TrainingJobName (string TrainingJobName)"),
    ]


def test_jsonata_arguments_are_checked_and_expressions_skipped() -> None:
    params = training_parameters()
    del params["TrainingJobName.$"]
    params["TrainingJobName"] = "{% 'train-' & $states.context.Execution.Name %}"
    params["ResourceConfig"]["InstanceCount"] = "{% $count %}"
    del params["HyperParameters"]["eta.$"]
    del params["Tags"][0]["Value.$"]
    params["Tags"][0]["Value"] = "{% $states.context.Execution.Id %}"
    params["InputDataConfig"][0]["ChannelName"] = 7
    state = training_task(Arguments=params, QueryLanguage="JSONata")
    del state["Parameters"]
    assert found(machine({"Train": state}), *RULES) == [
        ("error", "$.States.Train.Arguments.InputDataConfig[0].ChannelName",
         "found integer 7: expected a string (ChannelName)")]


def test_fails_integers_beyond_their_botocore_width() -> None:
    # botocore 'integer' is a 32-bit signed integer, 'long' a 64-bit one (Smithy simple types).
    state = training_task()
    state["Parameters"]["ResourceConfig"]["InstanceCount"] = 99999999999999999999
    state["Parameters"]["InputDataConfig"][0]["ShuffleConfig"] = {"Seed": 2**63}
    assert found(machine({"Train": state}), "sagemaker-parameters") == [
        ("error", "$.States.Train.Parameters.InputDataConfig[0].ShuffleConfig.Seed",
         "9223372036854775808 is out of range for Seed, a 64-bit integer: expected -9,223,372,036,854,775,808 to "
         "9,223,372,036,854,775,807"),
        ("error", "$.States.Train.Parameters.ResourceConfig.InstanceCount",
         "99999999999999999999 is out of range for TrainingInstanceCount, a 32-bit integer: expected "
         "0 to 2,147,483,647"),
    ]
    state["Parameters"]["ResourceConfig"]["InstanceCount"] = 2**31 - 1
    state["Parameters"]["InputDataConfig"][0]["ShuffleConfig"] = {"Seed": 2**63 - 1}
    assert found(machine({"Train": state}), "sagemaker-parameters") == []
