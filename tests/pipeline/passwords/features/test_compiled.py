"""The compiled one-row features: exactly the Python path's values on the strings it takes, the
Python path for the rest, and BLAKE2b as hashlib computes it.

The strings are built from the trained sample's own list, so the tables are hit (listed
transforms, family prefixes, dictionary words, seen n-grams) as well as missed.
"""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Paths
from pipeline.passwords import features
from pipeline.passwords.features import compiled
from pipeline.passwords.model import PasswordModel
from pipeline.registry import store
from tests.tools import require_feature_kernel

ASCII = "".join(map(chr, range(128)))
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
