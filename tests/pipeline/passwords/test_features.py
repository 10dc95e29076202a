"""The serving lookups (HashBuckets) find exactly what a binary search finds; the shape
features count characters by Python's own predicates, whatever the script."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.passwords.features import (
    HashBuckets,
    Markov,
    MarkovGroup,
    hash64,
    padded_grams,
    shape_features,
)

INT64 = st.integers(-(2**63), 2**63 - 1)
EXTREMES = [-(2**63), -1, 0, 1, 2**63 - 1]


def binary_search(keys: np.ndarray, queries: list[int]) -> list[int]:
    pos = np.minimum(keys.searchsorted(np.array(queries, dtype=np.int64)), max(len(keys) - 1, 0))
    return [int(p) if len(keys) and keys[p] == q else -1 for p, q in zip(pos, queries, strict=True)]


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(st.one_of(INT64, st.sampled_from(EXTREMES), st.integers(-50, 50)), unique=True),
    others=st.lists(INT64, max_size=20),
    per_bucket=st.integers(1, 8),
)
def test_buckets_find_what_a_binary_search_finds(keys, others, per_bucket) -> None:
    # clustered keys (small integers) crowd one bucket; extremes sit in the first and last
    table = np.array(sorted(keys), dtype=np.int64)
    queries = [*keys[:30], *others, *EXTREMES]
    assert HashBuckets(table, per_bucket).find(queries) == binary_search(table, queries)


def test_buckets_on_hashes_of_a_large_table() -> None:
    table = np.unique(np.array([hash64(f"pw{i}") for i in range(50_000)], dtype=np.int64))
    queries = [int(k) for k in table[::101]] + [hash64(f"other{i}") for i in range(2_000)]
    buckets = HashBuckets(table)
    assert buckets.bits >= 13  # a directory, not one run of keys
    assert buckets.find(queries) == binary_search(table, queries)


def test_an_empty_table_finds_nothing() -> None:
    assert HashBuckets(np.zeros(0, dtype=np.int64)).find([0, 5, *EXTREMES]) == [-1] * 7


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


def test_markov_groups_score_exactly_like_their_models() -> None:
    words = ["password", "monkey12", "dragon", "iloveyou", "abc", "pass"]
    plain = Markov.fit(words, [1.0] * 6, 3)
    weighted = Markov.fit(words, [2.5, 1.0, 0.5, 3.0, 1.0, 1.5], 3)  # same keys, other values
    fewer = Markov.fit(words[:3], [1.0] * 3, 3)  # same order, other keys
    pairs = Markov.fit(words, [1.0] * 6, 2)
    probes = ["password", "monkey", "zzqx", "", "a", "Ünï", "passpass", "abc12"]

    for models, shape in (
        ([pairs, plain, weighted], [(2, 1), (3, 2)]),
        ([pairs, plain, weighted, fewer], [(2, 1), (3, 1), (3, 1), (3, 1)]),
    ):
        groups = MarkovGroup.of(models)
        assert [(g.order, g.width) for g in groups] == shape
        for p in probes:
            scored = [s for g in groups for s in g.scores(padded_grams(p, g.order))]
            assert scored == [m.score(padded_grams(p, m.order)) for m in models]


REGEX_DEFINITIONS = {
    "_strip_tail_nonalpha": lambda p: re.sub(r"[^A-Za-z]+$", "", p),
    "_tail_nonalpha": lambda p: re.search(r"[^A-Za-z]*$", p).group(),  # type: ignore[union-attr]
    "_strip_tail_digits": lambda p: re.sub(r"\d+$", "", p),
    "_strip_head_digits": lambda p: re.sub(r"^\d+", "", p),
    "_letters": lambda p: re.sub(r"[^A-Za-z]", "", p),
    "_digits": lambda p: re.sub(r"\D", "", p),
    "_lower_letters": lambda p: re.sub(r"[^a-z]", "", p),
}
TRICKY = ["", "\n", "12\n", "abc12\n", "a1\nb", "monkey12\n", "١٢٣abc", "abc١٢٣", "ab!\n\n", "7"]


@settings(max_examples=300, deadline=None)
@given(p=st.one_of(st.text(st.characters(max_codepoint=127)), st.text(), st.sampled_from(TRICKY)))
def test_string_transforms_match_their_regular_expressions(p: str) -> None:
    # ASCII strings take str methods; the rest, and a trailing newline ($ matches before it),
    # take the expressions
    from pipeline.passwords import features

    for name, definition in REGEX_DEFINITIONS.items():
        assert getattr(features, name)(p) == definition(p), name
