"""A state machine as a picture: Mermaid flowchart or Graphviz DOT, from any ASL definition.

The definition is first read into a small format-neutral model (:class:`Graph`: nodes, clusters for
Parallel branches and Map iterators, typed edges), then rendered. Node ids are generated (``s_`` +
the name reduced to ``[A-Za-z0-9_]``, numbered when two names reduce alike) so that state names may
hold spaces, quotes, brackets or any Unicode; the names themselves appear only in escaped labels.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sagemaker_sfn.errors import DefinitionError
from sagemaker_sfn.validate.findings import child  # the validator's location format

FORMATS = ("mermaid", "dot", "svg", "html")
LABEL_LIMIT = 48   # longer Choice conditions are shortened with an ellipsis

START_ID = "start_node"
END_ID = "finish_node"  # not "end...": Mermaid reads "end" as a keyword


@dataclass
class Node:
    id: str
    name: str
    type: str          # ASL state type, or "Start" / "End" for the markers


@dataclass
class Edge:
    source: str
    target: str
    kind: str          # next | choice | default | catch | branch
    label: str = ""


@dataclass
class Cluster:
    """A Parallel state, one of its branches, or a Map state's iterator: drawn as a box of states."""

    id: str
    label: str
    kind: str          # parallel | branch | map
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)

    def first_node(self) -> Node | None:
        """A node inside (depth first), for formats that attach edges to clusters through one."""
        if self.nodes:
            return self.nodes[0]
        for sub in self.clusters:
            if (node := sub.first_node()) is not None:
                return node
        return None


@dataclass
class Graph:
    name: str
    nodes: list[Node] = field(default_factory=list)        # top level
    clusters: list[Cluster] = field(default_factory=list)  # top level
    edges: list[Edge] = field(default_factory=list)
    cluster_index: dict[str, Cluster] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Choice conditions, shortened

_COMPARATORS = {"Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=",
                "GreaterThanEquals": ">="}
_KIND_TESTS = {"IsPresent": ("is present", "is absent"), "IsNull": ("is null", "is not null"),
               "IsNumeric": ("is numeric", "is not numeric"), "IsString": ("is string", "is not string"),
               "IsBoolean": ("is boolean", "is not boolean"), "IsTimestamp": ("is timestamp", "is not timestamp")}
_OPERATOR = re.compile(r"^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|"
                       r"GreaterThanEquals)(Path)?$")


def describe_condition(rule: Mapping[str, Any]) -> str:
    """A short human reading of a Choice rule: ``$.auc >= 0.8``, ``not ($.x is present)``..."""
    if isinstance(rule.get("Condition"), str):  # JSONata: {% expression %}
        return rule["Condition"].strip().removeprefix("{%").removesuffix("%}").strip()
    for key, word in (("And", " and "), ("Or", " or ")):
        if isinstance(rule.get(key), list):
            return word.join(f"({describe_condition(r)})" if isinstance(r, Mapping) else "?" for r in rule[key])
    if isinstance(rule.get("Not"), Mapping):
        return f"not ({describe_condition(rule['Not'])})"
    variable = rule.get("Variable", "?")
    for key, value in rule.items():
        if key in _KIND_TESTS:
            yes, no = _KIND_TESTS[key]
            return f"{variable} {yes if value else no}"
        if key == "StringMatches":
            return f"{variable} matches {json.dumps(value, ensure_ascii=False)}"
        if match := _OPERATOR.match(key):
            shown = value if match[3] else json.dumps(value, ensure_ascii=False)
            return f"{variable} {_COMPARATORS[match[2]]} {shown}"
    return "?"


