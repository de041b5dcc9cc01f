-- 002: what a person told the bot about a movie besides a rating.
--   not_seen        hide it from the lists to rate (and from recommendations); no evidence of taste
--   not_interested  never recommend it; mild negative evidence for similar movies
--   later           the watchlist: never recommended, listed by /watchlist
-- One mark per person and movie: a new mark replaces the old one, and rating the movie removes
-- it (done by the storage code in the same transaction as the rating).
CREATE TABLE marks (
    person_id INTEGER NOT NULL REFERENCES people (person_id) ON DELETE CASCADE,
    movie_id  INTEGER NOT NULL REFERENCES movies (movie_id),
    kind      TEXT    NOT NULL CHECK (kind IN ('not_seen', 'not_interested', 'later')),
    marked_at REAL    NOT NULL,
    PRIMARY KEY (person_id, movie_id)
) WITHOUT ROWID;
