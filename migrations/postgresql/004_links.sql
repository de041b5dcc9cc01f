-- 004 (PostgreSQL): each movie's IMDb and TMDb ids, as migrations/004_links.sql.
ALTER TABLE movies ADD COLUMN imdb_id bigint CHECK (imdb_id > 0);
ALTER TABLE movies ADD COLUMN tmdb_id bigint CHECK (tmdb_id > 0);
