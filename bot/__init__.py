"""The Telegram bot: chat (everything Telegram), storage (everything SQL), training (models)."""
