-- 007: schedule slots. With several bot processes on one database the schedule fires in
-- each of them; the one whose insert of a tick's row succeeds runs it, the others skip it
-- (bot/storage/cluster.py). Old rows are deleted as new ones are claimed.
CREATE TABLE scheduled_runs (
    slot       TEXT PRIMARY KEY,   -- the job and the tick, e.g. 'retrain@2026-12-02T12:00:00Z'
    claimed_by TEXT NOT NULL,      -- host:pid of the process that ran it
    claimed_at REAL NOT NULL       -- seconds since the epoch
) WITHOUT ROWID;

CREATE INDEX scheduled_runs_by_time ON scheduled_runs (claimed_at);
