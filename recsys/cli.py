"""``recsys``: train, evaluate, predict and recommend from the command line.

Output contract (other tools parse it): readable tables on stdout by default; with
``--json`` exactly one JSON object on stdout; progress bars and notes on stderr. Bad input
(a missing or malformed file, an unknown model, a rating outside 0.5-5 or off the half-star
grid, a malformed MOVIE_ID=RATING) is one line ``recsys: error: ...`` on stderr and exit
code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from recsys.kinds import MODEL_KINDS
from recsys.results import MAX_RATING, MIN_RATING

EXIT_BAD_INPUT = 2

PREDICT_FALLBACK = (
    "Pairs the model cannot score fully get a fallback instead of an error: an unknown user "
    "gets the movie's baseline (global mean + movie bias for mf_bias, the movie's mean "
    "rating for mf and ncf); an unknown movie gets the global mean (plus the user's bias for "
    "mf_bias); both unknown get the global mean. Predictions are clipped to 0.5-5."
)
USERS_FALLBACK = (
    "Users of users.csv that the model was not trained on get the popularity ranking. "
    "Movies each user rated in training are never recommended to them."
)
MODEL_DIR_HELP = "a models root (its `current` model is used) or one model artifact directory"


class _Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line (the contract) instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``recsys`` console script and ``python -m recsys``.

    The commands are imported only once the arguments parsed: `--help` and a usage error
    answer in about 0.1 s instead of the 7 s that importing torch through them cost.
    """
    args = build_parser().parse_args(argv)
    from recsys import commands

    try:
        return int(getattr(commands, args.handler)(args))
    except KeyboardInterrupt:
        print("recsys: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if not _is_bad_input(exc):
            raise
        print(f"recsys: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _one_line(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="recsys",
        description="Collaborative-filtering movie recommender (MovieLens format).",
        epilog="Tables by default; --json prints one JSON object on stdout. Bad input: exit 2.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = sub.add_parser(
        "train",
        help="train on every rating of a MovieLens folder and save a model artifact",
        description="Train on every rating in DIR/ratings.csv (early stopping on an internal "
        "slice) and write a model artifact under MODELS_DIR; it becomes `current` unless "
        "--no-activate.",
    )
    train.add_argument("--data", required=True, type=Path, metavar="DIR", help="MovieLens folder")
    train.add_argument(
        "--out", required=True, type=Path, metavar="MODELS_DIR", help="models root (created)"
    )
    _model_options(train, MODEL_KINDS)
    train.add_argument("--no-activate", action="store_true", help="do not make it `current`")
    train.add_argument("--json", action="store_true", help="print one JSON object")
    train.set_defaults(handler="train")

    evaluate = sub.add_parser(
        "evaluate",
        help="train on a split's training part and report metrics on its held-out part",
        description="Train on the training part of a split and report RMSE/MAE (held-out "
        "pairs whose user and movie were seen in training) and top-k metrics (relevant = "
        "held-out rating >= 4; candidates = movies the user did not rate in training). "
        "Splits: `seed` = the notebook's np.random.seed(3) 80/20; `temporal` = each user's "
        "latest 20% held out.",
    )
    evaluate.add_argument(
        "--data", required=True, type=Path, metavar="DIR", help="MovieLens folder"
    )
    _model_options(evaluate, MODEL_KINDS)
    evaluate.add_argument(
        "--split",
        choices=("seed", "temporal"),
        default="seed",
        help="default seed (its split seed is always the notebook's 3; --seed seeds training)",
    )
    evaluate.add_argument("-k", type=_positive_int, default=10, help="list length (default 10)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(handler="evaluate")

    predict = sub.add_parser(
        "predict",
        help="predict ratings for userId,movieId pairs",
        description="Read userId,movieId pairs (CSV with a header; other columns ignored) "
        "and write userId,movieId,prediction. " + PREDICT_FALLBACK,
    )
    predict.add_argument(
        "--model-dir", required=True, type=Path, metavar="DIR", help=MODEL_DIR_HELP
    )
    predict.add_argument(
        "--input", required=True, type=Path, metavar="pairs.csv", help="userId,movieId CSV"
    )
    predict.add_argument(
        "--output", required=True, type=Path, metavar="preds.csv", help="written atomically"
    )
    predict.add_argument("--json", action="store_true", help="print the summary as JSON")
    predict.set_defaults(handler="predict")

    recommend = sub.add_parser(
        "recommend",
        help="top-k movies for a new person (--rate) or for users of the training data (--users)",
        description="--rate: fold in a new person's ratings and print their top-k unseen "
        "movies (with no known movie rated, the popularity ranking). --users: write "
        "userId,rank,movieId,score for each userId of users.csv. " + USERS_FALLBACK,
    )
    recommend.add_argument(
        "--model-dir", required=True, type=Path, metavar="DIR", help=MODEL_DIR_HELP
    )
    who = recommend.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--rate",
        nargs="+",
        action="extend",
        type=_movie_rating,
        metavar="MOVIE_ID=RATING",
        help="ratings of 0.5-5 in half stars, e.g. --rate 318=5 296=4.5 or --rate 318=5 "
        "--rate 296=4.5 (both add up; the same movie with two different ratings is an error)",
    )
    who.add_argument("--users", type=Path, metavar="users.csv", help="CSV with a userId column")
    recommend.add_argument("--output", type=Path, metavar="recs.csv", help="with --users")
    recommend.add_argument("-k", type=_positive_int, default=10, help="list length (default 10)")
    recommend.add_argument("--genre", action="append", metavar="NAME", help="only these genres")
    recommend.add_argument(
        "--exclude-genre", action="append", metavar="NAME", help="never these genres"
    )
    recommend.add_argument("--json", action="store_true", help="print one JSON object")
    recommend.set_defaults(handler="recommend")

    download = sub.add_parser(
        "download",
        help="fetch ml-latest-small from GroupLens into a cache folder (verified)",
        description="Download and extract ml-latest-small; every extracted file is checked "
        "against its pinned SHA-256. Prints the data folder (use it as --data).",
    )
    download.add_argument("--cache", required=True, type=Path, metavar="DIR")
    download.add_argument("--sha256", metavar="HEX", help="also pin the zip's own SHA-256")
    download.add_argument("--url", default=None, help="a mirror of ml-latest-small.zip")
    download.set_defaults(handler="download")

    models = sub.add_parser("models", help="list the model artifacts under a models root")
    models.add_argument("--model-dir", required=True, type=Path, metavar="MODELS_DIR")
    models.add_argument("--json", action="store_true", help="print one JSON object")
    models.set_defaults(handler="models")

    rollback = sub.add_parser("rollback", help="make the previous model current again")
    rollback.add_argument("--model-dir", required=True, type=Path, metavar="MODELS_DIR")
    rollback.add_argument("--json", action="store_true", help="print one JSON object")
    rollback.set_defaults(handler="rollback")
    return parser


def _model_options(parser: argparse.ArgumentParser, kinds: Sequence[str]) -> None:
    """Training knobs; left unset, the library's tuned defaults apply."""
    parser.add_argument("--model", choices=kinds, default="mf_bias", help="default mf_bias")
    parser.add_argument("--seed", type=int, help="random seed (deterministic per seed)")
    parser.add_argument("--epochs", type=_positive_int, help="maximum epochs")
    parser.add_argument("--dim", type=_positive_int, help="embedding size")
    parser.add_argument(
        "--lr", type=_positive_float, help="learning rate of the first epoch (default: the model's)"
    )
    parser.add_argument("--l2", type=_non_negative_float, help="L2 penalty on embeddings")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), help="default auto")


