"""What /forget says it did: only what was done, models included."""

from __future__ import annotations

from bot.chat import texts


def test_someone_no_model_held_is_told_everything_is_deleted() -> None:
    assert texts.forgotten() == (
        "Done: everything I stored about you is deleted. Send /start to begin again."
    )


def test_someone_models_held_is_told_how_many_were_rewritten_and_what_retraining_does() -> None:
    text = texts.forgotten(2)

    assert "removed from the 2 trained models" in text
    assert "relearned without you at the next retraining" in text


def test_a_failed_rewrite_is_not_reported_as_done() -> None:
    text = texts.forgotten(1, cleaned=False)

    assert not text.startswith("Done") and "may still know you" in text
    assert len(text) <= texts.MAX_MESSAGE
