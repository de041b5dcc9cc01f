"""Training and serving at MovieLens scale: 1M, 10M and 25M synthetic ratings in one run.

    .venv/bin/python benchmarks/scale.py [--sizes 1m,10m,25m] [--device cpu|cuda|auto]
        [--dim 128] [--threads N] [--people 200] [--seed 0] [--reference-epochs 30]
        [--no-reference]

Sizes are numbers of ratings ("0.2m", "100k", "25m", "250000"); each is benchmarks/
synthetic.py at fraction = ratings / 25M (25m is the shape of ml-25m: 162,541 users and
59,047 movies; 1m looks like ml-1m). For each size, in a fresh process of its own (so the
peak RSS is that size's): the data are generated and written as MovieLens CSVs to a temp
folder (by another process: "gen s" is generating plus writing, not part of the peak), then

- "read s": `recsys.data.load_movielens` on that folder, as `recsys train` reads it;
- the defaults (`TrainConfig()` with --device, --dim, --threads) trained once through
  `recsys.train.fit` with a progress callback: "epoch s" is the median wall time between
  epochs (epoch 1 alone when it stopped after one), "epochs" how many ran, "train s" the
  whole fit() call (id maps, epochs, the ranking model), "val RMSE" the best one;
- "converge s": the same config again with --reference-epochs epochs and patience 4 and no
  ranking model (it does not touch the RMSE); the converged RMSE is the better of the two
  runs' best validation RMSE (the same seed, so the same validation slice), and "converge
  s" is the EpochStats.seconds of the first epoch of the *default* run whose validation
  RMSE is within 0.01 of it ("never" if none is: the defaults stop too early).
  --no-reference skips that run and uses the default run's own best;
- "artifact MB": `recsys.artifacts.save` of the trained model into a temp folder, the
  files' total size;
- fold-in + top-10: `TrainedRecommender.recommend(ratings, 10)` for --people people, each
  a random user of the data with a random 5-50 of their ratings (fewer if they have fewer),
  after 5 warm-up calls: "p50 ms" / "p95 ms";
- "rankable": the share of the catalogue the ranking model can put in a top-10
  (`rec.watch.items.size / len(rec.items)`; without a watch model, the movies with
  serve.min_support ratings or more); "shown": the share that appeared in the people's
  lists;
- "peak GB": the size's process's peak RSS (ru_maxrss) at the end: reading, both fits,
  saving and serving.

A second table checks the targets of the issue (25M: epoch <= 30 s, converge <= 5 min,
peak RSS <= 8 GB, fold-in + top-10 median <= 5 ms over ~60k movies; 10M: full training
<= 2 min) for the sizes that ran. Timings are noisy when others share the machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.synthetic import FULL_RATINGS, generate, write  # noqa: E402
from recsys.artifacts import save  # noqa: E402
from recsys.data import load_movielens  # noqa: E402
from recsys.train import EpochStats, TrainConfig, fit  # noqa: E402

CONVERGED_WITHIN = 0.01
REFERENCE_PATIENCE = 4
K = 10
TARGETS: list[tuple[str, str, str, float]] = [
    ("25m", "epoch_s", "epoch s", 30.0),
    ("25m", "converge_s", "converge s", 300.0),
    ("25m", "peak_gb", "peak RSS GB", 8.0),
    ("25m", "p50_ms", "fold-in + top-10 p50 ms", 5.0),
    ("10m", "train_s", "full training s", 120.0),
]
"""(size, result key, what, at most)."""


def parse_size(token: str) -> int:
    """ "1m" -> 1,000,000; "0.2m", "100k", "25m", "250000" alike."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kKmM]?)\s*", token)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {token!r} (try 1m, 0.2m, 100k)")
    number = float(match.group(1)) * {"": 1, "k": 1e3, "m": 1e6}[match.group(2).lower()]
    if not 1_000 <= number <= 4 * FULL_RATINGS:
        raise argparse.ArgumentTypeError(f"size {token!r} must be 1k-100m ratings")
    return round(number)


