"""The Telegram side of moviebot: handlers, keyboards, storage, retraining."""
