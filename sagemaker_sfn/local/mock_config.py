"""Mock files in AWS Step Functions Local's MockConfigFile format.

```
{"StateMachines": {"<state machine>": {"TestCases": {"<case>": {"<state name>": "<response name>"}}}},
 "MockedResponses": {"<response name>": {"0": {"Return": ...},
                                         "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}
```

A mocked response lists what successive invocations of a state answer: keys are invocation
numbers or inclusive ranges, consecutive from 0. Everything wrong with a file is reported at once,
each problem with its JSON location, so a user fixes the file in one pass.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_sfn.errors import UsageError
from sagemaker_sfn.suggest import did_you_mean

_RANGE = re.compile(r"^(?P<start>\d+)(?:-(?P<end>\d+))?$")


@dataclass(frozen=True)
class Answer:
    """One invocation's answer: a result (``error`` is None) or a thrown error."""

    result: Any = None
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True)
class MockedResponse:
    name: str
    # (first, last, answer), sorted and consecutive from 0
    ranges: tuple[tuple[int, int, Answer], ...]

    def answer(self, invocation: int) -> Answer | None:
        """The answer for the ``invocation``-th call (0-based); None past the last range: Step Functions
        Local needs "a mocked response for every invocation ... If you do not specify a mocked response,
        the state machine execution will fail" (AWS docs, sfn-local-mock-cfg-file.html)."""
        for first, last, answer in self.ranges:
            if first <= invocation <= last:
                return answer
        return None

    @property
    def last_invocation(self) -> int:
        return self.ranges[-1][1]


@dataclass(frozen=True)
class MockConfig:
    source: str
    # state machine -> test case -> state name -> response name
    state_machines: dict[str, dict[str, dict[str, str]]]
    responses: dict[str, MockedResponse]

    def test_case(self, *, state_machine: str, test_case: str) -> dict[str, MockedResponse]:
        """State name -> mocked response for one test case; UsageError naming what is known."""
        cases = self.state_machines.get(state_machine)
        if cases is None:
            known = ", ".join(sorted(self.state_machines)) or "none"
            raise UsageError(f"{self.source}: no state machine '{state_machine}' under StateMachines "
                             f"(known: {known}){_did_you_mean(state_machine, self.state_machines)}; "
                             f"use --state-machine-name to pick another")
        if test_case not in cases:
            known = ", ".join(sorted(cases)) or "none"
            raise UsageError(f"{self.source}: no test case '{test_case}' for state machine '{state_machine}' "
                             f"(known test cases: {known}){_did_you_mean(test_case, cases)}")
        return {state: self.responses[name] for state, name in cases[test_case].items()}


def _did_you_mean(name: str, known: Any) -> str:
    """``; did you mean 'HappyPath'?`` for a near miss (case or a few letters), else nothing."""
    return did_you_mean(name, known, cutoff=0.5)


def _key(location: str, key: str) -> str:
    return f"{location}.{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else f"{location}[{json.dumps(key)}]"


def _type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


def _answer(value: Any, location: str, problems: list[str]) -> Answer | None:
    if not isinstance(value, dict):
        problems.append(f"{location}: expected an object with \"Return\" or \"Throw\", found {_type(value)}")
        return None
    kinds = [k for k in ("Return", "Throw") if k in value]
    others = sorted(set(value) - {"Return", "Throw"})
    if len(kinds) != 1 or others:
        found = ", ".join(f'"{k}"' for k in value) or "nothing"
        problems.append(f"{location}: expected exactly one of \"Return\" or \"Throw\", found {found}")
        return None
    if kinds[0] == "Return":
        return Answer(result=value["Return"])
    throw = value["Throw"]
    where = f"{location}.Throw"
    if not isinstance(throw, dict):
        problems.append(f"{where}: expected an object {{\"Error\", \"Cause\"}}, found {_type(throw)}")
        return None
    bad = sorted(set(throw) - {"Error", "Cause"})
    if bad:
        problems.append(f"{where}: unknown field(s) {', '.join(bad)} (expected \"Error\" and \"Cause\")")
    if not isinstance(throw.get("Error"), str) or not throw.get("Error"):
        problems.append(f"{where}.Error: expected a non-empty string (the error name Retry/Catch match), "
                        f"found {_type(throw.get('Error')) if 'Error' in throw else 'nothing'}")
        return None
    if "Cause" in throw and not isinstance(throw["Cause"], str):
        problems.append(f"{where}.Cause: expected a string, found {_type(throw['Cause'])}")
        return None
    return Answer(error=throw["Error"], cause=throw.get("Cause"))


