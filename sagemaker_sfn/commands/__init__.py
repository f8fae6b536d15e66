"""One module per CLI sub-command.

Each module defines ``HELP`` (one line), ``DESCRIPTION`` (the --help text), ``add_arguments(parser)``
and ``run(args) -> int``. Modules import only the standard library at top level so that building the
parser (and answering --help) never loads botocore, CDK or moto; ``run`` imports what it needs.
"""

# Sub-command name -> module under sagemaker_sfn.commands. Order is the order shown in --help.
COMMANDS: dict[str, str] = {
    "generate": "generate",
    "validate": "validate",
    "policy": "policy",
    "graph": "graph",
    "run": "run",
    "start": "start",
    "status": "status",
    "history": "history",
    "cache": "cache",
    "redrive": "redrive",
    "report": "report",
    "runs": "runs",
    "logs": "logs",
    "approve": "approve",
    "reject": "approve",
    "invoke": "invoke",
}
