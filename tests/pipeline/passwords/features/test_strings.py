"""The fast string transforms agree with the regular expressions that define them."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.passwords.features import strings

REGEX_DEFINITIONS = {
    "strip_tail_nonalpha": lambda p: re.sub(r"[^A-Za-z]+$", "", p),
    "tail_nonalpha": lambda p: re.search(r"[^A-Za-z]*$", p).group(),  # type: ignore[union-attr]
    "strip_tail_digits": lambda p: re.sub(r"\d+$", "", p),
    "strip_head_digits": lambda p: re.sub(r"^\d+", "", p),
    "letters": lambda p: re.sub(r"[^A-Za-z]", "", p),
    "digits": lambda p: re.sub(r"\D", "", p),
    "lower_letters": lambda p: re.sub(r"[^a-z]", "", p),
}
TRICKY = ["", "\n", "12\n", "abc12\n", "a1\nb", "monkey12\n", "١٢٣abc", "abc١٢٣", "ab!\n\n", "7"]


@settings(max_examples=300, deadline=None)
@given(p=st.one_of(st.text(st.characters(max_codepoint=127)), st.text(), st.sampled_from(TRICKY)))
def test_string_transforms_match_their_regular_expressions(p: str) -> None:
    # ASCII strings take str methods; the rest, and a trailing newline ($ matches before it),
    # take the expressions
    for name, definition in REGEX_DEFINITIONS.items():
        assert getattr(strings, name)(p) == definition(p), name
