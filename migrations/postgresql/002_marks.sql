-- 002 (PostgreSQL): marks, as migrations/002_marks.sql (see there for what each kind means).
CREATE TABLE marks (
    person_id bigint NOT NULL REFERENCES people (person_id) ON DELETE CASCADE,
    movie_id  bigint NOT NULL REFERENCES movies (movie_id),
    kind      text   NOT NULL CHECK (kind IN ('not_seen', 'not_interested', 'later')),
    marked_at double precision NOT NULL,
    PRIMARY KEY (person_id, movie_id)
);
