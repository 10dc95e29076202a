"""The Hat stage: fetch the corpus and word lists, train the opponent zoo and our player, play the
games, save a version and decide its promotion.

Two forked workers (:class:`pipeline.hat.jobs.Trainer`) train in the background what our player
needs from the raw posts (our course-recipe model, our copies of the engine demo's recipe) and
then the zoo's bots, while this process builds the corpus, the count model and our word2vec;
everything trained is cached (the zoo by corpus sha256 and recipe, our player by corpus sha256,
parameters and code), so a rerun on unchanged data trains nothing.
"""

from __future__ import annotations

import functools
import pickle
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline import catalog
from pipeline.config import ROOT, Paths, section
from pipeline.data.fetch import Fetched, fetch
from pipeline.data.sources import HAT_WORD_LISTS, NEWSGROUPS, hat_word_list, source_for_location
from pipeline.files import read_json
from pipeline.hat import evaluate, explain_table, floors, games, player_cache, player_files
from pipeline.hat.corpus import load_corpus, raw_tokens, read_posts
from pipeline.hat.evaluate import HELDOUT, OURS, PRODUCTION, UNION, Lineup
from pipeline.hat.heap import keep_freed_memory
from pipeline.hat.jobs import Trainer
from pipeline.hat.player import HatPlayer
from pipeline.hat.simulator import Simulator, load_word_list
from pipeline.hat.zoo.base import Recipe
from pipeline.hat.zoo.cache import cache_key, load_cached
from pipeline.hat.zoo.fasttext_bots import FastTextRecipe
from pipeline.hat.zoo.recipes import HELD_OUT, side_of, zoo_recipes
from pipeline.hat.zoo.text import Posts
from pipeline.progress import Progress
from pipeline.registry import store
from pipeline.registry.publish import Candidate, publish

NAME = "hat"
PLAYER_DIR = catalog.spec(NAME).artifact
METRIC = catalog.spec(NAME).criteria[0][0]

PLAYER_KEYS = (
    "min_count",
    "w2v",
    "svd",
    "w2v_weight",
    "clue_min_count",
    "clue_min_docs",
    "clue_min_lower",
    "guess_min_count",
    "guess_min_docs",
    "guess_min_lower",
    "min_len",
    "hub_k",
    "assoc_top",
    "assoc_scale",
    "naive",
    "demo",
    "tom_k",
    "tom_top5",
    "tom_rest",
    "tom_count_inv",
    "listeners",
    "scoring",
    "explain_table",
    "guess_lists",
)


def player_config(params: dict[str, Any]) -> dict[str, Any]:
    """The player's hyper-parameters: params.yaml's hat.player, checked to be complete."""
    config = section(params, NAME, ("player",))["player"] or {}
    return {
        k: (dict(v) if isinstance(v, dict) else v)
        for k, v in section({f"{NAME}.player": config}, f"{NAME}.player", PLAYER_KEYS).items()
    }


def demo_copies(demo: dict[str, Any]) -> list[Recipe]:
    """Our own copies of the engine demo's recipe, one per seed of ``hat.player.demo``."""
    return [
        FastTextRecipe(f"demo_copy_{seed}", int(seed), dict(demo["params"]))
        for seed in demo["seeds"]
    ]


def naive_model(params: dict[str, Any], posts: Posts) -> Any:
    """Background job: our course-recipe model from the raw posts (it skips all cleaning)."""
    from pipeline.hat.naive import train_naive_raw

    return train_naive_raw([raw_tokens(p) for p in posts.texts], params)


def _fetch(cfg: dict[str, Any], paths: Paths) -> tuple[Fetched, dict[str, Fetched]]:
    corpus_source = str(cfg.get("corpus", NEWSGROUPS.name))
    source = (
        NEWSGROUPS
        if corpus_source == NEWSGROUPS.name
        else source_for_location(corpus_source, "newsgroups")
    )
    tarball = fetch(source, paths.raw)
    return tarball, {name: fetch(hat_word_list(name), paths.raw) for name in HAT_WORD_LISTS}


def word_lists(fetched: dict[str, Fetched], heldout_file: Path) -> dict[str, list[str]]:
    """The host's four lists (tuning), their union and the held-out list (never tuned on)."""
    lists = {name: load_word_list(f.path) for name, f in fetched.items()}
    lists[UNION] = list(dict.fromkeys(w for ws in lists.values() for w in ws))
    lists[HELDOUT] = load_word_list(heldout_file)
    return lists


