"""The local interpreter against executions recorded on real AWS Step Functions.

Runs every case of ``<repo>/../shared/conformance/executions`` and compares status and output (or
error and cause) with what AWS returned. Prints ``N/M identical (P%), S skipped`` and fails if the
figure drops below FLOOR -- raise FLOOR when the interpreter improves.
"""

from __future__ import annotations

import pytest

from conformance import CORPUS, cases, compare_history, run_case

# Reached 764/764 (the README quotes the printed line).
FLOOR = 1.0
# Histories: 304/304 recorded ones have the same event sequence and identical events, after the
# recorder's own normalisation of Parallel branches is applied to ours (conformance._parallel_normalised)
# and the one link AWS changed in late 2024 is read as today's AWS writes it (_as_aws_links_today).
HISTORY_TYPES_FLOOR = 1.0
HISTORY_IDENTICAL_FLOOR = 1.0


def test_corpus_is_present() -> None:
    assert CORPUS.is_dir(), (f"conformance corpus not found at {CORPUS}: the shared/ folder must sit beside the "
                             "repository clone (see docs)")
    assert len(cases()) >= 700


def test_conformance_figure(capsys: pytest.CaptureFixture[str]) -> None:
    if not CORPUS.is_dir():
        pytest.fail(f"conformance corpus not found at {CORPUS}")
    outcomes = [run_case(path) for path in cases()]
    compared = [outcome for outcome in outcomes if not outcome.skipped]
    identical = sum(outcome.identical for outcome in compared)
    skipped = len(outcomes) - len(compared)
    rate = identical / len(compared)
    with capsys.disabled():
        print(f"\nconformance: {identical}/{len(compared)} identical ({rate:.1%}), {skipped} skipped")
        for outcome in compared:
            if not outcome.identical:
                print(f"  MISS {outcome.name}\n   {outcome.detail}")
    assert rate >= FLOOR, f"conformance fell to {rate:.1%} (floor {FLOOR:.0%})"


def test_history_figure(capsys: pytest.CaptureFixture[str]) -> None:
    if not CORPUS.is_dir():
        pytest.fail(f"conformance corpus not found at {CORPUS}")
    outcomes = [outcome for path in cases() if (outcome := compare_history(path)) is not None]
    same_types = sum(outcome.same_types for outcome in outcomes)
    identical = sum(outcome.identical for outcome in outcomes)
    with capsys.disabled():
        print(f"\nhistories: {same_types}/{len(outcomes)} same event sequence ({same_types / len(outcomes):.1%}), "
              f"{identical}/{len(outcomes)} identical events ({identical / len(outcomes):.1%})")
    assert same_types / len(outcomes) >= HISTORY_TYPES_FLOOR
    assert identical / len(outcomes) >= HISTORY_IDENTICAL_FLOOR


def test_comparison_can_fail() -> None:
    """The comparison itself is strict: a wrong output, error or cause does not pass."""
    from conformance import same
    assert same({"a": "<uuid:1>", "t": "date"}, {"a": "0f6c", "t": "2024-06-19T12:38:41.123Z"})
    assert not same({"a": 1}, {"a": True})
    assert not same({"a": "x <ArnPart_0idx>"}, {"a": "y 12"})
    assert not same({"t": "date"}, {"t": "yesterday"})
    assert not same([1, 2], [1, 2, 3])
