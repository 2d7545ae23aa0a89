-- Check-ins at stations and micro-wishes, as read from rider documents (each once, by its id).
CREATE TABLE checkins (
    rider_id    INTEGER NOT NULL REFERENCES users (id),
    id          TEXT    NOT NULL,
    county      TEXT    NOT NULL,
    station     TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (rider_id, id)
);
CREATE INDEX checkins_county_at ON checkins (county, at);

CREATE TABLE wishes (
    rider_id   INTEGER NOT NULL REFERENCES users (id),
    id         TEXT    NOT NULL,
    county     TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    photo      TEXT    NOT NULL DEFAULT '',
    at         INTEGER NOT NULL,
    -- pending, approved, rejected, claimed, fulfilled
    status     TEXT    NOT NULL DEFAULT 'pending',
    reason     TEXT    NOT NULL DEFAULT '',
    org        TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (rider_id, id)
);
CREATE INDEX wishes_county ON wishes (county, status, at);

ALTER TABLE notices ADD COLUMN wish_id TEXT;

-- Rider documents made before `checkins` and `wishes` existed get those maps from the indexer,
-- which reads each of these once at the next start.
INSERT INTO docs_unindexed (doc_id, seq)
    SELECT rider_doc, 1 FROM users WHERE rider_doc IS NOT NULL
    ON CONFLICT (doc_id) DO NOTHING;
