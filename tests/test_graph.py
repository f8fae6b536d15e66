"""Mermaid and DOT rendering: whole output for a small definition, awkward names, nesting, errors."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from sagemaker_sfn.errors import DefinitionError
from sagemaker_sfn.graph import build_graph, describe_condition, mermaid_text, render, shorten

SMALL: dict[str, Any] = {
    "StartAt": "Train",
    "States": {
        "Train": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                  "Next": "Good enough?", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Notify"}]},
        "Good enough?": {"Type": "Choice",
                         "Choices": [{"Variable": "$.auc", "NumericGreaterThanEquals": 0.8, "Next": "Deploy"}],
                         "Default": "Notify"},
        "Deploy": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createModel", "End": True},
        "Notify": {"Type": "Pass", "Next": "Failed"},
        "Failed": {"Type": "Fail", "Error": "TrainingFailed"},
    },
}


def test_small_definition_as_mermaid() -> None:
    assert render(SMALL) == """\
flowchart TD
  start_node(("Start"))
  s_Train["Train"]
  s_Good_enough{"Good enough?"}
  s_Deploy["Deploy"]
  s_Notify[/"Notify"/]
  s_Failed((("Failed")))
  finish_node(("End"))
  start_node --> s_Train
  s_Train --> s_Good_enough
  s_Train -.->|"States.ALL"| s_Notify
  s_Good_enough -->|"$.auc #gt;= 0.8"| s_Deploy
  s_Good_enough -->|"Default"| s_Notify
  s_Deploy --> finish_node
  s_Notify --> s_Failed
  s_Failed --> finish_node
  classDef sfn_start fill:#eeeeee,stroke:#555555
  class start_node sfn_start
  classDef sfn_choice fill:#fff4d6,stroke:#c9a227
  class s_Good_enough sfn_choice
  classDef sfn_fail fill:#fde2e1,stroke:#c62828
  class s_Failed sfn_fail
  classDef sfn_end fill:#eeeeee,stroke:#555555
  class finish_node sfn_end
"""


def test_small_definition_as_dot() -> None:
    assert render(SMALL, fmt="dot", name="small") == """\
digraph "small" {
  compound=true;
  rankdir=TB;
  graph [fontname="Helvetica", fontsize=12];
  node [fontname="Helvetica", fontsize=11];
  edge [fontname="Helvetica", fontsize=10];
  start_node [label="Start", shape=circle, style="filled", fillcolor="#eeeeee"];
  s_Train [label="Train", shape=box, style="rounded"];
  s_Good_enough [label="Good enough?", shape=diamond, style="filled", fillcolor="#fff4d6"];
  s_Deploy [label="Deploy", shape=box, style="rounded"];
  s_Notify [label="Notify", shape=parallelogram];
  s_Failed [label="Failed", shape=doubleoctagon, style="filled", fillcolor="#fde2e1"];
  finish_node [label="End", shape=doublecircle, style="filled", fillcolor="#eeeeee"];
  start_node -> s_Train;
  s_Train -> s_Good_enough;
  s_Train -> s_Notify [label="States.ALL", style=dashed, color="#c62828"];
  s_Good_enough -> s_Deploy [label="$.auc >= 0.8"];
  s_Good_enough -> s_Notify [label="Default", style=bold];
  s_Deploy -> finish_node;
  s_Notify -> s_Failed;
  s_Failed -> finish_node;
}
"""


AWKWARD = {
    "StartAt": 'Say "hi" (v2) #1',
    "States": {
        'Say "hi" (v2) #1': {"Type": "Pass", "Next": "Say-hi v2 1"},
        "Say-hi v2 1": {"Type": "Wait", "Seconds": 1, "Next": "Größe <ok>|end"},
        "Größe <ok>|end": {"Type": "Pass", "Next": "end"},
        "end": {"Type": "Succeed"},
    },
}


def test_awkward_names_get_safe_unique_ids_and_escaped_labels_in_mermaid() -> None:
    lines = render(AWKWARD).splitlines()
    assert lines[1:6] == [
        '  start_node(("Start"))',
        '  s_Say_hi_v2_1[/"Say #quot;hi#quot; (v2) #35;1"/]',
        '  s_Say_hi_v2_1_2(["Say-hi v2 1"])',
        '  s_Gr_e_ok_end[/"Größe #lt;ok#gt;#124;end"/]',
        '  s_end(("end"))',
    ]
    assert "  s_Say_hi_v2_1 --> s_Say_hi_v2_1_2" in lines


def test_awkward_names_are_quoted_in_dot() -> None:
    out = render(AWKWARD, fmt="dot", name='my "machine"')
    assert out.startswith('digraph "my \\"machine\\"" {\n')
    assert '  s_Say_hi_v2_1 [label="Say \\"hi\\" (v2) #1", shape=parallelogram];\n' in out
    assert '  s_Gr_e_ok_end [label="Größe <ok>|end", shape=parallelogram];\n' in out


NESTED = {
    "StartAt": "Fan",
    "States": {
        "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 1, "End": True}}},
        ], "Catch": [{"ErrorEquals": ["States.TaskFailed", "States.Timeout"], "Next": "Oops"}]},
        "Each": {"Type": "Map", "End": True, "ItemProcessor": {
            "StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}},
        "Oops": {"Type": "Fail"},
    },
}


def test_parallel_and_map_are_subgraphs_in_mermaid() -> None:
    assert render(NESTED) == """\
