"""The local runner: executes ASL on this machine the way AWS Step Functions would.

``run_local`` / ``prepare_local_run`` (:mod:`.runs`): a whole local run from Python, as `run --local` does it.

``interpreter/`` runs definitions; ``integrations/`` answers Task states (mocked responses, or
local SageMaker / Lambda / S3 in part 2); ``clock`` decides whether waiting is real or simulated.
"""

from typing import Any

__all__ = ["run_local", "prepare_local_run", "LocalRun", "LocalRunResult"]


def __getattr__(name: str) -> Any:
    # The run API (sagemaker_sfn.local.runs) imported on first use: `import sagemaker_sfn.local.x`
    # for one part of the runner must not pay for all of it.
    if name in __all__:
        from sagemaker_sfn.local import runs

        return getattr(runs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
