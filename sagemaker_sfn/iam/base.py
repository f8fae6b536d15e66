"""The data model every integration module shares: ARNs, Task references, grants, names read
from a request."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sagemaker_sfn.local.integrations.base import ResourceRef
from sagemaker_sfn.project import PLACEHOLDER
from sagemaker_sfn.validate.findings import child  # the validator's location format

POLICY_VERSION = "2012-10-17"

# Placeholders that only policies use. The CDK construct fills them as it fills the definition's.
POLICY_ONLY_PLACEHOLDERS: dict[str, str] = {
    "CallbackQueueArn": "ARN of the queue whose URL is ${CallbackQueueUrl}",
}

SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"


# --------------------------------------------------------------------------------------------
# Data model


@dataclass(frozen=True)
class ArnContext:
    """What goes into the ARNs we build.

    ``partition`` defaults to ``aws``; ``region`` and ``account`` default to ``*`` (any), which is
    right only for a generic, human-read policy: deployers pass the real values or CDK tokens.
    """

    partition: str = "aws"
    region: str = "*"
    account: str = "*"

    def arn(self, service: str, resource: str, *, regional: bool = True, with_account: bool = True) -> str:
        region = self.region if regional else ""
        account = self.account if with_account else ""
        return f"arn:{self.partition}:{service}:{region}:{account}:{resource}"


@dataclass(frozen=True)
class TaskRef:
    """One Task state, wherever it sits (top level, Parallel branch, Map iterator)."""

    location: str            # JSONPath-like location, e.g. $.States.Train
    name: str
    state: Mapping[str, Any]

    @property
    def parameters(self) -> Mapping[str, Any]:
        # JSONata states use Arguments, JSONPath states Parameters; both hold the API request.
        params = self.state.get("Parameters", self.state.get("Arguments"))
        return params if isinstance(params, Mapping) else {}


@dataclass(frozen=True)
class Grant:
    """One need of one or more states: ``actions`` on ``resources``, and why."""

    sid: str                                  # statement id: letters and digits only
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    reason: str                               # shown by explain_policy
    condition: Mapping[str, Any] | None = None
    states: tuple[str, ...] = ()              # locations of the states that need it
    sources: tuple[str, ...] = ()             # the AWS page or aws-cdk source the permission comes from


@dataclass(frozen=True)
class NameRef:
    """What a definition tells us about a resource name (a job name, a function, a bucket...)."""

    static: str | None       # the whole value, when written in the definition
    prefix: str = ""         # the literal text every value starts with (dynamic values)

    @property
    def is_static(self) -> bool:
        return self.static is not None


# --------------------------------------------------------------------------------------------
# Walking the definition


def all_states(definition: Mapping[str, Any], *, location: str = "$") -> Iterator[TaskRef]:
    """Every state, depth first, including those inside Parallel branches and Map iterators."""
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        here = child(child(location, "States"), name)
        yield TaskRef(location=here, name=name, state=state)
        kind = state.get("Type")
        if kind == "Parallel":
            for index, branch in enumerate(state.get("Branches") or []):
                if isinstance(branch, Mapping):
                    yield from all_states(branch, location=f"{here}.Branches[{index}]")
        elif kind == "Map":
            for key in ("ItemProcessor", "Iterator"):
                if isinstance(state.get(key), Mapping):
                    yield from all_states(state[key], location=f"{here}.{key}")


def task_states(definition: Mapping[str, Any], *, location: str = "$") -> Iterator[TaskRef]:
    """Every Task state, depth first, including those inside Parallel branches and Map iterators."""
    return (ref for ref in all_states(definition, location=location) if ref.state.get("Type") == "Task")


# --------------------------------------------------------------------------------------------
# Reading names out of Parameters

# States.Format('train-{}-{}', ...): the literal text before the first unescaped '{' or closing quote.
_FORMAT_PREFIX = re.compile(r"^\s*States\.Format\(\s*'((?:[^'\\{]|\\.)*)")


def _unescape_intrinsic(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def name_ref(params: Mapping[str, Any], field_name: str) -> NameRef | None:
    """The static value or the static prefix of ``field_name`` in a request; None when absent.

    ``Field`` holds a literal; ``Field.$`` a path or intrinsic (a ``States.Format`` keeps its
    literal prefix); JSONata ``{% ... %}`` values are dynamic with no known prefix.
    """
    if field_name in params:
        value = params[field_name]
        if isinstance(value, str) and value.strip().startswith("{%"):
            return NameRef(static=None)
        return NameRef(static=str(value)) if isinstance(value, str) else NameRef(static=None)
    expr = params.get(f"{field_name}.$")
    if expr is None:
        return None
    if isinstance(expr, str) and (match := _FORMAT_PREFIX.match(expr)):
        return NameRef(static=None, prefix=_unescape_intrinsic(match.group(1)))
    return NameRef(static=None)


def _lower_outside_placeholders(text: str) -> str:
    """SageMaker lower-cases names in ARNs; ``${Name}`` placeholders must keep their spelling."""
    out, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        out.append(text[last:match.start()].lower())
        out.append(match.group(0))
        last = match.end()
    out.append(text[last:].lower())
    return "".join(out)


def name_pattern(ref: NameRef | None, *, exact_when_static: bool) -> str:
    """The resource-name part of an ARN: exact name, ``prefix*``, or ``*``."""
    if ref is None:
        return "*"
    if ref.is_static:
        name = _lower_outside_placeholders(ref.static or "")
        return name if exact_when_static else f"{name}*"
    return f"{_lower_outside_placeholders(ref.prefix)}*"


def why_wildcard(ref: NameRef | None, what: str) -> str:
    if ref is not None and not ref.is_static and not ref.prefix:
        return f" The {what} is computed at run time with no literal prefix, so any name is allowed."
    return ""



# Where the permissions come from (cited by each grant and printed by `policy --explain`).
CDK_TASKS = "aws-cdk v2.275.0 packages/aws-cdk-lib/aws-stepfunctions-tasks/lib"
SOURCE_SAGEMAKER = "https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html"
SOURCE_AWS_SDK = ("https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html"
                  " (an aws-sdk Task calls <service>:<Action> with the state machine's role)")


PLACEHOLDER_ONLY = re.compile(r"^\$\{[A-Za-z0-9_]+\}$")

GrantRule = Callable[[TaskRef, ResourceRef, ArnContext, "list[str] | None"], list[Grant]]
