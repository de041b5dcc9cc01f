-- 005: the language a person chose with /language ("en", "ru", "es"). NULL until they choose:
-- the bot then follows their Telegram app's language. It is on the people row, so /forget
-- (which deletes the row) deletes it too; choosing a language creates the row if needed.
ALTER TABLE people ADD COLUMN language TEXT CHECK (
    language IS NULL OR (length(language) BETWEEN 2 AND 3 AND language NOT GLOB '*[^a-z]*')
);
