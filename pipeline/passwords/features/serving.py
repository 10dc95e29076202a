"""The fitted tables arranged for one password at a time: what the service reads per request.

Every table is a :class:`~pipeline.passwords.features.hashing.HashBuckets` and the values beside
it are memoryviews, so a lookup and its value cost no numpy call: one served password reads the
tables ~20 times. Built at load from what the model saved, never saved itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.passwords.features.dictionaries import Dictionaries, DictionaryLookup
from pipeline.passwords.features.families import FamilyLookup
from pipeline.passwords.features.hashing import HashBuckets, python_view
from pipeline.passwords.features.known import KnownList, Listed
from pipeline.passwords.features.markov import Markov, MarkovGroup
from pipeline.passwords.features.transforms import TransformLookup


class ServingTables:
    """The known list, the dictionaries and the n-gram models of one model, for serving."""

    def __init__(
        self,
        known: KnownList,
        dictionaries: Dictionaries,
        markovs: Sequence[Markov],
        listed: Listed | None = None,
    ) -> None:
        self.markovs = MarkovGroup.of(markovs)
        self.transforms = TransformLookup(known)
        self.families = FamilyLookup(known)
        self.dictionaries = DictionaryLookup(dictionaries)
        # the exact answers: the whole list when the model has one, else the fit's known list
        answers = listed if listed is not None else known
        self.answers = self.transforms.keys if listed is None else HashBuckets(listed.keys)
        self.frequencies = python_view(answers.frequencies, np.float64)

    def frequency(self, key: int) -> float | None:
        """The listed frequency of one hashed password, None when it is not listed."""
        (i,) = self.answers.find([key])
        return self.frequencies[i] if i >= 0 else None
