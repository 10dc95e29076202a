"""The pipeline's one root error.

Every failure that a user can act on (a missing file, a bad parameter, data that fails its checks,
a registry that names nothing) is a :class:`PipelineError` whose message says what to do, so each
command line catches this one class and prints one line instead of a traceback.
"""

from __future__ import annotations


class PipelineError(Exception):
    """A failure the message explains; a CLI prints it as one line and exits non-zero."""


class MissingInputError(PipelineError):
    """A step's input (a prepared table, a report) is not there yet; the message names the step
    to run first.
    """


class ArtifactError(PipelineError, TypeError):
    """A saved model this code cannot load (another format or feature set); the message says to
    retrain it.
    """
