"""Games on worker processes give the sequential games' tables; saved answers replay them."""

from __future__ import annotations

from pipeline.hat import games
from pipeline.hat.evaluate import HELDOUT, NOUNS, UNION, Lineup, plan, play_all
from pipeline.hat.simulator import Simulator


class Counting:
    """A deterministic bot that counts its calls: clues and guesses from the word's letters."""

    def __init__(self, shift: int) -> None:
        self.shift = shift
        self.calls = 0

    def explain(self, word: str, n_words: int) -> list[str]:
        self.calls += 1
        return [f"{word[::-1]}q{'abcdefgh'[i + self.shift]}" for i in range(n_words)]

    def guess(self, words: list[str], n_words: int) -> list[str]:
        self.calls += 1
        # guesses the word once a clue's last letter is its own (its shift), else nonsense
        out = [c[:-2][::-1] for c in words if c[-1] == "abcdefgh"[self.shift]]
        return (out + ["zzz"] * n_words)[:n_words]


LISTS = {NOUNS: ["cat", "dog"], UNION: ["cat", "dog", "owl"], HELDOUT: ["bee", "cow"]}


def lineup() -> Lineup:
    zoo = {"a": Counting(1), "b": Counting(3), "c": Counting(2)}
    return Lineup(
        ours=Counting(0),
        zoo=zoo,
        families={"a": "x", "b": "x", "c": "y"},
        sides={"a": "held_out", "b": "held_out", "c": "tuning"},
    )


def named(line: Lineup) -> Simulator:
    sim = Simulator()
    for name, bot in line.bots().items():
        sim.name(bot, f"key-{name}")
    return sim


def test_parallel_games_equal_sequential_games_and_ask_no_bot_afterwards() -> None:
    sequential = play_all(Simulator(), lineup(), LISTS)
    line = lineup()
    sim = named(line)
    games.play_parallel(sim, line.bots(), plan(line, LISTS), processes=2, log=lambda m: None)
    assert all(bot.calls == 0 for bot in line.bots().values())  # asked in the workers
    assert play_all(sim, line, LISTS) == sequential
    assert all(bot.calls == 0 for bot in line.bots().values())  # every answer was remembered
    union = sequential[0][UNION]
    assert union["ours -> a"] == {"guessed_rate": 1.0, "mean_score": 4.0}  # a's letter: clue 2
    assert union["b -> ours"]["guessed_rate"] == 0.0  # b's clues start past ours's letter
    assert "a -> c" not in union  # zoo bots play ours, not each other


def test_saved_answers_replay_the_games_and_a_new_key_is_asked_again(tmp_path) -> None:
    line = lineup()
    sim = named(line)
    expected = play_all(sim, line, LISTS)
    path = games.answers_file(tmp_path, "code-1", {"n_explain": 5})
    games.save_answers(path, sim.answers())
    fresh = lineup()
    again = named(fresh)
    again.name(fresh.zoo["c"], "key-c-retrained")  # one bot changed: its answers are unknown
    again.remember(games.load_answers(path))
    assert play_all(again, fresh, LISTS) == expected
    assert fresh.zoo["c"].calls > 0
    assert all(b.calls == 0 for n, b in fresh.bots().items() if n != "c")
    # another code digest is another file; the old one is dropped when it is written
    other = games.answers_file(tmp_path, "code-2", {"n_explain": 5})
    assert other != path and games.load_answers(other) == {}
    games.save_answers(other, again.answers())
    assert not path.exists() and other.exists()
