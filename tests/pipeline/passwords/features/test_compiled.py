"""The compiled one-row features: exactly the Python path's values on the strings it takes, the
Python path for the rest, BLAKE2b as hashlib computes it, and the compiled listed-frequency
lookup answering what the Python lookup answers.

The strings are built from the trained sample's own list, so the tables are hit (listed
transforms, family prefixes, dictionary words, seen n-grams) as well as missed.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Paths
from pipeline.passwords import features
from pipeline.passwords.answers import CompactAnswers, ExactAnswers
from pipeline.passwords.features import compiled
from pipeline.passwords.model import PasswordModel
from pipeline.registry import store
from tests.tools import require_feature_kernel

ASCII = "".join(map(chr, range(128)))
TOTAL = 32_603_388
EDGES = [
    "",
    "a",
    "A",
    "1",
    "!",
    " ",
    "\n",
    "x\n",
    "monkey12\n",
    "ab\ncd",
    "\x00",
    "\x7f",
    "2019",
    "ab2019",
    "1999!",
    "aaaa",
    "abab",
    "p@ssw0rd",
    "P@SSW0RD1",
    "12345678",
    "a" * 255,
    "a" * 256,
    "x" * 1024,  # the kernel's longest
    "x" * 1025,  # the Python path's
    "é",
    "passwordé",
    "Ünïcode🙂",
    "١٢٣abc",
    "\udc80lone surrogate",
]


@pytest.fixture(scope="module")
def tables(trained: Paths) -> features.ServingTables:
    require_feature_kernel()
    model = PasswordModel.load(store.production_dir(trained.models, "passwords"))
    return model.serving_tables()


def variants(listed: list[str], n: int, seed: int = 0) -> list[str]:
    """Listed passwords with the edits the features look for, and random strings."""
    rng = random.Random(seed)
    noise = ASCII + "éü€🙂"
    out = []
    for _ in range(n):
        base = rng.choice(listed)
        kind = rng.randrange(8)
        if kind == 0:
            s = base
        elif kind == 1:
            s = base.capitalize() + str(rng.randint(0, 2025))
        elif kind == 2:
            s = base[::-1]
        elif kind == 3:
            s = base.translate(str.maketrans("aeios", "4310$")) + rng.choice(["", "!", "!!", "1"])
        elif kind == 4:
            s = str(rng.randint(0, 999)) + base.upper()
        elif kind == 5:
            s = base + base
        elif kind == 6:
            s = "".join(rng.choice(ASCII) for _ in range(rng.randint(1, 40)))
        else:
            s = "".join(rng.choice(noise) for _ in range(rng.randint(0, 20)))
        out.append(s)
    return out


def test_kernel_takes_ascii_strings_not_ending_in_a_newline(tables) -> None:
    assert tables.kernel is not None
    assert compiled.takes("monkey12") and compiled.takes("a b\tc") and compiled.takes("x" * 1024)
    for other in ("", "x\n", "passwordé", "x" * 1025, "\udc80"):
        assert not compiled.takes(other)


def test_kernel_features_equal_the_python_path(tables, sample_rows) -> None:
    listed = [p for p, _ in sample_rows]
    probes = [*EDGES, *listed[:500], *variants(listed, 5000)]
    assert sum(compiled.takes(p) for p in probes) > 4000  # most of them take the kernel
    for p in probes:
        assert features.features_one(p, tables) == features.features_python(p, tables), repr(p)


@settings(max_examples=500, deadline=None)
@given(p=st.text(alphabet=st.characters(max_codepoint=127), min_size=1, max_size=64))
def test_kernel_features_equal_the_python_path_on_any_ascii(tables, p) -> None:
    assert features.features_one(p, tables) == features.features_python(p, tables)


def test_kernel_features_are_floats_in_the_model_order(tables) -> None:
    row = features.features_one("Monkey12!", tables)
    assert len(row) == len(features.feature_names()) and all(type(v) is float for v in row)


@pytest.mark.parametrize("size", [0, 1, 7, 8, 127, 128, 129, 255, 256, 257, 1000])
def test_kernel_hash_is_blake2b_of_8_bytes(size) -> None:
    require_feature_kernel()
    from pipeline.passwords import features_kernel

    data = bytes(random.Random(size).randrange(256) for _ in range(size))
    digest = hashlib.blake2b(data, digest_size=8).digest()
    assert features_kernel.hash64(data) == int.from_bytes(digest, "little", signed=True)


def test_without_the_kernel_every_string_takes_the_python_path(tables, monkeypatch) -> None:
    monkeypatch.setattr(tables, "kernel", None)
    expected = features.features_python("Monkey12!", tables)
    assert features.features_one("Monkey12!", tables) == expected


def a_list(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Passwords with counts, a few over one byte (the compact list keeps those exact)."""
    rng = np.random.default_rng(seed)
    passwords = [f"pw{i}-{seed}" for i in range(n)] + ["pässwörd", "\udc80lone", "x\n"]
    n = len(passwords)
    counts = np.where(rng.random(n) < 0.01, rng.integers(256, 300_000, n), rng.integers(1, 23, n))
    return passwords, counts


