-- 001: catalogue, people, ratings, model runs.
-- Times are seconds since the Unix epoch, UTC (REAL: bot ratings keep fractions of a second
-- so "newest first" is exact; MovieLens timestamps are whole seconds).

-- The MovieLens catalogue. The search_* columns hold titles normalised by bot/storage.py
-- (accents stripped, case folded, punctuation to spaces) so that search needs no SQL function.
CREATE TABLE movies (
    movie_id     INTEGER PRIMARY KEY,           -- MovieLens movieId
    title        TEXT    NOT NULL,              -- as in movies.csv: "Matrix, The (1999)"
    year         INTEGER,
    genres       TEXT    NOT NULL DEFAULT '',   -- '|'-separated, '' when none listed
    search_title TEXT    NOT NULL,              -- normalised full title: "matrix the 1999"
    search_name  TEXT    NOT NULL,              -- normalised title without year: "matrix the"
    search_alt   TEXT                           -- trailing article moved first: "the matrix"
);

-- A person is either a Telegram user or a MovieLens user of the dataset, never both.
CREATE TABLE people (
    person_id    INTEGER PRIMARY KEY,
    telegram_id  INTEGER UNIQUE,
    movielens_id INTEGER UNIQUE,
    created_at   REAL    NOT NULL,
    CHECK ((telegram_id IS NULL) <> (movielens_id IS NULL))
);

-- One row per person and movie; a re-rating updates the row in place.
CREATE TABLE ratings (
    person_id INTEGER NOT NULL REFERENCES people (person_id) ON DELETE CASCADE,
    movie_id  INTEGER NOT NULL REFERENCES movies (movie_id),
    rating    REAL    NOT NULL
        CHECK (rating BETWEEN 0.5 AND 5.0 AND rating * 2 = CAST(rating * 2 AS INTEGER)),
    rated_at  REAL    NOT NULL,
    PRIMARY KEY (person_id, movie_id)
) WITHOUT ROWID;

CREATE INDEX ratings_by_movie ON ratings (movie_id);

-- Per-movie rating count and sum, kept by the triggers below so that the popular list (shown on
-- every /popular page) reads 50 index entries instead of grouping every rating.
CREATE TABLE movie_stats (
    movie_id   INTEGER PRIMARY KEY REFERENCES movies (movie_id),
    n_ratings  INTEGER NOT NULL DEFAULT 0 CHECK (n_ratings >= 0),
    rating_sum REAL    NOT NULL DEFAULT 0
);

CREATE INDEX movie_stats_popular ON movie_stats (n_ratings DESC, movie_id);

CREATE TRIGGER movies_stats_row AFTER INSERT ON movies BEGIN
    INSERT INTO movie_stats (movie_id) VALUES (NEW.movie_id);
END;

CREATE TRIGGER ratings_count_insert AFTER INSERT ON ratings BEGIN
    UPDATE movie_stats SET n_ratings = n_ratings + 1, rating_sum = rating_sum + NEW.rating
    WHERE movie_id = NEW.movie_id;
END;

CREATE TRIGGER ratings_count_update AFTER UPDATE OF movie_id, rating ON ratings BEGIN
    UPDATE movie_stats SET n_ratings = n_ratings - 1, rating_sum = rating_sum - OLD.rating
    WHERE movie_id = OLD.movie_id;
    UPDATE movie_stats SET n_ratings = n_ratings + 1, rating_sum = rating_sum + NEW.rating
    WHERE movie_id = NEW.movie_id;
END;

CREATE TRIGGER ratings_count_delete AFTER DELETE ON ratings BEGIN
    UPDATE movie_stats SET n_ratings = n_ratings - 1, rating_sum = rating_sum - OLD.rating
    WHERE movie_id = OLD.movie_id;
END;

-- The MovieLens import happens once; this row says it did (and what it brought).
CREATE TABLE dataset_imports (
    source      TEXT    PRIMARY KEY,
    imported_at REAL    NOT NULL,
    movies      INTEGER NOT NULL,
    people      INTEGER NOT NULL,
    ratings     INTEGER NOT NULL
);

CREATE TABLE model_runs (
    run_id        INTEGER PRIMARY KEY,
    trigger       TEXT    NOT NULL,                 -- e.g. 'schedule', 'admin', 'startup'
    status        TEXT    NOT NULL DEFAULT 'running'
        -- rejected: trained fine but not put in service (worse than the serving model)
        CHECK (status IN ('running', 'succeeded', 'failed', 'rejected')),
    started_at    REAL    NOT NULL,
    finished_at   REAL,
    n_ratings     INTEGER,
    n_users       INTEGER,
    n_movies      INTEGER,
    metrics       TEXT,                             -- JSON object of name -> number
    artifact_path TEXT,
    error         TEXT
);

CREATE INDEX model_runs_by_status ON model_runs (status, started_at);
