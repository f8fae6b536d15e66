"""Job code that hard-codes SageMaker's container paths reaches the job's local tree (the
sitecustomize in sagemaker_sfn/local/sagemaker/container_paths/), through every common file API."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sagemaker_sfn.local.sagemaker.container_paths import path_map_env

SCRIPT = textwrap.dedent("""\
    import glob, json, os, pathlib, shutil
    os.makedirs("/opt/ml/model/a/b", exist_ok=True)
    with open("/opt/ml/model/a/b/x.txt", "w") as f:
        f.write("hello")
    pathlib.Path("/opt/ml/model/p.json").write_text(json.dumps({"ok": True}))
    shutil.copy("/opt/ml/model/a/b/x.txt", "/opt/ml/model/copy.txt")
    os.rename("/opt/ml/model/copy.txt", "/opt/ml/model/moved.txt")
    found = {
        "exists": os.path.exists("/opt/ml/input/data/train/data.csv"),
        "isdir": os.path.isdir("/opt/ml/input/data/train"),
        "listdir": sorted(os.listdir("/opt/ml/model")),
        "glob": sorted(os.path.basename(p) for p in glob.glob("/opt/ml/input/data/train/*.csv")),
        "walk": sorted(f for _, _, files in os.walk("/opt/ml/model") for f in files),
        "pathlib": pathlib.Path("/opt/ml/input/data/train/data.csv").read_text().strip(),
        "outside": os.path.exists("/opt/ml-other"),
    }
    print(json.dumps(found))
    """)


def test_python_file_apis_reach_the_mapped_tree(tmp_path: Path) -> None:
    opt_ml = tmp_path / "job" / "opt" / "ml"
    (opt_ml / "input" / "data" / "train").mkdir(parents=True)
    (opt_ml / "input" / "data" / "train" / "data.csv").write_text("1,2\n")
    env = {**os.environ}
    env.update(path_map_env({"/opt/ml": opt_ml}, env=env))
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True,
                            cwd=tmp_path)
    import json

    assert json.loads(result.stdout) == {
        "exists": True, "isdir": True, "listdir": ["a", "moved.txt", "p.json"], "glob": ["data.csv"],
        "walk": ["moved.txt", "p.json", "x.txt"], "pathlib": "1,2", "outside": False}
    assert (opt_ml / "model" / "a" / "b" / "x.txt").read_text() == "hello"
    assert not Path("/opt/ml/model").exists() or not (Path("/opt/ml/model") / "p.json").exists()


def test_python_subprocesses_inherit_the_mapping(tmp_path: Path) -> None:
    target = tmp_path / "processing"
    target.mkdir()
    env = {**os.environ}
    env.update(path_map_env({"/opt/ml/processing": target}, env=env))
    child = "open('/opt/ml/processing/out.txt', 'w').write('from the child')"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}], check=True)"
    subprocess.run([sys.executable, "-c", parent], env=env, check=True)
    assert (target / "out.txt").read_text() == "from the child"
