"""``sagemaker-sfn graph``: draw a state machine as a Mermaid flowchart or Graphviz DOT."""

from __future__ import annotations

import argparse

HELP = "draw a state machine as a Mermaid flowchart, Graphviz DOT, or a picture (SVG / HTML)"
DESCRIPTION = """\
Print the state machine as a Mermaid flowchart (default) or as Graphviz DOT (--format dot), for a
README, a pull request or any diagram viewer; or as a picture, laid out here: --format svg (an SVG
image) or --format html (a page holding it), the drawing `sagemaker-sfn report` shows.

Each state type has its own shape (Task: box, Choice: diamond, Wait: stadium/hexagon, Pass:
parallelogram, Succeed and Fail: circles); Choice edges carry their condition (shortened) and
'Default'; Catch edges are dashed and carry the errors they catch; Parallel branches and Map
iterators are drawn as boxes holding their states.

exit status: 0 drawn; 2 the file cannot be read, or the definition is too malformed to draw (the
validator's errors are listed).

examples:
  sagemaker-sfn graph tune-xgboost > tune-xgboost.mmd        paste into any Mermaid renderer
  sagemaker-sfn graph train-evaluate --format dot | dot -Tsvg > train-evaluate.svg
  sagemaker-sfn graph train-evaluate --format svg > train-evaluate.svg   no Graphviz needed

in a notebook:
  from sagemaker_sfn.report import Diagram; Diagram(definition)          shows itself inline
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("definition", metavar="FILE|PIPELINE",
                        help="an ASL JSON file, or a pipeline name (reads asl_templates/<name>.asl.json)")
    parser.add_argument("--format", choices=("mermaid", "dot", "svg", "html"), default="mermaid",
                        help="mermaid: a Mermaid flowchart (default); dot: Graphviz DOT; svg: a picture; "
                             "html: a page holding the picture")


def run(args: argparse.Namespace) -> int:
    from sagemaker_sfn.errors import SagemakerSfnError
    from sagemaker_sfn.graph import render
    from sagemaker_sfn.project import load_definition

    loaded = load_definition(args.definition)
    try:
        text = render(loaded.definition, fmt=args.format, name=loaded.name)
    except SagemakerSfnError:
        raise   # the graph's own clear error (a transition to a missing state, ...)
    except Exception:
        _refuse_if_invalid(loaded.definition, source=str(loaded.path))
        raise   # a valid definition that cannot be drawn is a bug of ours
    print(text, end="")
    return 0


def _refuse_if_invalid(definition: dict, *, source: str) -> None:
    """A definition too malformed to draw (a state that is not an object, a list where a name goes):
    the validator's errors say what is wrong with it (exit 2)."""
    from sagemaker_sfn.errors import DefinitionError
    from sagemaker_sfn.validate import ERROR, validate_definition

    errors = [f for f in validate_definition(definition) if f.severity == ERROR]
    if errors:
        listing = "\n".join(f"  {f.location}: {f.message}" for f in errors[:10])
        more = f"\n  ... and {len(errors) - 10} more (sagemaker-sfn validate lists them all)" if len(errors) > 10 else ""
        raise DefinitionError(f"cannot draw this definition, it is invalid ({len(errors)} error"
                              f"{'s' if len(errors) != 1 else ''}):\n{listing}{more}", source=source)
