"""The fitted tables arranged for one password at a time: what the service reads per request.

Every table is a :class:`~pipeline.passwords.features.hashing.HashBuckets` and the values beside
it are memoryviews, so a lookup and its value cost no numpy call: one served password reads the
tables ~20 times. Built at load from what the model saved, never saved itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.passwords.features import compiled
from pipeline.passwords.features.dictionaries import Dictionaries, DictionaryLookup
from pipeline.passwords.features.families import FamilyLookup
from pipeline.passwords.features.hashing import ENCODING, hash64, python_view
from pipeline.passwords.features.known import KnownList
from pipeline.passwords.features.markov import Markov, MarkovGroup
from pipeline.passwords.features.transforms import TransformLookup


class ServingTables:
    """The known list, the dictionaries and the n-gram models of one model, for serving."""

    def __init__(
        self,
        known: KnownList,
        dictionaries: Dictionaries,
        markovs: Sequence[Markov],
        answers: Any = None,
    ) -> None:
        self.markovs = MarkovGroup.of(markovs)
        self.transforms = TransformLookup(known)
        self.families = FamilyLookup(known)
        self.dictionaries = DictionaryLookup(dictionaries)
        # the same tables for the compiled features (None: every string takes the Python path)
        self.kernel = compiled.one_row(
            self.dictionaries, self.transforms, self.families, self.markovs
        )
        # the exact answers: the whole list's when the model has them (``answers.one()``: see
        # pipeline/passwords/answers.py), else the fit's known list
        self._answers = answers.one() if answers is not None else None
        self._known_frequencies = python_view(known.frequencies, np.float64)
        self._listed = compiled.hashed_values(
            self._answers.arrays()
            if self._answers is not None
            else (self.transforms.keys.arrays(), np.asarray(self._known_frequencies), None)
        )

    def listed(self, p: str) -> float | None:
        """The listed frequency of ``p``, None when it is not listed: :meth:`frequency` of its
        hash, in one compiled call when the kernel is built.
        """
        if self._listed is not None:
            return self._listed.get(p.encode(*ENCODING))
        return self.frequency(hash64(p))

    def frequency(self, key: int) -> float | None:
        """The listed frequency of one hashed password, None when it is not listed."""
        if self._answers is not None:
            return self._answers.frequency(key)
        (i,) = self.transforms.keys.find([key])
        return self._known_frequencies[i] if i >= 0 else None
