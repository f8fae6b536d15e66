"""JSONPath and intrinsic-function helpers for building ASL values.

ASL marks a computed field by suffixing its key with ``.$``; the value is then a path (``$.a``,
``$$.Execution.Id``) or an intrinsic function call (``States.Format(...)``). These helpers build
such values and escape literals, so builders never concatenate intrinsic syntax by hand.
"""

from __future__ import annotations

import unicodedata
from typing import Any

PATH_SUFFIX = ".$"

# Characters that must be backslash-escaped inside a single-quoted intrinsic string literal
# (ASL spec: "'", "{", "}" and "\" are special inside intrinsic strings).
_SPECIAL = "\\'{}"


def is_dynamic_key(key: str) -> bool:
    """True for a ``Key.$`` field whose value is a path or intrinsic, not a literal."""
    return key.endswith(PATH_SUFFIX)


def plain_key(key: str) -> str:
    """``Key.$`` -> ``Key``; other keys unchanged."""
    return key[: -len(PATH_SUFFIX)] if is_dynamic_key(key) else key


def has_field(obj: dict[str, Any], name: str) -> bool:
    """True when ``obj`` sets ``name`` either literally or as ``name.$``."""
    return name in obj or f"{name}{PATH_SUFFIX}" in obj


def literal(text: str) -> str:
    """``text`` as a single-quoted intrinsic string literal, with ASL's escapes."""
    return "'" + "".join(f"\\{c}" if c in _SPECIAL else c for c in text) + "'"


def escape_template(text: str) -> str:
    """``text`` escaped to appear verbatim inside a ``States.Format`` template literal."""
    return "".join(f"\\{c}" if c in _SPECIAL else c for c in text)


def intrinsic(name: str, *args: str) -> str:
    """``States.<name>(arg, ...)``; each ``arg`` is already a path, literal or nested call."""
    return f"States.{name}({', '.join(args)})"


def fmt(template: str, *args: str) -> str:
    """``States.Format('<template>', args...)``.

    ``template`` uses ``{}`` for each argument and is escaped here, except its ``{}`` pairs; so
    ``fmt("s3://${DataBucket}/x/{}", "$$.Execution.Name")`` is safe. ``${Name}`` placeholders are
    kept as they are: CDK substitutes them before Step Functions parses the string, and the local
    runner does the same.
    """
    parts = template.split("{}")
    if len(parts) - 1 != len(args):
        raise ValueError(f"template {template!r} has {len(parts) - 1} '{{}}' but {len(args)} arguments were given")
    escaped = "{}".join(_escape_keep_placeholders(p) for p in parts)
    return intrinsic("Format", f"'{escaped}'", *args)


def _escape_keep_placeholders(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("${", i) and (end := text.find("}", i)) != -1:
            # A deploy-time placeholder: replaced before Step Functions reads the template.
            out.append(text[i:end + 1])
            i = end + 1
            continue
        c = text[i]
        out.append(f"\\{c}" if c in _SPECIAL else c)
        i += 1
    return "".join(out)


def result_key(step_name: str) -> str:
    """A JSONPath-safe field name for a step's result, made of ASCII letters, digits and ``_`` (what a
    ``$.name`` field may hold): accents are dropped (``Modèle`` -> ``Modele``), other ASCII characters
    become ``_``, and letters with no ASCII form become their code point (``模型`` -> ``u6a21u578b``)
    so that distinct names stay distinct. A leading digit gets a ``_`` first."""
    out: list[str] = []
    for c in unicodedata.normalize("NFKD", step_name):
        if unicodedata.combining(c):
            continue
        if c.isascii():
            out.append(c if c.isalnum() or c == "_" else "_")
        else:
            out.append(f"u{ord(c):04x}" if c.isalnum() else "_")
    key = "".join(out)
    return key if key[:1].isalpha() or key[:1] == "_" else f"_{key}"


def is_dynamic_value(value: Any) -> bool:
    """True when a string is a path (``$.a``, ``$$.Execution.Id``, ``$``) or an intrinsic call.

    ``${Name}`` is a deploy-time placeholder, not a path.
    """
    if not isinstance(value, str):
        return False
    if value.startswith("States."):
        return True
    return value == "$" or value.startswith(("$.", "$$", "$["))


def put(obj: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """Set ``key`` — as ``key.$`` when ``value`` is a path or intrinsic — and return ``obj``."""
    obj[f"{key}{PATH_SUFFIX}" if is_dynamic_value(value) else key] = value
    return obj
