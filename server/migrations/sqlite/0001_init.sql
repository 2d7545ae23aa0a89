-- Accounts. `login` is a rider's phone number or a staff account name.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('rider', 'supervisor', 'admin')),
    county        TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    rider_doc     TEXT    UNIQUE,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- Sessions: only a hash of the random token is kept.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Short-lived single-use tickets for WebSocket clients that cannot send cookies.
CREATE TABLE sync_tickets (
    ticket_hash TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    peer_id     TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- The relay's document store: samod's key/value chunks (snapshots and incremental changes).
CREATE TABLE doc_chunks (
    key  TEXT PRIMARY KEY,
    data BLOB NOT NULL
);

-- The report index, fed from rider documents as they change. A report is keyed by its rider and
-- its client-made UUID, so a resent report stays one row.
CREATE TABLE reports (
    rider_id        INTEGER NOT NULL REFERENCES users (id),
    id              TEXT    NOT NULL,
    doc_id          TEXT    NOT NULL,
    county          TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    note            TEXT    NOT NULL,
    lat             REAL    NOT NULL,
    lon             REAL    NOT NULL,
    accuracy_m      REAL,
    location_source TEXT    NOT NULL,
    place           TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    photos          TEXT    NOT NULL,
    received_at     INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'new',
    PRIMARY KEY (rider_id, id)
);
CREATE INDEX reports_county_received ON reports (county, received_at DESC);

-- Entries of rider documents that failed validation, for supervisors to see.
CREATE TABLE flagged_entries (
    doc_id  TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    problem TEXT    NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (doc_id, key)
);
