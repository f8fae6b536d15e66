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
    from sagemaker_sfn.graph import render
    from sagemaker_sfn.project import load_definition

    loaded = load_definition(args.definition)
    print(render(loaded.definition, fmt=args.format, name=loaded.name), end="")
    return 0
