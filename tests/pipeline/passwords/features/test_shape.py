"""The shape features count characters by Python's own predicates, whatever the script."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.passwords.features.shape import one as shape_features


def per_character_shape(p: str) -> list[float]:
    """The shape features by their definition: one predicate call per character."""

    def kind(c: str) -> str:
        return "l" if c.islower() else "u" if c.isupper() else "d" if c.isdigit() else "s"

    lower, upper, digit = (sum(map(test, p)) for test in (str.islower, str.isupper, str.isdigit))
    return [
        len(p),
        lower,
        upper,
        digit,
        p.count(" "),
        len(p) - lower - upper - digit - p.count(" "),
        len(set(p)),
        len(re.findall(r"(.)\1*", "".join(map(kind, p)))),
        len(p) - len(p.rstrip("0123456789")),
        float(bool(re.search(r"(19|20)\d\d$", p))),
        float(p.isdigit()),
        1.0 - len(set(p)) / len(p) if p else 0.0,
    ]


@settings(max_examples=300, deadline=None)
@given(p=st.one_of(st.text(st.characters(max_codepoint=127)), st.text()))
def test_shape_features_match_their_per_character_definition(p: str) -> None:
    # ASCII strings take a translate-based path, others the predicates themselves
    assert shape_features(p) == per_character_shape(p)


def test_shape_features_of_every_ascii_character() -> None:
    every = "".join(map(chr, range(128)))
    for p in (every, every[::-1], "Monkey 1990", "ab12AB!!", "²³ªº١٢", ""):
        assert shape_features(p) == per_character_shape(p)
