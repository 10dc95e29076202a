"""The game simulator against a hand-worked game."""

from __future__ import annotations

from pipeline.hat.simulator import Simulator


class Scripted:
    """A bot that answers from fixed tables."""

    def __init__(self, clues=None, guesses=None):
        self.clues = clues or {}
        self.guesses = guesses or {}
        self.calls = 0

    def explain(self, word, n_words):
        return self.clues.get(word, [])

    def guess(self, words, n_words):
        self.calls += 1
        return self.guesses.get(tuple(words), ["nothing"])


def test_hand_worked_game():
    # Host cleaning of ["Money!", "cash", "monkey", "bank", "coins", "loan", "vault"] for "money":
    # "money" contains the word, "monkey" is within edit distance 2, the rest survive; soft mode
    # keeps the first 5: cash, bank, coins, loan, vault.
    explainer = Scripted(clues={"money": ["Money!", "cash", "monkey", "bank", "coins", "loan"]})
    guesser = Scripted(
        guesses={
            ("cash",): ["credit", "debit"],
            ("cash", "bank"): ["account", "moneys"],  # soft: contains the word, distance 1
        }
    )
    sim = Simulator(n_explain=5, n_guess=5, criteria="soft")
    result = sim.play_word(explainer, guesser, "money")
    assert result.clues == ("cash", "bank", "coins", "loan")
    assert result.guessed_round == 2
    assert result.score(5) == 4  # N + 1 - k with N = 5, k = 2
    stats = sim.summarize([result, sim.play_word(explainer, guesser, "unknown")])
    assert stats.guessed_rate == 0.5 and stats.mean_score == 2.0


def test_a_guesser_never_right_scores_zero_and_calls_are_memoised():
    explainer = Scripted(clues={"moon": ["orbit", "night", "sky"]})
    guesser = Scripted()
    sim = Simulator()
    first = sim.play_word(explainer, guesser, "moon")
    again = sim.play_word(explainer, guesser, "moon")
    assert first.guessed_round is None and first.score(5) == 0 and again == first
    assert guesser.calls == 3  # one call per clue prefix, not per game


def test_a_multi_player_game_scores_as_the_host_does():
    # every player explains every word to the two others; a guesser first right at clue k scores
    # N + 1 - k (N = 5) and the explainer scores the sum of its guessers' points
    a = Scripted(clues={"moon": ["orbit", "night"]}, guesses={("sky",): ["moon"]})
    b = Scripted(clues={"moon": ["sky"]}, guesses={("orbit", "night"): ["moons"]})
    c = Scripted(clues={"moon": ["cheese"]}, guesses={("orbit",): ["moon"], ("sky",): ["moon"]})
    totals = Simulator().play_multi({"a": a, "b": b, "c": c}, ["moon"])
    # a explains: b right at clue 2 (4 points), c at clue 1 (5); b explains: a and c at clue 1
    assert totals == {
        "a": {"explaining": 9, "guessing": 5, "total": 14},
        "b": {"explaining": 10, "guessing": 4, "total": 14},
        "c": {"explaining": 0, "guessing": 10, "total": 10},
    }


class Batched(Scripted):
    """A scripted guesser that also answers many clue lists in one call."""

    def __init__(self, guesses):
        super().__init__(guesses=guesses)
        self.batches = []

    def guess_many(self, queries, n_words):
        self.batches.append(len(queries))
        return [self.guesses.get(tuple(q), ["nothing"]) for q in queries]


def test_games_played_round_by_round_equal_word_by_word_and_batch_the_guesses():
    explainer = Scripted(
        clues={"moon": ["orbit", "night", "sky"], "sun": ["star", "day"], "cat": ["pet"]}
    )
    guesses = {("orbit", "night"): ["moon"], ("star",): ["sun"]}
    words = ["moon", "sun", "cat", "unknown"]
    expected = Simulator().play(explainer, Scripted(guesses=guesses), words)
    batched = Batched(guesses)
    assert Simulator().play_rounds(explainer, batched, words) == expected
    # cat's only clue "pet" is within edit distance 2 of it (cleaned away); round 1 asks
    # moon's and sun's first clues, round 2 moon's two (sun was guessed)
    assert batched.batches == [2, 1] and batched.calls == 0
    assert [r.guessed_round for r in expected] == [2, 1, None, None]
