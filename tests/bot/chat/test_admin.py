"""What /rollback says: which model serves now, and whether it is older or newer."""

from __future__ import annotations

import pytest

from bot.chat import admin
from recsys.results import ModelInfo

OLD = ModelInfo(
    "20260301T101500Z-mf_bias-aaaa1111", "mf_bias", "2026-03-01T10:15:00+00:00", 1, 1, 1
)
NEW = ModelInfo(
    "20260302T090000Z-mf_bias-bbbb2222", "mf_bias", "2026-03-02T09:00:00+00:00", 1, 1, 1
)


def test_moving_to_an_older_model_is_a_rollback_naming_both_models() -> None:
    text = admin.rollback_text(moved_to=OLD, replaced=NEW)

    assert text.startswith("↩️ <b>Rolled back</b> to the older model")
    assert OLD.version in text and "2026-03-01 10:15 UTC" in text and NEW.version in text


def test_a_second_rollback_says_it_switched_to_the_newer_model() -> None:
    text = admin.rollback_text(moved_to=NEW, replaced=OLD)

    assert text.startswith(f"↪️ <b>Switched to the newer model</b> <code>{NEW.version}</code>")
    assert "2026-03-02 09:00 UTC" in text and "Rolled back" not in text


def test_models_trained_the_same_second_are_ordered_by_version() -> None:
    twin = ModelInfo(OLD.version + "-2", "mf_bias", OLD.created_at, 1, 1, 1)

    assert "newer" in admin.rollback_text(moved_to=twin, replaced=OLD)


@pytest.mark.parametrize("replaced", [None, OLD], ids=["popularity list", "the same model"])
def test_replacing_the_popularity_list_or_the_same_model_is_neither_older_nor_newer(
    replaced: ModelInfo | None,
) -> None:
    text = admin.rollback_text(moved_to=OLD, replaced=replaced)

    assert text == (
        f"<b>Switched models</b>: now serving <code>{OLD.version}</code> "
        "(trained 2026-03-01 10:15 UTC)."
    )
