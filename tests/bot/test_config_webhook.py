"""The webhook and health settings: defaults, Telegram's rules, one-line errors (bot.config)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import __main__ as entry
from bot.config import ConfigError, Settings

TOKEN = "123456:ABC-def_ghiJKL"
SECRET = "a-long_random-secret-0123456789"


def settings(**env: str) -> Settings:
    return Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env})


def test_polling_is_the_default_with_no_server() -> None:
    plain = settings()
    assert (plain.webhook_url, plain.health_port) == (None, None)
    assert (plain.webhook_listen, plain.webhook_port) == ("0.0.0.0", 8080)


def test_a_webhook_url_with_a_secret_switches_webhook_mode_on() -> None:
    hooked = settings(
        WEBHOOK_URL="https://bot.example.com/telegram/updates",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT="9000",
        HEALTH_PORT="9100",
        HEALTH_LISTEN="127.0.0.2",
    )
    assert hooked.webhook_url == "https://bot.example.com/telegram/updates"
    assert hooked.webhook_path == "/telegram/updates"
    assert (hooked.webhook_listen, hooked.webhook_port) == ("127.0.0.1", 9000)
    assert (hooked.health_listen, hooked.health_port) == ("127.0.0.2", 9100)
    assert hooked.webhook_secret == SECRET


def test_a_url_without_a_path_takes_updates_at_the_root() -> None:
    assert (
        settings(WEBHOOK_URL="https://bot.example.com", WEBHOOK_SECRET=SECRET).webhook_path == "/"
    )


@pytest.mark.parametrize("url", ["http://127.0.0.1:8443/hook", "http://localhost:18080/hook"])
def test_plain_http_is_allowed_on_this_machine_only(url: str) -> None:
    assert settings(WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET).webhook_url == url


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"WEBHOOK_URL": "http://bot.example.com/hook"}, "must be an https:// URL"),
        ({"WEBHOOK_URL": "bot.example.com/hook"}, "must be an https:// URL"),
        ({"WEBHOOK_URL": "https://bot.example.com:8080/hook"}, "only to ports 443, 80, 88 or 8443"),
        ({"WEBHOOK_URL": "https://bot.example.com/healthz"}, "a path of its own"),
        ({"WEBHOOK_URL": "https://bot.example.com/hook", "WEBHOOK_SECRET": ""}, "is required"),
        ({"WEBHOOK_URL": "https://bot.example.com/hook", "WEBHOOK_SECRET": "has space"}, "1-256"),
        ({"WEBHOOK_URL": "https://bot.example.com/hook", "WEBHOOK_SECRET": "x" * 257}, "1-256"),
        ({"WEBHOOK_PORT": "http"}, "WEBHOOK_PORT must be a port number"),
        ({"HEALTH_PORT": "70000"}, "HEALTH_PORT must be a port number"),
        ({"HEALTH_PORT": "0"}, "HEALTH_PORT must be a port number"),
    ],
)
def test_bad_webhook_settings_are_one_line_errors(env: dict[str, str], says: str) -> None:
    env = {"WEBHOOK_SECRET": SECRET, **env}
    with pytest.raises(ConfigError) as raised:
        settings(**env)
    assert says in str(raised.value) and "\n" not in str(raised.value)


def test_the_secret_never_appears_in_its_error_nor_in_the_repr() -> None:
    with pytest.raises(ConfigError) as raised:
        settings(WEBHOOK_URL="https://bot.example.com/hook", WEBHOOK_SECRET="bad secret!")
    hooked = settings(WEBHOOK_URL="https://bot.example.com/hook", WEBHOOK_SECRET=SECRET)
    assert "bad secret" not in str(raised.value)
    assert SECRET not in repr(hooked)


@pytest.mark.parametrize(
    "url", [f"https://bot.example.com/{TOKEN}", "https://x.org/ABC-def_ghiJKL"]
)
def test_a_webhook_url_holding_the_token_is_refused_without_repeating_it(url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        settings(WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET)
    assert "must not contain the bot token" in str(raised.value)
    assert "ABC-def_ghiJKL" not in str(raised.value)


def test_main_exits_2_with_one_line_for_webhook_mode_without_a_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.com/hook")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    assert entry.main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "WEBHOOK_SECRET is required" in err