def build_ours(
    tarball: Path,
    config: dict[str, Any],
    trainer: Trainer,
    copies: list[Recipe],
    zoo_dir: Path,
    corpus_sha: str,
    work: Path,
    out: Path,
    corpus_cache: Path,
    log: Progress,
) -> dict[str, Any]:
    """Build our player into folder ``out`` (with its explanation table); returns corpus stats."""
    from pipeline.hat.build import build_player, train_count_model
    from pipeline.hat.demo import FtSpace
    from pipeline.hat.embeddings import train_word2vec
    from pipeline.hat.guesser import lists_for

    corpus = load_corpus(tarball, cache_dir=corpus_cache)
    counts = corpus.counts()
    info = {
        "documents": corpus.n_docs,
        "sentences": len(corpus.sentences),
        "tokens": corpus.n_tokens,
        "vocabulary": len(counts),
        "vocabulary_min5": sum(c >= 5 for c in counts.values()),
    }
    log(f"corpus: {info}")
    count_model = train_count_model(corpus, config)
    log("our PPMI-SVD trained")
    w2v = train_word2vec(corpus.sentences, config["w2v"], reproducible=True)
    log("our word2vec trained (reproducible mode: one worker, fixed seed)")
    trainer.wait("naive")
    with (work / "naive.pkl").open("rb") as fh:
        naive = pickle.load(fh)
    spaces = []
    for recipe in copies:
        trainer.wait(recipe.name)
        spaces.append(FtSpace(load_cached(recipe, corpus_sha, zoo_dir)[0].model))
    player = build_player(corpus, count_model, config, w2v=w2v, naive=naive, demo=spaces, log=log)
    del naive, w2v, count_model, corpus, spaces
    log("player built")
    player.save(out)
    del player
    built = HatPlayer.load(out)  # the table is computed by the player as it will be served
    table = config["explain_table"]
    rows = explain_table.table_rows(built, int(table["frequent"]))
    log(f"precomputing the explanations of {len(rows)} words")
    clues = explain_table.build(built, rows, int(table["depth"]), processes=2, log=log)
    built.set_explanations(rows, clues)
    player_files.save_explanations(built, out)
    log("explanations precomputed")
    built.set_guess_lists(lists_for(built.scorer, int(config["guess_lists"])))
    player_files.save_guess_lists(built, out)
    log(f"guess candidate lists precomputed ({config['guess_lists']} per word)")
    return info


def train(params: dict[str, Any], paths: Paths) -> dict[str, Any]:
    """Run the stage; returns the metrics record printed in the summary.

    BLAS runs one thread in every process of the stage: two cores run three or more of them,
    and a multi-threaded product waiting for a busy core spins (the games slowed tenfold). Freed
    memory is kept for reuse (:mod:`pipeline.hat.heap`).
    """
    from threadpoolctl import threadpool_limits

    keep_freed_memory()
    with threadpool_limits(1):
        return _train(params, paths)


def _train(params: dict[str, Any], paths: Paths) -> dict[str, Any]:
    log = Progress(NAME)
    cfg = section(params, NAME, ("player", "zoo", "game", "floors", "promotion", "heldout_list"))
    config = player_config(params)
    tarball, lists_fetched = _fetch(cfg, paths)
    lists = word_lists(lists_fetched, ROOT / str(cfg["heldout_list"]))
    log(f"corpus {tarball.path.name} ({tarball.note}); word lists fetched")
    corpus_sha = tarball.sha256
    zoo_dir = paths.processed / NAME / "zoo"
    recipes = zoo_recipes(cfg["zoo"])
    copies = demo_copies(config["demo"])
    key = player_cache.build_key(corpus_sha, config)
    cached = player_cache.lookup(paths.processed / NAME / "player", key)

    work = Path(tempfile.mkdtemp(prefix="hat-train-"))
    staging = Path(tempfile.mkdtemp(prefix="hat-player-"))
    try:
        posts = Posts(read_posts(tarball.path), work)
        with Trainer(posts, log) as trainer:
            if cached is None:
                posts.raw_lines_file()  # written once, before the fastText jobs read it
                trainer.pickled(
                    "naive", functools.partial(naive_model, config["naive"]), work / "naive.pkl"
                )
                for recipe in copies:
                    trainer.zoo(recipe, corpus_sha, zoo_dir)
            elif any(r.family == FastTextRecipe.family for r in recipes.values()):
                posts.raw_lines_file()
            for recipe in sorted(recipes.values(), key=lambda r: -r.expected_cost()):
                trainer.zoo(recipe, corpus_sha, zoo_dir)
            if cached is None:
                corpus_info = build_ours(
                    tarball.path,
                    config,
                    trainer,
                    copies,
                    zoo_dir,
                    corpus_sha,
                    work,
                    staging / PLAYER_DIR,
                    paths.processed / NAME,
                    log,
                )
                player_cache.store(
                    paths.processed / NAME / "player",
                    key,
                    staging / PLAYER_DIR,
                    {"corpus": corpus_info, "built_seconds": round(log.elapsed(), 1)},
                )
            else:
                shutil.copytree(cached[0], staging / PLAYER_DIR)
                corpus_info = cached[1]["corpus"]
                log(f"player restored from the cache (key {key}): nothing to train for it")
            records = {n: trainer.wait(n) for n in recipes}
        trained = [n for n, r in records.items() if not r.get("cached")]
        log(f"zoo ready: {len(recipes)} bots, {len(trained)} trained this run")
        return _evaluate_and_publish(
            cfg,
            config,
            paths,
            log,
            tarball,
            lists_fetched,
            lists,
            recipes,
            records,
            corpus_info,
            key,
            staging,
            zoo_dir,
            corpus_sha,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)


