"""Exceptions the pipeline raises for problems with its input or environment.

Each maps to a process exit code so scripts can tell a bad input from a
missing program. Anything else that escapes is a bug and exits with 1 and a
traceback.
"""
from __future__ import annotations


class PipelineError(Exception):
    """Base class: a problem the user can act on, reported as one line."""

    exit_code = 2


class InputError(PipelineError):
    """The input file is missing, empty, unreadable or of an unsupported kind."""

    exit_code = 3


class MissingDependencyError(PipelineError):
    """An external program or its language data is not installed."""

    exit_code = 4


class ModelError(PipelineError):
    """A shipped model file is missing or damaged."""

    exit_code = 5


class BatchFailures(PipelineError):
    """A batch run finished but some documents failed (listed in errors.csv)."""

    exit_code = 6
