"""A state machine drawn as static SVG, optionally coloured by what happened in an execution.

Layout: grandalf's Sugiyama (layered) layout, run once per scope (the top level, each Parallel branch,
each Map iterator); a scope laid out becomes one sized box in the scope around it, so Parallel and
Map states are drawn as boxes holding their states. Why grandalf: measured on a 1,000-state graph
(bench/README.md), it lays out in ~0.3 s in pure Python with node sizes and edge routes; Graphviz
(its WebAssembly build from npm, @viz-js/viz) and dagre / elkjs need Node.js at report time and took
1.0-1.6 s; Graphviz from Debian needs a system package; igraph's Sugiyama ignores node sizes. The
SVG needs no script and no font download: it shows the same in a browser, an e-mail or a CI artifact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from sagemaker_sfn.graph import END_ID, START_ID, Cluster, Edge, Graph, Node, build_graph

CHAR_WIDTH = 7.0        # average advance of 12 px sans-serif text: enough to size boxes without fonts
LINE_HEIGHT = 16.0
WRAP = 26               # characters per label line
MAX_LINES = 3
PAD = 14.0              # inside a cluster box
CLUSTER_LABEL = 20.0
X_SPACE, Y_SPACE = 26.0, 34.0

STYLE = """
.sfn-graph{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:12px}
.sfn-graph .state rect,.sfn-graph .state polygon,.sfn-graph .state ellipse{fill:#fff;stroke:#455a64;stroke-width:1.4}
.sfn-graph .state text{fill:#1a1a1a;text-anchor:middle;dominant-baseline:central}
.sfn-graph .type-Start ellipse,.sfn-graph .type-End ellipse{fill:#eceff1}
.sfn-graph .s-succeeded rect,.sfn-graph .s-succeeded polygon,.sfn-graph .s-succeeded ellipse{fill:#dff5e1;stroke:#2e7d32}
.sfn-graph .s-retried rect,.sfn-graph .s-retried polygon{fill:#dff5e1;stroke:#f9a825;stroke-width:3}
.sfn-graph .s-caught rect,.sfn-graph .s-caught polygon{fill:#ffe8cc;stroke:#e65100;stroke-width:2}
.sfn-graph .s-failed rect,.sfn-graph .s-failed polygon{fill:#fde2e1;stroke:#c62828;stroke-width:2.4}
.sfn-graph .s-running rect,.sfn-graph .s-running polygon{fill:#e3f2fd;stroke:#1565c0;stroke-width:2}
.sfn-graph .s-not-reached rect,.sfn-graph .s-not-reached polygon{fill:#f5f5f5;stroke:#9e9e9e;stroke-dasharray:4 3}
.sfn-graph .s-not-reached text{fill:#757575}
.sfn-graph .badge{font-size:10px;fill:#5d4037}
.sfn-graph .cluster rect{fill:#fafafa;stroke:#90a4ae;stroke-width:1}
.sfn-graph .cluster.k-branch rect{fill:#fff;stroke-dasharray:5 3}
.sfn-graph .cluster text{fill:#455a64;font-size:11px}
.sfn-graph .edge path{fill:none;stroke:#607d8b;stroke-width:1.3}
.sfn-graph .edge text{fill:#37474f;font-size:10px;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:3}
.sfn-graph .edge.e-default path{stroke-width:2}
.sfn-graph .edge.e-catch path{stroke:#c62828;stroke-dasharray:6 4}
.sfn-graph .edge.e-catch text{fill:#c62828}
"""


@dataclass
class Box:
    """A laid-out item: a state or a cluster, its centre and size in its scope's coordinates."""

    id: str
    w: float
    h: float
    x: float = 0.0
    y: float = 0.0
    node: Node | None = None
    cluster: Cluster | None = None
    children: list[Box] = field(default_factory=list)       # clusters: boxes inside, relative to centre
    edges: list[tuple[Edge, list[tuple[float, float]]]] = field(default_factory=list)


def wrap(text: str, *, width: int = WRAP, lines: int = MAX_LINES) -> list[str]:
    """``text`` in lines of at most ``width`` characters (long words cut), at most ``lines`` lines."""
    out: list[str] = []
    current = ""
    for word in text.split() or [""]:
        while len(word) > width:
            if current:
                out.append(current)
                current = ""
            out.append(word[:width])
            word = word[width:]
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return out


def _node_box(node: Node) -> Box:
    if node.type in ("Start", "End"):
        return Box(node.id, 52.0, 30.0, node=node)
    lines = wrap(node.name)
    w = max(90.0, max(len(line) for line in lines) * CHAR_WIDTH + 28)
    h = LINE_HEIGHT * len(lines) + 18
    if node.type == "Choice":
        w, h = w + 36, h + 14
    return Box(node.id, w, h, node=node)


class _View:
    """What grandalf reads (w, h) and writes (xy) for a vertex, or (setpath) for an edge."""

    def __init__(self, w: float = 0.0, h: float = 0.0) -> None:
        self.w, self.h, self.xy = w, h, (0.0, 0.0)
        self.points: list[tuple[float, float]] = []

    def setpath(self, points: list[tuple[float, float]]) -> None:
        self.points = [tuple(p) for p in points]   # type: ignore[misc]


Path = list[tuple[float, float]]


# Layered layouts route an edge through one dummy vertex per layer it crosses. Shared failure
# handlers (every Task's Catch going to one Notify state) make that quadratic: 100 catches across
# 500 layers are 50,000 dummies, and a 1,000-state machine took 17 s. Past this many dummies per
# state, the longest edges are left out of the layout and drawn straight (never a node's last
# in-edge, so every state keeps its place in the flow).
DUMMY_BUDGET_PER_STATE = 3


def _components(ids: list[str], pairs: list[tuple[str, str]]) -> list[list[str]]:
    """Connected components (ignoring direction), each in ``ids`` order, ordered by first member."""
    parent = {i: i for i in ids}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for source, target in pairs:
        parent[find(source)] = find(target)
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _ranks(ids: list[str], pairs: list[tuple[str, str]]) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """Longest-path layers after reversing the edges that close cycles (found depth first from the
    nodes without in-edges, else the first node): the ranking grandalf computes, without its cost."""
    out: dict[str, list[str]] = {i: [] for i in ids}
    has_in = set()
    for source, target in pairs:
        out[source].append(target)
        has_in.add(target)
    state: dict[str, int] = {}           # 1 on the DFS stack, 2 done
    back: set[tuple[str, str]] = set()
    order: list[str] = []                # reverse post-order = a topological order of the DAG
    starts = [i for i in ids if i not in has_in] + ids
    for start in starts:
        if start in state:
            continue
        stack = [(start, iter(out[start]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    back.add((node, child))
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(out[child])))
                    break
            else:
                state[node] = 2
                order.append(node)
                stack.pop()
    rank = {i: 0 for i in ids}
    for node in reversed(order):
        for child in out[node]:
            if (node, child) not in back and rank[child] < rank[node] + 1:
                rank[child] = rank[node] + 1
    return rank, back


def _free_edges(ids: list[str], pairs: list[tuple[str, str]], rank: dict[str, int]) -> set[tuple[str, str]]:
    """The long edges to leave out of the layout (see DUMMY_BUDGET_PER_STATE), given the layers."""
    span = {pair: abs(rank[pair[1]] - rank[pair[0]]) for pair in pairs}
    dummies = sum(max(s - 1, 0) for s in span.values())
    budget = DUMMY_BUDGET_PER_STATE * len(ids) + 100
    free: set[tuple[str, str]] = set()
    if dummies <= budget:
        return free
    kept_in: dict[str, int] = {}
    for _source, target in pairs:
        kept_in[target] = kept_in.get(target, 0) + 1
    for pair in sorted(pairs, key=lambda p: span[p], reverse=True):
        if dummies <= budget or span[pair] <= 2:
            break
        if kept_in[pair[1]] > 1:
            free.add(pair)
            kept_in[pair[1]] -= 1
            dummies -= span[pair] - 1
    return free


class _Layers(list):  # type: ignore[type-arg]
    """grandalf's layer list, found by identity: Layer.setup's ``layers.index(self)`` compares layers
    as lists, element by element, which made one layout of 1,000 layers spend 1.6 s there."""

    def __init__(self, layers: list[Any]) -> None:
        super().__init__(layers)
        self._position = {id(layer): index for index, layer in enumerate(layers)}

    def index(self, item: Any, *args: Any) -> int:  # type: ignore[override]
        return self._position[id(item)]


def _core(vertices: list[Any], edges: list[Any]) -> Any:
    """grandalf's graph_core for a component known to be connected. graph_core.__init__ checks
    connectivity by comparing each vertex's component with the whole one as sets (quadratic: 0.7 s
    for 1,000 states); this builds the same object without that check."""
    from grandalf.graphs import graph_core
    from grandalf.utils.poset import Poset

    core = graph_core.__new__(graph_core)
    core.directed = True
    core.sV = Poset(vertices)
    core.sE = Poset([])
    core.degenerated_edges = set()
    for e in edges:
        if e.deg == 0:
            core.degenerated_edges.add(e)
        core.sE.add(e)
        e.attach()
    for v in core.sV:
        v.c = core
    return core


def _sugiyama(component: list[Box], pairs: list[tuple[str, str]],
              back: set[tuple[str, str]]) -> tuple[dict[str, Any], dict[tuple[str, str], Any]]:
    """One connected component laid out by grandalf; ``back``: the edges that close cycles (reversed
    for layering). Returns its vertices and edges (their views hold xy / points)."""
    from grandalf.graphs import Edge as GEdge
    from grandalf.graphs import Vertex
    from grandalf.layouts import SugiyamaLayout
    from grandalf.routing import route_with_lines

    vertex: dict[str, Any] = {}
    for box in component:
        v = Vertex(box.id)
        v.view = _View(box.w, box.h)
        vertex[box.id] = v
    edges: dict[tuple[str, str], Any] = {}
    for source, target in pairs:
        e = GEdge(vertex[source], vertex[target])
        e.view = _View()
        edges[(source, target)] = e
    core = _core(list(vertex.values()), list(edges.values()))
    layout = SugiyamaLayout(core)
    layout.xspace, layout.yspace = X_SPACE, Y_SPACE
    layout.route_edge = route_with_lines
    # SugiyamaLayout.init_all, step by step: our cycle-closing edges instead of its recursive search
    # (get_scs_with_feedback: 0.5 s for 1,000 states), and _Layers before the layers' setup.
    roots = [v for v in core.sV if not v.e_in()] or [core.sV[0]]
    layout.alt_e = [edges[pair] for pair in pairs if pair in back]
    layout.rank_all(roots)
    for e in core.E():
        layout.setdummies(e)
    layout.layers = _Layers(layout.layers)
    for layer in layout.layers:
        layer.setup(layout)
    layout.initdone = True
    layout.draw(2)
    return vertex, edges


def _clipped(a: Box, b: Box) -> Path:
    """The straight segment between two boxes' borders, along the line joining their centres."""
    def border(box: Box, toward: Box) -> tuple[float, float]:
        dx, dy = toward.x - box.x, toward.y - box.y
        if dx == 0 and dy == 0:
            return box.x, box.y
        scale = min(box.w / 2 / abs(dx) if dx else float("inf"), box.h / 2 / abs(dy) if dy else float("inf"))
        return box.x + dx * scale, box.y + dy * scale
    return [border(a, b), border(b, a)]


def _layout_scope(boxes: list[Box], edges: list[Edge]) -> tuple[float, float, dict[tuple[str, str], Path]]:
    """Place ``boxes`` (centres) and route ``edges`` between them; returns the scope's size and the
    route of each (source, target) pair. The scope's top-left corner ends up at (0, 0)."""
    if not boxes:
        return 0.0, 0.0, {}
    # One layout edge per ordered pair: a Choice with two rules to one state and a Catch to it too
    # are drawn as separate labelled paths over the same route.
    pairs = list(dict.fromkeys((e.source, e.target) for e in edges if e.source != e.target))
    ids = [box.id for box in boxes]
    rank, back = _ranks(ids, pairs)
    free = _free_edges(ids, pairs, rank)
    laid_pairs = [p for p in pairs if p not in free]
    if free:   # cycles are found again without the free edges: a free edge may have closed one
        back = _ranks(ids, laid_pairs)[1]
    by_id = {box.id: box for box in boxes}
    routes: dict[tuple[str, str], Path] = {}
    offset_x = 0.0
    height = 0.0
    for members in _components(ids, laid_pairs):
        inside = set(members)
        vertex, laid = _sugiyama([by_id[i] for i in members], [p for p in laid_pairs if p[0] in inside], back)
        views = [v.view for v in vertex.values()]
        left = min(view.xy[0] - view.w / 2 for view in views)
        top = min(view.xy[1] - view.h / 2 for view in views)
        right = max(view.xy[0] + view.w / 2 for view in views)
        bottom = max(view.xy[1] + view.h / 2 for view in views)
        for box_id, v in vertex.items():
            by_id[box_id].x, by_id[box_id].y = v.view.xy[0] - left + offset_x, v.view.xy[1] - top
        for pair, e in laid.items():
            routes[pair] = [(x - left + offset_x, y - top) for x, y in e.view.points]
        offset_x += right - left + X_SPACE * 2
        height = max(height, bottom - top)
    for source, target in free:
        routes[(source, target)] = _clipped(by_id[source], by_id[target])
    return offset_x - X_SPACE * 2, height, routes


def _self_loop(box: Box) -> list[tuple[float, float]]:
    right = box.x + box.w / 2
    return [(right, box.y - 6), (right + 28, box.y - 14), (right + 28, box.y + 14), (right, box.y + 6)]


def _scope(nodes: list[Node], clusters: list[Cluster], edges_by_scope: Mapping[str, list[Edge]],
           scope_id: str) -> tuple[list[Box], list[tuple[Edge, list[tuple[float, float]]]], float, float]:
    boxes = [_node_box(n) for n in nodes] + [_cluster_box(c, edges_by_scope) for c in clusters]
    edges = edges_by_scope.get(scope_id, [])
    width, height, paths = _layout_scope(boxes, edges)
    by_id = {b.id: b for b in boxes}
    routed: list[tuple[Edge, Path]] = []
    for edge in edges:
        if edge.source == edge.target:
            routed.append((edge, _self_loop(by_id[edge.source])))
        else:
            routed.append((edge, paths.get((edge.source, edge.target), [])))
    return boxes, routed, width, height


def _cluster_box(cluster: Cluster, edges_by_scope: Mapping[str, list[Edge]]) -> Box:
    if cluster.kind == "parallel":
        # Branches side by side: no transitions run between them.
        children = [_cluster_box(branch, edges_by_scope) for branch in cluster.clusters]
        x = PAD
        for child in children:
            child.x, child.y = x + child.w / 2, CLUSTER_LABEL + PAD + child.h / 2
            x += child.w + PAD
        inner_w = max(x, 120.0)
        inner_h = max((c.h for c in children), default=20.0)
        box = Box(cluster.id, inner_w, inner_h + CLUSTER_LABEL + PAD * 2, cluster=cluster, children=children)
    else:
        children, routed, w, h = _scope(cluster.nodes, cluster.clusters, edges_by_scope, cluster.id)
        for child in children:
            child.x += PAD
            child.y += CLUSTER_LABEL + PAD
        box = Box(cluster.id, max(w + PAD * 2, len(cluster.label) * CHAR_WIDTH + PAD * 2, 120.0),
                  h + CLUSTER_LABEL + PAD * 2, cluster=cluster, children=children,
                  edges=[(e, [(x + PAD, y + CLUSTER_LABEL + PAD) for x, y in pts]) for e, pts in routed])
        if w + PAD * 2 < box.w:  # a long label widened the box: centre the contents
            shift = (box.w - w - PAD * 2) / 2
            for child in children:
                child.x += shift
            box.edges = [(e, [(x + shift, y) for x, y in pts]) for e, pts in box.edges]
    return box


@dataclass
class Drawing:
    boxes: list[Box]
    edges: list[tuple[Edge, list[tuple[float, float]]]]
    width: float
    height: float


def _edges_by_scope(graph: Graph) -> dict[str, list[Edge]]:
    """Edges keyed by the scope holding both ends: "" for the top level, else the cluster's id."""
    scope_of: dict[str, str] = {}
    for node in graph.nodes:
        scope_of[node.id] = ""
    for cluster in graph.clusters:
        scope_of[cluster.id] = ""

    def walk(cluster: Cluster) -> None:
        for node in cluster.nodes:
            scope_of[node.id] = cluster.id
        for sub in cluster.clusters:
            scope_of[sub.id] = cluster.id
            walk(sub)

    for cluster in graph.clusters:
        walk(cluster)
    grouped: dict[str, list[Edge]] = {}
    for edge in graph.edges:
        grouped.setdefault(scope_of.get(edge.source, ""), []).append(edge)
    return grouped


def lay_out(graph: Graph) -> Drawing:
    """Every box placed and every edge routed, in absolute coordinates (top-left at 0, 0)."""
    boxes, routed, width, height = _scope(graph.nodes, graph.clusters, _edges_by_scope(graph), "")
    return Drawing(boxes=boxes, edges=routed, width=width, height=height)




# --------------------------------------------------------------------------------------------
# SVG

MARGIN = 12.0
_CLUSTER_STATUS_STYLE = """
.sfn-graph .cluster.s-succeeded>rect{stroke:#2e7d32;stroke-width:1.6}
.sfn-graph .cluster.s-retried>rect{stroke:#f9a825;stroke-width:3}
.sfn-graph .cluster.s-caught>rect{stroke:#e65100;stroke-width:2}
.sfn-graph .cluster.s-failed>rect{stroke:#c62828;stroke-width:2.4}
.sfn-graph .cluster.s-running>rect{stroke:#1565c0;stroke-width:2}
.sfn-graph .cluster.s-not-reached>rect{stroke:#bdbdbd;stroke-dasharray:4 3}
"""


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _path_d(points: Path) -> str:
    return "M" + " L".join(f"{_num(x)},{_num(y)}" for x, y in points)


def _midpoint(points: Path) -> tuple[float, float]:
    """The point halfway along the polyline (where its label goes)."""
    lengths = [((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5 for a, b in zip(points, points[1:])]
    remaining = sum(lengths) / 2
    for (a, b), length in zip(zip(points, points[1:]), lengths):
        if remaining <= length and length > 0:
            t = remaining / length
            return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        remaining -= length
    return points[len(points) // 2]


def _shape(box: Box, cls: str) -> str:
    x, y, w, h = box.x - box.w / 2, box.y - box.h / 2, box.w, box.h
    kind = box.node.type if box.node else "Task"
    if kind in ("Start", "End"):
        return f'<ellipse cx="{_num(box.x)}" cy="{_num(box.y)}" rx="{_num(w / 2)}" ry="{_num(h / 2)}"/>'
    if kind == "Choice":
        cut = 16.0
        points = [(x, box.y), (x + cut, y), (x + w - cut, y), (x + w, box.y), (x + w - cut, y + h), (x + cut, y + h)]
        return '<polygon points="' + " ".join(f"{_num(px)},{_num(py)}" for px, py in points) + '"/>'
    radius = {"Task": 6.0, "Pass": 0.0, "Wait": h / 2, "Succeed": h / 2, "Fail": h / 2}.get(kind, 6.0)
    return f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" rx="{_num(radius)}"/>'


class _Writer:
    def __init__(self, *, outcomes: Mapping[str, Any] | None, uid: str) -> None:
        self.outcomes = outcomes
        self.uid = uid
        self.parts: list[str] = []

    def status_of(self, name: str) -> tuple[str, str]:
        """(css class, tooltip text) for a state."""
        if self.outcomes is None:
            return "", ""
        outcome = self.outcomes.get(name)
        if outcome is None:
            return " s-not-reached", "not reached"
        text = outcome.label
        if outcome.error:
            text += f"\n{outcome.error}: {' '.join(str(outcome.cause or '').split())[:300]}"
        return f" s-{outcome.status}", text

    def node(self, box: Box) -> None:
        node = box.node
        assert node is not None
        status, tip = ("", "") if node.type in ("Start", "End") else self.status_of(node.name)
        title = f"{node.name} ({node.type})" + (f": {tip}" if tip else "")
        # Start / End are markers, not states (a state may be called "Start"): data-marker, not data-state.
        data = "data-marker" if node.type in ("Start", "End") else "data-state"
        self.parts.append(f'<g class="state type-{escape(node.type)}{status}" {data}="{escape(node.name)}">'
                          f"<title>{escape(title)}</title>{_shape(box, status)}")
        lines = [node.name] if node.type in ("Start", "End") else wrap(node.name)
        first = box.y - (len(lines) - 1) * LINE_HEIGHT / 2
        for index, line in enumerate(lines):
            self.parts.append(f'<text x="{_num(box.x)}" y="{_num(first + index * LINE_HEIGHT)}">{escape(line)}</text>')
        outcome = self.outcomes.get(node.name) if self.outcomes else None
        badges = []
        if outcome is not None and outcome.retries:
            badges.append(f"↻{outcome.retries}")
        if outcome is not None and outcome.visits > 1:
            badges.append(f"×{outcome.visits}")
        if badges:
            self.parts.append(f'<text class="badge" x="{_num(box.x + box.w / 2 - 4)}" '
                              f'y="{_num(box.y - box.h / 2 - 6)}" text-anchor="end">{" ".join(badges)}</text>')
        self.parts.append("</g>")

    def cluster(self, box: Box) -> None:
        cluster = box.cluster
        assert cluster is not None
        left, top = box.x - box.w / 2, box.y - box.h / 2
        # The Parallel / Map state's name: its id's cluster label is "Parallel: name" / "Map: name (each item)".
        status, tip = ("", "")
        if cluster.kind in ("parallel", "map"):
            name = cluster.label.split(": ", 1)[1].removesuffix(" (each item)")
            status, tip = self.status_of(name)
            data = f' data-state="{escape(name)}"'
        else:
            data = ""
        title = cluster.label + (f": {tip}" if tip else "")
        self.parts.append(f'<g class="cluster k-{cluster.kind}{status}"{data} transform="translate({_num(left)},{_num(top)})">'
                          f'<title>{escape(title)}</title><rect x="0" y="0" width="{_num(box.w)}" height="{_num(box.h)}" rx="8"/>'
                          f'<text x="8" y="15">{escape(cluster.label)}</text>')
        self.scope(box.children, box.edges)
        self.parts.append("</g>")

    def edges(self, routed: list[tuple[Edge, Path]]) -> None:
        seen: dict[tuple[str, str], int] = {}
        for edge, points in routed:
            if len(points) < 2:
                continue
            repeat = seen.get((edge.source, edge.target), 0)
            seen[(edge.source, edge.target)] = repeat + 1
            if repeat:  # a second edge over the same route: drawn beside the first
                points = [(x + 9 * repeat, y) for x, y in points]
            marker = "catch" if edge.kind == "catch" else "next"
            self.parts.append(f'<g class="edge e-{edge.kind}"><path d="{_path_d(points)}" '
                              f'marker-end="url(#{self.uid}-{marker})"/>')
            if edge.label:
                mx, my = _midpoint(points)
                self.parts.append(f'<text x="{_num(mx)}" y="{_num(my + 3)}">{escape(edge.label)}</text>')
            self.parts.append("</g>")

    def scope(self, boxes: list[Box], routed: list[tuple[Edge, Path]]) -> None:
        for box in boxes:
            if box.cluster is not None:
                self.cluster(box)
        self.edges(routed)
        for box in boxes:
            if box.node is not None:
                self.node(box)


def render_svg(graph: Graph, *, outcomes: Mapping[str, Any] | None = None, uid: str = "sfn") -> str:
    """``graph`` as a standalone SVG document fragment (``<svg>...</svg>``).

    ``outcomes`` (default None: plain drawing): state name -> :class:`~sagemaker_sfn.report.outcome.StateOutcome`;
    states missing from it are drawn as not reached. ``uid`` (default "sfn") prefixes marker ids so that
    several drawings can share one page.
    """
    drawing = lay_out(graph)
    width, height = drawing.width + MARGIN * 2, drawing.height + MARGIN * 2
    writer = _Writer(outcomes=outcomes, uid=uid)
    writer.parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sfn-graph" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" aria-label="{escape(graph.name)}">'
        f"<style>{STYLE}{_CLUSTER_STATUS_STYLE}</style><defs>"
        f'<marker id="{uid}-next" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#607d8b"/></marker>'
        f'<marker id="{uid}-catch" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c62828"/></marker></defs>'
        f'<g transform="translate({_num(MARGIN)},{_num(MARGIN)})">')
    writer.scope(drawing.boxes, drawing.edges)
    writer.parts.append("</g></svg>")
    return "".join(writer.parts)


def definition_svg(definition: Mapping[str, Any], *, name: str = "state machine",
                   outcomes: Mapping[str, Any] | None = None, uid: str = "sfn") -> str:
    """Any ASL definition drawn as SVG (see :func:`render_svg` for ``outcomes`` and ``uid``)."""
    return render_svg(build_graph(definition, name=name), outcomes=outcomes, uid=uid)


__all__ = ["definition_svg", "render_svg", "lay_out", "START_ID", "END_ID"]
