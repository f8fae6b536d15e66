"""Step caching as a transform of the ASL: no Lambda, the same states on AWS and locally.

For a cached SageMaker job state ``S`` (a ``.sync`` Task), the transform adds, in S's scope::

    Cache key: S        Pass (JSONPath)  the keyed request (per-run values removed) materialised with
                                         S's own InputPath/Parameters semantics; Assign hashes each piece
                                         (States.Hash over States.JsonToString, <= 10,000 chars each)
    Cache input N: S    Task (JSONata)   aws-sdk:s3:listObjectsV2 of each input S can name before the
                                         run; Assign the hash of its keys (relative) and ETags
    Cache lookup: S     Task (JSONPath)  aws-sdk:dynamodb:getItem on ${CacheTableName}; Assign the key
                                         (States.Hash SHA-256 of all pieces) and the item
    Cache hit?: S       Choice (JSONata) an item whose ExpiresAt is later than now -> Cache hit, else S
    Cache hit: S        Pass (JSONata)   S's output rebuilt from the stored result: S's ResultPath and
                                         OutputPath applied to S's input, then S's Next / End
    S                   the job, unchanged but for an Assign of its (ResultSelector'd) result and Next
    Cache store?: S     Choice (JSONata) a key was computed (the lookup answered) and the result is
                                         under 200,000 characters -> Cache store, else S's Next
    Cache store: S      Task (JSONata)   aws-sdk:dynamodb:putItem with ExpiresAt (TTL, epoch seconds),
                                         then S's Next / End; its output is S's output

Every cache Task catches ``States.ALL`` and goes on as if there were no cache: a cache-table or
listing error never fails the pipeline, it runs the job (or skips storing). Transitions that entered
``S`` now enter ``Cache key: S``. JSONata states are used where JSONPath has no way to do the work
(epoch-second arithmetic for the TTL, JSON parsing of the stored result); a JSONPath machine may
hold JSONata states (the state-level ``QueryLanguage`` field, AWS "JSONata in Step Functions").

Facts relied on (sources):
- Assign in a JSONPath Pass sees the state's result after Parameters: recorded on AWS,
  conformance ``test_assign_from_value[BASE_ASSIGN_FROM_PARAMETERS]``.
- Assign in a Task is evaluated on the result after ResultSelector, before ResultPath (AWS
  developer guide, "Passing data between states with variables").
- States.Hash takes at most 10,000 characters (AWS "Intrinsic functions", States.Hash).
- Variables assigned in a branch are visible to later states of the same branch only (same page).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sagemaker_sfn.cache.config import CacheConfig
from sagemaker_sfn.cache.request import (S3Input, keyed_request, literal_digest, parts,
                                         s3_inputs)

CACHE_TABLE = "${CacheTableName}"
GET_ITEM = "arn:aws:states:::aws-sdk:dynamodb:getItem"
PUT_ITEM = "arn:aws:states:::aws-sdk:dynamodb:putItem"
LIST_OBJECTS = "arn:aws:states:::aws-sdk:s3:listObjectsV2"
MAX_STORED_CHARS = 200_000     # a stored result's JSON; keeps the item and the lookup's variable in bounds
HASH_INPUT_LIMIT = 10_000      # States.Hash takes at most 10,000 characters (AWS intrinsic functions reference)
KEY_VERSION = 1                 # bump when the key's composition changes: old entries stop matching
STATE_NAME_LIMIT = 80
# The prefixes of the generated state names (the local runner's progress recognises them).
PREFIXES = {"key": "Cache key: ", "input": "Cache input {n}: ", "lookup": "Cache lookup: ", "check": "Cache hit?: ",
            "hit": "Cache hit: ", "store_check": "Cache store?: ", "store": "Cache store: ", "done": "Cache done: "}
_JOB = re.compile(r"^arn:aws:states:::sagemaker:(?P<action>create(TrainingJob|ProcessingJob|TransformJob|"
                  r"HyperParameterTuningJob))\.sync$")
_SIMPLE_PATH = re.compile(r"^\$((\.[A-Za-z_][A-Za-z0-9_-]*)|(\['[^'\]]+'\]))*$")
_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\['([^'\]]+)'\]")
# Throttling or a transient DynamoDB error deserves one quick retry before falling back to the job.
_TABLE_RETRY = [{"ErrorEquals": ["DynamoDb.ProvisionedThroughputExceededException", "DynamoDb.RequestLimitExceeded",
                                 "DynamoDb.ThrottlingException", "DynamoDb.InternalServerErrorException"],
                 "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2.0}]


class CacheError(ValueError):
    """A step cannot be cached as asked; the message says which and why, ``state`` which state."""

    def __init__(self, message: str, *, state: str | None = None) -> None:
        super().__init__(message)
        self.state = state


@dataclass(frozen=True)
class CachedStep:
    """What the transform did to one state: the names it added (for progress and tests)."""

    state: str
    names: dict[str, str]
    inputs: tuple[S3Input, ...]
    variable: str


def state_name(kind: str, step: str, *, n: int = 0) -> str:
    prefix = PREFIXES[kind].format(n=n)
    room = STATE_NAME_LIMIT - len(prefix)
    return prefix + (step if len(step) <= room else step[: room - 9] + "~" + literal_digest(step)[:8])


def step_of(state: str) -> tuple[str, str] | None:
    """``("lookup", "Train")`` for ``"Cache lookup: Train"``; None for other names."""
    for kind, prefix in PREFIXES.items():
        head = prefix.split("{n}")[0]
        if state.startswith(head):
            rest = state[len(head):]
            if "{n}" in prefix:
                number, sep, rest = rest.partition(": ")
                if not sep or not number.isdigit():
                    continue
            return kind, rest
    return None


def apply_cache(definition: dict[str, Any], steps: Mapping[str, CacheConfig]) -> dict[str, Any]:
    """A copy of ``definition`` with each state named in ``steps`` cached (see the module doc).

    ``steps``: state name -> :class:`CacheConfig`; the states may be in any scope (Parallel
    branches, Map item processors). :class:`CacheError` names a state that is missing, is not a
    ``.sync`` SageMaker job Task, or uses a feature the cache cannot reproduce on a hit."""
    result = copy.deepcopy(definition)
    if not steps:
        return result
    owner = {name: scope for scope in scopes(result) for name in scope["States"]}
    used = set(owner)
    for index, (name, config) in enumerate(steps.items()):
        if name not in owner:
            raise CacheError(f"cache: no state named {name!r} in the definition", state=name)
        try:
            _cache_state(owner[name], name, config, used=used, variable=_variable(name, index))
        except CacheError as exc:
            exc.state = name
            raise
    return result


def cached_steps(definition: dict[str, Any]) -> list[str]:
    """The job states a definition caches (those with a ``Cache lookup: <name>`` state)."""
    found = []
    for scope in scopes(definition):
        for name in scope["States"]:
            parsed = step_of(name)
            if parsed and parsed[0] == "lookup":
                found.append(parsed[1])
    return found


# -- the transform of one state -----------------------------------------------------------------

def scopes(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield definition
    for state in definition.get("States", {}).values():
        for branch in state.get("Branches", []) or []:
            yield from scopes(branch)
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                yield from scopes(state[key])


def _variable(name: str, index: int) -> str:
    slug = re.sub(r"[^A-Za-z0-9_]", "", name)[:40]
    return f"sfnCache{index}_{slug}"


def _check(name: str, state: dict[str, Any]) -> str:
    match = _JOB.match(str(state.get("Resource", "")))
    if state.get("Type") != "Task" or match is None:
        raise CacheError(f"cache: state {name!r} is not a SageMaker job run with .sync (training, processing, "
                         "transform or tuning): only a finished job has a result worth reusing")
    if state.get("QueryLanguage") == "JSONata" or "Arguments" in state:
        raise CacheError(f"cache: state {name!r} uses JSONata; the cache reads JSONPath Parameters only")
    if not isinstance(state.get("Parameters"), dict):
        raise CacheError(f"cache: state {name!r} has no Parameters (the job request)")
    if "Assign" in state:
        raise CacheError(f"cache: state {name!r} has Assign; a cache hit could not reproduce it")
    for field in ("ResultPath", "OutputPath"):
        path = state.get(field)
        if path is not None and not _SIMPLE_PATH.match(path):
            raise CacheError(f"cache: state {name!r} {field} {path!r}: a cache hit rebuilds the output only for "
                             "paths of field names ($.a.b or $['a'])")
    return match["action"]


def _cache_state(scope: dict[str, Any], name: str, config: CacheConfig, *, used: set[str], variable: str) -> None:
    states: dict[str, Any] = scope["States"]
    job = states[name]
    action = _check(name, job)
    keyed, _dropped = keyed_request(job["Parameters"], action=action)
    pieces, request = parts(keyed)
    inputs = tuple(s3_inputs(job["Parameters"]))
    names = {kind: state_name(kind, name) for kind in ("key", "lookup", "check", "hit", "store_check", "store")}
    input_names = [state_name("input", name, n=i + 1) for i in range(len(inputs))]
    ends = bool(job.get("End"))
    after = None if ends else job["Next"]
    if ends:
        names["done"] = state_name("done", name)
    for generated in [*names.values(), *input_names]:
        if generated in used:
            raise CacheError(f"cache: state {name!r} needs a state named {generated!r}, which already exists")
        used.add(generated)
    _retarget(scope, old=name, new=names["key"])

    v = variable
    entry = names["key"]
    # 1. The key pieces: dynamic ones hashed at run time, literal ones now.
    components: dict[str, Any] = {"resource": job["Resource"], "selector": literal_digest(job.get("ResultSelector"))}
    for piece in pieces:
        if piece.dynamic:
            components[f"{piece.label}.$"] = f"States.Hash(States.JsonToString({piece.path}), 'SHA-256')"
        else:
            components[piece.label] = literal_digest(piece.template)
    _check_key_size(name, components, len(inputs))
    parameters: dict[str, Any] = {"Request": request}
    if inputs:
        parameters["Inputs"] = [{**i.bucket, **i.prefix} for i in inputs]
    # Every variable a later cache state reads is assigned here first, so each reference has an
    # assignment on every path to it (a listing that fails goes straight to the job).
    assign: dict[str, Any] = {f"{v}_c": components, f"{v}_k": None, f"{v}_r": None,
                              **{f"{v}_d{i}": None for i in range(len(inputs))}}
    if inputs:
        assign[f"{v}_in.$"] = "$.Inputs"
    key_state: dict[str, Any] = {"Type": "Pass", "Comment": f"Cache key of {name}: its request without per-run "
                                 "values (job name, tags, execution-derived locations)"}
    if "InputPath" in job:
        key_state["InputPath"] = job["InputPath"]
    key_state.update({"Parameters": parameters, "Assign": assign, "ResultPath": None,
                      "Next": input_names[0] if inputs else names["lookup"]})
    new: dict[str, Any] = {entry: key_state}

    # 2. One listing per input: the hash of (key relative to the prefix, ETag) of every object.
    for index, (input_name, item) in enumerate(zip(input_names, inputs)):
        ref = f"${v}_in[{index}]"
        listing = ("($r := $states.result; $r.IsTruncated ? 'over ' & $string($r.KeyCount) & ' objects: ' & $uuid() : "
                   "$exists($r.Contents) ? $hash($join([$r.Contents.($substringAfter(Key, " + ref + ".Prefix) & ' ' & ETag)],"
                   " '\\n'), 'SHA-256') : 'empty')")
        new[input_name] = {
            "Type": "Task", "QueryLanguage": "JSONata",
            "Comment": f"Content of {item.label} (listObjectsV2: keys and ETags; more than 1000 objects never match)",
            "Resource": LIST_OBJECTS,
            # Literal when known before the run (so a policy can name the bucket), else the value the key
            # state computed from the input.
            "Arguments": {"Bucket": item.bucket.get("Bucket", "{% " + ref + ".Bucket %}"),
                          "Prefix": item.prefix.get("Prefix", "{% " + ref + ".Prefix %}")},
            "Assign": {f"{v}_d{index}": "{% " + listing + " %}"},
            "Output": "{% $states.input %}",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": name, "Output": "{% $states.input %}"}],
            "Next": input_names[index + 1] if index + 1 < len(inputs) else names["lookup"],
        }

    # 3. Lookup: the key is the hash of the pieces and the inputs' content (intrinsics: cheaper than
    # JSONata, and the pieces' JSON is far below States.Hash's 10,000 characters).
    data = ", ".join(f"${v}_d{i}" for i in range(len(inputs)))
    slots = "|".join("{}" for _ in range(len(inputs) + 1))
    key = (f"States.Hash(States.Format('v{KEY_VERSION}|{slots}', States.JsonToString(${v}_c)"
           + "".join(f", ${v}_d{i}" for i in range(len(inputs))) + "), 'SHA-256')")
    new[names["lookup"]] = {
        "Type": "Task", "Resource": GET_ITEM,
        "Parameters": {"TableName": CACHE_TABLE, "Key": {"CacheKey": {"S.$": key}}},
        "ResultPath": None,
        "Assign": {f"{v}_k.$": key, f"{v}_i.$": "$"},
        "Retry": copy.deepcopy(_TABLE_RETRY),
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": name, "ResultPath": None}],
        "Next": names["check"],
    }
    # 4. Fresh entry? ExpiresAt is the TTL attribute (epoch seconds, a DynamoDB number: a string here).
    new[names["check"]] = {
        "Type": "Choice", "QueryLanguage": "JSONata",
        "Choices": [{"Condition": "{% $exists($" + v + "_i.Item.Result.S) and $number($" + v + "_i.Item.ExpiresAt.N)"
                                  " > $toMillis($states.context.State.EnteredTime) / 1000 %}",
                     "Next": names["hit"]}],
        "Default": name,
    }
    # 5. Hit: S's output from the stored result, exactly as S's ResultPath and OutputPath make it.
    # The cache's variables are not needed past this point: dropping them keeps later states' data
    # (and the execution's variable budget) small.
    spent = {f"{v}_{suffix}": None for suffix in ("c", "i", *(("in",) if inputs else ()))}
    hit = {"Type": "Pass", "QueryLanguage": "JSONata",
           "Comment": f"Reuse {name}'s stored result (DynamoDB item attribute Result)",
           "Output": "{% " + _rebuild(job, f"$parse(${v}_i.Item.Result.S)") + " %}", "Assign": spent}
    new[names["hit"]] = _then(hit, after)

    # 6. The job itself: unchanged, but it remembers its result for the store.
    job["Assign"] = {f"{v}_r.$": "$"}
    job.pop("End", None)
    job["Next"] = names["store_check"]
    after_store = after if after is not None else names["done"]
    # Store only when the lookup answered (a key exists) and the result leaves the item, and the
    # variable a later lookup reads it into, under their limits (DynamoDB item 400 KB; a variable, like
    # a state's data, 256 KB: Step Functions quotas).
    new[names["store_check"]] = {
        "Type": "Choice", "QueryLanguage": "JSONata",
        "Choices": [{"Condition": "{% $type($" + v + "_k) = 'string' and $length($string($" + v + "_r)) < "
                                  f"{MAX_STORED_CHARS} %}}", "Next": names["store"]}],
        "Default": after_store,
    }
    # One JSONata expression for the whole item: the local interpreter binds the variables once per
    # expression, and AWS evaluates one expression as cheaply as eight.
    item = ("{% {'CacheKey': {'S': $" + v + "_k}, "
            "'ExpiresAt': {'N': $string($floor($toMillis($states.context.State.EnteredTime) / 1000) + "
            f"{config.seconds})}}, "
            "'CreatedAt': {'S': $states.context.State.EnteredTime}, "
            "'Execution': {'S': $states.context.Execution.Id}, "
            "'StateMachine': {'S': $states.context.StateMachine.Name}, "
            f"'Step': {{'S': {json.dumps(name)}}}, "
            "'Result': {'S': $string($" + v + "_r)}, "
            "'Components': {'S': $string({'request': $" + v + "_c, 'inputs': [" + data + "]})}} %}")
    store = {"Type": "Task", "QueryLanguage": "JSONata", "Resource": PUT_ITEM,
             "Arguments": {"TableName": CACHE_TABLE, "Item": item},
             "Output": "{% $states.input %}", "Assign": {**spent, f"{v}_r": None},
             "Retry": copy.deepcopy(_TABLE_RETRY),
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": after_store, "Output": "{% $states.input %}"}]}
    new[names["store"]] = _then(store, after)
    if ends:
        new[names["done"]] = {"Type": "Pass", "End": True}
    states.update(new)


def _retarget(scope: dict[str, Any], *, old: str, new: str) -> None:
    """Every transition into ``old`` in this scope (StartAt, Next, Choice rules and Default, Catch) -> ``new``."""
    if scope.get("StartAt") == old:
        scope["StartAt"] = new
    for state in scope["States"].values():
        for holder in [state, *(state.get("Choices") or []), *(state.get("Catch") or [])]:
            if holder.get("Next") == old:
                holder["Next"] = new
        if state.get("Default") == old:
            state["Default"] = new


def _check_key_size(name: str, components: dict[str, Any], inputs: int) -> None:
    """The lookup hashes the pieces' JSON (64-character digests under their labels) and the inputs'
    digests in one States.Hash: refuse at generation what would fail at run time."""
    shaped = {key.removesuffix(".$"): "0" * 64 for key in components}
    shaped["resource"] = components["resource"]
    size = len(json.dumps(shaped, separators=(",", ":"))) + inputs * 65 + 16
    if size >= HASH_INPUT_LIMIT:
        raise CacheError(f"cache: state {name!r}: its request has {len(components) - 2} pieces and {inputs} inputs; "
                         f"their digests ({size} characters) exceed States.Hash's {HASH_INPUT_LIMIT:,}-character input")


def _then(state: dict[str, Any], after: str | None) -> dict[str, Any]:
    if after is None:
        state["End"] = True
    else:
        state["Next"] = after
    return state


def _field_path(path: str) -> list[str]:
    return [a or b for a, b in _SEGMENT.findall(path[1:])]


def _rebuild(job: dict[str, Any], result: str) -> str:
    """A JSONata expression for S's output given its (ResultSelector'd) result: ResultPath then OutputPath."""
    result_path = job.get("ResultPath", "$")
    if "ResultPath" in job and result_path is None:
        merged = "$states.input"
    else:
        merged = _merge("$states.input", _field_path(result_path), "$r")
    output = job.get("OutputPath", "$")
    if "OutputPath" in job and output is None:
        return "{}"
    select = "".join(f".`{segment}`" for segment in _field_path(output))
    body = f"$o{select}" if select else "$o"
    return f"($r := {result}; $o := {merged}; {body})"


def _merge(base: str, segments: list[str], value: str) -> str:
    if not segments:
        return value
    head, rest = segments[0], segments[1:]
    inner = _merge(f"{base}.`{head}`", rest, value)
    return f"$merge([{base}, {{{json.dumps(head)}: {inner}}}])"
