"""Runs a notebook job's notebook locally, standing in for SageMaker's ``amazon_sagemaker_scheduler``.

Run as a script by the local training job (:mod:`sagemaker_sfn.local.sagemaker.notebook`), with the
job's environment: the input folder is the ``sagemaker_headless_execution_pipelinestep`` channel,
``SM_INPUT_NOTEBOOK_NAME`` / ``SM_OUTPUT_NOTEBOOK_NAME`` / ``SM_KERNEL_NAME`` name the notebooks and
the kernel, ``SM_INIT_SCRIPT`` (optional) is sourced first, and the job's HyperParameters are the
notebook's parameters (strings), injected papermill-style after the cell tagged ``parameters``.
The executed notebook goes to ``SM_OUTPUT_DATA_DIR`` (the job's ``output.tar.gz``); a failing cell
fails the job with papermill's error (cell, exception) as its reason.
"""

import json
import os
import subprocess
import sys


def _fail(message):
    output = os.environ.get("SM_OUTPUT_DIR", "/opt/ml/output")
    os.makedirs(output, exist_ok=True)
    with open(os.path.join(output, "failure"), "w") as failure:   # the job's FailureReason
        failure.write(message[:1024])
    print(message, file=sys.stderr)
    sys.exit(1)


def main():
    folder = os.environ.get("SM_CHANNEL_SAGEMAKER_HEADLESS_EXECUTION_PIPELINESTEP") or os.environ["SM_EXECUTION_INPUT_PATH"]
    source = os.path.join(folder, os.environ["SM_INPUT_NOTEBOOK_NAME"])
    output_dir = os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data")
    os.makedirs(output_dir, exist_ok=True)
    target = os.path.join(output_dir, os.environ["SM_OUTPUT_NOTEBOOK_NAME"])
    if not os.path.isfile(source):
        _fail(f"ClientError: the input notebook {os.environ['SM_INPUT_NOTEBOOK_NAME']} is not in the job's input "
              f"({sorted(os.listdir(folder)) if os.path.isdir(folder) else 'no input folder'})")
    config = os.path.join(os.environ.get("SM_INPUT_CONFIG_DIR", "/opt/ml/input/config"), "hyperparameters.json")
    parameters = {}
    if os.path.isfile(config):
        with open(config) as handle:
            parameters = {k: v for k, v in json.load(handle).items() if not k.startswith("sagemaker_")}
    init = os.environ.get("SM_INIT_SCRIPT")
    if init:
        result = subprocess.run(["bash", "-c", f'source "{os.path.join(folder, init)}"'], cwd=folder, check=False)
        if result.returncode != 0:
            _fail(f"AlgorithmError: the initialization script {init} exited with {result.returncode}")
    import papermill

    try:
        papermill.execute_notebook(source, target, parameters=parameters, cwd=folder,
                                   kernel_name=os.environ.get("SM_KERNEL_NAME") or "python3", progress_bar=False,
                                   log_output=True)
    except papermill.PapermillExecutionError as exc:
        _fail(f"AlgorithmError: cell {exc.exec_count} raised {exc.ename}: {exc.evalue}")
    except Exception as exc:   # no such kernel, unreadable notebook, ...
        _fail(f"ClientError: {type(exc).__name__}: {exc}")
    print(f"executed notebook written to {target}")


if __name__ == "__main__":
    main()
