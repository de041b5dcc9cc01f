"""The `recsys` CLI end to end on a small synthetic MovieLens folder.

One tiny model is trained once per module (dim 4, 2 epochs) and shared by the tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from recsys import artifacts
from recsys.cli import main

N_USERS, N_MOVIES = 40, 30
FAST = [
    "--dim",
    "4",
    "--epochs",
    "2",
    "--lr",
    "0.02",
    "--l2",
    "0.05",
    "--device",
    "cpu",
    "--seed",
    "1",
]


def write_movielens(folder: Path) -> Path:
    """A rank-2 taste model rounded to half stars; each user rates 60% of the movies."""
    rng = np.random.default_rng(0)
    users, movies = rng.normal(size=(N_USERS, 2)), rng.normal(size=(N_MOVIES, 2))
    rows: list[tuple[int, int, float, int]] = []
    for u in range(N_USERS):
        for m in rng.choice(N_MOVIES, size=int(N_MOVIES * 0.6), replace=False):
            rating = np.clip(np.round((3.5 + users[u] @ movies[m]) * 2) / 2, 0.5, 5.0)
            rows.append((u + 1, int(m) + 1, rating, 1_000_000 + len(rows)))
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["userId", "movieId", "rating", "timestamp"]).to_csv(
        folder / "ratings.csv", index=False
    )
    genres = ["Comedy", "Drama", "Comedy|Romance", "(no genres listed)"]
    pd.DataFrame(
        {
            "movieId": range(1, N_MOVIES + 1),
            "title": [f"Movie {m}, The ({1980 + m})" for m in range(1, N_MOVIES + 1)],
            "genres": [genres[m % len(genres)] for m in range(N_MOVIES)],
        }
    ).to_csv(folder / "movies.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_movielens(tmp_path_factory.mktemp("ml") / "tiny")


@pytest.fixture(scope="module")
def models_dir(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models")
    assert main(["train", "--data", str(data_dir), "--out", str(out), *FAST]) == 0
    return out


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)  # exactly one JSON document, nothing else on stdout


def test_train_writes_current_artifact_with_history(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_json(capsys, ["train", "--data", str(data_dir), "--out", str(tmp_path), *FAST])

    current = artifacts.current_path(tmp_path)
    assert current is not None and current.name == result["version"]
    assert result["n_ratings"] == len(pd.read_csv(data_dir / "ratings.csv"))
    assert [h["epoch"] for h in artifacts.read_history(current)] == [1, 2]


def test_train_shows_progress_on_stderr_and_a_table_on_stdout(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--data", str(data_dir), "--out", str(tmp_path), *FAST]) == 0

    captured = capsys.readouterr()
    assert "epoch" in captured.err
    assert captured.out.startswith("model:")


@pytest.mark.parametrize("split", ["seed", "temporal"])
def test_evaluate_reports_rating_and_ranking_metrics(
    data_dir: Path, split: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_json(capsys, ["evaluate", "--data", str(data_dir), "--split", split, *FAST])

    assert result["split"] == split
    assert result["n_train"] + result["n_test"] == len(pd.read_csv(data_dir / "ratings.csv"))
    assert 0.0 < result["metrics"]["rmse"] < 2.0
    assert 0.0 <= result["metrics"]["ndcg@10"] <= 1.0


def test_predict_writes_one_prediction_per_pair_with_fallbacks(
    models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("userId,movieId\n1,1\n2,5\n999,1\n1,999\n")
    preds = tmp_path / "preds.csv"

    summary = run_json(
        capsys,
        ["predict", "--model-dir", str(models_dir), "--input", str(pairs), "--output", str(preds)],
    )

    table = pd.read_csv(preds)
    expected = artifacts.load_current(models_dir).predict([1, 2, 999, 1], [1, 5, 1, 999])
    assert list(table.columns) == ["userId", "movieId", "prediction"]
    np.testing.assert_allclose(table["prediction"], expected, atol=1e-4)
    assert (summary["unknown_users"], summary["unknown_movies"]) == (1, 1)


def test_recommend_new_person_excludes_what_they_rated(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_json(
        capsys, ["recommend", "--model-dir", str(models_dir), "--rate", "1=5", "2=4.5", "-k", "5"]
    )

    movies = [item["movie_id"] for item in result["items"]]
    assert result["path"] == "personal"
    assert len(movies) == 5 and not {1, 2} & set(movies)
    assert all(0.5 <= item["predicted_rating"] <= 5 for item in result["items"])
    assert result["items"][0]["title"].startswith("Movie ")


def test_rate_takes_several_ratings_at_once_or_one_per_flag(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = ["recommend", "--model-dir", str(models_dir), "-k", "5"]
    together = run_json(capsys, [*rec, "--rate", "1=5", "2=1", "3=4.5"])
    repeated = run_json(capsys, [*rec, "--rate", "1=5", "--rate", "2=1", "--rate", "3=4.5"])
    mixed = run_json(capsys, [*rec, "--rate", "1=5", "2=1", "--rate", "3=4.5", "--rate", "1=5"])
    only_last = run_json(capsys, [*rec, "--rate", "3=4.5"])

    assert together == repeated == mixed != only_last
    assert not {1, 2, 3} & {item["movie_id"] for item in repeated["items"]}


def test_a_movie_rated_twice_differently_is_refused(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["recommend", "--model-dir", str(models_dir), "--rate", "1=5", "--rate", "1=1"])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert (
        err[0] == "recsys: error: movie 1 is rated twice in --rate with different ratings (5 and 1)"
    )


def test_recommend_with_only_unknown_movies_falls_back_to_popular(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_json(capsys, ["recommend", "--model-dir", str(models_dir), "--rate", "9999=4"])

    assert (result["path"], result["ignored_movies"], len(result["items"])) == ("popular", 1, 10)


def test_recommend_accepts_an_artifact_directory_too(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["recommend", "--rate", "3=4", "-k", "3"]
    via_root = run_json(capsys, [*argv, "--model-dir", str(models_dir)])
    via_artifact = run_json(capsys, [*argv, "--model-dir", str(artifacts.current_path(models_dir))])

    assert via_root == via_artifact


def test_recommend_table_is_readable(models_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", "--model-dir", str(models_dir), "--rate", "1=5", "-k", "2"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("personal recommendations from ")
    assert lines[2].split()[:3] == ["rank", "movieId", "title"]
    assert len(lines) == 6  # note, blank, header, rule, two rows


def test_recommend_for_training_users_skips_their_movies(
    models_dir: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = tmp_path / "users.csv"
    users.write_text("userId\n1\n2\n12345\n")
    recs = tmp_path / "recs.csv"

    summary = run_json(
        capsys,
        [
            "recommend", "--model-dir", str(models_dir), "--users", str(users),
            "--output", str(recs), "-k", "4",
        ],
    )  # fmt: skip

    table = pd.read_csv(recs)
    ratings = pd.read_csv(data_dir / "ratings.csv")
    seen = set(zip(ratings["userId"], ratings["movieId"], strict=True))
    assert list(table.columns) == ["userId", "rank", "movieId", "score"]
    assert table.groupby("userId")["rank"].apply(list).to_dict() == {
        1: [1, 2, 3, 4],
        2: [1, 2, 3, 4],
        12345: [1, 2, 3, 4],
    }
    assert not any((u, m) in seen for u, m in zip(table["userId"], table["movieId"], strict=True))
    assert summary["unknown_users"] == 1


def test_rollback_returns_to_the_previous_model(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train = ["train", "--data", str(data_dir), "--out", str(tmp_path), *FAST]
    first = run_json(capsys, train)["version"]
    second = run_json(capsys, [*train[:-2], "--seed", "2"])["version"]

    switched = run_json(capsys, ["rollback", "--model-dir", str(tmp_path)])

    assert switched == {"current": first, "previous": second}
    roles = {
        m["version"]: m["role"]
        for m in run_json(capsys, ["models", "--model-dir", str(tmp_path)])["models"]
    }
    assert roles == {first: "current", second: "previous"}


def test_input_with_bom_and_crlf_is_read(
    models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(b"\xef\xbb\xbfuserId,movieId,rating\r\n1,2,4.0\r\n")

    summary = run_json(
        capsys,
        [
            "predict",
            "--model-dir",
            str(models_dir),
            "--input",
            str(pairs),
            "--output",
            str(tmp_path / "p.csv"),
        ],
    )

    assert summary["pairs"] == 1


def test_models_lists_the_current_one(models_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, ["models", "--model-dir", str(models_dir)])

    assert [m["role"] for m in result["models"]] == ["current"]


# ---- bad input: one line on stderr, exit code 2, nothing written


def bad_inputs(data: Path, models: Path, tmp: Path) -> dict[str, list[str]]:
    (tmp / "letters.csv").write_text("userId,movieId\n1,abc\n")
    (tmp / "nocol.csv").write_text("user,movie\n1,1\n")
    (tmp / "empty.csv").write_text("")
    (tmp / "other-digits.csv").write_text("userId,movieId\n\u0661,\uff12\n", encoding="utf-8")
    (tmp / "a-file").write_text("not a folder")
    (tmp / "broken").mkdir()
    (tmp / "broken/ratings.csv").write_text("userId,movieId,rating,timestamp\n1,1,9,0\n")
    (tmp / "broken/movies.csv").write_text("movieId,title,genres\n1,A (2000),Drama\n")
    (tmp / "header-only").mkdir()
    (tmp / "header-only/ratings.csv").write_text("userId,movieId,rating,timestamp\n")
    (tmp / "header-only/movies.csv").write_text("movieId,title,genres\n1,A (2000),Drama\n")
    out = ["--output", str(tmp / "out.csv")]
    rec = ["recommend", "--model-dir", str(models)]
    predict = ["predict", "--model-dir", str(models)]
    return {
        "missing data dir": ["train", "--data", str(tmp / "nope"), "--out", str(tmp / "m")],
        "rating outside 0.5-5 in data": ["train", "--data", str(tmp / "broken"), "--out", str(tmp)],
        "no ratings": ["train", "--data", str(tmp / "header-only"), "--out", str(tmp / "m")],
        "no ratings to split": ["evaluate", "--data", str(tmp / "header-only")],
        "out is a file": ["train", "--data", str(data), "--out", str(tmp / "a-file"), *FAST],
        "unknown model": ["train", "--data", str(data), "--out", str(tmp), "--model", "svd"],
        "bad epochs": ["evaluate", "--data", str(data), "--epochs", "0"],
        "bad split": ["evaluate", "--data", str(data), "--split", "random"],
        "missing input": [*predict, "--input", str(tmp / "nope.csv"), *out],
        "non-integer id": [*predict, "--input", str(tmp / "letters.csv"), *out],
        "missing column": [*predict, "--input", str(tmp / "nocol.csv"), *out],
        "empty csv": [*predict, "--input", str(tmp / "empty.csv"), *out],
        "non-ASCII digits": [*predict, "--input", str(tmp / "other-digits.csv"), *out],
        "missing models dir": ["models", "--model-dir", str(tmp / "nomodel")],
        "missing model dir": ["predict", "--model-dir", str(tmp / "nomodel"), "--input", "x", *out],
        "rating too high": [*rec, "--rate", "1=7"],
        "rating off the half-star grid": [*rec, "--rate", "1=3.3"],
        "rating not a number": [*rec, "--rate", "1=good"],
        "bad syntax": [*rec, "--rate", "1:5"],
        "movie id not a number": [*rec, "--rate", "abc=4"],
        "movie rated twice": [*rec, "--rate", "1=4", "1=5"],
        "movie rated twice, two flags": [*rec, "--rate", "1=4", "--rate", "2=3", "1=5"],
        "unknown genre": [*rec, "--rate", "1=4", "--genre", "Western"],
        "users without output": [*rec, "--users", str(tmp / "letters.csv")],
        "rate and users together": [*rec, "--rate", "1=4", "--users", str(tmp / "x.csv")],
        "bad k": [*rec, "--rate", "1=4", "-k", "0"],
        "movie id past int64": [*rec, "--rate", "99999999999999999999999=4"],
        "movie id in non-ASCII digits": [*rec, "--rate", "\uff14=4"],
        "negative seed": ["train", "--data", str(data), "--out", str(tmp / "m"), "--seed", "-1"],
        "seed too large": ["evaluate", "--data", str(data), "--seed", str(2**70)],
        **({} if torch.cuda.is_available() else {"cuda without CUDA": [
            "train", "--data", str(data), "--out", str(tmp / "m"), "--device", "cuda"]}),
    }  # fmt: skip


def test_every_bad_input_is_one_line_and_exit_2(
    data_dir: Path, models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = {}
    for name, argv in bad_inputs(data_dir, models_dir, tmp_path).items():
        code: str | int | None
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own errors exit through SystemExit
            code = exc.code
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        outcomes[name] = (code, len(lines), lines[0].startswith("recsys") if lines else False)

    assert outcomes == {name: (2, 1, True) for name in outcomes}
    assert not (tmp_path / "out.csv").exists()


def test_corrupt_artifact_is_exit_2_naming_the_file(
    models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken-model"
    artifact = artifacts.current_path(models_dir)
    assert artifact is not None
    broken.mkdir()
    for f in artifact.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    (broken / "weights.npz").write_bytes(b"\0" * 64)

    code = main(["recommend", "--model-dir", str(broken), "--rate", "1=4"])

    assert code == 2
    assert "weights.npz" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli(models_dir: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "recsys", "recommend", "--model-dir", str(models_dir),
         "--rate", "1=5", "--json"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    bad = subprocess.run(
        [sys.executable, "-m", "recsys", "recommend", "--model-dir", str(models_dir),
         "--rate", "1=5.5"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert (ok.returncode, json.loads(ok.stdout)["path"]) == (0, "personal")
    assert (bad.returncode, len(bad.stderr.splitlines()), "Traceback" in bad.stderr) == (
        2,
        1,
        False,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["train", "--data", "nowhere"],
        ["recommend", "--model-dir", "{models}", "--rate", "1=5", "2=4"],
    ],
)
def test_help_usage_errors_and_recommend_never_import_torch(models_dir: Path, argv) -> None:
    """Importing torch is 2-5 s here: a mf_bias model serves from numpy alone."""
    argv = [a.format(models=models_dir) for a in argv]
    code = (
        "import sys\n"
        "from recsys.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('torch' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stderr.strip().splitlines()[-1] == "False"
