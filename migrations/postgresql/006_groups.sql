-- 006 (PostgreSQL): group chats, as migrations/006_groups.sql.
CREATE TABLE chat_members (
    chat_id     bigint NOT NULL,
    telegram_id bigint NOT NULL,
    first_name  text   NOT NULL,   -- shown in the group's list ("for Alice and Bob")
    seen_at     double precision NOT NULL,
    PRIMARY KEY (chat_id, telegram_id)
);

CREATE INDEX chat_members_by_person ON chat_members (telegram_id);

CREATE TABLE message_owners (
    chat_id     bigint NOT NULL,
    message_id  bigint NOT NULL,
    telegram_id bigint NOT NULL,
    sent_at     double precision NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);

CREATE INDEX message_owners_by_person ON message_owners (telegram_id);
