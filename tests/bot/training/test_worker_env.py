"""The training worker gets no secrets: it reads a database file and talks to no one."""

from __future__ import annotations

from bot.training.worker_parent import worker_environment


def test_the_token_and_other_secrets_stay_out_of_the_worker() -> None:
    parent = {
        "TELEGRAM_BOT_TOKEN": "123:secret",
        "TELEGRAM_BASE_URL": "http://127.0.0.1/bot",
        "WEBHOOK_SECRET": "s3cret",
        "PGPASSWORD": "pw",
        "github_token": "t",
        "PATH": "/usr/bin",
        "MOVIELENS_DIR": "/data",
    }
    env = worker_environment(parent)
    assert env["PATH"] == "/usr/bin" and env["MOVIELENS_DIR"] == "/data"
    assert env["OPENBLAS_NUM_THREADS"] == "1"
    assert not {"TELEGRAM_BOT_TOKEN", "TELEGRAM_BASE_URL", "WEBHOOK_SECRET", "PGPASSWORD",
                "github_token"} & env.keys()  # fmt: skip
    assert "123:secret" not in env.values()
