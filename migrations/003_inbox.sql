-- 003: the inbox. Every update fetched from Telegram is written here (in one transaction per
-- getUpdates batch) before its offset is confirmed, and marked done once handled; at start-up
-- the updates a crash left undone are handled again. Telegram keeps an update for 24 hours
-- and never redelivers one whose offset was confirmed, so this table is the only copy.
--   body     the update as Telegram sent it (JSON); emptied once it is handled
--   done_at  NULL until the bot has handled it (or answered it as too late)
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    body        TEXT    NOT NULL,
    received_at REAL    NOT NULL,
    done_at     REAL
);
CREATE INDEX inbox_undone ON inbox (update_id) WHERE done_at IS NULL;