def fraction_of(n_ratings: int) -> float:
    return min(n_ratings / 25e6, 4.0)


def generate_to(folder: Path, fraction: float, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    data = generate(fraction, seed)
    write(data, folder)
    return {"gen_s": time.perf_counter() - started}


def measure(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    started = time.perf_counter()
    data = load_movielens(folder)
    out["read_s"] = time.perf_counter() - started
    ratings = data.ratings
    out.update(ratings=len(ratings), users=int(ratings["userId"].nunique()))
    out["movies"] = int(ratings["movieId"].nunique())

    chosen = {"threads": args.threads} if args.threads is not None else {}
    config = TrainConfig(device=args.device, dim=args.dim, seed=args.seed, **chosen)
    history: list[EpochStats] = []
    started = time.perf_counter()
    result = fit(ratings, config, movies=data.movies, progress=history.append)
    out["train_s"] = time.perf_counter() - started
    seconds = [h.seconds for h in history]
    gaps = np.diff(seconds).tolist()
    out["epoch_s"] = statistics.median(gaps) if gaps else seconds[0]
    out["epochs"] = len(history)
    rmses = [h.val_rmse for h in history if h.val_rmse is not None]
    out["val_rmse"] = min(rmses) if rmses else None
    out["val_rmses"] = [round(r, 4) for r in rmses]
    converged = out["val_rmse"]
    if not args.no_reference and converged is not None:
        long = dataclasses.replace(
            config, epochs=args.reference_epochs, patience=REFERENCE_PATIENCE, watch=None
        )
        reference = fit(ratings, long).history
        converged = min([converged, *(h.val_rmse for h in reference if h.val_rmse is not None)])
    out["converged_rmse"] = converged
    out["converge_s"] = next(
        (
            h.seconds
            for h in history
            if h.val_rmse is not None and h.val_rmse <= converged + CONVERGED_WITHIN
        ),
        None,
    )

    rec = result.recommender
    with tempfile.TemporaryDirectory(prefix="scale-models-") as models:
        path = save(rec, models, history=history)
        out["artifact_mb"] = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6

    people = sample_people(ratings, args.people, args.seed)
    for person in people[:5]:
        rec.recommend(person, K)
    times: list[float] = []
    shown: set[int] = set()
    for person in people:
        begun = time.perf_counter()
        found = rec.recommend(person, K)
        times.append((time.perf_counter() - begun) * 1e3)
        shown.update(r.movie_id for r in found.items)
    out["p50_ms"] = float(np.median(times))
    out["p95_ms"] = float(np.percentile(times, 95))
    if rec.watch is not None:
        rankable = rec.watch.items.size
    else:
        rankable = int((rec.item_count >= rec.serve.min_support).sum())
    out["rankable"] = rankable / len(rec.items)
    out["shown"] = len(shown) / len(rec.items)
    out["peak_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # KiB on Linux
    return out


def sample_people(ratings: Any, n: int, seed: int) -> list[dict[int, float]]:
    """n random users, each as a random 5-50 of their ratings ({movieId: rating})."""
    rng = np.random.default_rng(seed)
    order = np.argsort(ratings["userId"].to_numpy(), kind="stable")
    users = ratings["userId"].to_numpy()[order]
    movies, stars = ratings["movieId"].to_numpy()[order], ratings["rating"].to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    ends = np.r_[starts[1:], users.size]
    people = []
    for g in rng.choice(starts.size, min(n, starts.size), replace=False):
        rows = np.arange(starts[g], ends[g])
        take = rng.choice(rows, min(int(rng.integers(5, 51)), rows.size), replace=False)
        people.append(dict(zip(movies[take].tolist(), stars[take].tolist(), strict=True)))
    return people


def run_size(n_ratings: int, args: argparse.Namespace) -> dict[str, Any]:
    me = [sys.executable, str(Path(__file__).resolve())]
    with tempfile.TemporaryDirectory(prefix="scale-data-") as tmp:
        folder, report = Path(tmp) / "data", Path(tmp) / "report.json"
        fraction = str(fraction_of(n_ratings))
        gen = [*me, "--generate-to", str(folder), "--fraction", fraction, "--report", str(report)]
        subprocess.run([*gen, "--seed", str(args.seed)], check=True)
        out = json.loads(report.read_text())
        worker = [*me, "--measure", str(folder), "--report", str(report), "--seed", str(args.seed)]
        worker += ["--device", args.device, "--dim", str(args.dim)]
        worker += ["--threads", str(args.threads)] if args.threads is not None else []
        worker += ["--people", str(args.people), "--reference-epochs", str(args.reference_epochs)]
        subprocess.run([*worker, *(["--no-reference"] if args.no_reference else [])], check=True)
        out.update(json.loads(report.read_text()))
    return out


COLUMNS: list[tuple[str, str, str]] = [
    ("ratings", "ratings", "{:,}"), ("users", "users", "{:,}"), ("movies", "movies", "{:,}"),
    ("gen s", "gen_s", "{:.1f}"), ("read s", "read_s", "{:.2f}"), ("epoch s", "epoch_s", "{:.1f}"),
    ("epochs", "epochs", "{}"), ("converge s", "converge_s", "{:.1f}"),
    ("train s", "train_s", "{:.1f}"), ("val RMSE", "val_rmse", "{:.4f}"),
    ("peak GB", "peak_gb", "{:.2f}"), ("artifact MB", "artifact_mb", "{:.1f}"),
    ("p50 ms", "p50_ms", "{:.2f}"), ("p95 ms", "p95_ms", "{:.2f}"),
    ("rankable", "rankable", "{:.1%}"), ("shown", "shown", "{:.1%}"),
]  # fmt: skip


def cell(value: Any, form: str, key: str = "converge_s") -> str:
    if value is None:
        return "never" if key == "converge_s" else "-"
    return form.format(value)


def print_tables(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    threads = "default" if args.threads is None else args.threads
    print(f"\ndevice {args.device}, dim {args.dim}, threads {threads}, seed {args.seed}\n")
    print("| size | " + " | ".join(c[0] for c in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for size, out in results.items():
        print(f"| {size} | " + " | ".join(cell(out.get(k), f, k) for _, k, f in COLUMNS) + " |")
    print("\n| target | size | measured | at most | met |\n|---|---|---|---|---|")
    checked = 0
    for size, key, what, limit in TARGETS:
        found = next((o for s, o in results.items() if parse_size(s) == parse_size(size)), None)
        if found is None:
            continue
        checked += 1
        value = found.get(key)
        met = "no" if value is None or value > limit else "yes"
        print(f"| {what} | {size} | {cell(value, '{:.2f}', key)} | {limit:g} | {met} |")
    if not checked:
        print("| (the targets are for 10m and 25m; neither ran) | | | | |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1m,10m,25m", help="e.g. 1m,10m,25m,0.2m")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"))
    parser.add_argument("--dim", type=int, default=TrainConfig().dim)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: TrainConfig's)")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reference-epochs", type=int, default=30)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--generate-to", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--fraction", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate_to is not None:  # worker: one size's CSVs
        args.report.write_text(json.dumps(generate_to(args.generate_to, args.fraction, args.seed)))
        return
    if args.measure is not None:  # worker: one size's measurements
        args.report.write_text(json.dumps(measure(args.measure, args)))
        return
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    try:
        counts = [parse_size(s) for s in sizes]
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    results: dict[str, dict[str, Any]] = {}
    for size, n in zip(sizes, counts, strict=True):
        print(f"{size}: {n:,} ratings (fraction {fraction_of(n):.4g}) ...", flush=True)
        results[size] = run_size(n, args)
        print(json.dumps(results[size]), flush=True)
    print_tables(results, args)


if __name__ == "__main__":
    main()
