-- 003 (PostgreSQL): the inbox of updates fetched from Telegram, as migrations/003_inbox.sql.
CREATE TABLE inbox (
    update_id   bigint PRIMARY KEY,
    body        text   NOT NULL,
    received_at double precision NOT NULL,
    done_at     double precision
);
CREATE INDEX inbox_undone ON inbox (update_id) WHERE done_at IS NULL;