def _response(name: str, value: Any, location: str, problems: list[str]) -> MockedResponse | None:
    if not isinstance(value, dict) or not value:
        problems.append(f"{location}: expected a non-empty object of invocation ranges (\"0\", \"1-2\", ...), "
                        f"found {'an empty object' if value == {} else _type(value)}")
        return None
    ranges: list[tuple[int, int, Answer, str]] = []
    for key, item in value.items():
        where = _key(location, key)
        match = _RANGE.match(key)
        if not match:
            problems.append(f"{where}: invalid invocation key \"{key}\": expected a number (\"0\") or a range (\"1-2\")")
            continue
        first, last = int(match["start"]), int(match["end"] or match["start"])
        if last < first:
            problems.append(f"{where}: range \"{key}\" ends before it starts")
            continue
        answer = _answer(item, where, problems)
        if answer is not None:
            ranges.append((first, last, answer, key))
    ranges.sort(key=lambda r: r[0])
    expected = 0
    ok = True
    for first, last, _, key in ranges:
        if first > expected:
            gap = str(expected) if first - 1 == expected else f"{expected}-{first - 1}"
            problems.append(f"{location}: invocation(s) {gap} have no response; keys must be consecutive from 0 "
                            f"(next key is \"{key}\")")
            ok = False
        elif first < expected:
            problems.append(f"{location}: \"{key}\" overlaps an earlier key (invocation {first} is answered twice)")
            ok = False
        expected = max(expected, last + 1)
    if not ok or not ranges:
        return None
    return MockedResponse(name=name, ranges=tuple((f, l, a) for f, l, a, _ in ranges))


def parse_mock_config(data: Any, *, source: str = "<mock config>") -> MockConfig:
    """Validate a parsed mock file; ``source`` names it in messages (default ``<mock config>``)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise UsageError(f"{source}: invalid mock config:\n  $: expected an object with \"StateMachines\" and "
                         f"\"MockedResponses\", found {_type(data)}")
    for field in sorted(set(data) - {"StateMachines", "MockedResponses"}):
        problems.append(f"{_key('$', field)}: unknown field (expected \"StateMachines\" and \"MockedResponses\")")
    responses: dict[str, MockedResponse] = {}
    raw_responses = data.get("MockedResponses")
    if not isinstance(raw_responses, dict):
        problems.append(f"$.MockedResponses: expected an object of named responses, found "
                        f"{_type(raw_responses) if 'MockedResponses' in data else 'nothing'}")
        raw_responses = {}
    for name, value in raw_responses.items():
        response = _response(name, value, _key("$.MockedResponses", name), problems)
        if response:
            responses[name] = response
    machines: dict[str, dict[str, dict[str, str]]] = {}
    raw_machines = data.get("StateMachines")
    if not isinstance(raw_machines, dict):
        problems.append(f"$.StateMachines: expected an object of state machines, found "
                        f"{_type(raw_machines) if 'StateMachines' in data else 'nothing'}")
        raw_machines = {}
    for machine, body in raw_machines.items():
        where = _key("$.StateMachines", machine)
        cases = body.get("TestCases") if isinstance(body, dict) else None
        if not isinstance(cases, dict):
            problems.append(f"{where}.TestCases: expected an object of test cases, found "
                            f"{_type(cases) if isinstance(body, dict) and 'TestCases' in body else 'nothing'}")
            continue
        machines[machine] = {}
        for case, mapping in cases.items():
            case_where = _key(f"{where}.TestCases", case)
            if not isinstance(mapping, dict):
                problems.append(f"{case_where}: expected an object of state name -> response name, found {_type(mapping)}")
                continue
            for state, response in mapping.items():
                state_where = _key(case_where, state)
                if not isinstance(response, str):
                    problems.append(f"{state_where}: expected the name of a mocked response, found {_type(response)}")
                elif response not in raw_responses:
                    known = ", ".join(sorted(raw_responses)) or "none"
                    problems.append(f"{state_where}: no mocked response named \"{response}\" under MockedResponses "
                                    f"(known: {known})")
            machines[machine][case] = dict(mapping)
    if problems:
        listing = "\n".join(f"  {p}" for p in problems)
        raise UsageError(f"{source}: invalid mock config ({len(problems)} problem{'s' if len(problems) > 1 else ''}):\n{listing}")
    return MockConfig(source=source, state_machines=machines, responses=responses)


def load_mock_config(path: str | Path) -> MockConfig:
    """Read and validate a mock file; :class:`UsageError` names the file and every problem."""
    from sagemaker_sfn.files import read_json

    path = Path(path)
    data = read_json(path, what="a Step Functions Local mock config (JSON)")
    return parse_mock_config(data, source=str(path))
