"""What every feature family shares.

A family is one module with ``NAMES`` (its columns), ``batch(...)`` (a float64 matrix of those
columns for many passwords, the training path) and ``one(...)`` (a list of the same values for one
password, the serving path). Both forms sit side by side so that a change to a feature is made
once, in its family's file; a test compares them on thousands of strings.
"""

from __future__ import annotations

# The value of a feature that does not apply (a transform that changes nothing, an empty query,
# a string in no dictionary). Known and unknown passwords get it alike.
MISSING = -1.0
