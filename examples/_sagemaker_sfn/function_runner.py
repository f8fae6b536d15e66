"""Runs a pipeline's `function` step inside a SageMaker training job (script mode).

The contract (docs/pipeline-format.md, "Function steps"), format ``sagemaker-sfn/function/v1``:

- channel ``arguments``: ``arguments.json`` =
  ``{"format": "sagemaker-sfn/function/v1", "function": "<file>.py:<name>" | "<file>.py",
  "args": {...}, "requirements": "<file>" | null}``
- channel ``code``: the folder holding the function's file (and its requirements file);
- hyperparameter ``return_uri``: where the return value goes, as
  ``{"format": "sagemaker-sfn/function/v1", "value": <the function's return value, JSON>}``.

``<file>.py:<name>``: ``name(**args)`` is called and its return value written. ``<file>.py`` (a
script): it runs as ``__main__`` with ``--<key> <value>`` per argument; its return value is the JSON
it writes to the path in ``SAGEMAKER_SFN_RETURN_FILE`` (null when it writes none).
An exception fails the job with ``<type>: <message>`` as its failure reason.
"""

import argparse
import importlib.util
import json
import os
import runpy
import subprocess
import sys
import tempfile
import traceback

FORMAT = "sagemaker-sfn/function/v1"


def _fail(message):
    output = os.environ.get("SM_OUTPUT_DIR", "/opt/ml/output")
    os.makedirs(output, exist_ok=True)
    with open(os.path.join(output, "failure"), "w") as failure:   # SageMaker's FailureReason
        failure.write(message[:1024])
    print(message, file=sys.stderr)
    sys.exit(1)


def _install(code, requirements):
    target = tempfile.mkdtemp(prefix="function-packages-")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", target, "-r",
                    os.path.join(code, requirements)], check=True)
    sys.path.insert(0, target)


def _call(code, target, args):
    if ":" in target:
        file, name = target.rsplit(":", 1)
        spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(file))[0],
                                                      os.path.join(code, file))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        function = getattr(module, name, None)
        if not callable(function):
            _fail(f"ValueError: {file} has no function {name!r}")
        return function(**args)
    returned = os.path.join(tempfile.mkdtemp(), "return.json")
    os.environ["SAGEMAKER_SFN_RETURN_FILE"] = returned
    sys.argv = [target] + [item for key, value in args.items()
                           for item in (f"--{key}", value if isinstance(value, str) else json.dumps(value))]
    runpy.run_path(os.path.join(code, target), run_name="__main__")
    if os.path.exists(returned):
        with open(returned) as handle:
            return json.load(handle)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--return_uri", required=True)
    options, _ = parser.parse_known_args()
    code = os.environ["SM_CHANNEL_CODE"]
    folder = os.environ["SM_CHANNEL_ARGUMENTS"]
    with open(os.path.join(folder, "arguments.json")) as handle:
        document = json.load(handle)
    if document.get("format") != FORMAT:
        _fail(f"ValueError: arguments.json has format {document.get('format')!r}; this runner reads {FORMAT}")
    sys.path.insert(0, code)
    if document.get("requirements"):
        _install(code, document["requirements"])
    try:
        value = _call(code, document["function"], document.get("args") or {})
        body = json.dumps({"format": FORMAT, "value": value})
    except SystemExit:
        raise
    except Exception as exc:   # the user's error, worded as SageMaker reports a failed job
        traceback.print_exc()
        _fail(f"{type(exc).__name__}: {exc}")
    import boto3

    bucket, _, key = options.return_uri[len("s3://"):].partition("/")
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
    print(f"return value written to {options.return_uri}")


if __name__ == "__main__":
    main()
