"""JSONPath for ASL: reference paths, ``ResultPath`` merging and ``.$`` payload templates.

Reading uses jsonpath-ng (its ``ext`` parser, for filters). A path is *definite* when it names one
value; AWS returns that value, and for indefinite paths (wildcards, filters, slices, unions) the
list of matches. ``$$`` reads the context object and ``$name`` a variable.
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from typing import Any, Callable

from sagemaker_sfn.local.interpreter.messages import states_error

_VARIABLE = re.compile(r"^\$(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<rest>.*)$", re.DOTALL)
_INDEFINITE = re.compile(r"\*|\.\.|\?\(|\[[^\]'\"]*[:,][^\]'\"]*\]")
_STEP = re.compile(r"\.(?P<name>[^.\[\]]+)|\[\s*'(?P<quoted>(?:[^'\\]|\\.)*)'\s*\]|\[\s*\"(?P<dquoted>[^\"]*)\"\s*\]"
                   r"|\[\s*(?P<index>-?\d+)\s*\]")


class PathNotFound(Exception):
    """A definite path matched nothing; callers word the AWS error for their field."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def to_json(value: Any) -> str:
    """Compact JSON, as AWS renders inputs and outputs in histories and error causes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=4096)
def _compiled(path: str) -> Any:
    from jsonpath_ng.ext import parse  # heavy (ply) import kept out of module import time
    return parse(path)


def read(path: str, data: Any) -> Any:
    """The value at ``path`` (``$``-rooted) in ``data``; list of matches for indefinite paths.

    Raises :class:`PathNotFound` when a definite path matches nothing.
    """
    if path == "$":
        return data
    if not _INDEFINITE.search(path):
        try:
            steps = segments(path)
        except ValueError:
            steps = None
        if steps is not None:
            # Reference paths are walked directly: faster, and keys keep their characters verbatim
            # (jsonpath-ng would unescape backslashes inside quoted keys, AWS does not).
            node = data
            for step in steps:
                if isinstance(step, int):
                    if not isinstance(node, list) or not -len(node) <= step < len(node):
                        raise PathNotFound(path)
                elif not isinstance(node, dict) or step not in node:
                    raise PathNotFound(path)
                node = node[step]
            return node
    try:
        matches = _compiled(path).find(data)
    except Exception as exc:  # jsonpath-ng raises assorted errors for malformed paths
        raise states_error("path_invalid", path=path, detail=exc) from exc
    if _INDEFINITE.search(path):
        return [match.value for match in matches]
    if not matches:
        raise PathNotFound(path)
    return matches[0].value


def resolve(path: str, *, data: Any, context: dict, variables: dict) -> Any:
    """Read ``$...`` from ``data``, ``$$...`` from ``context``, ``$var...`` from ``variables``."""
    if path.startswith("$$"):
        return read(path[1:], context)
    if match := _VARIABLE.match(path):
        name = match["name"]
        if name not in variables:
            raise PathNotFound(path)
        return read("$" + match["rest"], variables[name])
    return read(path, data)


def segments(path: str) -> list[str | int]:
    """Steps of a reference path: ``$.a['b'][0]`` -> ``['a', 'b', 0]``."""
    if not path.startswith("$"):
        raise ValueError(path)
    steps: list[str | int] = []
    pos = 1
    while pos < len(path):
        match = _STEP.match(path, pos)
        if not match:
            raise ValueError(path)
        if match["index"] is not None:
            steps.append(int(match["index"]))
        else:
            steps.append(match["name"] or match["quoted"] or match["dquoted"] or "")
        pos = match.end()
    return steps


def merge_result(path: str | None, *, state_input: Any, result: Any) -> Any:
    """Apply ``ResultPath``: ``None`` keeps the input, ``$`` replaces it, ``$.a.b`` inserts ``result``."""
    if path is None:
        return state_input
    if path == "$":
        return result
    try:
        steps = segments(path)
    except ValueError:
        raise states_error("result_path_invalid", path=path) from None
    output = copy.deepcopy(state_input)
    if not isinstance(output, dict):
        raise states_error("result_path_match_failure", path=path, input=to_json(state_input))
    node: Any = output
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        if isinstance(step, int):
            if not isinstance(node, list) or not -len(node) <= step < len(node):
                raise states_error("result_path_match_failure", path=path, input=to_json(state_input))
            if last:
                node[step] = result
            else:
                node = node[step]
            continue
        if not isinstance(node, dict):
            raise states_error("result_path_match_failure", path=path, input=to_json(state_input))
        if last:
            node[step] = result
        else:
            # AWS creates missing intermediate objects and overwrites non-object ones.
            if not isinstance(node.get(step), (dict, list)):
                node[step] = {}
            node = node[step]
    return output


def render_template(template: Any, *, evaluate: Callable[[str, str], Any]) -> Any:
    """Evaluate a payload template (Parameters, ResultSelector, ItemSelector, Assign).

    Keys ending in ``.$`` take ``evaluate(expression, key)``'s value under the key without the suffix;
    nested objects and arrays are rendered the same way.
    """
    if isinstance(template, dict):
        rendered: dict[str, Any] = {}
        for key, value in template.items():
            if key.endswith(".$") and isinstance(value, str):
                rendered[key[:-2]] = evaluate(value, key)
            else:
                rendered[key] = render_template(value, evaluate=evaluate)
        return rendered
    if isinstance(template, list):
        return [render_template(item, evaluate=evaluate) for item in template]
    return template
