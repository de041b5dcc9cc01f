"""Settings from the environment: defaults, parsing, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import __main__ as entry
from bot.app import retrain_options
from bot.config import ConfigError, Settings, database_location

TOKEN = "123456:ABC-def_ghiJKL"


def test_defaults_put_everything_under_the_data_folder() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.data_dir == Path("data")
    assert settings.database_path == Path("data/moviebot.db")
    assert settings.model_dir == Path("data/models")
    assert settings.movielens_dir is None and settings.base_url is None
    assert settings.admin_ids == frozenset()
    assert (settings.log_level, settings.retrain_schedule) == ("INFO", "6h")
    assert settings.log_format == "text"
    assert settings.retrain_timeout == 1800.0 and 0 < settings.retrain_margin < 0.1


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot",
            "ADMIN_IDS": " 42, 7 ,,",
            "DATA_DIR": "/srv/moviebot",
            "MODEL_DIR": "/models",
            "MOVIELENS_DIR": "/datasets/ml-latest-small",
            "LOG_LEVEL": "debug",
            "LOG_FORMAT": "JSON",
            "RETRAIN_SCHEDULE": "0 */6 * * *",
            "RETRAIN_TIMEOUT": "30m",
            "RETRAIN_MARGIN": "0.05",
            "MESSAGES_PER_SECOND": "15",
        }
    )
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.admin_ids == frozenset({42, 7})
    assert settings.database_path == Path("/srv/moviebot/moviebot.db")
    assert settings.model_dir == Path("/models")
    assert settings.movielens_dir == Path("/datasets/ml-latest-small")
    assert settings.log_level == "DEBUG" and settings.log_format == "json"
    assert settings.retrain_schedule == "0 */6 * * *"
    assert settings.retrain_timeout == 1800.0 and settings.retrain_margin == 0.05
    assert settings.messages_per_second == 15.0


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "  "}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BASE_URL": "127.0.0.1:8081"}, "TELEGRAM_BASE_URL"),
        ({"ADMIN_IDS": "42,alice"}, "ADMIN_IDS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"RETRAIN_SCHEDULE": "sometimes"}, "RETRAIN_SCHEDULE"),
        ({"RETRAIN_TIMEOUT": "-5"}, "RETRAIN_TIMEOUT"),
        ({"RETRAIN_MARGIN": "a lot"}, "RETRAIN_MARGIN"),
        ({"RETRAIN_MARGIN": "-0.1"}, "RETRAIN_MARGIN"),
        ({"MESSAGES_PER_SECOND": "0"}, "MESSAGES_PER_SECOND"),
        ({"MESSAGES_PER_SECOND": "inf"}, "MESSAGES_PER_SECOND"),
        ({"MESSAGES_PER_SECOND": "nan"}, "MESSAGES_PER_SECOND"),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_variable(env: dict, named: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, **env} if named != "TELEGRAM_BOT_TOKEN" else env
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    assert named in str(raised.value) and "\n" not in str(raised.value)


def test_the_token_is_not_in_the_repr() -> None:
    assert "ABC-def" not in repr(Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}))


def test_main_without_a_token_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert entry.main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TELEGRAM_BOT_TOKEN is not set" in err


def test_main_reads_a_dotenv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "LOG_LEVEL"):
        monkeypatch.setenv(name, "")  # recorded, so what .env sets is undone afterwards
        monkeypatch.delenv(name)
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=nonsense\n")
    # The token comes from .env, so the first complaint is about the next variable.
    assert entry.main([]) == 2
    assert "LOG_LEVEL" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("raw", "problem"),
    [("{not json", "Expecting"), ("[1, 2]", "JSON object"), ('{"epochz": 3}', "epochz")],
)
def test_bad_train_config_is_a_config_error(raw: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=f"TRAIN_CONFIG.*{problem}"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "TRAIN_CONFIG": raw})


def test_train_config_overrides_reach_the_retrain_options() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "TRAIN_CONFIG": '{"dim": 8}'})
    assert retrain_options(settings).train_config == {"dim": 8}


def test_backups_are_off_by_default_and_go_under_the_data_folder() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "DATA_DIR": "/srv/moviebot"})
    assert settings.backup_schedule == "off"
    assert settings.backup_dir == Path("/srv/moviebot/backups")
    assert settings.backup_keep == 7


def test_backup_settings_are_read() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "BACKUP_SCHEDULE": "0 3 * * *",
            "BACKUP_DIR": "/backups",
            "BACKUP_KEEP": "30",
        }
    )
    assert (settings.backup_schedule, settings.backup_dir, settings.backup_keep) == (
        "0 3 * * *",
        Path("/backups"),
        30,
    )


@pytest.mark.parametrize(
    ("name", "raw"),
    [("BACKUP_SCHEDULE", "every night"), ("BACKUP_KEEP", "0"), ("BACKUP_KEEP", "seven")],
)
def test_bad_backup_settings_are_config_errors_naming_the_variable(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, name: raw})


def test_backup_and_restore_find_the_database_the_bot_uses_without_a_token() -> None:
    for env in ({"DATA_DIR": "/srv/bot"}, {"DATA_DIR": "/srv/bot", "DATABASE_PATH": "/db/x.db"}):
        settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env})
        assert database_location(env) == (settings.database_path, settings.migrations_dir)


def test_the_database_is_the_sqlite_file_unless_database_url_says_otherwise() -> None:
    default = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": "/db/x.db"})
    assert (default.database.dialect, default.database.path) == ("sqlite", Path("/db/x.db"))

    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": "/db/x.db"}
    sqlite = Settings.from_env({**env, "DATABASE_URL": "sqlite:////srv/bot/moviebot.db"})
    assert sqlite.database.path == sqlite.database_path == Path("/srv/bot/moviebot.db")
    assert database_location({"DATABASE_URL": "sqlite:///rel/bot.db"})[0] == Path("rel/bot.db")

    url = "postgresql://bot:s3cret@db:5432/moviebot"
    postgres = Settings.from_env({**env, "DATABASE_URL": url})
    assert (postgres.database.dialect, postgres.database.dsn) == ("postgresql", url)
    assert "s3cret" not in repr(postgres) and "s3cret" not in str(postgres.database)


@pytest.mark.parametrize(
    "url", ["mysql://bot:s3cret@db/x", "postgresql://bot:s3cret@db:port/x", "sqlite://x.db"]
)
def test_a_bad_database_url_is_a_config_error_without_the_password(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL") as refused:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": url})

    assert "s3cret" not in str(refused.value)


def test_postgresql_refuses_the_sqlite_backups() -> None:
    env = {"DATABASE_URL": "postgresql://bot:s3cret@db:5432/moviebot"}
    with pytest.raises(ConfigError, match="pg_dump") as refused:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BACKUP_SCHEDULE": "1d", **env})
    assert "s3cret" not in str(refused.value)

    with pytest.raises(ConfigError, match="pg_dump") as refused:
        database_location(env)
    assert "s3cret" not in str(refused.value)
