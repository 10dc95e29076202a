"""Command line of the Hat bot.

    python -m pipeline.hat explain WORD [-n N]          clues for WORD, as a JSON list
    python -m pipeline.hat guess WORD [WORD ...] [-n N] guesses from the clues, as a JSON list
    python -m pipeline.hat train                        the pipeline stage (run_all.sh hat)

explain and guess use the production player of ``--models-dir`` (default ``models/``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline import catalog
from pipeline.config import PARAMS_FILE, Paths, load_params
from pipeline.errors import PipelineError
from pipeline.registry.store import production_dir

MAX_WORDS = 100


def _n_words(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"-n must be a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_WORDS:
        raise argparse.ArgumentTypeError(f"-n must be between 1 and {MAX_WORDS}, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command; errors print one line and exit non-zero, never a traceback."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.hat", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    paths = Paths.from_env()
    p_explain = sub.add_parser("explain", help="clues for a word")
    p_explain.add_argument("word")
    p_guess = sub.add_parser("guess", help="guesses from clues")
    p_guess.add_argument("words", nargs="+")
    for p in (p_explain, p_guess):
        p.add_argument("-n", "--n-words", type=_n_words, default=5)
        p.add_argument("--models-dir", type=Path, default=paths.models)
    p_train = sub.add_parser("train", help="train, evaluate, save and maybe promote a player")
    p_train.add_argument("--params", type=Path, default=PARAMS_FILE)
    p_train.add_argument("--models-dir", type=Path, default=paths.models)
    args = parser.parse_args(argv)
    paths = Paths(paths.data, args.models_dir, paths.reports)
    try:
        if args.command == "train":
            from pipeline.hat import stage  # heavy imports only for the pipeline stage

            stage.train(load_params(args.params), paths)
            return 0
        player = catalog.spec("hat").load(production_dir(paths.models, "hat"))
        if args.command == "explain":
            answer = player.explain(args.word, args.n_words)
        else:
            answer = player.guess(args.words, args.n_words)
        print(json.dumps(answer, ensure_ascii=False))
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
