-- The office document of each rider: written by the server only, read-only for the rider.
ALTER TABLE users ADD COLUMN office_doc TEXT;
CREATE UNIQUE INDEX users_office_doc ON users (office_doc);

-- The stations document of each county: read-only for everyone in that county.
CREATE TABLE counties (
    code         TEXT PRIMARY KEY,
    stations_doc TEXT NOT NULL UNIQUE
);

-- A supervisor's decision on a report. Once decided, a report's content in the index no longer
-- follows edits in the rider document; such edits are flagged instead.
ALTER TABLE reports ADD COLUMN reviewed_by INTEGER REFERENCES users (id);
ALTER TABLE reports ADD COLUMN reviewed_at INTEGER;
ALTER TABLE reports ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
