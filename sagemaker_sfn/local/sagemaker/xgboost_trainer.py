"""The built-in SageMaker XGBoost algorithm (image ``sagemaker-xgboost``), run locally as a script.

Run as a subprocess by the local training job (``python xgboost_trainer.py``); it reads the job's
``/opt/ml`` tree from ``SM_OPT_ML`` the way the algorithm container reads ``/opt/ml``:

- hyperparameters from ``input/config/hyperparameters.json`` (strings, as SageMaker passes them),
  validated like the algorithm does: ``num_round`` required, unknown names rejected, values typed;
- channels ``train`` (required) and ``validation`` (optional) under ``input/data/<channel>/``; content
  type from ``inputdataconfig.json`` (``text/csv``: label in the first column, no header; ``libsvm``,
  the algorithm's default);
- one log line per round, ``[i]#011train-rmse:...#011validation-rmse:...`` (CloudWatch renders the tab
  as ``#011``; SageMaker's implicit metric definitions read those lines);
- the model is ``model/xgboost-model`` written by ``Booster.save_model``, so
  ``xgb.Booster().load_model(path)`` reads it back;
- a failure writes ``output/failure`` (``ClientError: ...`` for bad input / hyperparameters,
  ``AlgorithmError: ...`` otherwise) and exits 1, which becomes the job's FailureReason.

``--legacy`` (the deprecated 0.72 image, repository ``xgboost``, tags ``:1`` / ``:latest``): that
algorithm's defaults: ``objective`` ``reg:linear`` (run as its successor ``reg:squarederror``, the same
loss; XGBoost 0.90 renamed it) and hyperparameters it does not know are ignored with a log line
instead of refused, because AWS's own sample projects pass some (seed 001's "Tune a machine learning
model" sets ``precision_dtype``) and ran on that image.

Data files in a channel: as the algorithm's ``_is_data_file`` (sagemaker-xgboost-container,
``data_utils.py``), names starting with ``.`` or ``_`` are not data; locally source and config files
(``.py``, ``.json``, ``.yaml``, ``.md``, ``.txt`` with no numbers, ...) are skipped too, with a log line, so a
channel pointed at a whole bucket (AWS's "Preprocess data and train" sample does) trains on its CSV.

``nthread`` defaults to 1 locally (the algorithm uses every core) because tuning runs jobs side by side.
Uses the ``xgboost-cpu`` package.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

INT = {"num_round", "max_depth", "max_delta_step", "seed", "num_class", "max_leaves", "max_bin",
       "early_stopping_rounds", "nthread", "verbosity", "silent", "num_parallel_tree", "one_drop", "csv_weights",
       "prob_buffer_row", "_kfold", "_num_cv_round", "deterministic_histogram", "single_precision_histogram",
       "save_model_on_termination"}
FLOAT = {"eta", "alpha", "lambda", "gamma", "min_child_weight", "subsample", "colsample_bytree", "colsample_bylevel",
         "colsample_bynode", "scale_pos_weight", "base_score", "sketch_eps", "rate_drop", "skip_drop", "lambda_bias",
         "tweedie_variance_power"}
STRING = {"objective", "eval_metric", "booster", "tree_method", "grow_policy", "sample_type", "normalize_type",
          "updater", "dsplit", "refresh_leaf", "process_type", "interaction_constraints", "monotone_constraints",
          "_tuning_objective_metric", "use_dask_gpu_training"}
ALLOWED = INT | FLOAT | STRING
# Not booster parameters: consumed by the trainer itself or meaningless locally.
NOT_PARAMS = {"num_round", "early_stopping_rounds", "silent", "csv_weights", "prob_buffer_row", "_kfold", "_num_cv_round",
              "_tuning_objective_metric", "save_model_on_termination", "use_dask_gpu_training", "dsplit",
              "deterministic_histogram", "single_precision_histogram", "lambda_bias"}


class ClientError(Exception):
    """Bad input or hyperparameters: the algorithm reports these as ClientError."""


def opt_ml() -> Path:
    return Path(os.environ.get("SM_OPT_ML", "/opt/ml"))


LEGACY_OBJECTIVE = "reg:squarederror"   # 0.72's default reg:linear, under the name XGBoost gave it in 0.90
NOT_DATA_SUFFIXES = (".py", ".pyc", ".json", ".yaml", ".yml", ".md", ".sh", ".ipynb", ".tar.gz", ".zip", ".pkl")


def parse_hyperparameters(raw: dict[str, Any], *, legacy: bool = False) -> dict[str, Any]:
    unknown = sorted(set(raw) - ALLOWED - {k for k in raw if k.startswith("sagemaker_")})
    if unknown and legacy:
        print(f"[local xgboost 0.72] ignoring hyperparameters this algorithm does not use: {', '.join(unknown)}",
              flush=True)
        raw = {k: v for k, v in raw.items() if k not in unknown}
    elif unknown:
        raise ClientError("Hyperparameter validation failed: Additional hyperparameters are not allowed ("
                          + ", ".join(f"'{name}'" for name in unknown) + " was unexpected)")
    if "num_round" not in raw:
        raise ClientError("Hyperparameter validation failed: 'num_round' is a required property")
    parsed: dict[str, Any] = {}
    for key, value in raw.items():
        if key.startswith("sagemaker_"):
            continue
        text = str(value).strip().strip('"')
        try:
            if key in INT:
                parsed[key] = int(float(text)) if float(text).is_integer() else int(text)
            elif key in FLOAT:
                parsed[key] = float(text)
            else:
                parsed[key] = text
        except ValueError:
            kind = "an integer" if key in INT else "a number"
            raise ClientError(f"Hyperparameter validation failed: {key}: '{text}' is not {kind}") from None
    return parsed


def read_channel(directory: Path, content_type: str) -> Any:
    import numpy as np
    import xgboost as xgb

    files = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))):
        if path.name.endswith(NOT_DATA_SUFFIXES):
            print(f"[local sagemaker-xgboost] channel '{directory.name}': skipping {path.relative_to(directory)} "
                  "(not a data file)", flush=True)
        else:
            files.append(path)
    if not files:
        raise ClientError(f"No data found in channel '{directory.name}'")
    if content_type.split(";")[0].strip() in {"text/csv", "csv"}:
        blocks = []
        for path in files:
            try:
                block = np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float32)
            except ValueError as exc:
                raise ClientError(f"Unable to read CSV file {path.name} in channel '{directory.name}' "
                                  f"(label in the first column, no header): {exc}") from None
            if block.size:
                blocks.append(block)
        if not blocks:
            raise ClientError(f"No data found in channel '{directory.name}'")
        data = np.vstack(blocks)
        if data.shape[1] < 2:
            raise ClientError(f"channel '{directory.name}': expected a label column followed by features")
        return xgb.DMatrix(data[:, 1:], label=data[:, 0])
    if content_type.split(";")[0].strip() in {"libsvm", "text/libsvm", "text/x-libsvm"}:
        return xgb.DMatrix(f"{files[0]}?format=libsvm") if len(files) == 1 else _libsvm_concat(files)
    raise ClientError(f"Content type {content_type} is not supported (text/csv, libsvm)")


def _libsvm_concat(files: list[Path]) -> Any:
    import tempfile

    import xgboost as xgb

    with tempfile.NamedTemporaryFile("w", suffix=".libsvm", delete=False) as out:
        for path in files:
            out.write(path.read_text())
    return xgb.DMatrix(f"{out.name}?format=libsvm")


def train(*, legacy: bool = False) -> None:
    import xgboost as xgb

    root = opt_ml()
    config = root / "input" / "config"
    raw = json.loads((config / "hyperparameters.json").read_text())
    data_config = json.loads((config / "inputdataconfig.json").read_text()) if (config / "inputdataconfig.json").is_file() else {}
    hps = parse_hyperparameters(raw, legacy=legacy)
    if "train" not in data_config and not (root / "input" / "data" / "train").is_dir():
        raise ClientError("Channel 'train' is required")
    content = lambda channel: data_config.get(channel, {}).get("ContentType", "libsvm")  # noqa: E731
    dtrain = read_channel(root / "input" / "data" / "train", content("train"))
    evals = [(dtrain, "train")]
    if (root / "input" / "data" / "validation").is_dir():
        evals.append((read_channel(root / "input" / "data" / "validation", content("validation")), "validation"))

    params = {k: v for k, v in hps.items() if k not in NOT_PARAMS}
    params.setdefault("objective", LEGACY_OBJECTIVE if legacy else "reg:squarederror")
    if legacy and params["objective"] == "reg:linear":
        params["objective"] = LEGACY_OBJECTIVE
    params.setdefault("nthread", 1)
    metrics = [m for m in str(params.pop("eval_metric", "")).split(",") if m]
    tuning = hps.get("_tuning_objective_metric", "")
    if ":" in tuning and tuning.split(":", 1)[1] not in metrics:
        metrics.append(tuning.split(":", 1)[1])
    if metrics:
        params["eval_metric"] = metrics
    early = hps.get("early_stopping_rounds")
    if early and len(evals) < 2:
        raise ClientError("early_stopping_rounds needs a 'validation' channel")

    class LogRounds(xgb.callback.TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, dict[str, list[float]]]) -> bool:
            parts = [f"{data}-{metric}:{values[-1]:.5f}" for data, by_metric in evals_log.items()
                     for metric, values in by_metric.items()]
            print(f"[{epoch}]#011" + "#011".join(parts), flush=True)
            return False

    print(f"[local sagemaker-xgboost] training with {json.dumps(params, sort_keys=True)} for {hps['num_round']} rounds",
          flush=True)
    try:
        booster = xgb.train(params, dtrain, num_boost_round=hps["num_round"], evals=evals, verbose_eval=False,
                            early_stopping_rounds=early or None, callbacks=[LogRounds()])
    except xgb.core.XGBoostError as exc:
        raise ClientError(f"XGBoost rejected the parameters: {str(exc).splitlines()[0]}") from None
    model_dir = Path(os.environ.get("SM_MODEL_DIR", root / "model"))
    model_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # No file extension: xgboost notes it picks UBJSON, which is what load_model expects back.
        warnings.simplefilter("ignore", UserWarning)
        booster.save_model(str(model_dir / "xgboost-model"))
    print(f"[local sagemaker-xgboost] model saved to {model_dir / 'xgboost-model'}", flush=True)


def main(argv: list[str] | None = None) -> int:
    legacy = "--legacy" in (sys.argv[1:] if argv is None else argv)
    try:
        train(legacy=legacy)
    except ClientError as exc:
        reason = f"ClientError: {exc}"
    except Exception as exc:  # the algorithm's own failure
        reason = f"AlgorithmError: {type(exc).__name__}: {exc}"
    else:
        return 0
    print(f"ERROR: {reason}", flush=True)
    failure = opt_ml() / "output" / "failure"
    failure.parent.mkdir(parents=True, exist_ok=True)
    failure.write_text(reason)
    return 1


if __name__ == "__main__":
    sys.exit(main())
