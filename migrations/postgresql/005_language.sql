-- 005 (PostgreSQL): the language a person chose, as migrations/005_language.sql.
ALTER TABLE people ADD COLUMN language text CHECK (language ~ '^[a-z]{2,3}$');
