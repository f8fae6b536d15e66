"""Errors raised while interpreting a state machine.

A :class:`StatesError` carries the ``error`` name and ``cause`` text exactly as AWS Step Functions
reports them (e.g. ``States.Runtime``); Retry/Catch match on ``error`` and histories show both.
"""

from __future__ import annotations


class StatesError(Exception):
    """A runtime failure with an AWS error name (``States.*`` or user-defined) and a cause."""

    def __init__(self, error: str, cause: str | None = None, *, location: str | None = None) -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause
        self.location = location   # the field an EvaluationFailed event names (JSONata errors)
