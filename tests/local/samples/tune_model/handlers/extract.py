"""The sample's two small Lambdas: the best model's S3 path from the tuning job, the model's name."""


def model_path(event, context):
    best = event["BestTrainingJob"]["TrainingJobName"]
    output = event["TrainingJobDefinition"]["OutputDataConfig"]["S3OutputPath"].rstrip("/")
    return {"body": {"modelDataUrl": f"{output}/{best}/output/model.tar.gz", "bestTrainingJobName": best}}


def model_name(event, context):
    return {"body": {"jobName": event["ModelArn"].split("/")[-1]}}
