"""Command line of the password model: ``prepare``, ``train`` and ``predict``.

``predict`` reads UTF-8 passwords from stdin, one per line (the line without its newline is the
password, so spaces and the empty password survive), and writes one frequency per million per
line, using the production model of ``--models-dir``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from pipeline.config import PARAMS_FILE, Paths, load_params
from pipeline.errors import PipelineError
from pipeline.passwords.model import PasswordModel
from pipeline.registry.store import production_dir

BATCH = 10_000


class InputError(PipelineError, ValueError):
    """Input the CLI cannot use; the message says which line and why, never the password."""


def read_passwords(stream: BinaryIO) -> Iterator[str]:
    """Passwords from a byte stream, one per line; a final newline does not add an empty one."""
    data = stream.read()
    if not data:
        return
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    for n, raw in enumerate(lines, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"line {n} of the input is not valid UTF-8") from exc


def predict_stream(model: PasswordModel, stream: BinaryIO, out: TextIO) -> int:
    """Write a frequency per line for each password of ``stream``; returns how many."""
    batch: list[str] = []
    written = 0
    for password in read_passwords(stream):
        batch.append(password)
        if len(batch) == BATCH:
            written += _write(model, batch, out)
            batch = []
    return written + _write(model, batch, out)


def _write(model: PasswordModel, batch: list[str], out: TextIO) -> int:
    if batch:
        out.write("".join(f"{v:.6g}\n" for v in model.predict(batch)))
    return len(batch)


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command; errors print one line and exit non-zero, never a traceback."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.passwords", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_prepare = sub.add_parser("prepare", help="fetch, check and split the password list")
    p_prepare.add_argument("--source", help="a source name, or a path/URL of a Password,Times CSV")
    p_train = sub.add_parser("train", help="fit, evaluate, save and maybe promote a model")
    p_predict = sub.add_parser("predict", help="stdin passwords -> stdout frequencies per million")
    for p in (p_prepare, p_train):
        p.add_argument("--params", type=Path, default=PARAMS_FILE)
    paths = Paths.from_env()
    for p in (p_train, p_predict):
        p.add_argument("--models-dir", type=Path, default=paths.models)
    args = parser.parse_args(argv)
    if "models_dir" in args:
        paths = Paths(paths.data, args.models_dir, paths.reports)
    try:
        if args.command == "predict":
            model = PasswordModel.load(production_dir(paths.models, "passwords"))
            predict_stream(model, sys.stdin.buffer, sys.stdout)
            return 0
        # heavy imports only for the pipeline stages
        from pipeline.passwords.prepare import prepare
        from pipeline.passwords.train import train

        params = load_params(args.params)
        if args.command == "prepare":
            prepare(params, paths, args.source)
        else:
            train(params, paths)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, InputError) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