flowchart TD
  start_node(("Start"))
  s_Oops((("Oops")))
  finish_node(("End"))
  subgraph s_Fan ["Parallel: Fan"]
    subgraph c_Fan_branch1 ["branch 1"]
      s_A[/"A"/]
    end
    subgraph c_Fan_branch2 ["branch 2"]
      s_B(["B"])
    end
  end
  subgraph s_Each ["Map: Each (each item)"]
    s_Item[/"Item"/]
  end
  start_node --> s_Fan
  s_Fan --> s_Each
  s_Fan -.->|"States.TaskFailed, States.Timeout"| s_Oops
  s_Each --> finish_node
  s_Oops --> finish_node
  classDef sfn_start fill:#eeeeee,stroke:#555555
  class start_node sfn_start
  classDef sfn_fail fill:#fde2e1,stroke:#c62828
  class s_Oops sfn_fail
  classDef sfn_end fill:#eeeeee,stroke:#555555
  class finish_node sfn_end
"""


def test_parallel_and_map_are_clusters_in_dot_with_edges_clipped_to_them() -> None:
    out = render(NESTED, fmt="dot")
    assert """\
  subgraph cluster_s_Fan {
    label="Parallel: Fan";
    style="rounded";
    subgraph cluster_c_Fan_branch1 {
      label="branch 1";
      style="rounded,dashed";
      s_A [label="A", shape=parallelogram];
    }
""" in out
    assert "  start_node -> s_A [lhead=cluster_s_Fan];\n" in out
    assert "  s_A -> s_Item [ltail=cluster_s_Fan, lhead=cluster_s_Each];\n" in out
    assert ('  s_A -> s_Oops [label="States.TaskFailed, States.Timeout", style=dashed, color="#c62828", '
            "ltail=cluster_s_Fan];\n") in out


def test_legacy_map_iterator_and_empty_parallel() -> None:
    definition = {"StartAt": "M", "States": {
        "M": {"Type": "Map", "Next": "P", "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}},
        "P": {"Type": "Parallel", "End": True, "Branches": []}}}
    graph = build_graph(definition)
    assert [(c.id, [n.id for n in c.nodes]) for c in graph.clusters] == [("s_M", ["s_I"]), ("s_P", [])]
    # Inside a branch or iterator, terminal states do not link to the machine's End.
    assert [(e.source, e.target) for e in graph.edges] == [("start_node", "s_M"), ("s_M", "s_P"),
                                                           ("s_P", "finish_node")]
    assert "    s_P_anchor [shape=point, style=invis];\n" in render(definition, fmt="dot")


@pytest.mark.parametrize(("rule", "text"), [
    ({"Variable": "$.status", "StringEquals": "Completed"}, '$.status == "Completed"'),
    ({"Variable": "$.n", "NumericLessThanPath": "$.max"}, "$.n < $.max"),
    ({"Variable": "$.ok", "BooleanEquals": True}, "$.ok == true"),
    ({"Variable": "$.t", "TimestampGreaterThan": "2024-01-01T00:00:00Z"}, '$.t > "2024-01-01T00:00:00Z"'),
    ({"Variable": "$.x", "IsPresent": False}, "$.x is absent"),
    ({"Variable": "$.x", "IsNull": True}, "$.x is null"),
    ({"Variable": "$.f", "StringMatches": "*.csv"}, '$.f matches "*.csv"'),
    ({"Or": [{"Variable": "$.a", "NumericEquals": 1}, {"Not": {"Variable": "$.b", "IsString": True}}]},
     "($.a == 1) or (not ($.b is string))"),
    ({"Condition": "{% $states.input.auc >= 0.8 %}"}, "$states.input.auc >= 0.8"),
    ({"Variable": "$.x", "Unknown": 1}, "?"),
])
def test_describe_condition(rule: dict[str, Any], text: str) -> None:
    assert describe_condition(rule) == text


def test_long_conditions_are_shortened() -> None:
    assert shorten("x" * 60, limit=10) == "xxxxxxxxx…"
    assert shorten("a\n  b") == "a b"


def test_mermaid_text_escapes_what_mermaid_parses() -> None:
    assert mermaid_text('a"b#c<d>e|f`g') == "a#quot;b#35;c#lt;d#gt;e#124;f#96;g"


def test_fails_transition_to_missing_state_with_location() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [
        {"Variable": "$.x", "IsPresent": True, "Next": "Nowhere"}]}}}
    with pytest.raises(DefinitionError, match=r"^\$\.States\.A\.Choices\[0\]\.Next: transition to 'Nowhere', "
                                              r"which is not a state of this scope$"):
        render(definition)


def test_fails_without_states() -> None:
    with pytest.raises(DefinitionError, match=r"^\$\.States: expected an object of states$"):
        render({"StartAt": "A"})


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown graph format 'png'"):
        render(SMALL, fmt="png")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
@pytest.mark.parametrize("definition", [SMALL, AWKWARD, NESTED], ids=["small", "awkward", "nested"])
def test_graphviz_accepts_the_dot_output(definition: dict[str, Any]) -> None:
    result = subprocess.run(["dot", "-Tsvg"], input=render(definition, fmt="dot", name='a "b"'),
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "")
    assert "<svg" in result.stdout