@pytest.mark.parametrize("kind", ["exact", "compact", "known list"])
def test_listed_lookup_equals_the_python_lookup(
    trained: Paths, sample_rows, tmp_path: Path, kind
) -> None:
    """For listed strings and others (a compact list's false hits included), any string."""
    require_feature_kernel()
    model = PasswordModel.load(store.production_dir(trained.models, "passwords"))
    assert model.known is not None and model.dictionaries is not None
    passwords, counts = a_list(60_000)
    hashes = features.hash_all(passwords)
    answers = {
        "exact": ExactAnswers.build(hashes, counts * 1e6 / TOTAL),
        "compact": CompactAnswers.build(hashes, counts, TOTAL),
        "known list": None,
    }[kind]
    if isinstance(answers, CompactAnswers):  # as served: memory-mapped, and not copied
        answers.save(tmp_path)
        answers = answers.detached().attach(tmp_path)
    tables = features.ServingTables(model.known, model.dictionaries, model.markovs, answers)
    probes = [*passwords[::7], *(p for p, _ in sample_rows), *(f"x{i}" for i in range(50_000))]
    listed = [tables.listed(p) for p in [*probes, *EDGES]]
    assert listed == [tables.frequency(features.hash64(p)) for p in [*probes, *EDGES]]
    hits = sum(f is not None for f in listed)
    assert hits >= (len(passwords[::7]) if answers is not None else len(sample_rows) // 2)
    if isinstance(answers, CompactAnswers):
        _, _, (_, _, tags, counts_, _) = tables._answers.arrays()
        assert np.shares_memory(tags, answers.tags) and np.shares_memory(counts_, answers.counts)


def test_listed_lookup_without_the_kernel_is_the_python_one(tables, monkeypatch) -> None:
    monkeypatch.setattr(tables, "_listed", None)
    assert tables.listed("monkey12") == tables.frequency(features.hash64("monkey12"))


def test_word_lookup_answers_what_zxcvbns_word_lists_hold(tables, monkeypatch) -> None:
    """Compiled and Python, on words of every list (the passwords list is not a word list)."""
    from zxcvbn import matching

    from pipeline.passwords.features.dictionaries import WORD_LISTS

    lists = matching.RANKED_DICTIONARIES
    rng = random.Random(0)
    probes = [w for words in lists.values() for w in rng.sample(sorted(words), 300)]
    probes += [w.upper() for w in probes[:200]] + ["", "zzqxv", "pässwörd", "x\n", *EDGES]
    expected = [any(p in lists[name] for name in WORD_LISTS) for p in probes]
    assert 0 < sum(expected) < len(probes)
    assert [tables.dictionaries.is_word(p) for p in probes] == expected
    monkeypatch.setattr(tables.dictionaries, "_compiled_words", None)
    assert [tables.dictionaries.is_word(p) for p in probes] == expected
