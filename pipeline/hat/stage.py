"""The Hat stage: fetch the corpus and word lists, train our player and two baselines, play the
cross-play tables, save a version and decide its promotion.

The course-recipe baseline and our own course-recipe model (a model of naive opponents, with our
own seed, never the baseline's vectors) train in child processes while the main process builds the
corpus, the count models and our word2vec, so the stage fits its time budget on two cores.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pipeline import catalog
from pipeline.config import Paths, section
from pipeline.data.fetch import fetch
from pipeline.data.sources import HAT_WORD_LISTS, NEWSGROUPS, hat_word_list, source_for_location
from pipeline.hat import evaluate, explain_table
from pipeline.hat.baselines import CountSvdBot, RawWord2VecBot
from pipeline.hat.build import build_player, train_count_model
from pipeline.hat.corpus import load_corpus, raw_tokens, read_posts
from pipeline.hat.counts import build_vocab, cooccurrence, ppmi, svd_vectors
from pipeline.hat.embeddings import train_word2vec
from pipeline.hat.evaluate import COUNT, OURS, PRODUCTION, RAW, UNION
from pipeline.hat.naive import train_naive_raw
from pipeline.hat.player import HatPlayer
from pipeline.hat.simulator import Simulator, load_word_list
from pipeline.progress import Progress
from pipeline.registry import store
from pipeline.registry.publish import Candidate, publish

NAME = "hat"
PLAYER_DIR = catalog.spec(NAME).artifact


def _train_raw_baseline(tarball: str, out: str, seed: int) -> str:
    """Child process: the course recipe reads raw posts itself (it skips all cleaning)."""
    bot = RawWord2VecBot([raw_tokens(p) for p in read_posts(Path(tarball))], seed=seed, workers=1)
    bot.wv.save(out)
    return out


def _train_naive(tarball: str, out: str, params: dict[str, Any]) -> str:
    """Child process: our own course-recipe model, used to predict what naive bots answer."""
    space = train_naive_raw([raw_tokens(p) for p in read_posts(Path(tarball))], params)
    with Path(out).open("wb") as fh:
        pickle.dump(space, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return out


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
    "tom_k",
    "tom_top5",
    "tom_rest",
    "tom_count_inv",
    "listeners",
    "scoring",
    "explain_table",
)


def player_config(params: dict[str, Any]) -> dict[str, Any]:
    """The player's hyper-parameters: params.yaml's hat.player, checked to be complete."""
    config = section(params, NAME, ("player",))["player"] or {}
    return {
        k: (dict(v) if isinstance(v, dict) else v)
        for k, v in section({f"{NAME}.player": config}, f"{NAME}.player", PLAYER_KEYS).items()
    }


def train(params: dict[str, Any], paths: Paths) -> dict[str, Any]:
    """Run the stage; returns the metrics record printed in the summary."""
    log = Progress(NAME)
    cfg = section(params, NAME, ("player", "baselines", "game", "promotion"))
    config = player_config(params)
    corpus_source = str(cfg.get("corpus", NEWSGROUPS.name))
    source = (
        NEWSGROUPS
        if corpus_source == NEWSGROUPS.name
        else source_for_location(corpus_source, "newsgroups")
    )
    tarball = fetch(source, paths.raw)
    lists_fetched = {name: fetch(hat_word_list(name), paths.raw) for name in HAT_WORD_LISTS}
    log(f"corpus {tarball.path.name} ({tarball.note}); word lists fetched")

    tmp = Path(tempfile.mkdtemp(prefix="hat-train-"))
    pool = cf.ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork"))
    raw_seed = int(cfg["baselines"]["raw_seed"])
    raw_future = pool.submit(_train_raw_baseline, str(tarball.path), str(tmp / "raw.kv"), raw_seed)
    naive_future = pool.submit(
        _train_naive, str(tarball.path), str(tmp / "naive.pkl"), config["naive"]
    )
    try:
        corpus = load_corpus(tarball.path, cache_dir=paths.processed / NAME)
        counts = corpus.counts()
        corpus_info = {
            "documents": corpus.n_docs,
            "sentences": len(corpus.sentences),
            "tokens": corpus.n_tokens,
            "vocabulary": len(counts),
            "vocabulary_min5": sum(c >= 5 for c in counts.values()),
        }
        log(f"corpus: {corpus_info}")
        base = cfg["baselines"]["ppmi_svd"]
        vocab = build_vocab(counts, int(base["min_count"]))
        matrix = ppmi(
            cooccurrence(corpus.sentences, vocab, int(base["window"]), harmonic=False),
            float(base["cds_alpha"]),
        )
        count_bot = CountSvdBot(
            vocab, svd_vectors(matrix, int(base["dim"]), float(base["power"]), int(base["seed"]))
        )
        del matrix
        log("baseline PPMI-SVD trained")
        count_model = train_count_model(corpus, config)
        log("our PPMI-SVD trained")
        w2v = train_word2vec(corpus.sentences, config["w2v"], reproducible=True)
        log("our word2vec trained (reproducible mode: one worker, fixed seed)")
        with Path(naive_future.result()).open("rb") as fh:
            naive = pickle.load(fh)
        player = build_player(corpus, count_model, config, w2v=w2v, naive=naive)
        del naive, w2v, count_model
        log("player built")
        from gensim.models import KeyedVectors

        raw_bot = RawWord2VecBot.__new__(RawWord2VecBot)
        raw_bot.wv = KeyedVectors.load(raw_future.result())
        log("baseline course-recipe word2vec trained")
    finally:
        pool.shutdown(cancel_futures=True)
        shutil.rmtree(tmp, ignore_errors=True)

    # Save once to a temporary folder and play the player loaded back from it, exactly as it will
    # be served; the folder moves into the version directory at the end. The production player
    # plays the same games, so the promotion compares both on the same words in the same run.
    version = store.new_version(paths.models, NAME)
    staging = Path(tempfile.mkdtemp(prefix="hat-player-"))
    player.save(staging / PLAYER_DIR)
    del player
    candidate = HatPlayer.load(staging / PLAYER_DIR)  # plays exactly as it will be served
    table = config["explain_table"]
    rows = explain_table.table_rows(candidate, int(table["frequent"]))
    log(f"precomputing the explanations of {len(rows)} words")
    clues = explain_table.build(candidate, rows, int(table["depth"]), processes=2)
    candidate.set_explanations(rows, clues)  # the arrays saved next, as the service reads them
    candidate.save_explanations(staging / PLAYER_DIR)
    log("explanations precomputed")
    bots: dict[str, Any] = {OURS: candidate, RAW: raw_bot, COUNT: count_bot}
    production = _production_player(paths.models, log)
    if production is not None:
        bots[PRODUCTION] = production

    lists = {name: load_word_list(f.path) for name, f in lists_fetched.items()}
    lists[UNION] = list(dict.fromkeys(w for ws in lists.values() for w in ws))
    game = cfg["game"]
    sim = Simulator(int(game["n_explain"]), int(game["n_guess"]), str(game["criteria"]))
    tables = evaluate.play_all(sim, bots, lists)
    log(f"games played: {len(evaluate.pairs(bots))} pairs x {len(lists[UNION])} words")

    score = evaluate.cross_play_score(tables[UNION], OURS)
    prod_score = evaluate.cross_play_score(tables[UNION], PRODUCTION) if production else None
    floors = evaluate.floor_checks(tables)
    metrics = {
        "tables": tables,
        "cross_play_score": score,
        "floors": floors,
        "corpus": corpus_info,
        "measured_on": {
            "word_lists": {k: len(v) for k, v in lists.items()},
            "game": game,
            "note": "soft mode; guessed = within the explainer's clues; score = N + 1 - round",
        },
    }
    text = evaluate.format_tables(tables)

    def write_files(directory: Path) -> None:
        shutil.move(staging / PLAYER_DIR, directory / PLAYER_DIR)  # saved once, above

    try:
        return publish(
            Candidate(
                name=NAME,
                version=version,
                scores={"cross_play_guessed_rate": score},
                production=None if prod_score is None else {"cross_play_guessed_rate": prod_score},
                tolerance=float(cfg["promotion"]["tolerance"]),
                metrics=metrics,
                metadata={
                    "data": {
                        "corpus": tarball.as_dict(),
                        "word_lists": {k: v.as_dict() for k, v in lists_fetched.items()},
                    },
                    "params": {
                        "player": config,
                        **{k: cfg[k] for k in ("baselines", "game", "promotion")},
                    },
                    "training_seconds": round(log.elapsed(), 1),
                },
                write_files=write_files,
                evaluation=text,
                printed=[text, evaluate.format_floors(floors)],
            ),
            paths,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _production_player(models_dir: Path, log: Progress) -> HatPlayer | None:
    try:
        return HatPlayer.load(store.production_dir(models_dir, NAME) / PLAYER_DIR)
    except store.RegistryError as exc:
        log(f"no production model to compare with ({exc})")
    except Exception as exc:
        log(f"production player unusable ({type(exc).__name__}: {exc})")
    return None
