"""Theory-of-mind tables on a tiny hand-made space."""

import numpy as np

from pipeline.hat.naive import (
    Space,
    inverse_entries,
    inverse_table,
    reverse_table,
    row_neighbours,
    soft_targets,
)
from pipeline.hat.rules import clean_clue, is_guessed


def test_soft_targets_match_host_rule():
    for tok in ["money,", "moneys", "(money)", "money"]:
        assert "money" in soft_targets(tok)
        assert all(is_guessed(t, [tok]) for t in soft_targets(tok))
    assert "money" not in soft_targets("moneymaker")


def test_clean_clue_mirrors_host():
    assert clean_clue("money", "Cash,") == "cash"
    assert clean_clue("money", "money.") == ""
    assert clean_clue("money", "monkey") == ""
    assert clean_clue("money", "1993") == ""


def _space():
    # cash ~ money ~ bank close together; apple far away
    words = ["money", "money,", "cash", "bank", "apple"]
    vecs = np.array(
        [[1, 0.1, 0], [1, 0.12, 0], [1, 0.3, 0], [1, -0.3, 0], [0, 0, 1]], dtype=np.float32
    )
    return Space(words, vecs)


def test_reverse_and_inverse_tables():
    sp_ = _space()
    player_words = ["money", "cash", "bank", "apple"]
    w = np.array([1.0, 1.0, 0.5], dtype=np.float32)
    rev = reverse_table(
        sp_, row_neighbours(sp_, player_words, np.array([1, 2, 3]), 3), player_words, w
    ).tocsr()
    # cash's neighbours: money, money, (bank) -> 'money' is a target of clue 'cash'
    assert rev[0, 1] == 1.0 and rev[0, 2] == 1.0
    assert rev[3].nnz == 0  # nobody's neighbours contain 'apple' in top 2
    nbs = row_neighbours(sp_, player_words, np.array([0]), 3)
    entries = inverse_entries(sp_, nbs, player_words, w)
    # 'money,' is dropped by host cleaning; cash and bank survive
    assert set(entries) == {("cash", 0), ("bank", 0)}
    keys, inv = inverse_table(entries, len(player_words))
    assert keys == ["bank", "cash"] and inv.shape == (2, 4) and inv[1, 0] == 1.0
