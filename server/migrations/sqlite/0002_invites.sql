-- Invite codes printed at stations: registering with one makes a rider of its county.
CREATE TABLE invites (
    code       TEXT    PRIMARY KEY,
    county     TEXT    NOT NULL,
    uses_left  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0,
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