MAX_MOVIE_ID = 2**63 - 1
"""Ids are int64 everywhere; a longer number is a typo, not a movie."""


def _movie_rating(text: str) -> tuple[int, float]:
    movie, sep, value = text.partition("=")
    # ASCII digits only: str.isdigit() and int() also take "４" and other scripts' digits.
    if not sep or not re.fullmatch(r"[0-9]+", movie.strip()):
        raise argparse.ArgumentTypeError(f"expected MOVIE_ID=RATING, got {text!r}")
    if int(movie) > MAX_MOVIE_ID:
        raise argparse.ArgumentTypeError(f"movie id in {text!r} is too large")
    try:
        rating = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"rating in {text!r} is not a number") from None
    if not (MIN_RATING <= rating <= MAX_RATING and math.isclose(rating * 2, round(rating * 2))):
        raise argparse.ArgumentTypeError(
            f"rating in {text!r} must be 0.5-5 in half stars (0.5, 1, 1.5, ... 5)"
        )
    return int(movie), round(rating * 2) / 2


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    value = _non_negative_float(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative number, got {text!r}")
    return value


def _is_bad_input(exc: Exception) -> bool:
    """Errors that describe the person's input or files, as opposed to bugs (which keep
    their tracebacks). OSError counts: an --out that is a file, a folder we may not write."""
    from recsys.artifacts import ArtifactError
    from recsys.commands import UsageError
    from recsys.data import DataError
    from recsys.download import DownloadError
    from recsys.tables import TableError

    known = (UsageError, ArtifactError, DataError, DownloadError, TableError, OSError)
    return isinstance(exc, known)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("moviebot")
    except metadata.PackageNotFoundError:
        return "unknown"
