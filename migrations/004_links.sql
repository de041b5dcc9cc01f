-- 004: where each movie is on IMDb and TMDb, from MovieLens's links.csv.
--   imdb_id  the number of IMDb's "tt" id: 114709 for https://www.imdb.com/title/tt0114709/
--   tmdb_id  TMDb's movie id: 862 for https://www.themoviedb.org/movie/862
-- NULL when links.csv has no such id (some movies lack a TMDb id) or was not imported: a
-- database imported before this migration gets them at the next start that finds the
-- dataset folder (bot/storage/movielens.py).
ALTER TABLE movies ADD COLUMN imdb_id INTEGER CHECK (imdb_id > 0);
ALTER TABLE movies ADD COLUMN tmdb_id INTEGER CHECK (tmdb_id > 0);
