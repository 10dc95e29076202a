"""The opponent zoo on the sample corpus: cache keys, the students' preprocessing, the family
split, and that every recipe trains, caches, loads back and keeps the host's contract.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_params
from pipeline.hat.corpus import read_posts
from pipeline.hat.zoo.cache import cache_key, entry, is_cached, load_cached, train_into_cache
from pipeline.hat.zoo.count_bots import LsaRecipe, PpmiSvdRecipe
from pipeline.hat.zoo.fasttext_bots import FastTextRecipe
from pipeline.hat.zoo.recipes import HELD_OUT, TUNING, side_of, zoo_recipes
from pipeline.hat.zoo.text import Posts, sklearn_body, strip_header
from pipeline.hat.zoo.word2vec_bots import Word2VecRecipe
from tests.conftest import SMALL_ZOO

SHA = "0" * 64
W2V = {"vector_size": 8, "min_count": 2, "workers": 1}


@pytest.fixture(scope="module")
def posts(hat_sample, tmp_path_factory: pytest.TempPathFactory) -> Posts:
    return Posts(read_posts(hat_sample[0]), tmp_path_factory.mktemp("posts"))


def test_the_cache_key_depends_on_corpus_recipe_params_seed_and_code_version() -> None:
    recipe = PpmiSvdRecipe(
        "p", 1, {"min_count": 2, "window": 3, "dim": 4, "power": 1, "cds_alpha": 1}
    )
    key = cache_key(recipe, SHA)
    assert key == cache_key(recipe, SHA)
    assert key != cache_key(recipe, "1" * 64)
    assert key != cache_key(PpmiSvdRecipe("p", 2, recipe.params), SHA)
    assert key != cache_key(PpmiSvdRecipe("p", 1, {**recipe.params, "window": 2}), SHA)

    class Newer(PpmiSvdRecipe):
        version = 2

    assert key != cache_key(Newer("p", 1, recipe.params), SHA)


def test_sklearn_body_drops_the_header_quotes_and_signature() -> None:
    post = "From: x\nSubject: y\n\nIn article <1> z writes:\n> quoted\nmine\n--\nsig"
    assert strip_header(post).startswith("In article")
    assert sklearn_body(post) == "mine"


def test_the_demo_corpus_file_is_every_raw_line_written_once(posts: Posts) -> None:
    path = posts.raw_lines_file()
    text = path.read_text(encoding="utf-8")
    assert text.startswith(posts.texts[0]) and "From: " in text  # headers kept, as the demo does
    mtime = path.stat().st_mtime_ns
    assert posts.raw_lines_file() == path and path.stat().st_mtime_ns == mtime


@pytest.mark.parametrize(
    "recipe",
    [
        FastTextRecipe("ft", 1, {"model": "skipgram", "dim": 8, "epoch": 2, "bucket": 20000}),
        PpmiSvdRecipe(
            "ppmi", 2, {"min_count": 2, "window": 3, "dim": 6, "power": 1, "cds_alpha": 1}
        ),
        LsaRecipe("lsa", 3, {"min_df": 2, "max_df": 0.9, "dim": 6}),
        Word2VecRecipe("raw", 4, {"prep": "raw", "w2v": W2V}),
        Word2VecRecipe("clean", 5, {"prep": "clean", "w2v": W2V}),
        Word2VecRecipe("stem", 6, {"prep": "stemmed", "w2v": {**W2V, "sg": 0}}),
    ],
    ids=lambda r: r.name,
)
def test_a_recipe_trains_into_the_cache_loads_back_and_keeps_the_contract(
    recipe, posts: Posts, tmp_path: Path
) -> None:
    assert not is_cached(recipe, SHA, tmp_path)
    record = train_into_cache(recipe, posts, SHA, tmp_path)
    assert not record["cached"] and is_cached(recipe, SHA, tmp_path)
    assert train_into_cache(recipe, posts, SHA, tmp_path)["cached"]  # a rerun trains nothing
    assert [p.name for p in entry(recipe, SHA, tmp_path).parent.iterdir()] == [record["key"]]
    bot, meta = load_cached(recipe, SHA, tmp_path)
    assert meta["recipe"] == recipe.describe()
    clues = bot.explain("money", 5)
    assert clues and len(clues) <= 5 and all(isinstance(c, str) for c in clues)
    guesses = bot.guess(["bank", "cash"], 5)
    assert guesses and all(isinstance(g, str) for g in guesses)
    again, _ = load_cached(recipe, SHA, tmp_path)
    assert again.explain("money", 5) == clues
    if hasattr(bot, "guess_many"):  # the games' batched guesses: the same answers
        queries = [["bank", "cash"], ["money"], ["qzxv"], [], ["launch", "space", "launch"]]
        assert bot.guess_many(queries, 5) == [bot.guess(q, 5) for q in queries]
        assert bot.guess_many([], 5) == []


def test_a_stemmed_bot_answers_surface_words_and_reads_stemmed_clues(posts, tmp_path) -> None:
    recipe = Word2VecRecipe("stem", 6, {"prep": "stemmed", "w2v": {**W2V, "sg": 0}})
    train_into_cache(recipe, posts, SHA, tmp_path)
    bot, _ = load_cached(recipe, SHA, tmp_path)
    surfaces = set(bot.surface.values())
    assert set(bot.explain("money", 5)) <= surfaces  # words, not stems like 'monei'
    assert bot.guess(["launches"], 3) == bot.guess(["launch"], 3)


def test_an_uncached_bot_is_a_clear_error(tmp_path: Path) -> None:
    recipe = LsaRecipe("lsa", 3, {"min_df": 2, "max_df": 0.9, "dim": 6})
    with pytest.raises(FileNotFoundError, match="not in the cache"):
        load_cached(recipe, SHA, tmp_path)


def test_the_zoo_of_params_yaml_splits_its_families_as_the_issue_fixed() -> None:
    zoo = load_params()["hat"]["zoo"]
    recipes = zoo_recipes(zoo)
    sides = {name: side_of(r, zoo) for name, r in recipes.items()}
    assert {n for n, s in sides.items() if s == TUNING} == {
        "ft_sg10",
        "ft_cbow16",
        "ppmi_w4_d100",
        "ppmi_w10_d300",
    }
    assert {n for n, s in sides.items() if s == HELD_OUT} == {
        "w2v_raw_sg",
        "w2v_clean_sg",
        "w2v_stem_cbow",
        "lsa_tfidf_d200",
    }
    assert len({r.seed for r in recipes.values()}) == len(recipes)  # each its own seed


def test_a_family_on_both_sides_or_on_none_is_refused() -> None:
    both = {"tuning_families": ["ppmi"], "held_out_families": ["ppmi"], "recipes": SMALL_ZOO}
    with pytest.raises(ConfigError, match="both tuned on and held out"):
        zoo_recipes(both)
    none = {"tuning_families": ["ppmi"], "held_out_families": ["lsa"], "recipes": SMALL_ZOO}
    with pytest.raises(ConfigError, match="neither side"):
        zoo_recipes(none)
    bad = {"tuning_families": [], "held_out_families": [], "recipes": {"x": {"family": "glove"}}}
    with pytest.raises(ConfigError, match="needs family"):
        zoo_recipes(bad)
