-- 006: group chats. Who has used the bot in which group (for the group's /recommend), and
-- whose each bot message in a group is (a press by anyone else never edits it).
-- Both are keyed by Telegram id, not person id: someone may use the bot in a group before
-- they rate anything. /forget deletes a person's rows here too (bot/storage/chats.py).
CREATE TABLE chat_members (
    chat_id     INTEGER NOT NULL,
    telegram_id INTEGER NOT NULL,
    first_name  TEXT    NOT NULL,   -- shown in the group's list ("for Alice and Bob")
    seen_at     REAL    NOT NULL,
    PRIMARY KEY (chat_id, telegram_id)
) WITHOUT ROWID;

CREATE INDEX chat_members_by_person ON chat_members (telegram_id);

CREATE TABLE message_owners (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    telegram_id INTEGER NOT NULL,
    sent_at     REAL    NOT NULL,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;

CREATE INDEX message_owners_by_person ON message_owners (telegram_id);
