"""The model a local Clarify job explains or checks for post-training bias (``predictor.model_name``).

SageMaker Clarify serves the model on a shadow endpoint and sends it the dataset's feature rows
(``predictor``: ``model_name``, ``content_type`` and ``accept_type``, default ``text/csv``). Locally
the model is loaded as the local batch transform loads it (:func:`.transform.load_model`: a built-in
XGBoost model from its ``model.tar.gz`` in local S3, or an inference script) and scores the rows in
one request. SHAP values (``methods.shap``) come from XGBoost itself (``pred_contribs=True``, exact
TreeSHAP) for built-in XGBoost models; Clarify's own are Kernel SHAP estimates on the model's output.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sagemaker_sfn.local.sagemaker.clarify import ClarifyConfigError
from sagemaker_sfn.local.sagemaker.context import JobFailed, LocalSageMaker

CSV = "text/csv"


def _payload(names: list[str], rows: list[list[Any]], content_type: str) -> bytes:
    if content_type == CSV:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue().encode()
    if content_type == "application/jsonlines":
        return "\n".join(json.dumps(dict(zip(names, row))) for row in rows).encode()
    raise ClarifyConfigError(f"predictor.content_type '{content_type}' is not supported locally "
                             "(text/csv, application/jsonlines)")


def parse_scores(body: bytes, accept: str) -> list[float]:
    """One number per row from a model's response: CSV (first field per line), JSON
    (``{"predictions": [{"score": ...}]}`` or a list) or JSON lines (``{"score": ...}`` per line)."""
    text = body.decode("utf-8").strip()
    if accept == CSV:
        return [float(line.split(",")[0]) for line in text.splitlines() if line.strip()]
    if accept == "application/json":
        data = json.loads(text)
        items = data.get("predictions", data) if isinstance(data, dict) else data
    else:
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [float(item["score"] if isinstance(item, dict) else item) for item in items]


def local_predictor(sm: LocalSageMaker, *, model_dir: Path
                    ) -> Callable[[dict[str, Any]], Callable[[list[str], list[list[Any]]], Sequence[float]]]:
    """For :func:`.clarify.run_analysis`: the config's ``predictor`` section -> a function scoring rows."""
    from sagemaker_sfn.local.sagemaker.transform import XGBoostModel, load_model

    def make(section: dict[str, Any]) -> Callable[[list[str], list[list[Any]]], Sequence[float]]:
        name = section["model_name"]
        if not sm.store.exists("Model", name):
            raise ClarifyConfigError(f"predictor.model_name '{name}': no such model (create it before the check)")
        try:
            model = load_model(sm.store.get("Model", name), sm=sm, model_dir=model_dir)
        except JobFailed as exc:
            raise ClarifyConfigError(f"predictor.model_name '{name}': {exc}") from None
        content_type = section.get("content_type", CSV)
        accept = section.get("accept_type", CSV)

        def predict(names: list[str], rows: list[list[Any]]) -> list[float]:
            body = model.predict(_payload(names, rows, content_type), content_type, accept)
            return parse_scores(body, accept)

        if isinstance(model, XGBoostModel):
            def contributions(names: list[str], rows: list[list[Any]]) -> list[list[float]]:
                """Exact TreeSHAP values per row (XGBoost's ``pred_contribs``: one column per feature,
                then the bias, the expected value), in the model's margin space."""
                import numpy as np
                import xgboost as xgb

                matrix = xgb.DMatrix(np.array([[float(v) for v in row] for row in rows]))
                with model.lock:
                    return model.booster.predict(matrix, pred_contribs=True).tolist()
            predict.contributions = contributions   # type: ignore[attr-defined]
        return predict
    return make