def _evaluate_and_publish(
    cfg,
    config,
    paths,
    log,
    tarball,
    lists_fetched,
    lists,
    recipes,
    records,
    corpus_info,
    key,
    staging,
    zoo_dir,
    corpus_sha,
) -> dict[str, Any]:
    start = time.perf_counter()
    zoo = {name: load_cached(r, corpus_sha, zoo_dir)[0] for name, r in recipes.items()}
    log(f"zoo bots loaded in {time.perf_counter() - start:.1f}s")
    candidate = HatPlayer.load(staging / PLAYER_DIR)  # plays exactly as it will be served
    production, production_key = _production_player(paths.models, log)
    if production is not None and production_key == key:
        production = candidate  # the same build: its games are the candidate's (memoised)
    lineup = Lineup(
        ours=candidate,
        zoo=zoo,
        families={n: r.family for n, r in recipes.items()},
        sides={n: side_of(r, cfg["zoo"]) for n, r in recipes.items()},
        production=production,
    )
    game = cfg["game"]
    sim = Simulator(int(game["n_explain"]), int(game["n_guess"]), str(game["criteria"]))
    keys = {
        OURS: f"player:{key}",
        **{n: f"zoo:{cache_key(r, corpus_sha)}" for n, r in recipes.items()},
    }
    if production is not None and production is not candidate and production_key:
        keys[PRODUCTION] = f"player:{production_key}"
    bots = lineup.bots()
    for name, bot_key in keys.items():
        sim.name(bots[name], bot_key)
    answers_path = games.answers_file(
        paths.processed / NAME, player_cache.code_digest(), dict(game)
    )
    sim.remember(games.load_answers(answers_path))
    games.play_parallel(sim, bots, evaluate.plan(lineup, lists), processes=2, log=log)
    tables, multi = evaluate.play_all(sim, lineup, lists)
    games.save_answers(answers_path, sim.answers(list(keys.values())))
    log(f"games played: {len(evaluate.pairs(lineup))} pairs and the multi-player games")
    held_out = lineup.names(HELD_OUT)
    score = evaluate.heldout_cross_play(tables, OURS, held_out)
    prod_score = evaluate.heldout_cross_play(tables, PRODUCTION, held_out) if production else None
    checks = floors.floor_checks(tables, multi, held_out, cfg["floors"])
    metrics = {
        "tables": tables,
        "multi_player": multi,
        METRIC: score,
        "floors": checks,
        "corpus": corpus_info,
        "zoo": {
            n: {"family": lineup.families[n], "side": lineup.sides[n], **records[n]}
            for n in recipes
        },
        "measured_on": {
            "word_lists": {k: len(v) for k, v in lists.items()},
            "game": game,
            "note": "soft mode; guessed = within the explainer's clues; score = N + 1 - round",
        },
    }
    text = evaluate.format_tables(tables, lineup, lists, multi)

    def write_files(directory: Path) -> None:
        shutil.move(staging / PLAYER_DIR, directory / PLAYER_DIR)  # saved once, above

    return publish(
        Candidate(
            name=NAME,
            version=store.new_version(paths.models, NAME),
            scores={METRIC: score},
            production=None if prod_score is None else {METRIC: prod_score},
            tolerance=float(cfg["promotion"]["tolerance"]),
            metrics=metrics,
            metadata={
                "data": {
                    "corpus": tarball.as_dict(),
                    "word_lists": {k: v.as_dict() for k, v in lists_fetched.items()},
                    "heldout_list": str(cfg["heldout_list"]),
                },
                "params": {
                    "player": config,
                    **{k: cfg[k] for k in ("zoo", "game", "floors", "promotion")},
                },
                "build_key": key,
                "training_seconds": round(log.elapsed(), 1),
            },
            write_files=write_files,
            evaluation=text,
            printed=[text, floors.format_floors(checks)],
        ),
        paths,
    )


def _production_player(models_dir: Path, log: Progress) -> tuple[HatPlayer | None, str | None]:
    """The production player and the build key it was made with (None for older versions)."""
    try:
        folder = store.production_dir(models_dir, NAME)
        player = HatPlayer.load(folder / PLAYER_DIR)
    except store.RegistryError as exc:
        log(f"no production model to compare with ({exc})")
        return None, None
    except Exception as exc:
        log(f"production player unusable ({type(exc).__name__}: {exc})")
        return None, None
    return player, (read_json(folder / "metadata.json") or {}).get("build_key")