def shorten(text: str, *, limit: int = LABEL_LIMIT) -> str:
    """``text`` cut to ``limit`` characters (default LABEL_LIMIT) with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# Reading the definition


class _Ids:
    """Stable, unique, syntax-safe ids for every format."""

    def __init__(self) -> None:
        self.used: set[str] = {START_ID, END_ID}

    def make(self, name: str, *, prefix: str = "s_") -> str:
        base = prefix + (re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "state")
        candidate, number = base, 1
        while candidate in self.used:
            number += 1
            candidate = f"{base}_{number}"
        self.used.add(candidate)
        return candidate


def build_graph(definition: Mapping[str, Any], *, name: str = "state machine") -> Graph:
    """The format-neutral graph of ``definition``; ``name`` (default "state machine") titles it."""
    graph = Graph(name=name)
    ids = _Ids()
    start = _read_scope(definition, graph=graph, ids=ids, nodes=graph.nodes, clusters=graph.clusters,
                        location="$", top_level=True)
    graph.nodes.insert(0, Node(START_ID, "Start", "Start"))
    graph.nodes.append(Node(END_ID, "End", "End"))
    if start is not None:
        graph.edges.insert(0, Edge(START_ID, start, "next"))
    return graph


def _read_scope(scope: Mapping[str, Any], *, graph: Graph, ids: _Ids, nodes: list[Node],
                clusters: list[Cluster], location: str, top_level: bool) -> str | None:
    """Add one scope's states (top level, a branch, an iterator); return its StartAt's id."""
    states = scope.get("States")
    if not isinstance(states, Mapping):
        raise DefinitionError("expected an object of states", location=child(location, "States"))
    id_of = {state_name: ids.make(state_name) for state_name in states}
    for state_name, state in states.items():
        here = child(child(location, "States"), state_name)
        if not isinstance(state, Mapping):
            raise DefinitionError("a state must be an object", location=here)
        kind = state.get("Type", "?")
        sid = id_of[state_name]
        if kind in ("Parallel", "Map"):
            cluster = _read_cluster(sid, state_name, state, graph=graph, ids=ids, location=here)
            clusters.append(cluster)
            graph.cluster_index[sid] = cluster
        else:
            nodes.append(Node(sid, state_name, str(kind)))
        _read_transitions(sid, state, id_of, graph=graph, location=here, top_level=top_level)
    start = scope.get("StartAt")
    if start is not None and start not in id_of:
        raise DefinitionError(f"StartAt '{start}' is not a state of this scope", location=f"{location}.StartAt")
    return id_of.get(start) if isinstance(start, str) else None


def _read_cluster(sid: str, state_name: str, state: Mapping[str, Any], *, graph: Graph, ids: _Ids,
                  location: str) -> Cluster:
    if state["Type"] == "Parallel":
        cluster = Cluster(sid, f"Parallel: {state_name}", "parallel")
        for index, branch in enumerate(state.get("Branches") or []):
            branch_id = ids.make(f"{state_name}_branch{index + 1}", prefix="c_")
            inner = Cluster(branch_id, f"branch {index + 1}", "branch")
            _read_scope(branch, graph=graph, ids=ids, nodes=inner.nodes, clusters=inner.clusters,
                        location=f"{location}.Branches[{index}]", top_level=False)
            cluster.clusters.append(inner)
        return cluster
    key = "ItemProcessor" if isinstance(state.get("ItemProcessor"), Mapping) else "Iterator"
    cluster = Cluster(sid, f"Map: {state_name} (each item)", "map")
    if isinstance(state.get(key), Mapping):
        _read_scope(state[key], graph=graph, ids=ids, nodes=cluster.nodes, clusters=cluster.clusters,
                    location=f"{location}.{key}", top_level=False)
    return cluster


def _target(id_of: Mapping[str, str], name: Any, location: str) -> str:
    if name not in id_of:
        raise DefinitionError(f"transition to '{name}', which is not a state of this scope", location=location)
    return id_of[name]


def _read_transitions(sid: str, state: Mapping[str, Any], id_of: Mapping[str, str], *, graph: Graph,
                      location: str, top_level: bool) -> None:
    kind = state.get("Type")
    if "Next" in state:
        graph.edges.append(Edge(sid, _target(id_of, state["Next"], f"{location}.Next"), "next"))
    elif top_level and (state.get("End") is True or kind in ("Succeed", "Fail")):
        graph.edges.append(Edge(sid, END_ID, "next"))
    if kind == "Choice":
        for index, rule in enumerate(state.get("Choices") or []):
            if isinstance(rule, Mapping) and "Next" in rule:
                graph.edges.append(Edge(sid, _target(id_of, rule["Next"], f"{location}.Choices[{index}].Next"),
                                        "choice", shorten(describe_condition(rule))))
        if "Default" in state:
            graph.edges.append(Edge(sid, _target(id_of, state["Default"], f"{location}.Default"),
                                    "default", "Default"))
    for index, catcher in enumerate(state.get("Catch") or []):
        if isinstance(catcher, Mapping) and "Next" in catcher:
            errors = ", ".join(str(e) for e in catcher.get("ErrorEquals") or [])
            graph.edges.append(Edge(sid, _target(id_of, catcher["Next"], f"{location}.Catch[{index}].Next"),
                                    "catch", shorten(errors)))


# --------------------------------------------------------------------------------------------
# Mermaid

# State type -> (opening, closing) of the Mermaid node shape.
MERMAID_SHAPES: dict[str, tuple[str, str]] = {
    "Task": ("[", "]"),          # rectangle
    "Pass": ("[/", "/]"),        # parallelogram
    "Choice": ("{", "}"),        # rhombus
    "Wait": ("([", "])"),        # stadium
    "Succeed": ("((", "))"),     # circle
    "Fail": ("(((", ")))"),      # double circle
    "Start": ("((", "))"),
    "End": ("((", "))"),
}
_MERMAID_CLASSES = {
    "Choice": "fill:#fff4d6,stroke:#c9a227",
    "Succeed": "fill:#dff5e1,stroke:#2e7d32",
    "Fail": "fill:#fde2e1,stroke:#c62828",
    "Start": "fill:#eeeeee,stroke:#555555",
    "End": "fill:#eeeeee,stroke:#555555",
}
_MERMAID_ARROWS = {"next": "-->", "choice": "-->", "default": "-->", "catch": "-.->", "branch": "-->"}


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for the characters Mermaid parses."""
    replacements = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;", "`": "#96;"}
    return "".join(replacements.get(ch, ch) for ch in text)


def render_mermaid(graph: Graph) -> str:
    lines = ["flowchart TD"]

    def node_line(node: Node, indent: str) -> str:
        opening, closing = MERMAID_SHAPES.get(node.type, ("[", "]"))
        return f'{indent}{node.id}{opening}"{mermaid_text(node.name)}"{closing}'

    def cluster_lines(cluster: Cluster, indent: str) -> None:
        lines.append(f'{indent}subgraph {cluster.id} ["{mermaid_text(cluster.label)}"]')
        for node in cluster.nodes:
            lines.append(node_line(node, indent + "  "))
        for sub in cluster.clusters:
            cluster_lines(sub, indent + "  ")
        lines.append(f"{indent}end")

    for node in graph.nodes:
        lines.append(node_line(node, "  "))
    for cluster in graph.clusters:
        cluster_lines(cluster, "  ")
    for edge in graph.edges:
        arrow = _MERMAID_ARROWS[edge.kind]
        label = f'|"{mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    by_type: dict[str, list[str]] = {}
    for node in _all_nodes(graph):
        if node.type in _MERMAID_CLASSES:
            by_type.setdefault(node.type, []).append(node.id)
    for kind, members in by_type.items():
        # Prefixed: "end" (and other words) would be Mermaid keywords as class names.
        lines.append(f"  classDef sfn_{kind.lower()} {_MERMAID_CLASSES[kind]}")
        lines.append(f"  class {','.join(members)} sfn_{kind.lower()}")
    return "\n".join(lines) + "\n"


def _all_nodes(graph: Graph) -> list[Node]:
    found = list(graph.nodes)

    def walk(cluster: Cluster) -> None:
        found.extend(cluster.nodes)
        for sub in cluster.clusters:
            walk(sub)

    for cluster in graph.clusters:
        walk(cluster)
    return found


# --------------------------------------------------------------------------------------------
# Graphviz DOT

DOT_SHAPES: dict[str, str] = {
    "Task": 'shape=box, style="rounded"',
    "Pass": "shape=parallelogram",
    "Choice": 'shape=diamond, style="filled", fillcolor="#fff4d6"',
    "Wait": "shape=hexagon",
    "Succeed": 'shape=doublecircle, style="filled", fillcolor="#dff5e1"',
    "Fail": 'shape=doubleoctagon, style="filled", fillcolor="#fde2e1"',
    "Start": 'shape=circle, style="filled", fillcolor="#eeeeee"',
    "End": 'shape=doublecircle, style="filled", fillcolor="#eeeeee"',
}
_DOT_EDGE_STYLES = {"next": "", "choice": "", "default": "style=bold", "catch": 'style=dashed, color="#c62828"',
                    "branch": ""}


def dot_string(text: str) -> str:
    """A double-quoted DOT string (backslashes and quotes escaped, newlines as \\n)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(graph: Graph) -> str:
    lines = [f"digraph {dot_string(graph.name)} {{", "  compound=true;", "  rankdir=TB;",
             '  graph [fontname="Helvetica", fontsize=12];',  # cluster labels, Times otherwise
             '  node [fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=10];']
    anchors: dict[str, str] = {}

    def node_line(node: Node, indent: str) -> str:
        return f"{indent}{node.id} [label={dot_string(node.name)}, {DOT_SHAPES.get(node.type, 'shape=box')}];"

    def cluster_lines(cluster: Cluster, indent: str) -> None:
        lines.append(f"{indent}subgraph cluster_{cluster.id} {{")
        lines.append(f"{indent}  label={dot_string(cluster.label)};")
        lines.append(f'{indent}  style="rounded{",dashed" if cluster.kind == "branch" else ""}";')
        first = cluster.first_node()
        if first is None:
            # Edges reach a cluster through a node inside it: an empty one gets an invisible point.
            lines.append(f"{indent}  {cluster.id}_anchor [shape=point, style=invis];")
        anchors[cluster.id] = first.id if first else f"{cluster.id}_anchor"
        for node in cluster.nodes:
            lines.append(node_line(node, indent + "  "))
        for sub in cluster.clusters:
            cluster_lines(sub, indent + "  ")
        lines.append(f"{indent}}}")

    for node in graph.nodes:
        lines.append(node_line(node, "  "))
    for cluster in graph.clusters:
        cluster_lines(cluster, "  ")
    for edge in graph.edges:
        attrs = [a for a in (_DOT_EDGE_STYLES[edge.kind],) if a]
        if edge.label:
            attrs.insert(0, f"label={dot_string(edge.label)}")
        source, target = edge.source, edge.target
        if source in graph.cluster_index:
            attrs.append(f"ltail=cluster_{source}")
            source = anchors[source]
        if target in graph.cluster_index:
            attrs.append(f"lhead=cluster_{target}")
            target = anchors[target]
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {source} -> {target}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(definition: Mapping[str, Any], *, fmt: str = "mermaid", name: str = "state machine") -> str:
    """``definition`` drawn as ``fmt`` (default ``mermaid``; or ``dot``, or ``svg`` / ``html``: the
    picture the execution report draws, laid out by :mod:`sagemaker_sfn.report.diagram`), titled
    ``name`` (default "state machine", used by DOT, SVG and HTML)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format '{fmt}' (expected one of {', '.join(FORMATS)})")
    if fmt in ("svg", "html"):
        from sagemaker_sfn.report import Diagram

        build_graph(definition, name=name)   # the definition's errors, raised as for the text formats
        diagram = Diagram(definition, name=name)
        return diagram.svg + "\n" if fmt == "svg" else diagram.html()
    graph = build_graph(definition, name=name)
    return render_mermaid(graph) if fmt == "mermaid" else render_dot(graph)
