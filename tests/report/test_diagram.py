"""The state machine picture: every state drawn once, nothing overlapping, edges styled by kind."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from sagemaker_sfn.graph import build_graph, render
from sagemaker_sfn.report import Diagram
from sagemaker_sfn.report.diagram import lay_out, render_svg, wrap
from sagemaker_sfn.report.outcome import StateOutcome

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "asl_templates").glob("*.asl.json"))
SVG = "{http://www.w3.org/2000/svg}"


def state_names(scope: dict) -> list[str]:
    names = []
    for name, state in scope["States"].items():
        names.append(name)
        for branch in state.get("Branches", []):
            names.extend(state_names(branch))
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                names.extend(state_names(state[key]))
    return names


def drawn_states(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)
    return [g.get("data-state") for g in root.iter(f"{SVG}g") if g.get("data-state") is not None]


def overlapping(boxes) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if abs(a.x - b.x) * 2 < a.w + b.w and abs(a.y - b.y) * 2 < a.h + b.h:
                found.append((a.id, b.id))
    return found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_state_of_each_shipped_pipeline_is_drawn_once_without_overlap(template):
    definition = json.loads(template.read_text())
    svg = render(definition, fmt="svg", name=template.stem)
    assert sorted(drawn_states(svg)) == sorted(state_names(definition))
    drawing = lay_out(build_graph(definition))

    def check(boxes):
        assert overlapping(boxes) == []
        for box in boxes:
            check(box.children)
    check(drawing.boxes)


PARALLEL_MAP = {
    "StartAt": "Fan out", "States": {
        "Fan out": {"Type": "Parallel", "Next": "Each", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}],
                    "Branches": [{"StartAt": "A <1>", "States": {"A <1>": {"Type": "Pass", "End": True}}},
                                 {"StartAt": "B & \"2\"", "States": {"B & \"2\"": {"Type": "Wait", "Seconds": 1,
                                                                                   "End": True}}}]},
        "Each": {"Type": "Map", "Next": "Again?", "ItemProcessor": {"StartAt": "Item", "States": {
            "Item": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}}},
        "Again?": {"Type": "Choice", "Choices": [{"Variable": "$.again", "BooleanEquals": True, "Next": "Fan out"}],
                   "Default": "Done"},
        "Oops": {"Type": "Fail", "Error": "X"},
        "Done": {"Type": "Succeed"}}}


def test_clusters_loops_and_escaped_names():
    svg = render_svg(build_graph(PARALLEL_MAP))
    root = ElementTree.fromstring(svg)          # well-formed despite <, &, " in names
    assert sorted(drawn_states(svg)) == sorted(state_names(PARALLEL_MAP))
    clusters = [g.get("class") for g in root.iter(f"{SVG}g") if "cluster" in (g.get("class") or "")]
    assert sum("k-parallel" in c for c in clusters) == 1
    assert sum("k-branch" in c for c in clusters) == 2
    assert sum("k-map" in c for c in clusters) == 1
    edges = [g.get("class") for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("edge")]
    assert "edge e-catch" in edges and "edge e-default" in edges and "edge e-choice" in edges
    catch = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "edge e-catch")
    assert catch.find(f"{SVG}path").get("marker-end").endswith("-catch)")


def test_states_coloured_by_outcome_and_unvisited_ones_not_reached():
    outcomes = {"Fan out": StateOutcome("Fan out", "succeeded", 1), "A <1>": StateOutcome("A <1>", "succeeded", 1),
                "Each": StateOutcome("Each", "caught", 1, 2, "States.TaskFailed", "boom")}
    root = ElementTree.fromstring(render_svg(build_graph(PARALLEL_MAP), outcomes=outcomes))
    classes = {g.get("data-state"): g.get("class") for g in root.iter(f"{SVG}g") if g.get("data-state")}
    assert "s-succeeded" in classes["A <1>"]
    assert "s-caught" in classes["Each"]
    assert "s-not-reached" in classes["Done"] and "s-not-reached" in classes["Item"]
    title = next(g for g in root.iter(f"{SVG}g") if g.get("data-state") == "Each").find(f"{SVG}title").text
    assert "retried 2×" in title and "States.TaskFailed: boom" in title


def test_self_loop_and_an_unreachable_state_still_drawn():
    definition = {"StartAt": "Poll", "States": {
        "Poll": {"Type": "Wait", "Seconds": 5, "Next": "Poll"},
        "Orphan": {"Type": "Pass", "End": True}}}
    svg = render_svg(build_graph(definition))
    assert sorted(drawn_states(svg)) == ["Orphan", "Poll"]
    assert len(re.findall(r'class="edge e-next"', svg)) == 3   # start->Poll, Poll->Poll, Orphan->End


def test_long_names_wrap_to_three_lines_with_an_ellipsis():
    assert wrap("short") == ["short"]
    lines = wrap("a very long state name that keeps going and going well past any box width", width=20)
    assert len(lines) == 3 and lines[-1].endswith("…") and all(len(line) <= 20 for line in lines)


def test_diagram_shows_itself_in_notebooks_and_as_a_page():
    diagram = Diagram(PARALLEL_MAP, name="demo")
    assert diagram._repr_html_().startswith("<div") and "<svg" in diagram._repr_html_()
    assert diagram.html().startswith("<!DOCTYPE html>") and diagram.svg in diagram.html()
    # Two diagrams on one notebook page do not share marker ids.
    assert re.search(r'id="(sfn-\w+)-next"', diagram.svg)[1] != re.search(r'id="(sfn-\w+)-next"', Diagram(PARALLEL_MAP).svg)[1]


def test_graph_command_svg_and_html(capsys, tmp_path):
    from sagemaker_sfn.cli import main

    path = tmp_path / "m.asl.json"
    path.write_text(json.dumps(PARALLEL_MAP))
    assert main(["graph", str(path), "--format", "svg"]) == 0
    assert sorted(drawn_states(capsys.readouterr().out)) == sorted(state_names(PARALLEL_MAP))
    assert main(["graph", str(path), "--format", "html"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    path.write_text(json.dumps({"StartAt": "Nope", "States": {"A": {"Type": "Pass", "End": True}}}))
    assert main(["graph", str(path), "--format", "svg"]) == 2
    assert "StartAt 'Nope'" in capsys.readouterr().err


def test_a_large_machine_with_one_shared_failure_handler_is_drawn_whole():
    """Every 5th of 300 states catches into one handler: past the dummy budget, the longest catch
    edges are drawn straight, and every state is still drawn once, without overlap."""
    names = [f"S{i}" for i in range(300)]
    states = {}
    for i, name in enumerate(names):
        states[name] = {"Type": "Pass", "Next": names[i + 1] if i + 1 < len(names) else "Done"}
        if i % 5 == 0:
            states[name] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": states[name]["Next"],
                            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]}
    states["Handle"] = {"Type": "Fail", "Error": "X"}
    states["Done"] = {"Type": "Succeed"}
    definition = {"StartAt": "S0", "States": states}
    drawing = lay_out(build_graph(definition))
    assert overlapping(drawing.boxes) == []
    catches = [points for edge, points in drawing.edges if edge.kind == "catch"]
    assert len(catches) == 60 and all(len(points) >= 2 for points in catches)
    assert sum(len(points) == 2 for points in catches) > 30          # drawn straight, out of the layout
    assert sorted(drawn_states(render_svg(build_graph(definition)))) == sorted(names + ["Handle", "Done"])


def test_layers_follow_the_flow_and_loops_do_not_push_states_down():
    from sagemaker_sfn.report.diagram import _ranks

    rank, back = _ranks(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")])
    assert rank == {"a": 0, "b": 1, "c": 2, "d": 3} and back == {("c", "b")}
